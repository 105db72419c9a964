package io.jmtcp.bench;

import io.jmtcp.api.Errno;
import io.jmtcp.api.Mtcp;
import io.jmtcp.api.MtcpContext;
import io.jmtcp.api.SocketConfig;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * Two stacks with the socket API over the in-memory link, both duty cycles driven by the thread
 * that built them: that thread is each context's thread, so every {@link Mtcp} call it makes runs
 * inline (run-to-completion, never blocking), as an application on the context's core does in
 * mTCP. The real clock runs the timers (delayed ACKs), so a stalled exchange shows as a timeout
 * rather than a frozen virtual clock.
 */
final class ApiPair implements AutoCloseable
{
    /** Stack A's address (the connecting side). */
    static final int A = Ip4.parse("198.18.0.1");
    /** Stack B's address (the listening side). */
    static final int B = Ip4.parse("198.18.0.2");

    /** The longest {@link #connect} waits, in real time. */
    private static final long CONNECT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final MemoryLink link;
    private final StackContext contextA;
    private final StackContext contextB;
    private final MtcpContext a;
    private final MtcpContext b;

    /**
     * Build both stacks and run one duty cycle of each on this thread, which makes it their
     * context thread.
     *
     * @param tcp     both engines' tunables.
     * @param sockets both socket layers' sizes.
     */
    ApiPair(final TcpConfig tcp, final SocketConfig sockets)
    {
        link = MemoryLink.builder().clock(SystemNanoClock.INSTANCE).seed(1).capacity(4096).build();
        contextA = new StackContext(config("a", "02:00:00:00:00:01", A), link.endA(), SystemNanoClock.INSTANCE, tcp);
        contextB = new StackContext(config("b", "02:00:00:00:00:02", B), link.endB(), SystemNanoClock.INSTANCE, tcp);
        a = MtcpContext.attach(contextA, sockets);
        b = MtcpContext.attach(contextB, sockets);
        step();
        if (!contextA.isContextThread() || !contextB.isContextThread())
        {
            throw new IllegalStateException("this thread does not own the contexts: calls would not run inline");
        }
    }

    private static ContextConfig config(final String name, final String mac, final int ip)
    {
        return new ContextConfig().name(name)
            .iface(new InterfaceConfig(Mac.parse(mac), ip, 24, InterfaceConfig.NO_GATEWAY, 1500));
    }

    /** @return stack A's API handle. */
    MtcpContext a()
    {
        return a;
    }

    /** @return stack B's API handle. */
    MtcpContext b()
    {
        return b;
    }

    /**
     * One duty cycle of each context.
     *
     * @return the work both did.
     * @throws IllegalStateException if a context caught an exception.
     */
    int step()
    {
        final int work = contextA.doWork() + contextB.doWork();
        if (contextA.lastError() != null || contextB.lastError() != null)
        {
            throw new IllegalStateException("a context caught an exception",
                contextA.lastError() != null ? contextA.lastError() : contextB.lastError());
        }
        return work;
    }

    /**
     * Connect a socket of A to a listener of B on {@code port}, Nagle off on both ends.
     *
     * @param port B's port.
     * @return {A's socket, B's accepted socket}.
     * @throws IllegalStateException if a call fails or the handshake does not finish in time.
     */
    int[] connect(final int port)
    {
        final int listener = Mtcp.socket(b, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        check(listener >= 0 && Mtcp.bind(b, listener, B, port) == 0 && Mtcp.listen(b, listener, 16) == 0, b);
        final int client = Mtcp.socket(a, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        check(client >= 0 && Mtcp.setsockopt(a, client, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, 1) == 0, a);
        check(Mtcp.connect(a, client, B, port) == 0 || a.errno() == Errno.EINPROGRESS, a);
        final long deadline = System.nanoTime() + CONNECT_NANOS;
        int accepted = -1;
        while (accepted < 0 && System.nanoTime() - deadline < 0)
        {
            step();
            accepted = Mtcp.accept(b, listener, null);
        }
        check(accepted >= 0, b);
        check(Mtcp.setsockopt(b, accepted, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, 1) == 0, b);
        return new int[] {client, accepted};
    }

    private static void check(final boolean ok, final MtcpContext ctx)
    {
        if (!ok)
        {
            throw new IllegalStateException("socket call failed: " + Errno.name(ctx.errno()));
        }
    }

    @Override
    public void close()
    {
        a.destroy();
        b.destroy();
        link.close();
    }
}
