package io.jmtcp.port;

import org.agrona.MutableDirectBuffer;

/**
 * Receives the packet records of a capture file from {@link PcapFileReader}, one call per record.
 *
 * <p>The buffer belongs to the reader and holds the record only for the duration of the call: a
 * handler that keeps the bytes copies them. It may modify them in place.
 */
@FunctionalInterface
public interface PcapRecordHandler
{
    /**
     * One packet record.
     *
     * @param timestampNanos  capture time in nanoseconds since the Unix epoch (0 for a pcapng
     *                        Simple Packet Block, which has no timestamp).
     * @param linkType        the {@link PcapLinkType} of the interface that captured it.
     * @param buffer          holding the captured bytes.
     * @param offset          of the first captured byte in the buffer.
     * @param capturedLength  bytes captured and present in the buffer.
     * @param originalLength  length of the packet on the wire; larger than {@code capturedLength}
     *                        when the capture was cut at the snapshot length.
     */
    void onRecord(
        long timestampNanos,
        int linkType,
        MutableDirectBuffer buffer,
        int offset,
        int capturedLength,
        int originalLength);
}
