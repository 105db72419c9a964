package io.jmtcp.api;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.LinkImpairments;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Two stacks with the socket API over the in-memory link. Virtual: one test thread drives both
 * duty cycles on a virtual clock, so every API call runs inline (run-to-completion) and the run is
 * deterministic. Threaded: each context runs on its own thread and the test thread is an
 * application thread, so calls go through the request queues and the rings and may block. B's
 * end of the link sits behind a {@link PathFault}, open unless a test cuts it.
 */
final class ApiFixture implements AutoCloseable
{
    static final int A = Ip4.parse("198.18.0.1");
    static final int B = Ip4.parse("198.18.0.2");
    private static final long IDLE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final VirtualClock virtualClock;
    private final MemoryLink link;
    private final PathFault pathToB;
    private final StackContext contextA;
    private final StackContext contextB;
    private final MtcpContext a;
    private final MtcpContext b;
    private ContextRunner runnerA;
    private ContextRunner runnerB;

    private ApiFixture(final Setup setup)
    {
        final boolean threaded = setup.threaded;
        virtualClock = threaded ? null : new VirtualClock();
        final NanoClock clock = threaded ? SystemNanoClock.INSTANCE : virtualClock;
        link = MemoryLink.builder().clock(clock).seed(1).capacity(4096).aToB(setup.aToB).build();
        pathToB = new PathFault(link.endB());
        contextA = new StackContext(config("a", "02:00:00:00:00:01", A), link.endA(), clock, setup.tcpConfig);
        contextB = new StackContext(config("b", "02:00:00:00:00:02", B), pathToB, clock, setup.tcpConfig);
        a = MtcpContext.attach(contextA, 0, setup.socketConfig);
        b = MtcpContext.attach(contextB, setup.contextIndexB, setup.socketConfig);
        if (threaded)
        {
            runnerA = ContextRunner.start(contextA);
            runnerB = ContextRunner.start(contextB);
        }
        else
        {
            contextA.doWork();
            contextB.doWork();
        }
    }

    private static ContextConfig config(final String name, final String mac, final int ip)
    {
        return new ContextConfig().name(name)
            .iface(new InterfaceConfig(Mac.parse(mac), ip, 24, InterfaceConfig.NO_GATEWAY, 1500));
    }

    /** Deterministic: virtual clock, the test thread is both contexts' thread. */
    static ApiFixture virtual()
    {
        return virtual(new SocketConfig());
    }

    static ApiFixture virtual(final SocketConfig socketConfig)
    {
        return setup().sockets(socketConfig).build();
    }

    /**
     * Virtual, with B's context at another index than A's (0), so that an id of B names another
     * context when handed to A, and with the caller's engine tunables.
     */
    static ApiFixture virtual(final SocketConfig socketConfig, final TcpConfig tcpConfig, final int contextIndexB)
    {
        return setup().sockets(socketConfig).tcp(tcpConfig).contextIndexB(contextIndexB).build();
    }

    /** Virtual, with frames from A to B impaired (loss, reordering: out-of-order arrivals at B). */
    static ApiFixture virtual(final SocketConfig socketConfig, final LinkImpairments aToB)
    {
        return setup().sockets(socketConfig).aToB(aToB).build();
    }

    /** Each context on its own thread; the test thread is an application thread. */
    static ApiFixture threaded()
    {
        return threaded(new SocketConfig());
    }

    static ApiFixture threaded(final SocketConfig socketConfig)
    {
        return setup().threaded().sockets(socketConfig).build();
    }

    /** @return the defaults of {@link #virtual()}, to change before {@link Setup#build()}. */
    static Setup setup()
    {
        return new Setup();
    }

    static TcpConfig smallTcp()
    {
        return new TcpConfig().maxConnections(256).secret(1, 2);
    }

    MtcpContext a()
    {
        return a;
    }

    MtcpContext b()
    {
        return b;
    }

    /** @return the path in front of B: cut it to make B vanish, or to have a router report it unreachable. */
    PathFault pathToB()
    {
        return pathToB;
    }

    StackContext contextA()
    {
        return contextA;
    }

    StackContext contextB()
    {
        return contextB;
    }

    /** One duty cycle of each (virtual mode); the clock jumps when neither had work. */
    int step()
    {
        final int work = contextA.doWork() + contextB.doWork();
        if (contextA.lastError() != null || contextB.lastError() != null)
        {
            throw new AssertionError("a context caught an exception",
                contextA.lastError() != null ? contextA.lastError() : contextB.lastError());
        }
        if (work == 0)
        {
            final long now = virtualClock.nanoTime();
            final long next = link.nextDeliveryNanos();
            final long step = now + IDLE_STEP_NANOS;
            virtualClock.advanceTo(next != Long.MAX_VALUE && next - step < 0 ? Math.max(next, now + 1) : step);
        }
        return work;
    }

    /** Drive (virtual) or wait (threaded) until the goal holds or the time passes. */
    boolean runUntil(final BooleanSupplier done, final long maxNanos)
    {
        if (virtualClock == null)
        {
            final long deadline = System.nanoTime() + maxNanos;
            while (!done.getAsBoolean())
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return false;
                }
                Thread.onSpinWait();
            }
            return true;
        }
        final long deadline = virtualClock.nanoTime() + maxNanos;
        while (!done.getAsBoolean())
        {
            step();
            if (virtualClock.nanoTime() - deadline > 0)
            {
                return false;
            }
        }
        return true;
    }

    /** Run a while (virtual time, or real time when threaded). */
    void run(final long nanos)
    {
        if (virtualClock == null)
        {
            final long deadline = System.nanoTime() + nanos;
            while (System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            return;
        }
        final long deadline = virtualClock.nanoTime() + nanos;
        while (virtualClock.nanoTime() - deadline < 0)
        {
            step();
        }
    }

    /** What a fixture is made of; the defaults are {@link #virtual()}'s. */
    static final class Setup
    {
        private boolean threaded;
        private SocketConfig socketConfig = new SocketConfig();
        private TcpConfig tcpConfig = smallTcp();
        private int contextIndexB;
        private LinkImpairments aToB = LinkImpairments.NONE;

        private Setup()
        {
        }

        /** Each context on its own thread; the test thread is an application thread. */
        Setup threaded()
        {
            threaded = true;
            return this;
        }

        Setup sockets(final SocketConfig config)
        {
            socketConfig = config;
            return this;
        }

        /** The engine tunables of both contexts. */
        Setup tcp(final TcpConfig config)
        {
            tcpConfig = config;
            return this;
        }

        /** B's context index (A's is 0): another index makes B's ids name another context at A. */
        Setup contextIndexB(final int index)
        {
            contextIndexB = index;
            return this;
        }

        /** Impairments of the frames from A to B. */
        Setup aToB(final LinkImpairments impairments)
        {
            aToB = impairments;
            return this;
        }

        ApiFixture build()
        {
            return new ApiFixture(this);
        }
    }

    @Override
    public void close()
    {
        if (runnerA != null)
        {
            runnerA.close();
            runnerB.close();
        }
        link.close();
    }
}
