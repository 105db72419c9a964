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
import io.jmtcp.wire.Ipv4Header;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

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
        this.config = config.validate();
        this.rxBatch = config.rxBatch();
        this.commandBatch = config.commandBatch();
        this.port = port;
        this.clock = clock;
        this.counters = newCounters(config);
        this.tcp = tcpConfig == null ? null : newEngine(tcpConfig, config, counters, clock.nanoTime());
        this.network = new NetworkLayer(config.iface(), new FrameOutput(port, counters), counters, config.arp(),
            tcp != null ? tcp : transport);
        this.commands = new MpscAtomicArrayQueue<>(config.commandQueueCapacity());
    }

    private TcpEngine newEngine(final TcpConfig tcpConfig, final ContextConfig config, final StackCounters counters,
        final long now)
    {
        final IsnGenerator isn = tcpConfig.hasSecret()
            ? new IsnGenerator(tcpConfig.secret0(), tcpConfig.secret1()) : IsnGenerator.withRandomKey();
        final SynCookies cookies = tcpConfig.hasSecret()
            ? new SynCookies(~tcpConfig.secret0(), ~tcpConfig.secret1()) : SynCookies.withRandomKey();
        return new TcpEngine(tcpConfig, config.iface().address(), new NetworkSegmentOutput(), counters, isn, cookies,
            now);
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

    @Override
    public int doWork()
    {
        if (!started)
        {
            onStart();
        }
        now = clock.nanoTime();
        int work = port.receive(this, rxBatch);
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
        if (sleeping)
        {
            final Thread thread = owner;
            if (thread != null)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Sleep up to {@code maxNanos} unless work is waiting; for the context's idle strategy.
     * The flag is raised before the queues are looked at, and {@link #wake()} reads it after
     * its caller queued: one of the two always sees the other (Dekker), so no wake-up is lost.
     *
     * @param maxNanos the longest sleep.
     */
    void sleep(final long maxNanos)
    {
        sleeping = true;
        try
        {
            if (!hasPendingWork())
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
        if (!commands.isEmpty())
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
