package io.jmtcp.net;

import io.jmtcp.port.FrameHandler;
import io.jmtcp.port.PacketPort;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A port a test scripts by hand: frames it injects are received, frames the stack sends are
 * recorded, and it can be told to refuse transmissions.
 */
final class ScriptedPort implements PacketPort
{
    private final ArrayDeque<byte[]> inbound = new ArrayDeque<>();
    private final List<byte[]> sent = new ArrayList<>();
    private final int maxFrameLength;
    private boolean refuseSends;

    ScriptedPort(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    void inject(final byte[] frame)
    {
        inbound.add(frame.clone());
    }

    void refuseSends(final boolean refuse)
    {
        refuseSends = refuse;
    }

    /** Frames sent since the last call, oldest first. */
    List<byte[]> takeSent()
    {
        final List<byte[]> frames = new ArrayList<>(sent);
        sent.clear();
        return frames;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        int delivered = 0;
        while (delivered < limit && !inbound.isEmpty())
        {
            final byte[] frame = inbound.poll();
            handler.onFrame(new UnsafeBuffer(frame), 0, frame.length);
            delivered++;
        }
        return delivered;
    }

    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (refuseSends || length > maxFrameLength)
        {
            return false;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        sent.add(copy);
        return true;
    }

    @Override
    public int flush()
    {
        return 0;
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    @Override
    public String name()
    {
        return "scripted";
    }

    @Override
    public void close()
    {
    }
}
