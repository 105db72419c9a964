package io.jmtcp.stats;

import io.jmtcp.wire.DropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The counters of one context: one Agrona counter per {@link StackCounter} and one per
 * {@link DropReason} (except {@link DropReason#NONE}).
 *
 * <p>Only the owning context's thread increments them, so increments use the single-writer
 * {@code incrementRelease}, which is a plain add plus a release store (no locked instruction);
 * any thread may read them through {@link #reader()}. The values live in an Agrona counters
 * buffer so that a later stats viewer can map the same layout from another process.
 */
public final class StackCounters implements AutoCloseable
{
    private static final int MAX_COUNTERS = 256;

    private final String contextName;
    private final CountersManager manager;
    private final AtomicCounter[] events;
    private final AtomicCounter[] drops;
    private boolean closed;

    /**
     * Counters for a context, held in this process's memory.
     *
     * @param contextName names the context in every label, for example {@code "ctx0"}.
     */
    public StackCounters(final String contextName)
    {
        this.contextName = contextName;
        final UnsafeBuffer metaData = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(MAX_COUNTERS * CountersReader.COUNTER_LENGTH));
        this.manager = new CountersManager(metaData, values, StandardCharsets.US_ASCII);

        final StackCounter[] eventKinds = StackCounter.values();
        events = new AtomicCounter[eventKinds.length];
        for (final StackCounter kind : eventKinds)
        {
            events[kind.ordinal()] = manager.newCounter(contextName + ": " + kind.description());
        }

        final DropReason[] reasons = DropReason.values();
        drops = new AtomicCounter[reasons.length];
        for (final DropReason reason : reasons)
        {
            if (reason != DropReason.NONE)
            {
                drops[reason.ordinal()] = manager.newCounter(contextName + ": drop " + reason.description());
            }
        }
    }

    /**
     * Count one event.
     *
     * @param counter which event.
     */
    public void increment(final StackCounter counter)
    {
        events[counter.ordinal()].incrementRelease();
    }

    /**
     * Add to an event counter, for example bytes.
     *
     * @param counter which event.
     * @param amount  how much to add.
     */
    public void add(final StackCounter counter, final long amount)
    {
        events[counter.ordinal()].getAndAddRelease(amount);
    }

    /**
     * Count one dropped frame.
     *
     * @param reason why it was dropped; {@link DropReason#NONE} is ignored.
     */
    public void drop(final DropReason reason)
    {
        if (reason != DropReason.NONE)
        {
            drops[reason.ordinal()].incrementRelease();
        }
    }

    /**
     * Current value of an event counter.
     *
     * @param counter which event.
     * @return its value.
     */
    public long get(final StackCounter counter)
    {
        return events[counter.ordinal()].get();
    }

    /**
     * Current value of a drop counter.
     *
     * @param reason which drop reason.
     * @return its value, 0 for {@link DropReason#NONE}.
     */
    public long dropped(final DropReason reason)
    {
        return reason == DropReason.NONE ? 0 : drops[reason.ordinal()].get();
    }

    /**
     * The sum of all drop counters.
     *
     * @return frames dropped for any reason.
     */
    public long totalDropped()
    {
        long total = 0;
        for (final AtomicCounter counter : drops)
        {
            if (counter != null)
            {
                total += counter.get();
            }
        }
        return total;
    }

    /**
     * A reader over the raw counters, safe to use from any thread.
     *
     * @return the reader.
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * The name of the context these counters belong to.
     *
     * @return the context name.
     */
    public String contextName()
    {
        return contextName;
    }

    /**
     * Non-zero counters, one {@code label: value} per line; all of them when {@code all}.
     *
     * @param all include counters that are zero.
     * @return the text.
     */
    public String format(final boolean all)
    {
        final StringBuilder text = new StringBuilder();
        manager.forEach((counterId, label) ->
        {
            final long value = manager.getCounterValue(counterId);
            if (all || value != 0)
            {
                text.append(label).append(": ").append(value).append('\n');
            }
        });
        return text.toString();
    }

    /** Free the counters. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (final AtomicCounter counter : events)
            {
                counter.close();
            }
            for (final AtomicCounter counter : drops)
            {
                if (counter != null)
                {
                    counter.close();
                }
            }
        }
    }
}
