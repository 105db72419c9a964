package io.jmtcp.bench;

import io.jmtcp.bed.NetnsBed;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.tcp.EchoHandler;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One jmtcp context with the TCP engine on the stack end of a {@link NetnsBed}, for
 * {@link TcpVethComparison}: a pcap port on the end, the context's thread busy-spinning (a
 * parked context would add up to a millisecond of wake-up to every exchange) and pinned to one
 * CPU, and the three applications the comparison runs on it, {@link Sink}, {@link EchoHandler} and
 * {@link Source}, whose handlers run on the context's thread.
 */
final class JmtcpOnBed implements AutoCloseable
{
    /** The Ethernet header a frame adds to the IP MTU (untagged). */
    private static final int ETHERNET_HEADER = 14;

    /** How long this thread waits for the context's thread to run something for it. */
    private static final long CALL_SECONDS = 5;

    /** Connections a listener queues; the comparison opens one at a time. */
    private static final int BACKLOG = 8;

    private final PcapPort port;
    private final StackContext context;
    private final ContextRunner runner;
    private final int pinnedCpu;

    private JmtcpOnBed(final PcapPort port, final StackContext context, final ContextRunner runner, final int pinnedCpu)
    {
        this.port = port;
        this.context = context;
        this.runner = runner;
        this.pinnedCpu = pinnedCpu;
    }

    /**
     * Open the bed's stack end and start a busy-spinning context on it, pinned to {@code cpu}.
     *
     * @param bed       the bed.
     * @param tcpConfig the engine's tunables.
     * @param cpu       the CPU for the context's thread, or -1 to leave it unpinned.
     * @return the running stack.
     * @throws PortException        if libpcap is missing or the end cannot be opened.
     * @throws InterruptedException if this thread is interrupted while the context pins itself.
     */
    static JmtcpOnBed start(final NetnsBed bed, final TcpConfig tcpConfig, final int cpu)
        throws PortException, InterruptedException
    {
        PcapLibrary.ensureLoaded();
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        final PcapPort port = PcapPort.open(PcapPortConfig.builder(bed.stackInterface())
            .maxFrameLength(bed.mtu() + ETHERNET_HEADER)
            .build());
        ContextRunner runner = null;
        try
        {
            final StackContext context = new StackContext(new ContextConfig().name("bench").iface(iface), port,
                SystemNanoClock.INSTANCE, tcpConfig);
            runner = ContextRunner.start(context, new BusySpinIdleStrategy());
            // The runner owns its thread; the thread pins itself from within a duty cycle.
            final boolean pinned = call(context, ctx -> ThreadAffinity.pinCurrentThread(cpu));
            return new JmtcpOnBed(port, context, runner, pinned ? cpu : -1);
        }
        catch (final RuntimeException | InterruptedException e)
        {
            if (runner != null)
            {
                runner.close();
            }
            port.close();
            throw e;
        }
    }

    /**
     * @return the CPU the context's thread is pinned to, or -1 if it is not.
     */
    int pinnedCpu()
    {
        return pinnedCpu;
    }

    /**
     * Run {@code action} on the context's thread and wait for its result.
     *
     * @param action what to run there.
     * @param <T>    its result's type.
     * @return its result.
     * @throws InterruptedException  if this thread is interrupted.
     * @throws IllegalStateException if it threw or did not run within a few seconds.
     */
    <T> T call(final Function<StackContext, T> action) throws InterruptedException
    {
        return call(context, action);
    }

    /**
     * The counters that tell whether a run took the fast path: segments, retransmissions,
     * out-of-order arrivals, drops, and libpcap's own drops.
     *
     * @return one line.
     * @throws InterruptedException if this thread is interrupted.
     */
    String counterLine() throws InterruptedException
    {
        final StackCounters c = context.counters();
        // libpcap's handle is the context thread's; ask it there.
        final String libpcap = call(ctx ->
        {
            try
            {
                final PcapPort.LibpcapStats stats = port.libpcapStats();
                return "libpcap received " + stats.received() + ", dropped " + stats.dropped() + ", if-dropped "
                    + stats.droppedByInterface();
            }
            catch (final IOException e)
            {
                return "libpcap statistics unavailable (" + e.getMessage() + ")";
            }
        });
        return "segments in " + c.get(StackCounter.TCP_SEGMENTS_IN) + ", out " + c.get(StackCounter.TCP_SEGMENTS_OUT)
            + "; retransmitted " + c.get(StackCounter.TCP_RETRANSMITS)
            + " (fast " + c.get(StackCounter.TCP_FAST_RETRANSMITS)
            + ", RTOs " + c.get(StackCounter.TCP_RETRANSMIT_TIMEOUTS) + "); dup ACKs in "
            + c.get(StackCounter.TCP_DUPLICATE_ACKS_IN)
            + "; out-of-order in " + c.get(StackCounter.TCP_OUT_OF_ORDER_SEGMENTS)
            + "; zero-window probes " + c.get(StackCounter.TCP_ZERO_WINDOW_PROBES) + "; frames dropped "
            + c.totalDropped() + "; tx errors " + port.txErrors() + "; " + libpcap;
    }

    /** Stop the context's thread, then close the port. Idempotent. */
    @Override
    public void close()
    {
        runner.close();
        port.close();
    }

