package io.jmtcp.core;

import io.jmtcp.net.FrameOutput;
import io.jmtcp.net.NetworkLayer;
import io.jmtcp.net.TransportHandler;
import io.jmtcp.port.FrameHandler;
import io.jmtcp.port.PacketPort;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.tcp.IsnGenerator;
import io.jmtcp.tcp.SegmentOutput;
import io.jmtcp.tcp.SynCookies;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * One per-core context: a single thread's worth of stack. Its duty cycle (DESIGN.md §3) reads
 * the clock once, receives a bounded batch of frames, runs due timers, runs a bounded batch of
 * application commands, and flushes the port; the work count it returns drives the caller's
 * idle strategy.
 *
 * <p>Everything the context owns is touched only by the thread that calls {@link #doWork()}.
 * Other threads reach it only through {@link #submit(Consumer)}, a lock-free multi-producer
 * queue. No exception escapes the duty cycle: a frame or command that throws is counted under
 * {@link StackCounter#INTERNAL_ERRORS} (a bug by definition) and the context goes on.
 *
 * <p>With a {@link io.jmtcp.time.VirtualClock} and an in-memory link, a test drives the context
 * by calling {@link #doWork()} itself: the run is then deterministic.
 *
 * <p>Several contexts may share one interface ({@link ContextGroup}): each receives the TCP flows
 * {@link FlowHash} gives its index; context 0 also receives ARP and ICMP, publishes the
 * neighbours it resolves for the others, and passes each ICMP error quoting another context's
 * flow to that context's mailbox. A TCP segment that reaches a context not owning its flow is
 * counted ({@link StackCounter#TCP_MISROUTED}) and dropped.
 */
public final class StackContext implements Agent, FrameHandler
{
    private final ContextConfig config;
    private final int rxBatch;
    private final int commandBatch;
    private final PacketPort port;
    private final NanoClock clock;
    private final StackCounters counters;
    private final NetworkLayer network;
    private final TcpEngine tcp;
    private final ContextPlacement placement;
    private final ContextShares shares;
    private final TransportHandler transport;
    private final OneToOneRingBuffer mailbox;
    private final MessageHandler onMailboxIcmp = this::onMailboxIcmp;
    private final MpscAtomicArrayQueue<Consumer<StackContext>> commands;
    private final MessagePassingQueue.Consumer<Consumer<StackContext>> runCommand = this::runCommand;
    private ContextService[] services = new ContextService[0];
    private long now;
    private boolean started;
    private volatile Thread owner;
    private volatile boolean sleeping;
    private volatile Throwable lastError;

    /**
     * A context over a port, without a transport: TCP segments are counted and dropped.
     *
     * @param config the validated configuration.
     * @param port   the port it owns for its lifetime (closed by whoever opened it).
     * @param clock  its time source.
     */
    public StackContext(final ContextConfig config, final PacketPort port, final NanoClock clock)
    {
        this(config, port, clock, TransportHandler.NONE);
    }

    /**
     * A context over a port with a transport of the caller's.
     *
     * @param config    the configuration (validated here).
     * @param port      the port it owns for its lifetime (closed by whoever opened it).
     * @param clock     its time source.
     * @param transport who receives TCP segments.
     * @throws UncheckedIOException if the configured counters file cannot be created.
     */
    public StackContext(final ContextConfig config, final PacketPort port, final NanoClock clock,
        final TransportHandler transport)
    {
        this(config, port, clock, transport, null);
    }

    /**
     * A context with the TCP engine ({@link #tcp()}).
     *
     * @param config    the configuration (validated here).
     * @param port      the port it owns for its lifetime (closed by whoever opened it).
     * @param clock     its time source.
     * @param tcpConfig the engine's tunables; its secret keys, if set, make ISNs and cookies
     *                  reproducible (tests and simulations).
     * @throws UncheckedIOException if the configured counters file cannot be created.
     */
    public StackContext(final ContextConfig config, final PacketPort port, final NanoClock clock,
        final TcpConfig tcpConfig)
    {
        this(config, port, clock, null, tcpConfig);
    }

    private StackContext(final ContextConfig config, final PacketPort port, final NanoClock clock,
        final TransportHandler transport, final TcpConfig tcpConfig)
    {
        this(config, port, clock, transport, tcpConfig, null);
    }

    /**
     * A context of a {@link ContextGroup}: its placement comes from {@code config}, and it shares
     * {@code shares} with the group's other contexts.
     */
    StackContext(final ContextConfig config, final PacketPort port, final NanoClock clock,
        final TransportHandler transport, final TcpConfig tcpConfig, final ContextShares shares)
    {
        this.config = config.validate();
        if (shares == null && config.contexts() != 1)
        {
            throw new IllegalArgumentException("a context of several is made by a ContextGroup");
        }
        this.rxBatch = config.rxBatch();
        this.commandBatch = config.commandBatch();
        this.port = port;
        this.clock = clock;
        this.shares = shares;
        this.placement = new ContextPlacement(config.index(), config.contexts(),
            shares != null ? shares.portSpace() : ownPortSpace(tcpConfig));
        this.counters = newCounters(config);
        this.tcp = tcpConfig == null ? null : newEngine(tcpConfig, config, counters, clock.nanoTime());
        final TransportHandler inner = tcp != null ? tcp : transport;
        this.transport = inner;
        this.mailbox = shares != null ? shares.mailbox(config.index()) : null;
        this.network = new NetworkLayer(config.iface(), new FrameOutput(port, counters), counters, config.arp(),
            config.contexts() == 1 ? inner : new PlacedTransport(inner),
            shares != null ? shares.neighbours() : null, config.index() == 0);
        this.commands = new MpscAtomicArrayQueue<>(config.commandQueueCapacity());
        if (shares != null)
        {
            shares.register(this);
        }
    }

    private static PortSpace ownPortSpace(final TcpConfig tcpConfig)
    {
        final TcpConfig ranges = tcpConfig != null ? tcpConfig : new TcpConfig();
        return new PortSpace(ranges.ephemeralPortFirst(), ranges.ephemeralPortLast());
    }

    private TcpEngine newEngine(final TcpConfig tcpConfig, final ContextConfig config, final StackCounters counters,
        final long now)
    {
        final IsnGenerator isn = tcpConfig.hasSecret()
            ? new IsnGenerator(tcpConfig.secret0(), tcpConfig.secret1()) : IsnGenerator.withRandomKey();
        final SynCookies cookies = tcpConfig.hasSecret()
            ? new SynCookies(~tcpConfig.secret0(), ~tcpConfig.secret1()) : SynCookies.withRandomKey();
        return new TcpEngine(tcpConfig, config.iface().address(), new NetworkSegmentOutput(), counters, isn, cookies,
            now, placement);
    }

    /**
     * The transport of a context that shares its interface: segments of flows another context
     * owns are counted and dropped (they must never open a flow here), and ICMP errors quoting
     * another context's flow go to that context (RFC 5927: the connection that sent the quoted
     * segment judges it).
     */
    private final class PlacedTransport implements TransportHandler
    {
        /** ICMP error header in a mailbox record: type, code, next-hop MTU; the quote follows. */
        private static final int HEADER = 3 * Integer.BYTES;
        /** The longest quote passed on: an IPv4 header with options and the 8 bytes TCP needs. */
        private static final int MAX_QUOTE = 60 + 8;

        private final TransportHandler inner;

        private PlacedTransport(final TransportHandler inner)
        {
            this.inner = inner;
        }

        @Override
        public DropReason onTcpSegment(final Ipv4Header ip, final TcpHeader tcp, final TcpOptions options,
            final long now)
        {
            if (!placement.owns(ip.destination(), tcp.destinationPort(), ip.source(), tcp.sourcePort()))
            {
                counters.increment(StackCounter.TCP_MISROUTED);
                return DropReason.NONE;
            }
            return inner.onTcpSegment(ip, tcp, options, now);
        }

        @Override
        public DropReason onIcmpError(final int type, final int code, final int nextHopMtu, final DirectBuffer quote,
            final int quoteOffset, final int quoteLength, final long now)
        {
            final int ipHeaderLength = (quote.getByte(quoteOffset) & 0x0F) * 4;
            if (quoteLength < ipHeaderLength + 8)
            {
                return inner.onIcmpError(type, code, nextHopMtu, quote, quoteOffset, quoteLength, now);
            }
            final int source = quote.getInt(quoteOffset + 12, BIG_ENDIAN);
            final int destination = quote.getInt(quoteOffset + 16, BIG_ENDIAN);
            final int localPort = quote.getShort(quoteOffset + ipHeaderLength, BIG_ENDIAN) & 0xFFFF;
            final int remotePort = quote.getShort(quoteOffset + ipHeaderLength + 2, BIG_ENDIAN) & 0xFFFF;
            final int owner = FlowHash.contextOf(source, localPort, destination, remotePort, placement.contexts());
            if (owner == placement.index())
            {
                return inner.onIcmpError(type, code, nextHopMtu, quote, quoteOffset, quoteLength, now);
            }
            final int length = Math.min(quoteLength, MAX_QUOTE);
            final OneToOneRingBuffer box = shares.mailbox(owner);
            final int at = box.tryClaim(1, HEADER + length);
            if (at < 0)
            {
                counters.increment(StackCounter.TCP_ICMP_FORWARD_OVERFLOWS);
                return DropReason.NONE;
            }
            final MutableDirectBuffer record = box.buffer();
            record.putInt(at, type);
            record.putInt(at + Integer.BYTES, code);
            record.putInt(at + 2 * Integer.BYTES, nextHopMtu);
            record.putBytes(at + HEADER, quote, quoteOffset, length);
            box.commit(at);
            counters.increment(StackCounter.TCP_ICMP_FORWARDED);
            // The ring publishes its tail with a release store, which may pass the volatile read
            // of the owner's sleeping flag in wake(): fence, or the owner may sleep through it.
            VarHandle.fullFence();
            shares.context(owner).wake();
            return DropReason.NONE;
        }
    }

    private void onMailboxIcmp(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
        final int length)
    {
        try
        {
            counters.drop(transport.onIcmpError(buffer.getInt(index), buffer.getInt(index + Integer.BYTES),
                buffer.getInt(index + 2 * Integer.BYTES), buffer, index + PlacedTransport.HEADER,
                length - PlacedTransport.HEADER, now));
        }
        catch (final RuntimeException ex)
        {
            internalError(ex);
        }
    }

    /**
     * Segments leave through the network layer: TCP at {@link NetworkLayer#L4_OFFSET}, DF set
     * for path MTU discovery (RFC 1191).
     */
    private final class NetworkSegmentOutput implements SegmentOutput
    {
        @Override
        public MutableDirectBuffer buffer()
        {
            return network.txBuffer();
        }

        @Override
        public int offset()
        {
            return NetworkLayer.L4_OFFSET;
        }

        @Override
        public int maxSegmentLength()
        {
            return network.maxL4Length();
        }

        @Override
        public boolean send(final int remoteIp, final int length, final long now)
        {
            return network.sendIpv4(remoteIp, Ipv4Header.PROTOCOL_TCP, length, true, now);
        }
    }

    @Override
    public void onStart()
    {
        if (!started)
        {
            started = true;
            owner = Thread.currentThread();
            now = clock.nanoTime();
            network.start(now);
            port.flush();
        }
    }

    /**
     * The context is destroyed (its runner's thread calls this as it ends; a {@link ContextGroup}
     * in manual mode calls it from {@link ContextGroup#close()}): the TCP engine drops its
     * connections and TIME_WAIT records without a word to the peers and gives their ports back to
     * the port space ({@link TcpEngine#close()}).
     */
    @Override
    public void onClose()
    {
        if (tcp != null)
        {
            tcp.close();
        }
    }

    @Override
    public int doWork()
    {
        if (!started)
        {
            onStart();
        }
        now = clock.nanoTime();
        int work = port.receive(this, rxBatch);
        if (mailbox != null)
        {
            work += mailbox.read(onMailboxIcmp, rxBatch);
        }
        work += network.onTimers(now);
        if (tcp != null)
        {
            work += tcp.onTimers(now);
            work += dispatchTcpEvents();
        }
        work += commands.drain(runCommand, commandBatch);
        work += runServices();
        if (tcp != null)
        {
            work += dispatchTcpEvents();
        }
        work += port.flush();
        return work;
    }

    @Override
    public void onFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            network.onFrame(buffer, offset, length, now);
        }
        catch (final RuntimeException ex)
        {
            internalError(ex);
        }
    }

    /**
     * Run {@code command} on the context's thread during a later duty cycle. Never blocks.
     *
     * @param command what to run; it receives this context.
     * @return false if the command queue is full (nothing was queued; the caller may retry).
     */
    public boolean submit(final Consumer<StackContext> command)
    {
        if (!commands.offer(command))
        {
            return false;
        }
        wake();
        return true;
    }

    /**
     * Add work to every duty cycle (before the context starts).
     *
     * @param service the work; it runs after the commands, on the context thread.
     * @throws IllegalStateException if the context has started.
     */
    public void attach(final ContextService service)
    {
        if (started)
        {
            throw new IllegalStateException("attach services before the context starts");
        }
        final ContextService[] more = Arrays.copyOf(services, services.length + 1);
        more[services.length] = service;
        services = more;
    }

    /**
     * @return true if the calling thread is the one running this context's duty cycle (the
     *         thread that started it: a {@link ContextRunner}'s, or a test's that calls
     *         {@link #doWork()} itself).
     */
    public boolean isContextThread()
    {
        return owner == Thread.currentThread();
    }

    /**
     * Wake the context if its idle strategy put it to sleep; cheap when it is awake. Call after
     * queueing work for it from another thread.
     */
    public void wake()
    {
        if (sleeping && !port.wakeUp())
        {
            final Thread thread = owner;
            if (thread != null)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Sleep up to {@code maxNanos} unless work is waiting; for the context's idle strategy. A
     * port that can wait for its medium ({@link PacketPort#awaitFrames}, a pcap handle's
     * descriptor) ends the sleep when a frame arrives; any other port's frames wait for the
     * timeout. The flag is raised before the queues are looked at, and {@link #wake()} reads it
     * after its caller queued: one of the two always sees the other (Dekker), so no wake-up is
     * lost.
     *
     * @param maxNanos the longest sleep.
     */
    void sleep(final long maxNanos)
    {
        sleeping = true;
        try
        {
            if (!hasPendingWork() && !port.awaitFrames(maxNanos))
            {
                LockSupport.parkNanos(maxNanos);
            }
        }
        finally
        {
            sleeping = false;
        }
    }

    private boolean hasPendingWork()
    {
        if (!commands.isEmpty() || mailbox != null && mailbox.size() > 0)
        {
            return true;
        }
        for (final ContextService service : services)
        {
            if (service.hasPendingWork())
            {
                return true;
            }
        }
        return false;
    }

    private int runServices()
    {
        int work = 0;
        for (final ContextService service : services)
        {
            try
            {
                work += service.doWork(now);
            }
            catch (final RuntimeException ex)
            {
                internalError(ex);
                work++;
            }
        }
        return work;
    }

    /**
     * The context's time as of the current duty cycle; for code running on the context thread.
     *
     * @return nanoseconds by the context's clock.
     */
    public long now()
    {
        return now;
    }

    /**
     * @return the TCP engine, or null for a context made without one; touch it only from the
     *         context thread (a command, or a handler the engine calls).
     */
    public TcpEngine tcp()
    {
        return tcp;
    }

    private int dispatchTcpEvents()
    {
        try
        {
            return tcp.dispatchEvents();
        }
        catch (final RuntimeException ex)
        {
            internalError(ex);
            return 1;
        }
    }

    /**
     * @return the local ports of the stack, shared by all its contexts (a context alone has its
     *         own); any thread may use it.
     */
    public PortSpace portSpace()
    {
        return placement.portSpace();
    }

    /**
     * @return this context's index among those sharing its interface (0 for a context alone).
     */
    public int index()
    {
        return placement.index();
    }

    /**
     * @return how many contexts share the interface.
     */
    public int contexts()
    {
        return placement.contexts();
    }

    /**
     * @return the network layer; touch it only from the context thread.
     */
    public NetworkLayer network()
    {
        return network;
    }

    /**
     * @return the counters, readable from any thread.
     */
    public StackCounters counters()
    {
        return counters;
    }

    /**
     * @return the configuration.
     */
    public ContextConfig config()
    {
        return config;
    }

    /**
     * The last exception caught at the duty-cycle boundary, for diagnosis.
     *
     * @return the exception, or null if none.
     */
    public Throwable lastError()
    {
        return lastError;
    }

    @Override
    public String roleName()
    {
        return "jmtcp-" + config.name();
    }

    private static StackCounters newCounters(final ContextConfig config)
    {
        if (config.countersFile() == null)
        {
            return new StackCounters(config.name());
        }
        try
        {
            return new StackCounters(config.name(), config.countersFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void runCommand(final Consumer<StackContext> command)
    {
        try
        {
            command.accept(this);
        }
        catch (final RuntimeException ex)
        {
            internalError(ex);
        }
    }

    private void internalError(final RuntimeException ex)
    {
        counters.increment(StackCounter.INTERNAL_ERRORS);
        lastError = ex;
    }
}
