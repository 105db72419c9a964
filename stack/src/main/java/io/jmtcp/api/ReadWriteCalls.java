package io.jmtcp.api;

import java.nio.ByteBuffer;

import static io.jmtcp.api.CallSupport.WAIT_CONNECT;
import static io.jmtcp.api.CallSupport.WAIT_READ;
import static io.jmtcp.api.CallSupport.WAIT_WRITE;
import static io.jmtcp.api.CallSupport.await;
import static io.jmtcp.api.CallSupport.requestData;
import static io.jmtcp.api.CallSupport.resolve;
import static io.jmtcp.api.CallSupport.takeError;
import static io.jmtcp.api.Mtcp.MSG_DONTWAIT;
import static io.jmtcp.api.Mtcp.MSG_PEEK;

/**
 * The implementation of {@link Mtcp}'s byte paths: read, readv and recv; write and writev, on a
 * stream or a pipe end, through the socket's single-producer single-consumer rings. Apart because
 * it is the API's hot path and carries its own rules: when a call waits, fails, or leaves an
 * error pending for the next call. A pipe's read end reads through {@link PipeCalls#pipeRead}; its
 * write end shares {@link #send} with streams. The contracts and errnos stay on {@link Mtcp}.
 */
final class ReadWriteCalls
{
    private static final int IOV_MAX = 1024;
    /**
     * {@link #receive} flag of {@link #readv}'s later buffers: bytes were read, so a failure is
     * left pending for the next call (outside the flags {@link #recv} accepts).
     */
    private static final int KEEP_ERROR = 1 << 30;
    /** {@link #streamWriteRefused}: the stream is connecting and the caller may block for it. */
    private static final int WAITED = -1;

    private ReadWriteCalls()
    {
    }

    static int read(final MtcpContext ctx, final int sockid, final ByteBuffer dst)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (dst == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return receive(ctx, slot, sockid, null, 0, dst.remaining(), dst, 0);
    }

