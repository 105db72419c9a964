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
 * <p>Not for the hot path: it allocates a command per request and waits by parking.
 */
public final class Pinger
{
    /** Payload bytes per request, as Linux ping sends by default. */
    public static final int PAYLOAD_LENGTH = 56;

    private final StackContext context;
    private final int identifier;
    private final ConcurrentHashMap<Integer, Long> rttBySequence = new ConcurrentHashMap<>();

    /**
     * Attach a pinger to a context (it becomes the context's echo listener).
     *
     * @param context    a context, running or driven by the caller.
     * @param identifier the ICMP echo identifier of this pinger's requests.
     * @throws IllegalStateException if the context's command queue is full.
     */
    public Pinger(final StackContext context, final int identifier)
    {
        this.context = context;
        this.identifier = identifier;
        final EchoListener listener = (source, id, sequence, length, rttNanos) ->
        {
            if (id == identifier)
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
     * after the last one for the replies.
     *
     * @param destination the address to ping.
     * @param count       how many requests (sequence numbers 1..count).
     * @param interval    time between requests.
     * @param timeout     how long to wait for replies after the last request.
     * @return round-trip times in nanoseconds by sequence number (index 0 for sequence 1); -1
     *         where no reply came.
     * @throws InterruptedException if interrupted while waiting.
     */
    public long[] ping(final int destination, final int count, final Duration interval, final Duration timeout)
        throws InterruptedException
    {
        rttBySequence.clear();
        for (int sequence = 1; sequence <= count; sequence++)
        {
            final int seq = sequence;
            while (!context.submit(ctx -> ctx.network().sendEchoRequest(destination, identifier, seq,
                PAYLOAD_LENGTH, ctx.now())))
            {
                pause(TimeUnit.MICROSECONDS.toNanos(100));
            }
            if (sequence < count)
            {
                pause(interval.toNanos());
            }
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (answered(count) < count && deadline - System.nanoTime() > 0)
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

    private int answered(final int count)
    {
        int answered = 0;
        for (int sequence = 1; sequence <= count; sequence++)
        {
            if (rttBySequence.containsKey(sequence))
            {
                answered++;
            }
        }
        return answered;
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
