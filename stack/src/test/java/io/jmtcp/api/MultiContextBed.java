package io.jmtcp.api;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.Mac;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A stack of N contexts (manual mode) on end A of an in-memory link and a one-context peer on
 * end B, both driven by the test thread on a virtual clock, so every call runs inline and the run
 * is deterministic.
 */
final class MultiContextBed implements AutoCloseable
{
    /** How long {@link #runUntil(BooleanSupplier)} lets the virtual clock run. */
    static final long LIMIT = TimeUnit.SECONDS.toNanos(30);

    final MtcpStack stack;
    final StackContext peerContext;
    final MtcpContext peer;
    private final VirtualClock clock;

    /**
     * @param link     the link (its clock must be {@code clock}).
     * @param clock    the virtual clock of both ends.
     * @param contexts contexts of the stack on end A.
     * @param tcp      the engine tunables of the stack on end A (the peer has {@link ApiFixture#smallTcp()}).
     */
    MultiContextBed(final MemoryLink link, final VirtualClock clock, final int contexts, final TcpConfig tcp)
    {
        this.clock = clock;
        stack = MtcpStack.openShared(ContextGroup.builder(new ContextConfig().name("a")
            .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:01"), ApiFixture.A, 24,
                InterfaceConfig.NO_GATEWAY, 1500)), contexts)
            .tcp(tcp).clock(clock).manual(), link.endA(), new SocketConfig().ringBytes(16384));
        peerContext = new StackContext(new ContextConfig().name("b")
            .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:02"), ApiFixture.B, 24,
                InterfaceConfig.NO_GATEWAY, 1500)), link.endB(), clock, ApiFixture.smallTcp());
        peer = MtcpContext.attach(peerContext, new SocketConfig().ringBytes(16384));
        step();
    }

    /** One duty cycle of every context; the clock moves 1 ms when none had work. */
    int step()
    {
        final int work = stack.group().doWork() + peerContext.doWork();
        if (work == 0)
        {
            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return work;
    }

    boolean runUntil(final BooleanSupplier done)
    {
        return runUntil(done, LIMIT);
    }

    boolean runUntil(final BooleanSupplier done, final long limit)
    {
        final long deadline = clock.nanoTime() + limit;
        while (!done.getAsBoolean())
        {
            step();
            if (clock.nanoTime() - deadline > 0)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close()
    {
        stack.close();
    }
}