    static long readv(final MtcpContext ctx, final int sockid, final ByteBuffer[] dsts)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        final int invalid = vectorError(dsts);
        if (invalid != 0)
        {
            return ctx.fail(invalid);
        }
        long total = 0;
        for (final ByteBuffer dst : dsts)
        {
            if (!dst.hasRemaining())
            {
                continue;
            }
            final int read = receive(ctx, slot, sockid, null, 0, dst.remaining(), dst,
                total == 0 ? 0 : MSG_DONTWAIT | KEEP_ERROR);
            if (read < 0)
            {
                return total > 0 ? total : -1;
            }
            total += read;
            if (read == 0 || dst.hasRemaining())
            {
                break;
            }
        }
        return total;
    }

    static int recv(final MtcpContext ctx, final int sockid, final byte[] dst, final int off, final int len,
        final int flags)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (dst == null || off < 0 || len < 0 || off > dst.length - len)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if ((flags & ~(MSG_PEEK | MSG_DONTWAIT)) != 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        return receive(ctx, slot, sockid, dst, off, len, null, flags);
    }

    private static int receive(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final int flags)
    {
        final boolean peek = (flags & MSG_PEEK) != 0;
        final boolean noWait = (flags & MSG_DONTWAIT) != 0 || slot.nonBlocking || ctx.inline();
        switch (slot.type)
        {
            case SocketSlot.STREAM:
                break;
            case SocketSlot.PIPE_READ:
                return PipeCalls.pipeRead(ctx, slot, sockid, array, off, len, buffer, peek, noWait);
            case SocketSlot.PIPE_WRITE:
                return ctx.fail(Errno.EBADF);
            case SocketSlot.LISTENER:
                return ctx.fail(Errno.ENOTCONN);
            default:
                return ctx.fail(Errno.EINVAL);
        }
        while (true)
        {
            final int phase = slot.phase;
            if (phase == SocketSlot.NEW)
            {
                return ctx.fail(slot.error != 0 ? takeError(slot) : Errno.ENOTCONN);
            }
            if (phase == SocketSlot.CONNECTING)
            {
                if (noWait)
                {
                    return ctx.fail(Errno.EAGAIN);
                }
                await(slot, sockid, WAIT_CONNECT, 0);
                continue;
            }
            if (slot.readShut)
            {
                return 0;
            }
            final ByteRing ring = slot.receiveRing;
            final int available = ring.available();
            if (available > 0)
            {
                if (len == 0)
                {
                    return 0;
                }
                final int freeBefore = ring.free();
                final int read = array != null ? ring.read(array, off, len, peek) : ring.read(buffer, peek);
                if (!peek && freeBefore < ring.limit() / 2)
                {
                    // The context stops filling a full ring; tell it there is room (hysteresis:
                    // only once the ring had filled past half, so most reads cost no wake-up).
                    requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                }
                return read;
            }
            if (slot.peerFin && ring.available() == 0)
            {
                return 0;
            }
            if (slot.drained && ring.available() == 0)
            {
                // A failed connection reports its error once, after every byte it received.
                final int error = (flags & KEEP_ERROR) != 0 ? slot.error : takeError(slot);
                return error != 0 ? ctx.fail(error) : 0;
            }
            if (phase != SocketSlot.CONNECTED)
            {
                // Ended while bytes still waited in the engine: the ring has room now.
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
            }
            if (noWait)
            {
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_READ, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    static int write(final MtcpContext ctx, final int sockid, final byte[] src, final int off, final int len)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (src == null || off < 0 || len < 0 || off > src.length - len)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return send(ctx, slot, sockid, src, off, len, null, false);
    }

    static int write(final MtcpContext ctx, final int sockid, final ByteBuffer src)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (src == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return send(ctx, slot, sockid, null, 0, src.remaining(), src, false);
    }

    static long writev(final MtcpContext ctx, final int sockid, final ByteBuffer[] srcs)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        final int invalid = vectorError(srcs);
        if (invalid != 0)
        {
            return ctx.fail(invalid);
        }
        long total = 0;
        for (final ByteBuffer src : srcs)
        {
            if (!src.hasRemaining())
            {
                continue;
            }
            final int want = src.remaining();
            final int sent = send(ctx, slot, sockid, null, 0, want, src, total > 0);
            if (sent < 0)
            {
                return total > 0 ? total : -1;
            }
            total += sent;
            if (sent < want)
            {
                break;
            }
        }
        return total;
    }

    /** Why readv or writev refuses its buffers: EFAULT (null array or element), EINVAL (too many); else 0. */
    private static int vectorError(final ByteBuffer[] buffers)
    {
        if (buffers == null)
        {
            return Errno.EFAULT;
        }
        if (buffers.length > IOV_MAX)
        {
            return Errno.EINVAL;
        }
        for (final ByteBuffer buffer : buffers)
        {
            if (buffer == null)
            {
                return Errno.EFAULT;
            }
        }
        return 0;
    }

    private static int send(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final boolean partialOk)
    {
        final boolean noWait = slot.nonBlocking || ctx.inline() || partialOk;
        switch (slot.type)
        {
            case SocketSlot.STREAM:
            case SocketSlot.PIPE_WRITE:
                break;
            case SocketSlot.PIPE_READ:
                return ctx.fail(Errno.EBADF);
            case SocketSlot.LISTENER:
                return ctx.fail(Errno.ENOTCONN);
            default:
                return ctx.fail(Errno.EINVAL);
        }
        final boolean pipe = slot.type == SocketSlot.PIPE_WRITE;
        int total = 0;
        while (true)
        {
            final int refused = pipe ? (slot.peerClosed ? Errno.EPIPE : 0)
                : streamWriteRefused(slot, noWait, total > 0 || partialOk);
            if (refused == WAITED)
            {
                await(slot, sockid, WAIT_CONNECT, 0);
                continue;
            }
            if (refused != 0)
            {
                return total > 0 ? total : ctx.fail(refused);
            }
            if (len == total)
            {
                return total;
            }
            final ByteRing ring = slot.sendRing;
            final int put = array != null ? ring.write(array, off + total, len - total) : ring.write(buffer);
            if (put > 0)
            {
                total += put;
                if (pipe)
                {
                    slot.pipePeer.signal();
                }
                else
                {
                    requestData(ctx, slot, SocketSlot.REQ_SEND);
                }
                if (total == len)
                {
                    return total;
                }
            }
            if (noWait)
            {
                return total > 0 ? total : ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_WRITE, 0))
            {
                return total > 0 ? total : ctx.fail(Errno.EBADF);
            }
        }
    }

    /**
     * Why a stream takes no bytes now: 0 if it does, {@link #WAITED} if the caller should wait
     * for the connect to finish, else the errno (the pending error once, then EPIPE). A write that
     * has queued bytes returns their count and leaves the pending error for the next call
     * ({@code keepError}), as Linux does.
     */
    private static int streamWriteRefused(final SocketSlot slot, final boolean noWait, final boolean keepError)
    {
        final int phase = slot.phase;
        switch (phase)
        {
            case SocketSlot.NEW:
                return slot.error != 0 ? takeError(slot) : Errno.ENOTCONN;
            case SocketSlot.CONNECTING:
                return noWait ? Errno.EAGAIN : WAITED;
            case SocketSlot.TERMINATED:
            {
                final int error = keepError ? slot.error : takeError(slot);
                return error != 0 ? error : Errno.EPIPE;
            }
            default:
                return slot.writeShut || phase == SocketSlot.ENDED ? Errno.EPIPE : 0;
        }
    }
}
