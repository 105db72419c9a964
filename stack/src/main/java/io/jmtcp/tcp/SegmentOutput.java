package io.jmtcp.tcp;

import org.agrona.MutableDirectBuffer;

/**
 * Where the engine's segments leave (DESIGN.md §2: sans-I/O, segments go out through a
 * callback). The engine writes a whole TCP segment, checksum included, at {@link #offset()} of
 * {@link #buffer()} and calls {@link #send}; the implementation adds IPv4 and the link layer.
 */
public interface SegmentOutput
{
    /**
     * @return the buffer to build the next segment in; valid until {@link #send} returns.
     */
    MutableDirectBuffer buffer();

    /**
     * @return where in {@link #buffer()} the TCP header goes.
     */
    int offset();

    /**
     * @return the most bytes one segment may have, header included (the path's MTU less the IPv4
     *         header).
     */
    int maxSegmentLength();

    /**
     * Send the segment just built.
     *
     * @param remoteIp the destination IPv4 address.
     * @param length   bytes of the TCP segment.
     * @param now      the context's time.
     * @return true if it left or is queued for address resolution; false if dropped.
     */
    boolean send(int remoteIp, int length, long now);
}
