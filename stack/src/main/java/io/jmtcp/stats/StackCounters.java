package io.jmtcp.stats;

import io.jmtcp.wire.DropReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The counters of one context: one Agrona counter per {@link StackCounter} and one per
 * {@link DropReason} (except {@link DropReason#NONE}).
 *
 * <p>Only the owning context's thread increments them, so increments use the single-writer
 * {@code incrementRelease}, which is a plain add plus a release store (no locked instruction);
 * any thread may read them through {@link #reader()}. Built with a file, they live in a
 * {@link CountersFile} that other processes read while the stack runs (DESIGN.md §4).
 */
public final class StackCounters implements AutoCloseable
{
    private static final int MAX_COUNTERS = 256;
    private static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    private static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;

    private final String contextName;
    private final CountersManager manager;
    private final boolean inFile;
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
        this(contextName, new UnsafeBuffer(ByteBuffer.allocateDirect(METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(VALUES_LENGTH)), null);
    }

    /**
     * Counters for a context, in a memory-mapped {@link CountersFile} other processes can read.
     *
     * @param contextName names the context in every label, for example {@code "ctx0"}.
     * @param file        the counters file to create (an existing one is replaced).
     * @throws IOException if the file cannot be created.
     */
    public StackCounters(final String contextName, final Path file) throws IOException
    {
        this(contextName, CountersFile.create(file, METADATA_LENGTH, VALUES_LENGTH));
    }

    private StackCounters(final String contextName, final MappedByteBuffer mapping)
    {
        this(contextName, CountersFile.metadataBuffer(mapping, METADATA_LENGTH),
            CountersFile.valuesBuffer(mapping, METADATA_LENGTH, VALUES_LENGTH), mapping);
    }

    private StackCounters(final String contextName, final UnsafeBuffer metaData, final UnsafeBuffer values,
        final MappedByteBuffer mapping)
    {
        this.contextName = contextName;
        this.inFile = mapping != null;
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
        return format(manager, all);
    }

    static String format(final CountersReader reader, final boolean all)
    {
        final StringBuilder text = new StringBuilder();
        reader.forEach((counterId, label) ->
        {
            final long value = reader.getCounterValue(counterId);
            if (all || value != 0)
            {
                text.append(label).append(": ").append(value).append('\n');
            }
        });
        return text.toString();
    }

    /**
     * Free the counters. Counters in a file keep their records instead, so that
     * {@code jmtcp stats FILE} shows the final values after the stack stopped; their mapping goes
     * with the garbage collector, because an explicit unmap would crash a thread still reading.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed && !inFile)
        {
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
        closed = true;
    }
}
