package io.jmtcp.api;

import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.StackContext;
import io.jmtcp.port.PacketPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;

import java.util.function.BiConsumer;

/**
 * A stack of N contexts with the socket API on each (mTCP's {@code mtcp_init} plus one
 * {@code mtcp_create_context} per core): {@link #context(int)} is the handle an application
 * thread, or the context's own thread, passes to every {@link Mtcp} call.
 *
 * <pre>{@code
 * try (MtcpStack stack = MtcpStack.openPcap(ContextGroup.builder(template, 2).tcp(new TcpConfig()),
 *          PcapPortConfig.builder("veth0").direction(PcapPortConfig.Direction.IN).build(), new SocketConfig()))
 * {
 *     MtcpContext ctx = stack.context(0);
 *     int s = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
 *     ...
 * }
 * }</pre>
 *
 * <p>The stack sets the group builder's setup hook (it attaches the socket layer there); pass
 * your own per-context setup to the overloads that take one, and it runs after the attach.
 */
public final class MtcpStack implements AutoCloseable
{
    private final ContextGroup group;
    private final MtcpContext[] handles;

    private MtcpStack(final ContextGroup group, final MtcpContext[] handles)
    {
        this.group = group;
        this.handles = handles;
    }

    /**
     * Contexts over one interface, a pcap handle each (a flow-hash BPF filter per context).
     *
     * @param builder the contexts (count, TCP config, pinning, idle strategy, manual mode).
     * @param port    the interface; direction IN.
     * @param sockets each context's socket layer.
     * @return the running stack (or built, in manual mode).
     * @throws PortException if a handle cannot be opened.
     */
    public static MtcpStack openPcap(final ContextGroup.Builder builder, final PcapPortConfig port,
        final SocketConfig sockets) throws PortException
    {
        return openPcap(builder, port, sockets, (context, handle) -> { });
    }

    /**
     * As {@link #openPcap(ContextGroup.Builder, PcapPortConfig, SocketConfig)}, with a setup of
     * each context of the caller's (before it starts, after the socket layer is attached).
     *
     * @param builder the contexts.
     * @param port    the interface; direction IN.
     * @param sockets each context's socket layer.
     * @param then    the caller's setup: the context and its handle.
     * @return the running stack.
     * @throws PortException if a handle cannot be opened.
     */
    public static MtcpStack openPcap(final ContextGroup.Builder builder, final PcapPortConfig port,
        final SocketConfig sockets, final BiConsumer<StackContext, MtcpContext> then) throws PortException
    {
        final MtcpContext[][] handles = new MtcpContext[1][];
        final ContextGroup group = setup(builder, sockets, handles, then).openPcap(port);
        return new MtcpStack(group, handles[0]);
    }

    /**
     * Contexts sharing one port (an in-memory link's end), frames dispatched by the flow hash.
     *
     * @param builder the contexts.
     * @param port    the port they share.
     * @param sockets each context's socket layer.
     * @return the running stack (or built, in manual mode).
     */
    public static MtcpStack openShared(final ContextGroup.Builder builder, final PacketPort port,
        final SocketConfig sockets)
    {
        return openShared(builder, port, sockets, (context, handle) -> { });
    }

    /**
     * As {@link #openShared(ContextGroup.Builder, PacketPort, SocketConfig)}, with a setup of each
     * context of the caller's (before it starts, after the socket layer is attached).
     *
     * @param builder the contexts.
     * @param port    the port they share.
     * @param sockets each context's socket layer.
     * @param then    the caller's setup: the context and its handle.
     * @return the running stack (or built, in manual mode).
     */
    public static MtcpStack openShared(final ContextGroup.Builder builder, final PacketPort port,
        final SocketConfig sockets, final BiConsumer<StackContext, MtcpContext> then)
    {
        final MtcpContext[][] handles = new MtcpContext[1][];
        final ContextGroup group = setup(builder, sockets, handles, then).openShared(port);
        return new MtcpStack(group, handles[0]);
    }

    private static ContextGroup.Builder setup(final ContextGroup.Builder builder, final SocketConfig sockets,
        final MtcpContext[][] handles, final BiConsumer<StackContext, MtcpContext> then)
    {
        sockets.validate();
        return builder.setup(context ->
        {
            if (handles[0] == null)
            {
                handles[0] = new MtcpContext[context.contexts()];
            }
            final MtcpContext handle = MtcpContext.attach(context, sockets);
            handles[0][context.index()] = handle;
            then.accept(context, handle);
        });
    }

    /** @return the number of contexts. */
    public int size()
    {
        return handles.length;
    }

    /**
     * @param index 0..{@link #size()}-1.
     * @return the handle of that context.
     */
    public MtcpContext context(final int index)
    {
        return handles[index];
    }

    /** @return the contexts underneath. */
    public ContextGroup group()
    {
        return group;
    }

    /**
     * @param index a context.
     * @return its stack context (counters, engine).
     */
    public StackContext stackContext(final int index)
    {
        return group.context(index);
    }

    /**
     * Destroy the contexts: every handle fails with EACCES from now on, the threads stop and the
     * ports close. Connections still open are dropped without a word to their peers: close them
     * first. Idempotent.
     */
    @Override
    public void close()
    {
        for (final MtcpContext handle : handles)
        {
            handle.destroy();
        }
        group.close();
    }
}
