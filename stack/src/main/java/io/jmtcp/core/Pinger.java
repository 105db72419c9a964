package io.jmtcp.core;

import io.jmtcp.net.EchoListener;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Pings a host from a running context, for an application thread: the stack's own ICMP echo
 * client, used by the demo and the kernel-peer tests. Requests are sent on the context's thread
 * through {@link StackContext#submit}; replies come back through an {@link EchoListener}.
 *
 * <p>Each {@link #ping} run uses an identifier of its own and accepts replies only from the host
 * it pings, so a late reply to an earlier run, or a reply from anyone else, is never counted.
 *
 * <p>Not for the hot path: it allocates a command per request and waits by parking.
 */
public final class Pinger
{
    /** Payload bytes per request, as Linux ping sends by default. */
    public static final int PAYLOAD_LENGTH = 56;
    /** Sequence numbers are 16 bits (RFC 792). */
    public static final int MAX_COUNT = 0xFFFF;

    private final StackContext context;
    private final int firstIdentifier;
    private final ConcurrentHashMap<Integer, Long> rttBySequence = new ConcurrentHashMap<>();
    private int runs;
    private volatile int runIdentifier = -1;
    private volatile int runDestination;

    /**
     * Attach a pinger to a context (it becomes the context's echo listener).
     *
     * @param context         a context, running or driven by the caller.
     * @param firstIdentifier the ICMP echo identifier of the first run; later runs count up from it.
     * @throws IllegalStateException if the context's command queue is full.
     */
    public Pinger(final StackContext context, final int firstIdentifier)
    {
        this.context = context;
        this.firstIdentifier = firstIdentifier;
        final EchoListener listener = (source, id, sequence, length, rttNanos) ->
        {
            if (id == runIdentifier && source == runDestination)
            {
                rttBySequence.putIfAbsent(sequence, rttNanos);
            }
        };
        if (!context.submit(ctx -> ctx.network().echoListener(listener)))
        {
            throw new IllegalStateException("command queue of " + context.roleName() + " is full");
        }
    }

    /**
     * Send {@code count} echo requests {@code interval} apart, then wait up to {@code timeout}
     * after the last one for the replies. A request the context does not take within
     * {@code timeout} (its command queue stays full, or it is not being run) is not sent, and
     * neither are the ones after it.
     *
     * @param destination the address to ping.
     * @param count       how many requests, 1..{@link #MAX_COUNT} (sequence numbers 1..count).
     * @param interval    time between requests.
     * @param timeout     how long to wait for the context, and for replies after the last request.
     * @return round-trip times in nanoseconds by sequence number (index 0 for sequence 1); -1
     *         where no reply came.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalArgumentException if {@code count} is out of range.
     */
    public long[] ping(final int destination, final int count, final Duration interval, final Duration timeout)
        throws InterruptedException
    {
        if (count < 1 || count > MAX_COUNT)
        {
            throw new IllegalArgumentException("count must be 1.." + MAX_COUNT + ": " + count);
        }
        final int identifier = (firstIdentifier + runs++) & 0xFFFF;
        rttBySequence.clear();
        runDestination = destination;
        runIdentifier = identifier;

        for (int sequence = 1; sequence <= count; sequence++)
        {
            final int seq = sequence;
            final long submitDeadline = System.nanoTime() + timeout.toNanos();
            boolean submitted;
            while (!(submitted = context.submit(ctx -> ctx.network().sendEchoRequest(destination, identifier, seq,
                PAYLOAD_LENGTH, ctx.now()))) && submitDeadline - System.nanoTime() > 0)
            {
                pause(TimeUnit.MICROSECONDS.toNanos(100));
            }
            if (!submitted)
            {
                break;
            }
            if (sequence < count)
            {
                pause(interval.toNanos());
            }
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (rttBySequence.size() < count && deadline - System.nanoTime() > 0)
        {
            pause(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final long[] rtts = new long[count];
        for (int sequence = 1; sequence <= count; sequence++)
        {
            rtts[sequence - 1] = rttBySequence.getOrDefault(sequence, -1L);
        }
        return rtts;
    }

    private static void pause(final long nanos) throws InterruptedException
    {
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
    }
}
