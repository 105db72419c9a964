package io.jmtcp.port;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;

/**
 * A {@link PacketPort} that records every frame it receives and every frame it sends to a pcap
 * file, then passes it on: tcpdump for a port that has no kernel interface to run tcpdump on.
 *
 * <p>A received frame is written before the handler sees it (the handler may change it in place);
 * a sent frame is written once the wrapped port has accepted it, so refused frames, which never
 * reached the medium, are not in the trace. Timestamps come from an {@link EpochNanoClock}, read
 * once per frame.
 *
 * <p>Tracing must not break the packet path: a failed write is counted in {@link #traceErrors()}
 * and the frame goes on. The trace is buffered; {@link #flushTrace()} pushes it to the file and
 * {@link #close()} closes both the wrapped port and the file. Same threading as the wrapped port.
 */
public final class TracingPort implements PacketPort
{
    private static final int TRACED = 0;
    private static final int ERRORS = 1;

    private final PacketPort delegate;
    private final PcapFileWriter writer;
    private final EpochNanoClock clock;
    private final AtomicLongArray counters = new AtomicLongArray(2);
    private final FrameHandler tracer = this::onReceived;
    private FrameHandler downstream;
    private boolean closed;

    /**
     * Wrap a port.
     *
     * @param delegate the port to trace; closed when this port is closed.
     * @param writer   where frames go; closed when this port is closed.
     * @param clock    timestamps of the records.
     */
    public TracingPort(final PacketPort delegate, final PcapFileWriter writer, final EpochNanoClock clock)
    {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Wrap a port, tracing to a new Ethernet pcap file stamped by the system clock, with a
     * snapshot length of the port's longest frame.
     *
     * @param delegate the port to trace; closed when this port is closed.
     * @param file     the capture file to create (or truncate).
     * @return the tracing port.
     * @throws IOException if the file cannot be created.
     */
    public static TracingPort open(final PacketPort delegate, final Path file) throws IOException
    {
        return new TracingPort(
            delegate,
            PcapFileWriter.open(file, PcapLinkType.ETHERNET, delegate.maxFrameLength()),
            SystemEpochNanoClock.INSTANCE);
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        downstream = handler;
        try
        {
            return delegate.receive(tracer, limit);
        }
        finally
        {
            downstream = null;
        }
    }

    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!delegate.send(buffer, offset, length))
        {
            return false;
        }
        trace(buffer, offset, length);
        return true;
    }

    @Override
    public int flush()
    {
        return delegate.flush();
    }

    @Override
    public boolean awaitFrames(final long maxNanos)
    {
        return delegate.awaitFrames(maxNanos);
    }

    @Override
    public boolean wakeUp()
    {
        return delegate.wakeUp();
    }

    @Override
    public int maxFrameLength()
    {
        return delegate.maxFrameLength();
    }

    @Override
    public String name()
    {
        return delegate.name();
    }

    /**
     * Write the buffered records to the file now. A failure is counted, not thrown.
     */
    public void flushTrace()
    {
        if (closed)
        {
            return;
        }
        try
        {
            writer.flush();
        }
        catch (final IOException e)
        {
            increment(ERRORS);
        }
    }

    /**
     * Frames written to the trace.
     *
     * @return the count; readable from any thread.
     */
    public long framesTraced()
    {
        return counters.getAcquire(TRACED);
    }

    /**
     * Trace writes that failed (disk full, file closed): those frames are missing from the file.
     *
     * @return the count; readable from any thread.
     */
    public long traceErrors()
    {
        return counters.getAcquire(ERRORS);
    }

    /** Close the wrapped port, then flush and close the trace file. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            delegate.close();
        }
        finally
        {
            try
            {
                writer.close();
            }
            catch (final IOException e)
            {
                increment(ERRORS);
            }
        }
    }

    @Override
    public String toString()
    {
        return "TracingPort{" + delegate + " -> " + writer + ", errors=" + traceErrors() + '}';
    }

    private void onReceived(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        trace(buffer, offset, length);
        downstream.onFrame(buffer, offset, length);
    }

    private void trace(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            writer.write(clock.nanoTime(), buffer, offset, length);
            increment(TRACED);
        }
        catch (final IOException e)
        {
            increment(ERRORS);
        }
    }

    private void increment(final int index)
    {
        counters.setRelease(index, counters.getPlain(index) + 1);
    }
}
