package io.jmtcp.api;

import io.jmtcp.wire.Ip4;
import org.jctools.queues.SpmcArrayQueue;

import static io.jmtcp.api.CallSupport.WAIT_ACCEPT;
import static io.jmtcp.api.CallSupport.WAIT_CONNECT;
import static io.jmtcp.api.CallSupport.await;
import static io.jmtcp.api.CallSupport.localIp;
import static io.jmtcp.api.CallSupport.request;
import static io.jmtcp.api.CallSupport.requestData;
import static io.jmtcp.api.CallSupport.resolve;
import static io.jmtcp.api.CallSupport.submit;
import static io.jmtcp.api.CallSupport.takeError;
import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.IPPROTO_TCP;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;

/**
 * The implementation of {@link Mtcp}'s calls that make a socket and give it a connection:
 * socket, bind, listen (with the ephemeral port it may claim), accept and connect. Apart from the
 * data paths and the close protocol so that a socket's way to a connection reads in one place;
 * the contracts and errnos stay on {@link Mtcp}.
 */
final class OpenCalls
{
    private OpenCalls()
    {
    }

    static int socket(final MtcpContext ctx, final int domain, final int type, final int protocol)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (domain != AF_INET)
        {
            return ctx.fail(Errno.EAFNOSUPPORT);
        }
        if ((type & ~SOCK_NONBLOCK) != SOCK_STREAM)
        {
            return ctx.fail(Errno.ESOCKTNOSUPPORT);
        }
        if (protocol != 0 && protocol != IPPROTO_TCP)
        {
            return ctx.fail(Errno.EPROTONOSUPPORT);
        }
        final SocketSlot slot = ctx.table().allocate(SocketSlot.STREAM);
        if (slot == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        slot.nonBlocking = (type & SOCK_NONBLOCK) != 0;
        return slot.openId;
    }

    static int bind(final MtcpContext ctx, final int sockid, final int ip, final int port)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.bound || slot.phase != SocketSlot.NEW || port < 0 || port > 0xFFFF)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (ip != 0 && ip != localIp(ctx))
        {
            return ctx.fail(Errno.EADDRNOTAVAIL);
        }
        if (port != 0)
        {
            final int error = ctx.ports().bind(port, slot.sharing());
            if (error != 0)
            {
                return ctx.fail(error);
            }
            slot.claimedPort = port;
        }
        slot.localIp = localIp(ctx);
        slot.localPort = port;
        slot.bound = true;
        return 0;
    }

    static int listen(final MtcpContext ctx, final int sockid, final int backlog)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return 0;
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.phase != SocketSlot.NEW)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final boolean claimedHere = slot.claimedPort == 0;
        if (claimedHere && !claimEphemeral(ctx, slot))
        {
            return ctx.fail(Errno.EADDRINUSE);
        }
        slot.localIp = localIp(ctx);
        slot.bound = true;
        slot.backlog = Math.max(1, Math.min(SocketConfig.MAX_BACKLOG, backlog));
        slot.type = SocketSlot.LISTENER;
        slot.phase = SocketSlot.LISTENING;
        final int error = request(ctx, slot, SocketSlot.REQ_LISTEN);
        if (error != 0)
        {
            slot.type = SocketSlot.STREAM;
            slot.phase = SocketSlot.NEW;
            if (claimedHere)
            {
                ctx.ports().release(slot.claimedPort);
                slot.claimedPort = 0;
                slot.localPort = 0;
                slot.bound = false;
            }
            return ctx.fail(error);
        }
        return 0;
    }

    private static boolean claimEphemeral(final MtcpContext ctx, final SocketSlot slot)
    {
        final int first = ctx.ports().ephemeralFirst();
        final int span = ctx.ports().ephemeralLast() - first + 1;
        final int start = (int)((System.nanoTime() ^ slot.index * 0x9E3779B9L) & 0x7FFFFFFF) % span;
        for (int i = 0; i < span; i++)
        {
            final int port = first + (start + i) % span;
            // Linux's automatic bind takes only a port no socket uses, whatever the options.
            if (ctx.ports().bindUnused(port, slot.sharing()) == 0)
            {
                slot.claimedPort = port;
                slot.localPort = port;
                return true;
            }
        }
        return false;
    }

    static int accept(final MtcpContext ctx, final int sockid, final SockAddr peer)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.STREAM)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        while (true)
        {
            // Null once a close on another thread freed the listener: await then reports EBADF.
            final SpmcArrayQueue<SocketSlot> queue = slot.acceptQueue;
            final SocketSlot accepted = queue != null ? queue.poll() : null;
            if (accepted != null)
            {
                accepted.openId = ctx.table().idOf(accepted);
                // Room in the accept queue: the context may move more from the engine.
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                if (peer != null)
                {
                    peer.set(accepted.remoteIp, accepted.remotePort);
                }
                return accepted.openId;
            }
            if (slot.nonBlocking || ctx.inline())
            {
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_ACCEPT, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    static int connect(final MtcpContext ctx, final int sockid, final int ip, final int port)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.EISCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        switch (slot.phase)
        {
            case SocketSlot.CONNECTING:
                return ctx.fail(Errno.EALREADY);
            case SocketSlot.NEW:
                break;
            default:
                return ctx.fail(Errno.EISCONN);
        }
        if (port <= 0 || port > 0xFFFF || ip == 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (Ip4.isMulticast(ip) || Ip4.isLimitedBroadcast(ip))
        {
            return ctx.fail(Errno.ENETUNREACH);
        }
        slot.remoteIp = ip;
        slot.remotePort = port;
        slot.error = 0;
        slot.phase = SocketSlot.CONNECTING;
        if (!submit(ctx, slot, SocketSlot.REQ_CONNECT))
        {
            slot.phase = SocketSlot.NEW;
            return ctx.fail(Errno.EAGAIN);
        }
        if (slot.nonBlocking || ctx.inline())
        {
            if (slot.phase == SocketSlot.NEW && slot.error != 0)
            {
                return ctx.fail(takeError(slot));
            }
            return ctx.fail(Errno.EINPROGRESS);
        }
        await(slot, sockid, WAIT_CONNECT, 0);
        if (slot.phase == SocketSlot.CONNECTED)
        {
            return 0;
        }
        final int error = takeError(slot);
        return ctx.fail(error != 0 ? error : Errno.ECONNREFUSED);
    }
}
