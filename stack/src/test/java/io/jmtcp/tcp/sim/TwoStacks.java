package io.jmtcp.tcp.sim;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.LinkImpairments;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.port.PacketPort;
import io.jmtcp.port.PcapFileWriter;
import io.jmtcp.port.TracingPort;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Two stacks with TCP over the in-memory link on a virtual clock: the simulation bed of
 * DESIGN.md §5. {@link #runUntil} drives both duty cycles and jumps the clock to the next frame
 * delivery (or one timer tick) whenever neither has work, so a run is deterministic for a seed.
 */
public final class TwoStacks implements AutoCloseable
{
    /** Stack A's address. */
    public static final int A = Ip4.parse("198.18.0.1");
    /** Stack B's address. */
    public static final int B = Ip4.parse("198.18.0.2");
    private static final long IDLE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final VirtualClock clock = new VirtualClock();
    private final MemoryLink link;
    private final StackContext a;
    private final StackContext b;
    private TracingPort trace;

    /**
     * @param seed   the link's seed.
     * @param aToB   impairments from A to B.
     * @param bToA   impairments from B to A.
     * @param tcpA   A's TCP config.
     * @param tcpB   B's TCP config.
     * @param mtu    both interfaces' MTU.
     */
    public TwoStacks(final long seed, final LinkImpairments aToB, final LinkImpairments bToA, final TcpConfig tcpA,
        final TcpConfig tcpB, final int mtu)
    {
        link = MemoryLink.builder().clock(clock).seed(seed).maxFrameLength(mtu + 14).capacity(4096)
            .aToB(aToB).bToA(bToA).build();
        a = new StackContext(new ContextConfig().name("a")
            .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:01"), A, 24, InterfaceConfig.NO_GATEWAY, mtu)),
            traced(link.endA()), clock, tcpA);
        b = new StackContext(new ContextConfig().name("b")
            .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:02"), B, 24, InterfaceConfig.NO_GATEWAY, mtu)),
            link.endB(), clock, tcpB);
        a.doWork();
        b.doWork();
    }

    /**
     * With {@code -Dsim.trace=FILE}, A's side of the link is written to a pcap file (virtual
     * timestamps), for replaying a failing seed in Wireshark.
     */
    private PacketPort traced(final PacketPort port)
    {
        final String file = System.getProperty("sim.trace");
        if (file == null)
        {
            return port;
        }
        try
        {
            trace = new TracingPort(port, PcapFileWriter.open(Path.of(file)), () -> clock.nanoTime());
            return trace;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return stack A. */
    public StackContext a()
    {
        return a;
    }

    /** @return stack B. */
    public StackContext b()
    {
        return b;
    }

    /** @return the virtual clock. */
    public VirtualClock clock()
    {
        return clock;
    }

    /** @return the link. */
    public MemoryLink link()
    {
        return link;
    }

    /**
     * Run both stacks until {@code done} holds or the virtual time limit passes.
     *
     * @param done        the goal.
     * @param maxDuration virtual nanoseconds at most.
     * @return true if the goal was reached.
     */
    public boolean runUntil(final BooleanSupplier done, final long maxDuration)
    {
        final long deadline = clock.nanoTime() + maxDuration;
        while (true)
        {
            step();
            if (done.getAsBoolean())
            {
                return true;
            }
            if (clock.nanoTime() - deadline > 0)
            {
                return false;
            }
        }
    }

    /**
     * One duty cycle of each stack; if neither had work, the clock jumps to the next delivery on
     * the link or one timer tick, whichever is sooner.
     *
     * @return the work done.
     */
    public int step()
    {
        final int work = a.doWork() + b.doWork();
        if (a.lastError() != null || b.lastError() != null)
        {
            final Throwable error = a.lastError() != null ? a.lastError() : b.lastError();
            throw new AssertionError("a context caught an exception", error);
        }
        if (work == 0)
        {
            final long now = clock.nanoTime();
            final long next = link.nextDeliveryNanos();
            final long step = now + IDLE_STEP_NANOS;
            clock.advanceTo(next != Long.MAX_VALUE && next - step < 0 ? Math.max(next, now + 1) : step);
        }
        return work;
    }

    /**
     * @return both stacks' non-zero counters, for failure messages.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final StackContext context : new StackContext[]{ a, b })
        {
            text.append(context.config().name()).append(':');
            for (final io.jmtcp.stats.StackCounter counter : io.jmtcp.stats.StackCounter.values())
            {
                final long value = context.counters().get(counter);
                if (value != 0)
                {
                    text.append(' ').append(counter.description()).append('=').append(value);
                }
            }
            for (final io.jmtcp.wire.DropReason reason : io.jmtcp.wire.DropReason.values())
            {
                final long value = reason == io.jmtcp.wire.DropReason.NONE ? 0 : context.counters().dropped(reason);
                if (value != 0)
                {
                    text.append(" drop ").append(reason).append('=').append(value);
                }
            }
            text.append('\n');
        }
        return text.toString();
    }

    @Override
    public void close()
    {
        if (trace != null)
        {
            trace.close();
        }
        link.close();
    }
}
