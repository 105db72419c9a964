package io.jmtcp.api;

import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpState;

import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.CallSupport.localIp;
import static io.jmtcp.api.CallSupport.request;
import static io.jmtcp.api.CallSupport.resolve;
import static io.jmtcp.api.CallSupport.submit;
import static io.jmtcp.api.CallSupport.takeError;
import static io.jmtcp.api.Mtcp.FIONBIO;
import static io.jmtcp.api.Mtcp.FIONREAD;
import static io.jmtcp.api.Mtcp.IPPROTO_TCP;
import static io.jmtcp.api.Mtcp.LINGER_OFF;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_ERROR;
import static io.jmtcp.api.Mtcp.SO_KEEPALIVE;
import static io.jmtcp.api.Mtcp.SO_LINGER;
import static io.jmtcp.api.Mtcp.SO_RCVBUF;
import static io.jmtcp.api.Mtcp.SO_REUSEADDR;
import static io.jmtcp.api.Mtcp.SO_REUSEPORT;
import static io.jmtcp.api.Mtcp.SO_SNDBUF;
import static io.jmtcp.api.Mtcp.SO_TYPE;
import static io.jmtcp.api.Mtcp.TCP_INFO;
import static io.jmtcp.api.Mtcp.TCP_KEEPCNT;
import static io.jmtcp.api.Mtcp.TCP_KEEPIDLE;
import static io.jmtcp.api.Mtcp.TCP_KEEPINTVL;
import static io.jmtcp.api.Mtcp.TCP_MAXSEG;
import static io.jmtcp.api.Mtcp.TCP_NODELAY;

/**
 * The implementation of {@link Mtcp}'s calls that read or change what a socket is and how it
 * behaves: getsockname, getpeername, setsockopt, getsockopt (int options and TCP_INFO) and ioctl.
 * Apart from the connection and data paths: these touch the slot's option fields, and the
 * context only when a live connection must learn or report a value. The contracts and errnos
 * stay on {@link Mtcp}.
 */
final class OptionCalls
{
    private static final int MIN_BUFFER = 1024;

    private OptionCalls()
    {
    }

    static int getsockname(final MtcpContext ctx, final int sockid, final SockAddr addr)
    {
        final SocketSlot slot = resolveSocket(ctx, sockid, addr == null);
        if (slot == null)
        {
            return -1;
        }
        addr.set(slot.bound || slot.phase != SocketSlot.NEW ? localIp(ctx) : 0, slot.localPort);
        return 0;
    }

    static int getpeername(final MtcpContext ctx, final int sockid, final SockAddr addr)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (addr == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        final int phase = slot.phase;
        if (phase != SocketSlot.CONNECTED && phase != SocketSlot.ENDED && phase != SocketSlot.TERMINATED)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        addr.set(slot.remoteIp, slot.remotePort);
        return 0;
    }

