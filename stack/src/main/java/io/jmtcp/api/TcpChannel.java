package io.jmtcp.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP connection as a blocking {@link ByteChannel}, for code that would rather have exceptions
 * than errno codes. It holds one socket id of the {@link Mtcp} API and is the only one who may
 * close it ({@link Mtcp#close} refuses the id with EINVAL while the channel holds it).
 *
 * <p>Like the API, a channel is used by one application thread at a time (or from the context's
 * own thread, where calls never block: {@link #read} then returns 0 when nothing is there).
 */
public final class TcpChannel implements ByteChannel
{
    private static final long CLOSE_RETRY_NANOS = 50_000;

    private final MtcpContext ctx;
    private final int sockid;
    private boolean open = true;

    TcpChannel(final MtcpContext ctx, final int sockid)
    {
        this.ctx = ctx;
        this.sockid = sockid;
        CloseCalls.own(ctx, sockid, true);
    }

    /**
     * Connect to a peer; blocks until established.
     *
     * @param ctx  the context whose thread will carry the connection.
     * @param ip   the peer's IPv4 address.
     * @param port its port.
     * @return the connected channel.
     * @throws MtcpException with the errno of the failed socket or connect call.
     */
    public static TcpChannel connect(final MtcpContext ctx, final int ip, final int port) throws MtcpException
    {
        final int sockid = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        if (sockid < 0)
        {
            throw new MtcpException("socket", ctx.errno());
        }
        if (Mtcp.connect(ctx, sockid, ip, port) < 0)
        {
            final int errno = ctx.errno();
            Mtcp.close(ctx, sockid);
            throw new MtcpException("connect", errno);
        }
        return new TcpChannel(ctx, sockid);
    }

    /** @return the socket id this channel holds (for epoll registration). */
    public int sockid()
    {
        return sockid;
    }

    /**
     * Read into {@code dst}; blocks until at least one byte, the end of the stream or an error.
     *
     * @return bytes read, or -1 at the end of the stream.
     * @throws MtcpException ECONNRESET, ETIMEDOUT or EHOSTUNREACH: the connection failed (once;
     *         then -1).
     * @throws ClosedChannelException after {@link #close}.
     */
    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        ensureOpen();
        if (!dst.hasRemaining())
        {
            return 0;
        }
        final int read = Mtcp.read(ctx, sockid, dst);
        if (read > 0)
        {
            return read;
        }
        if (read == 0)
        {
            return -1;
        }
        if (ctx.errno() == Errno.EAGAIN)
        {
            return 0;
        }
        throw new MtcpException("read", ctx.errno());
    }

    /**
     * Queue every byte of {@code src}; blocks while the send buffer is full.
     *
     * @return bytes written.
     * @throws MtcpException EPIPE after {@link #shutdownOutput}; ECONNRESET, ETIMEDOUT or
     *         EHOSTUNREACH once when the connection failed (unless a read reported it), then EPIPE.
     * @throws ClosedChannelException after {@link #close}.
     */
    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        ensureOpen();
        final int written = Mtcp.write(ctx, sockid, src);
        if (written >= 0)
        {
            return written;
        }
        if (ctx.errno() == Errno.EAGAIN)
        {
            return 0;
        }
        throw new MtcpException("write", ctx.errno());
    }

    /**
     * Send FIN after the queued bytes; reads go on.
     *
     * @throws MtcpException ENOTCONN if the connection is gone (reset or timed out).
     * @throws ClosedChannelException after {@link #close}.
     */
    public void shutdownOutput() throws IOException
    {
        ensureOpen();
        while (Mtcp.shutdown(ctx, sockid, Mtcp.SHUT_WR) < 0)
        {
            if (ctx.errno() != Errno.EAGAIN)
            {
                throw new MtcpException("shutdown", ctx.errno());
            }
            LockSupport.parkNanos(CLOSE_RETRY_NANOS);
        }
    }

    /**
     * @param on TCP_NODELAY.
     * @throws MtcpException EAGAIN (the context's request queue is full: the option is unchanged,
     *         retry), EACCES (the context is destroyed).
     * @throws ClosedChannelException after {@link #close}.
     */
    public void noDelay(final boolean on) throws IOException
    {
        ensureOpen();
        if (Mtcp.setsockopt(ctx, sockid, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, on ? 1 : 0) < 0)
        {
            throw new MtcpException("setsockopt", ctx.errno());
        }
    }

    /**
     * @return the peer's address (still known after the connection ended).
     * @throws MtcpException EACCES if the context is destroyed.
     * @throws ClosedChannelException after {@link #close}.
     */
    public SockAddr remoteAddress() throws IOException
    {
        ensureOpen();
        final SockAddr addr = new SockAddr();
        if (Mtcp.getpeername(ctx, sockid, addr) < 0)
        {
            throw new MtcpException("getpeername", ctx.errno());
        }
        return addr;
    }

    /**
     * @return our address.
     * @throws ClosedChannelException after {@link #close}.
     * @throws MtcpException EACCES if the context is destroyed.
     */
    public SockAddr localAddress() throws IOException
    {
        ensureOpen();
        final SockAddr addr = new SockAddr();
        if (Mtcp.getsockname(ctx, sockid, addr) < 0)
        {
            throw new MtcpException("getsockname", ctx.errno());
        }
        return addr;
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    /**
     * Close gracefully: FIN after the queued bytes (RST if unread bytes remain); a connection that
     * already failed is released. Idempotent; never blocks for the peer.
     */
    @Override
    public void close()
    {
        if (!open)
        {
            return;
        }
        open = false;
        CloseCalls.own(ctx, sockid, false);
        release(false);
    }

    /** Reset the connection (RST) and release it. Idempotent. */
    public void abort()
    {
        if (!open)
        {
            return;
        }
        open = false;
        CloseCalls.own(ctx, sockid, false);
        release(true);
    }

    private void release(final boolean reset)
    {
        boolean abort = reset;
        while (true)
        {
            final int result = abort ? Mtcp.abort(ctx, sockid) : Mtcp.close(ctx, sockid);
            if (result == 0)
            {
                return;
            }
            switch (ctx.errno())
            {
                case Errno.EAGAIN:
                    // The context's request queue is full for a moment: nothing was lost, retry.
                    LockSupport.parkNanos(CLOSE_RETRY_NANOS);
                    break;
                case Errno.ENOTCONN:
                    // The connection already failed: abort frees the socket (and may itself
                    // meet a full request queue, so it goes round this loop too).
                    abort = true;
                    break;
                default:
                    // EACCES (destroyed context) or EBADF: nothing of ours is left to free.
                    return;
            }
        }
    }

    private void ensureOpen() throws ClosedChannelException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
    }
}
