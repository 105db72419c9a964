package io.jmtcp.net;

import io.jmtcp.port.PacketPort;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.DropReason;
import org.agrona.DirectBuffer;

/**
 * The one place frames leave the stack: hands them to the port and counts them, so that every
 * layer's transmissions are accounted the same way.
 */
public final class FrameOutput
{
    private final PacketPort port;
    private final StackCounters counters;

    /**
     * @param port     the port frames go out on.
     * @param counters where transmissions and refusals are counted.
     */
    public FrameOutput(final PacketPort port, final StackCounters counters)
    {
        this.port = port;
        this.counters = counters;
    }

    /**
     * Transmit one complete Ethernet frame.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     * @return true if the port took it.
     */
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (port.send(buffer, offset, length))
        {
            counters.increment(StackCounter.TX_FRAMES);
            counters.add(StackCounter.TX_BYTES, length);
            return true;
        }
        counters.drop(DropReason.TX_PORT_REFUSED);
        return false;
    }

    /**
     * @return the longest frame the port carries.
     */
    public int maxFrameLength()
    {
        return port.maxFrameLength();
    }
}
