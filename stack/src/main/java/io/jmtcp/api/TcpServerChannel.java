package io.jmtcp.api;

import java.io.Closeable;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.LockSupport;

/**
 * A listening TCP port that hands out {@link TcpChannel}s: the Java layer's listener.
 */
public final class TcpServerChannel implements Closeable
{
    private static final long RETRY_NANOS = 50_000;

    private final MtcpContext ctx;
    private final int sockid;
    private boolean open = true;

    private TcpServerChannel(final MtcpContext ctx, final int sockid)
    {
        this.ctx = ctx;
        this.sockid = sockid;
        CloseCalls.own(ctx, sockid, true);
    }

    /**
     * Listen on {@code port} of the context's address. With {@code reusePort}, other contexts of
     * the stack may listen on the same port; each accepts the flows that hash to it.
     *
     * @param ctx       the context.
     * @param port      1..65535.
     * @param backlog   the accept queue's length.
     * @param reusePort SO_REUSEPORT.
     * @return the listener.
     * @throws MtcpException with the errno of socket, setsockopt, bind or listen.
     */
    public static TcpServerChannel listen(final MtcpContext ctx, final int port, final int backlog,
        final boolean reusePort) throws MtcpException
    {
        final int sockid = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        if (sockid < 0)
        {
            throw new MtcpException("socket", ctx.errno());
        }
        String failed = null;
        if (reusePort && Mtcp.setsockopt(ctx, sockid, Mtcp.SOL_SOCKET, Mtcp.SO_REUSEPORT, 1) < 0)
        {
            failed = "setsockopt";
        }
        else if (Mtcp.bind(ctx, sockid, 0, port) < 0)
        {
            failed = "bind";
        }
        else if (Mtcp.listen(ctx, sockid, backlog) < 0)
        {
            failed = "listen";
        }
        if (failed != null)
        {
            final int errno = ctx.errno();
            Mtcp.close(ctx, sockid);
            throw new MtcpException(failed, errno);
        }
        return new TcpServerChannel(ctx, sockid);
    }

    /** @return the listener's socket id (for epoll registration). */
    public int sockid()
    {
        return sockid;
    }

    /**
     * Wait for the next connection.
     *
     * @return the connection.
     * @throws MtcpException the accept errno: EAGAIN on the context's own thread when none waits,
     *         EBADF when {@link #close} on another thread ended the wait.
     * @throws ClosedChannelException after {@link #close}.
     */
    public TcpChannel accept() throws MtcpException, ClosedChannelException
    {
        if (!open)
        {
            throw new ClosedChannelException();
        }
        final int accepted = Mtcp.accept(ctx, sockid, null);
        if (accepted < 0)
        {
            throw new MtcpException("accept", ctx.errno());
        }
        return new TcpChannel(ctx, accepted);
    }

    /** Stop listening: queued connections are reset and the port is free. Idempotent. */
    @Override
    public void close()
    {
        if (!open)
        {
            return;
        }
        open = false;
        CloseCalls.own(ctx, sockid, false);
        while (Mtcp.close(ctx, sockid) < 0 && ctx.errno() == Errno.EAGAIN)
        {
            LockSupport.parkNanos(RETRY_NANOS);
        }
    }
}
