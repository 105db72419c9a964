package io.jmtcp.bed;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PacketPort;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.tcp.TcpConfig;
import org.agrona.concurrent.SystemNanoClock;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One running context on the stack end of a {@link NetnsBed}: the stack owns the bed's stack
 * address and the veth's own MAC, through a pcap port on that end. Closing it stops the context
 * and closes the port (the bed itself is closed by its owner).
 *
 * <p>{@link #start(NetnsBed)} runs ARP and ICMP only; {@link #startTcp} adds the TCP engine and may
 * put a wrapper, such as an {@link io.jmtcp.port.ImpairedPort}, between the context and the pcap
 * port. Either way the context runs on a thread of its own, so code that touches its layers goes
 * through {@link #call} or {@link #await}, which run it on that thread.
 */
public final class StackOnBed implements AutoCloseable
{
    /** How long {@link #call(Function)} waits for the context thread by default. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    private static final long AWAIT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final PcapPort port;
    private final PacketPort contextPort;
    private final StackContext context;
    private final ContextRunner runner;

    private StackOnBed(final PcapPort port, final PacketPort contextPort, final StackContext context,
        final ContextRunner runner)
    {
        this.port = port;
        this.contextPort = contextPort;
        this.context = context;
        this.runner = runner;
    }

    /**
     * Start a context without TCP on the bed's stack end.
     *
     * @param bed the bed.
     * @return the running stack.
     * @throws PortException if libpcap is missing or the interface cannot be opened.
     */
    public static StackOnBed start(final NetnsBed bed) throws PortException
    {
        return start(bed, null, UnaryOperator.identity());
    }

    /**
     * Start a context with the TCP engine on the bed's stack end.
     *
     * @param bed         the bed.
     * @param tcpConfig   the engine's tunables.
     * @param portWrapper wraps the pcap port before the context gets it, for example in an
     *                    {@link io.jmtcp.port.ImpairedPort}; {@link UnaryOperator#identity()} for
     *                    none. The wrapper is closed with the stack, and must close its inner port
     *                    or leave that to this class (the pcap port's close is idempotent).
     * @return the running stack.
     * @throws PortException if libpcap is missing or the interface cannot be opened.
     */
    public static StackOnBed startTcp(final NetnsBed bed, final TcpConfig tcpConfig,
        final UnaryOperator<PacketPort> portWrapper) throws PortException
    {
        return start(bed, Objects.requireNonNull(tcpConfig, "tcpConfig"), portWrapper);
    }

    private static StackOnBed start(final NetnsBed bed, final TcpConfig tcpConfig,
        final UnaryOperator<PacketPort> portWrapper) throws PortException
    {
        PcapLibrary.ensureLoaded();
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        final PcapPort port = PcapPort.open(PcapPortConfig.builder(bed.stackInterface())
            .maxFrameLength(bed.mtu() + 14)
            .build());
        PacketPort contextPort = port;
        try
        {
            contextPort = Objects.requireNonNull(portWrapper.apply(port), "portWrapper returned null");
            final ContextConfig config = new ContextConfig().name("bed").iface(iface);
            final StackContext context = tcpConfig == null
                ? new StackContext(config, contextPort, SystemNanoClock.INSTANCE)
                : new StackContext(config, contextPort, SystemNanoClock.INSTANCE, tcpConfig);
            return new StackOnBed(port, contextPort, context, ContextRunner.start(context));
        }
        catch (final RuntimeException ex)
        {
            contextPort.close();
            port.close();
            throw ex;
        }
    }

    /**
     * @return the running context (touch its layers only through {@link #call} or
     *         {@link StackContext#submit}).
     */
    public StackContext context()
    {
        return context;
    }

    /**
     * @return the pcap port under the context (and under the wrapper, if any).
     */
    public PcapPort port()
    {
        return port;
    }

    /**
     * @return the port the context runs on: the wrapper given to {@link #startTcp}, else the pcap port.
     */
    public PacketPort contextPort()
    {
        return contextPort;
    }

    /**
     * Run {@code action} on the context thread and wait for its result, with
     * {@link #DEFAULT_CALL_TIMEOUT}.
     *
     * @param action what to run; it may use every layer of the context.
     * @param <T>    the result type.
     * @return what {@code action} returned.
     * @throws IllegalStateException if the context did not run it in time.
     * @throws RuntimeException      what {@code action} threw.
     */
    public <T> T call(final Function<StackContext, T> action)
    {
        return call(action, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Run {@code action} on the context thread and wait for its result.
     *
     * @param action  what to run; it may use every layer of the context.
     * @param timeout how long to wait for the context thread.
     * @param <T>     the result type.
     * @return what {@code action} returned.
     * @throws IllegalStateException if the context did not run it in time.
     * @throws RuntimeException      what {@code action} threw.
     */
    public <T> T call(final Function<StackContext, T> action, final Duration timeout)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final long deadline = System.nanoTime() + timeout.toNanos();
        // The command queue is bounded: a full one means the context is busy, so retry until
        // the deadline rather than fail at once.
        while (!context.submit(ctx -> runInto(action, ctx, result)))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the context's command queue stayed full for " + timeout);
            }
            Thread.onSpinWait();
        }
        try
        {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException)
            {
                throw (RuntimeException)ex.getCause();
            }
            if (ex.getCause() instanceof Error)
            {
                throw (Error)ex.getCause();
            }
            throw new IllegalStateException(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("the context thread did not run a call within " + timeout, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the context thread", ex);
        }
    }

    /**
     * Poll {@code condition} on the context thread every few milliseconds until it holds.
     *
     * @param condition what to wait for; evaluated on the context thread.
     * @param timeout   how long to wait.
     * @return true if it held within the timeout.
     */
    public boolean await(final Predicate<StackContext> condition, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            if (call(condition::test))
            {
                return true;
            }
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            try
            {
                TimeUnit.NANOSECONDS.sleep(AWAIT_POLL_NANOS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static <T> void runInto(final Function<StackContext, T> action, final StackContext context,
        final CompletableFuture<T> result)
    {
        // Catch here: the context would count an escaping exception as an internal error and
        // the caller would only see a timeout.
        try
        {
            result.complete(action.apply(context));
        }
        catch (final RuntimeException | Error ex)
        {
            result.completeExceptionally(ex);
        }
    }

    /** Stop the context's thread, then close the port (and its wrapper). Idempotent. */
    @Override
    public void close()
    {
        runner.close();
        contextPort.close();
        port.close();
    }
}
