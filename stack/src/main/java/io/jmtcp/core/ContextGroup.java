package io.jmtcp.core;

import io.jmtcp.port.PacketPort;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.port.SharedPort;
import io.jmtcp.tcp.TcpConfig;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * N contexts sharing one interface, shared-nothing and lock-free (DESIGN.md §3): each receives
 * the TCP flows {@link FlowHash} gives it, through a pcap handle of its own with a kernel filter
 * ({@link Builder#openPcap}) or a lane of one in-memory link end ({@link Builder#openShared});
 * context 0 also receives ARP and ICMP, publishes the neighbours it resolves and passes ICMP
 * errors on to the context whose flow they quote. They share only the {@link PortSpace}, the
 * neighbour table and those mailboxes.
 *
 * <pre>{@code
 * ContextGroup group = ContextGroup.builder(new ContextConfig().name("ctx").iface(iface), 4)
 *     .tcp(new TcpConfig())
 *     .cpus(0, 1, 2, 3)                       // optional pinning
 *     .setup(ctx -> ctx.attach(service))       // per context, before any thread starts
 *     .openPcap(PcapPortConfig.builder("eth1").build());
 * ...
 * group.close();
 * }</pre>
 *
 * <p>Each context runs on a thread of its own ({@link ContextRunner}, {@link ContextIdleStrategy}
 * by default), optionally pinned to a CPU from the thread itself; a pin that fails is reported
 * ({@link #pinning(int)} and standard error) and the context runs unpinned. In
 * {@link Builder#manual() manual} mode no thread starts: the caller drives every context's
 * {@link StackContext#doWork()}, from one thread on a virtual clock for a deterministic run.
 */
public final class ContextGroup implements AutoCloseable
{
    private final StackContext[] contexts;
    private final PacketPort[] ports;
    private final SharedPort shared;
    private final ContextRunner[] runners;
    private final PortSpace portSpace;
    private final AtomicReferenceArray<String> pinning;
    private boolean closed;

    private ContextGroup(final Builder builder, final PacketPort[] ports, final SharedPort shared)
    {
        final int n = builder.contexts;
        this.ports = ports;
        this.shared = shared;
        final TcpConfig ranges = builder.tcp != null ? builder.tcp : new TcpConfig();
        this.portSpace = builder.portSpace != null ? builder.portSpace :
            new PortSpace(ranges.ephemeralPortFirst(), ranges.ephemeralPortLast());
        final ContextShares shares = new ContextShares(n, portSpace, builder.template.arp().cacheCapacity());
        this.contexts = new StackContext[n];
        this.runners = new ContextRunner[n];
        this.pinning = new AtomicReferenceArray<>(n);
        for (int i = 0; i < n; i++)
        {
            contexts[i] = new StackContext(builder.template.forContext(i, n), ports[i], builder.clock, null,
                builder.tcp, shares);
        }
        for (final StackContext context : contexts)
        {
            builder.setup.accept(context);
        }
        if (!builder.manual)
        {
            for (int i = 0; i < n; i++)
            {
                final int index = i;
                final int cpu = builder.cpus.length == 0 ? -1 : builder.cpus[i % builder.cpus.length];
                pinning.set(i, cpu < 0 ? "unpinned" : "starting");
                runners[i] = ContextRunner.start(contexts[i], builder.idleStrategy.apply(contexts[i]),
                    runnable -> new Thread(() ->
                    {
                        if (cpu >= 0)
                        {
                            pin(index, cpu);
                        }
                        runnable.run();
                    }, contexts[index].roleName()));
            }
        }
    }

    private void pin(final int index, final int cpu)
    {
        final String failure = CpuAffinity.pinCurrentThread(cpu);
        pinning.set(index, failure == null ? "cpu " + cpu : failure);
        if (failure != null)
        {
            System.err.println("jmtcp: " + contexts[index].roleName() + " runs unpinned: " + failure);
        }
    }

    /**
     * Describe a group.
     *
     * @param template the contexts' configuration: interface, ARP, batches; each context gets a
     *                 copy named {@code name + index} with its placement
     *                 ({@link ContextConfig#forContext}), and its own counters file if one is set.
     * @param contexts how many contexts, 1..{@link FlowHash#MAX_CONTEXTS}.
     * @return a builder.
     */
    public static Builder builder(final ContextConfig template, final int contexts)
    {
        return new Builder(template, contexts);
    }

    /**
     * @return how many contexts.
     */
    public int size()
    {
        return contexts.length;
    }

    /**
     * @param index 0..size()-1.
     * @return that context.
     */
    public StackContext context(final int index)
    {
        return contexts[index];
    }

    /**
     * @return the contexts, by index.
     */
    public List<StackContext> contexts()
    {
        return List.of(contexts);
    }

    /**
     * @return the stack's ports, shared by the contexts.
     */
    public PortSpace portSpace()
    {
        return portSpace;
    }

    /**
     * @param localPort  our port.
     * @param remoteIp   the peer.
     * @param remotePort its port.
     * @return the index of the context that owns the flow.
     */
    public int ownerOf(final int localPort, final int remoteIp, final int remotePort)
    {
        return FlowHash.contextOf(contexts[0].config().iface().address(), localPort, remoteIp, remotePort,
            contexts.length);
    }

    /**
     * @param index a context.
     * @return "cpu N" if its thread is pinned, "unpinned" if no CPU was asked for (or in manual
     *         mode, null), else why the pin failed.
     */
    public String pinning(final int index)
    {
        return pinning.get(index);
    }

    /**
     * One duty cycle of every context in index order, for manual mode.
     *
     * @return the work they did.
     * @throws IllegalStateException if the contexts run on threads of their own.
     */
    public int doWork()
    {
        if (runners.length > 0 && runners[0] != null)
        {
            throw new IllegalStateException("the contexts run on their own threads");
        }
        int work = 0;
        for (final StackContext context : contexts)
        {
            work += context.doWork();
        }
        return work;
    }

    /**
     * @return the shared port under the lanes of an {@link Builder#openShared} group, else null.
     */
    public SharedPort sharedPort()
    {
        return shared;
    }

    /**
     * Stop the threads (each context's {@link StackContext#onClose()} runs as its thread ends; in
     * manual mode it runs here, so close from the thread that drives the contexts), then close the
     * ports and free the counters. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < contexts.length; i++)
        {
            if (runners[i] != null)
            {
                runners[i].close();
            }
            else
            {
                contexts[i].onClose();
            }
        }
        closePorts(ports, shared);
        for (final StackContext context : contexts)
        {
            context.counters().close();
        }
    }

    private static void closePorts(final PacketPort[] ports, final SharedPort shared)
    {
        for (final PacketPort port : ports)
        {
            if (port != null)
            {
                port.close();
            }
        }
        if (shared != null)
        {
            shared.close();
        }
    }

    /** Collects a group's settings; {@link #openPcap} or {@link #openShared} makes it. */
    public static final class Builder
    {
        private final ContextConfig template;
        private final int contexts;
        private TcpConfig tcp;
        private NanoClock clock = SystemNanoClock.INSTANCE;
        private Consumer<StackContext> setup = context -> { };
        private int[] cpus = new int[0];
        private Function<StackContext, IdleStrategy> idleStrategy =
            context -> new ContextIdleStrategy(context, TimeUnit.MILLISECONDS.toNanos(1));
        private boolean manual;
        private int ringBytes = SharedPort.DEFAULT_RING_BYTES;
        private PortSpace portSpace;

        private Builder(final ContextConfig template, final int contexts)
        {
            FlowHash.checkPlacement(0, contexts);
            this.template = Objects.requireNonNull(template, "template");
            this.contexts = contexts;
        }

        /**
         * @param config the TCP engine's tunables for every context; without it the contexts run
         *               ARP, IPv4 and ICMP only. Its ephemeral range becomes the group's.
         * @return this.
         */
        public Builder tcp(final TcpConfig config)
        {
            this.tcp = config;
            return this;
        }

        /**
         * @param clock the contexts' clock; a {@code VirtualClock} only with {@link #manual()}.
         * @return this.
         */
        public Builder clock(final NanoClock clock)
        {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param setup run for each context, in index order, after all are made and before any
         *              starts: attach services ({@link StackContext#attach}), listen, and so on.
         * @return this.
         */
        public Builder setup(final Consumer<StackContext> setup)
        {
            this.setup = Objects.requireNonNull(setup, "setup");
            return this;
        }

        /**
         * @param cpus context i is pinned to {@code cpus[i % cpus.length]}; none pins nothing (the default).
         * @return this.
         */
        public Builder cpus(final int... cpus)
        {
            this.cpus = cpus.clone();
            return this;
        }

        /**
         * @param idleStrategy the idle strategy of each context's thread; {@link ContextIdleStrategy}
         *                     with a 1 ms park by default.
         * @return this.
         */
        public Builder idleStrategy(final Function<StackContext, IdleStrategy> idleStrategy)
        {
            this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
            return this;
        }

        /**
         * Start no thread: the caller drives each context's {@link StackContext#doWork()}.
         *
         * @return this.
         */
        public Builder manual()
        {
            this.manual = true;
            return this;
        }

        /**
         * @param bytes each ring of an {@link #openShared} group's {@link SharedPort}.
         * @return this.
         */
        public Builder ringBytes(final int bytes)
        {
            this.ringBytes = bytes;
            return this;
        }

        /**
         * @param ports a port space to share with something else (another group on another
         *              address, the socket API's own); by default the group makes one.
         * @return this.
         */
        public Builder portSpace(final PortSpace ports)
        {
            this.portSpace = ports;
            return this;
        }

        /**
         * Open one pcap handle per context on the interface, each with its
         * {@link FlowHash#bpfFilter} (and with the configuration's own filter, if any, as well)
         * and direction IN, so that no handle sees what another sent (PACKET-IO-NOTES.md pitfall 7).
         *
         * @param port the interface and handle settings.
         * @return the group, started unless {@link #manual()}.
         * @throws PortException if a handle cannot be opened (those already opened are closed).
         * @throws IllegalArgumentException if the direction is not IN.
         */
        public ContextGroup openPcap(final PcapPortConfig port) throws PortException
        {
            if (port.direction() != PcapPortConfig.Direction.IN)
            {
                throw new IllegalArgumentException("contexts need direction IN: each would see the others' frames");
            }
            final PacketPort[] ports = new PacketPort[contexts];
            try
            {
                for (int i = 0; i < contexts; i++)
                {
                    final String mine = FlowHash.bpfFilter(i, contexts);
                    final String filter = port.filter() == null ? mine :
                        mine == null ? port.filter() : "(" + port.filter() + ") and (" + mine + ")";
                    ports[i] = PcapPort.open(port.withFilter(filter));
                }
                return new ContextGroup(this, ports, null);
            }
            catch (final PortException | RuntimeException ex)
            {
                closePorts(ports, null);
                throw ex;
            }
        }

        /**
         * Share one single-threaded port, such as a {@link io.jmtcp.port.MemoryLink.End}, through
         * a {@link SharedPort} that dispatches received frames by {@link FlowHash#contextOfFrame}.
         *
         * @param port the port; the group owns it and closes it.
         * @return the group, started unless {@link #manual()}.
         */
        public ContextGroup openShared(final PacketPort port)
        {
            final int n = contexts;
            final SharedPort sharedPort = new SharedPort(port, n,
                (buffer, offset, length) -> FlowHash.contextOfFrame(buffer, offset, length, n), ringBytes);
            final PacketPort[] lanes = new PacketPort[n];
            for (int i = 0; i < n; i++)
            {
                lanes[i] = sharedPort.lane(i);
            }
            try
            {
                return new ContextGroup(this, lanes, sharedPort);
            }
            catch (final RuntimeException ex)
            {
                closePorts(lanes, sharedPort);
                throw ex;
            }
        }
    }
}
