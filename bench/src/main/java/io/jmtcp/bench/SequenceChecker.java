package io.jmtcp.bench;

import io.jmtcp.port.FrameHandler;
import io.jmtcp.wire.EthernetHeader;
import org.agrona.MutableDirectBuffer;

/**
 * The receiving side of the throughput benchmarks: takes each {@link BenchFrames#raw} frame,
 * reads its sequence number and counts what is missing, so that the receiver touches every frame
 * as a real one would (a header read) and loss is measured by the receiver itself, not only
 * inferred from counters. Frames of another EtherType are counted apart. One thread only.
 */
public final class SequenceChecker implements FrameHandler
{
    private long expected;
    private long frames;
    private long bytes;
    private long missing;
    private long late;
    private long foreign;

    @Override
    public void onFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (length < BenchFrames.MIN_RAW_LENGTH
            || (buffer.getShort(offset + EthernetHeader.ETHERTYPE_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF)
            != BenchFrames.EXPERIMENTAL_ETHERTYPE)
        {
            foreign++;
            return;
        }
        frames++;
        bytes += length;
        final long sequence = buffer.getLong(offset + BenchFrames.SEQUENCE_OFFSET);
        if (sequence == expected)
        {
            expected++;
        }
        else if (sequence > expected)
        {
            missing += sequence - expected;
            expected = sequence + 1;
        }
        else
        {
            late++;
        }
    }

    /**
     * @return our frames received.
     */
    public long frames()
    {
        return frames;
    }

    /**
     * @return bytes of our frames received.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * @return the next sequence number expected: one past the highest seen in order.
     */
    public long expected()
    {
        return expected;
    }

    /**
     * @return sequence numbers skipped (lost, or late if they turn up after all).
     */
    public long missing()
    {
        return missing;
    }

    /**
     * @return frames that arrived after a higher sequence number (reordered or duplicated).
     */
    public long late()
    {
        return late;
    }

    /**
     * @return frames that were not ours (another EtherType or too short).
     */
    public long foreign()
    {
        return foreign;
    }

    @Override
    public String toString()
    {
        return "received " + frames + " (" + bytes + " B), missing " + missing + ", late " + late + ", foreign " + foreign;
    }
}