    private static <T> T call(final StackContext context, final Function<StackContext, T> action)
        throws InterruptedException
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final boolean queued = context.submit(ctx ->
        {
            try
            {
                result.complete(action.apply(ctx));
            }
            catch (final RuntimeException e)
            {
                result.completeExceptionally(e);
            }
        });
        if (!queued)
        {
            throw new IllegalStateException("the context's command queue is full");
        }
        try
        {
            return result.get(CALL_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException("failed on the context thread: " + e.getCause(), e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new IllegalStateException("the context thread did not answer within " + CALL_SECONDS + " s", e);
        }
    }

    /**
     * Listen on {@code port} with {@code server} as the handler of each accepted connection.
     *
     * @param engine the engine, on the context thread.
     * @param port   the port.
     * @param server the connections' handler.
     * @return the listener.
     * @throws IllegalStateException if the engine refuses.
     */
    static TcpListener listen(final TcpEngine engine, final int port, final TcpHandler server)
    {
        final TcpListener listener = engine.listen(port, BACKLOG, new TcpHandler()
        {
            @Override
            public void onAcceptable(final TcpListener l)
            {
                TcpConnection connection;
                while ((connection = engine.accept(l)) != null)
                {
                    connection.handler(server);
                    // Data, even a FIN, may have arrived before the accept.
                    server.onReadable(connection);
                }
            }
        });
        if (listener == null)
        {
            throw new IllegalStateException("cannot listen on " + port + ": " + TcpError.name(engine.lastError()));
        }
        return listener;
    }

    /** Reads and discards; closes at the peer's FIN, which the peer then sees as EOF. */
    static final class Sink implements TcpHandler
    {
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile long received;
        private volatile int error;

        @Override
        public void onReadable(final TcpConnection connection)
        {
            int read;
            while ((read = connection.receive(scratch, 0, scratch.capacity())) > 0)
            {
                received += read;
            }
            if (read == TcpConnection.EOF)
            {
                connection.close();
                done.countDown();
            }
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            error = connection.error();
            connection.close();
            done.countDown();
        }

        /**
         * Wait for the connection to end.
         *
         * @param seconds the longest wait.
         * @return bytes received.
         * @throws InterruptedException  if this thread is interrupted.
         * @throws IllegalStateException if it did not end in time or ended with an error.
         */
        long await(final long seconds) throws InterruptedException
        {
            if (!done.await(seconds, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("jmtcp sink: no EOF within " + seconds + " s, " + received
                    + " bytes read");
            }
            if (error != TcpError.NONE)
            {
                throw new IllegalStateException("jmtcp sink: connection failed: " + TcpError.name(error));
            }
            return received;
        }
    }


    /**
     * Sends {@code bytes} bytes (fewer if the deadline passes first), shuts down writing and
     * waits for the peer's EOF, which a sink sends only after reading every byte; the time is
     * from the handshake's end to that EOF.
     */
    static final class Source implements TcpHandler
    {
        private final UnsafeBuffer chunk = BenchFrames.randomBytes(64 * 1024);
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
        private final CountDownLatch done = new CountDownLatch(1);
        private final long bytes;
        private final long deadlineNanos;
        private long startNanos;
        private long sent;
        private boolean shutdown;
        private volatile long nanos;
        private volatile long sentTotal;
        private volatile int error;

        /**
         * @param bytes         how many bytes to send.
         * @param deadlineNanos when to stop sending, by {@link System#nanoTime()}.
         */
        Source(final long bytes, final long deadlineNanos)
        {
            this.bytes = bytes;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            startNanos = System.nanoTime();
            pump(connection);
        }

        @Override
        public void onWritable(final TcpConnection connection)
        {
            pump(connection);
        }

        @Override
        public void onReadable(final TcpConnection connection)
        {
            // A sink sends nothing but its FIN; anything else is read and dropped.
            int read;
            do
            {
                read = connection.receive(scratch, 0, scratch.capacity());
            }
            while (read > 0);
            if (read == TcpConnection.EOF)
            {
                nanos = System.nanoTime() - startNanos;
                sentTotal = sent;
                connection.close();
                done.countDown();
            }
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            error = connection.error();
            sentTotal = sent;
            connection.close();
            done.countDown();
        }

        /**
         * Wait for the transfer to end.
         *
         * @param seconds the longest wait.
         * @return the bytes sent and the time it took.
         * @throws InterruptedException  if this thread is interrupted.
         * @throws IllegalStateException if it did not end in time or ended with an error.
         */
        TcpVethComparison.Bulk await(final long seconds) throws InterruptedException
        {
            if (!done.await(seconds, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("jmtcp source: the peer's EOF did not come within " + seconds + " s");
            }
            if (error != TcpError.NONE || nanos == 0)
            {
                throw new IllegalStateException("jmtcp source: connection failed after " + sentTotal + " bytes: "
                    + TcpError.name(error));
            }
            return new TcpVethComparison.Bulk(sentTotal, nanos);
        }

        private void pump(final TcpConnection connection)
        {
            while (sent < bytes && System.nanoTime() - deadlineNanos < 0)
            {
                final int length = (int)Math.min(Math.min(chunk.capacity(), connection.writable()), bytes - sent);
                if (length == 0)
                {
                    return;
                }
                if (connection.send(chunk, 0, length) != length)
                {
                    // Less than writable() promised only when it failed: onClosed follows.
                    return;
                }
                sent += length;
            }
            if (!shutdown)
            {
                shutdown = true;
                connection.shutdownWrite();
            }
        }
    }
}