    static int setsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final int value)
    {
        final SocketSlot slot = resolveSocket(ctx, sockid, false);
        if (slot == null)
        {
            return -1;
        }
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_REUSEADDR:
                    slot.reuseAddress = value != 0;
                    return 0;
                case SO_REUSEPORT:
                    slot.reusePort = value != 0;
                    return 0;
                case SO_LINGER:
                    if (value < LINGER_OFF)
                    {
                        return ctx.fail(Errno.EINVAL);
                    }
                    slot.lingerSeconds = value;
                    return 0;
                case SO_KEEPALIVE:
                    return setLive(ctx, slot, level, optname, value != 0 ? 1 : 0);
                case SO_SNDBUF:
                case SO_RCVBUF:
                    if (value <= 0)
                    {
                        return ctx.fail(Errno.EINVAL);
                    }
                    return setLive(ctx, slot, level, optname,
                        Math.max(MIN_BUFFER, Math.min(ctx.table().ringBytes(), value)));
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        if (level == IPPROTO_TCP)
        {
            switch (optname)
            {
                case TCP_NODELAY:
                    return setLive(ctx, slot, level, optname, value != 0 ? 1 : 0);
                case TCP_MAXSEG:
                    return value < TcpConfig.DEFAULT_MIN_SEND_MSS || value > 0xFFFF ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                case TCP_KEEPIDLE:
                case TCP_KEEPINTVL:
                    return value < 1 || value > 32767 ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                case TCP_KEEPCNT:
                    return value < 1 || value > 127 ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        return ctx.fail(Errno.ENOPROTOOPT);
    }

    /**
     * Set an option the live connection must learn: store it, tell the context, and put the old
     * value back if the request queue is full (a failed call changes nothing). No allocation:
     * crr-style loops set TCP_NODELAY on every connection.
     */
    private static int setLive(final MtcpContext ctx, final SocketSlot slot, final int level, final int optname,
        final int value)
    {
        final int old = putOption(slot, level, optname, value);
        final int phase = slot.phase;
        if (slot.type != SocketSlot.STREAM || (phase != SocketSlot.CONNECTING && phase != SocketSlot.CONNECTED))
        {
            return 0;
        }
        if (!submit(ctx, slot, SocketSlot.REQ_OPTIONS))
        {
            putOption(slot, level, optname, old);
            return ctx.fail(Errno.EAGAIN);
        }
        return 0;
    }

    /** Store one of {@link #setLive}'s options; returns the value it replaced. */
    private static int putOption(final SocketSlot slot, final int level, final int optname, final int value)
    {
        final int old;
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_KEEPALIVE:
                    old = slot.keepAlive ? 1 : 0;
                    slot.keepAlive = value != 0;
                    return old;
                case SO_SNDBUF:
                    old = slot.sendBufferBytes;
                    slot.sendBufferBytes = value;
                    return old;
                default:
                    old = slot.receiveBufferBytes;
                    slot.receiveBufferBytes = value;
                    return old;
            }
        }
        switch (optname)
        {
            case TCP_NODELAY:
                old = slot.noDelay ? 1 : 0;
                slot.noDelay = value != 0;
                return old;
            case TCP_MAXSEG:
                old = slot.maxSegment;
                slot.maxSegment = value;
                return old;
            case TCP_KEEPIDLE:
                old = slot.keepIdleSeconds;
                slot.keepIdleSeconds = value;
                return old;
            case TCP_KEEPINTVL:
                old = slot.keepIntervalSeconds;
                slot.keepIntervalSeconds = value;
                return old;
            default:
                old = slot.keepCount;
                slot.keepCount = value;
                return old;
        }
    }

    static int getsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final int[] value)
    {
        final SocketSlot slot = resolveSocket(ctx, sockid, value == null || value.length == 0);
        if (slot == null)
        {
            return -1;
        }
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_REUSEADDR:
                    value[0] = slot.reuseAddress ? 1 : 0;
                    return 0;
                case SO_REUSEPORT:
                    value[0] = slot.reusePort ? 1 : 0;
                    return 0;
                case SO_TYPE:
                    value[0] = SOCK_STREAM;
                    return 0;
                case SO_ERROR:
                    value[0] = takeError(slot);
                    return 0;
                case SO_LINGER:
                    value[0] = slot.lingerSeconds;
                    return 0;
                case SO_KEEPALIVE:
                    value[0] = slot.keepAlive ? 1 : 0;
                    return 0;
                case SO_SNDBUF:
                    value[0] = slot.sendBufferBytes > 0 ? slot.sendBufferBytes : ctx.table().ringBytes();
                    return 0;
                case SO_RCVBUF:
                    value[0] = slot.receiveBufferBytes > 0 ? slot.receiveBufferBytes : ctx.table().ringBytes();
                    return 0;
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        if (level == IPPROTO_TCP)
        {
            switch (optname)
            {
                case TCP_NODELAY:
                    value[0] = slot.noDelay ? 1 : 0;
                    return 0;
                case TCP_MAXSEG:
                    return maxSegment(ctx, slot, value);
                case TCP_KEEPIDLE:
                    value[0] = slot.keepIdleSeconds > 0 ? slot.keepIdleSeconds
                        : (int)TimeUnit.NANOSECONDS.toSeconds(ctx.context().tcp().config().keepAliveIdleNanos());
                    return 0;
                case TCP_KEEPINTVL:
                    value[0] = slot.keepIntervalSeconds > 0 ? slot.keepIntervalSeconds
                        : (int)TimeUnit.NANOSECONDS.toSeconds(ctx.context().tcp().config().keepAliveIntervalNanos());
                    return 0;
                case TCP_KEEPCNT:
                    value[0] = slot.keepCount > 0 ? slot.keepCount : ctx.context().tcp().config().keepAliveProbes();
                    return 0;
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        return ctx.fail(Errno.ENOPROTOOPT);
    }

    private static int maxSegment(final MtcpContext ctx, final SocketSlot slot, final int[] value)
    {
        if (slot.type != SocketSlot.STREAM || slot.phase != SocketSlot.CONNECTED)
        {
            value[0] = slot.maxSegment > 0 ? slot.maxSegment : TcpConfig.DEFAULT_PEER_MSS;
            return 0;
        }
        final int error = request(ctx, slot, SocketSlot.REQ_INFO);
        if (error != 0)
        {
            return ctx.fail(error);
        }
        value[0] = slot.info.sendMss();
        return 0;
    }

    static int getsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final TcpInfo info)
    {
        final SocketSlot slot = resolveSocket(ctx, sockid, info == null);
        if (slot == null)
        {
            return -1;
        }
        if (level != IPPROTO_TCP || optname != TCP_INFO)
        {
            return ctx.fail(Errno.ENOPROTOOPT);
        }
        final int phase = slot.phase;
        if (slot.type == SocketSlot.LISTENER)
        {
            info.clear(TcpState.LISTEN);
            return 0;
        }
        if (phase == SocketSlot.NEW)
        {
            info.clear(TcpState.CLOSED);
            return 0;
        }
        final int error = request(ctx, slot, SocketSlot.REQ_INFO);
        if (error != 0)
        {
            return ctx.fail(error);
        }
        info.copyFrom(slot.info);
        return 0;
    }

    static int ioctl(final MtcpContext ctx, final int sockid, final int request, final int[] arg)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (arg == null || arg.length == 0)
        {
            return ctx.fail(Errno.EFAULT);
        }
        switch (request)
        {
            case FIONBIO:
                slot.nonBlocking = arg[0] != 0;
                return 0;
            case FIONREAD:
                switch (slot.type)
                {
                    case SocketSlot.STREAM:
                    case SocketSlot.PIPE_READ:
                    {
                        final ByteRing ring = slot.receiveRing;
                        arg[0] = ring == null || slot.readShut ? 0 : ring.available();
                        return 0;
                    }
                    case SocketSlot.LISTENER:
                        return ctx.fail(Errno.EINVAL);
                    default:
                        return ctx.fail(Errno.ENOTTY);
                }
            default:
                return ctx.fail(Errno.ENOTTY);
        }
    }

    /**
     * The stream or listener an id names, for the calls that take only those; null, with the
     * errno set, in the order the calls document: the id's errors, then EFAULT if the caller's
     * argument is missing, then ENOTSOCK (an epoll instance or a pipe).
     */
    private static SocketSlot resolveSocket(final MtcpContext ctx, final int sockid, final boolean argumentMissing)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return null;
        }
        if (argumentMissing)
        {
            ctx.fail(Errno.EFAULT);
            return null;
        }
        if (slot.type != SocketSlot.STREAM && slot.type != SocketSlot.LISTENER)
        {
            ctx.fail(Errno.ENOTSOCK);
            return null;
        }
        return slot;
    }
}
