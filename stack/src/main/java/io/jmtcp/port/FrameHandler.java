package io.jmtcp.port;

import org.agrona.MutableDirectBuffer;

/**
 * Receives frames from a {@link PacketPort}, one call per frame.
 *
 * <p>The buffer belongs to the port and is valid only for the duration of the call: a handler
 * that needs the bytes later copies them. The handler may modify the bytes in place.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * One received frame, starting at its Ethernet header.
     *
     * @param buffer holding the frame.
     * @param offset of the first byte of the frame in the buffer.
     * @param length of the frame in bytes (no FCS).
     */
    void onFrame(MutableDirectBuffer buffer, int offset, int length);
}
