package io.jmtcp.port;

import org.agrona.DirectBuffer;

/**
 * A port that passes frames to and from another one and records the idle waits and wake-ups
 * asked of it, as a pcap port would take them: for tests of wrappers that must pass them on.
 */
final class WaitRecordingPort implements PacketPort
{
    private final PacketPort frames;
    /** The longest wait last asked for, or -1. */
    long waitedFor = -1;
    int wakeUps;

    WaitRecordingPort(final PacketPort frames)
    {
        this.frames = frames;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        return frames.receive(handler, limit);
    }

    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        return frames.send(buffer, offset, length);
    }

    @Override
    public int flush()
    {
        return frames.flush();
    }

    @Override
    public int maxFrameLength()
    {
        return frames.maxFrameLength();
    }

    @Override
    public String name()
    {
        return "waitable";
    }

    @Override
    public boolean awaitFrames(final long maxNanos)
    {
        waitedFor = maxNanos;
        return true;
    }

    @Override
    public boolean wakeUp()
    {
        wakeUps++;
        return true;
    }

    @Override
    public void close()
    {
        frames.close();
    }
}
