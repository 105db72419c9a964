package io.jmtcp.api;

import io.jmtcp.core.PortSpace;
import io.jmtcp.core.StackContext;

/**
 * The socket API's handle on one stack context (mTCP's {@code mctx_t}): every {@link Mtcp} call
 * takes one, and it holds the errno of the last failed call.
 *
 * <p>Use a handle from one application thread at a time, or from the context's own thread
 * (run-to-completion: handlers and duty-cycle code of the context call the API directly, and
 * nothing is queued). The errno is a plain field of the handle: threads sharing a handle would
 * overwrite each other's.
 */
public final class MtcpContext
{
    private final StackContext context;
    private final int index;
    private final SocketTable table;
    private final SocketService service;
    private final PortSpace ports;
    private int errno;
    private volatile boolean destroyed;

    private MtcpContext(final StackContext context, final int index, final PortSpace ports,
        final SocketConfig config)
    {
        this.context = context;
        this.index = index;
        this.ports = ports;
        this.table = new SocketTable(index, config.maxSockets(), config.ringBytes());
        this.service = new SocketService(this, table, ports, config.requestQueueCapacity());
        service.engine(context.tcp());
    }

    /**
     * Put the socket API on a context before it starts, with the context's own index and port
     * space (its {@link io.jmtcp.core.ContextGroup}'s, or its own when alone).
     *
     * @param context a context made with a TCP engine, not started yet.
     * @param config  the socket layer's sizes.
     * @return the handle.
     */
    public static MtcpContext attach(final StackContext context, final SocketConfig config)
    {
        return attach(context, context.index(), config);
    }

    /**
     * Put the socket API on a context before it starts. Its binds and listens go to the
     * context's port space, where the context's engine counts its connections.
     *
     * @param context a context made with a TCP engine, not started yet.
     * @param index   the context's index in its stack, 0..31 (ids carry it).
     * @param config  the socket layer's sizes.
     * @return the handle.
     * @throws IllegalArgumentException if the context has no TCP engine or the index is out of range.
     * @throws IllegalStateException    if the context has started.
     */
    public static MtcpContext attach(final StackContext context, final int index, final SocketConfig config)
    {
        if (context.tcp() == null)
        {
            throw new IllegalArgumentException("the context has no TCP engine");
        }
        if (index < 0 || index > SocketTable.MAX_CONTEXT)
        {
            throw new IllegalArgumentException("context index must be 0.." + SocketTable.MAX_CONTEXT + ": " + index);
        }
        final MtcpContext ctx = new MtcpContext(context, index, context.portSpace(), config.validate());
        context.attach(ctx.service);
        return ctx;
    }

    /**
     * @return the errno of the last call that returned -1 ({@link Errno}).
     */
    public int errno()
    {
        return errno;
    }

    /**
     * @return the stack context this handle drives.
     */
    public StackContext context()
    {
        return context;
    }

    /**
     * @return the context's index in its stack (ids carry it).
     */
    public int index()
    {
        return index;
    }

    /**
     * @return sockets (any kind) holding a slot of the table: ids open, and streams the context
     *         still finishes after their close; 0 again once everything is closed and done.
     */
    public int socketsInUse()
    {
        return table.inUse();
    }

    /**
     * @return whether {@link #destroy()} was called.
     */
    public boolean destroyed()
    {
        return destroyed;
    }

    /**
     * Make the handle invalid: every later call fails with EACCES. The stack calls this when it
     * destroys the context; idempotent.
     */
    public void destroy()
    {
        destroyed = true;
    }

    int fail(final int error)
    {
        errno = error;
        return -1;
    }

    SocketTable table()
    {
        return table;
    }

    SocketService service()
    {
        return service;
    }

    PortSpace ports()
    {
        return ports;
    }

    /** Whether calls run inline (run-to-completion) instead of queueing for the context. */
    boolean inline()
    {
        return context.isContextThread();
    }
}
