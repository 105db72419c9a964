package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Flyweight over a TCP header (RFC 9293 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data | Rsv |A|C|E|U|A|P|R|S|F|                               |
 * | Offset|     |E|W|C|R|C|S|S|Y|I|            Window             | 12
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (Data Offset - 5 words)            | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Byte 13 holds the eight control bits of RFC 9293 §3.1 (with ECE and CWR from RFC 3168
 * §6.1), returned by {@link #flags()}. The four bits below the data offset are reserved in
 * RFC 9293; the lowest was NS (RFC 3540, now historic) and is AE in Accurate ECN. They are
 * returned apart by {@link #reservedBits()} so that a flag test never confuses them.
 *
 * <p>Sequence and acknowledgment numbers are returned as {@code int}: comparing them is modulo
 * 2<sup>32</sup> arithmetic (RFC 9293 §3.4), which is the engine's job.
 */
public final class TcpHeader
{
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with 40 bytes of options, the most the data offset can express. */
    public static final int MAX_HEADER_LENGTH = 60;

    /** FIN: no more data from sender. */
    public static final int FIN = 0x01;
    /** SYN: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** RST: reset the connection. */
    public static final int RST = 0x04;
    /** PSH: push function. */
    public static final int PSH = 0x08;
    /** ACK: the acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** URG: the urgent pointer field is significant. */
    public static final int URG = 0x20;
    /** ECE: ECN-Echo (RFC 3168 §6.1). */
    public static final int ECE = 0x40;
    /** CWR: congestion window reduced (RFC 3168 §6.1). */
    public static final int CWR = 0x80;

    /** The reserved bit just above CWR: NS (RFC 3540, historic) or AE (Accurate ECN). */
    public static final int RESERVED_AE = 0x1;

    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 4;
    /** Offset of the acknowledgment number. */
    public static final int ACK_OFFSET = 8;
    /** Offset of the data offset and reserved bits. */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the control bits. */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Offset of the urgent pointer. */
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Offset of the options, when the data offset is above 5. */
    public static final int OPTIONS_OFFSET = 20;

    private static final int MIN_DATA_OFFSET = 5;

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private int headerLength;

    /**
     * Wrap a TCP segment and check its structure: at least 20 bytes; data offset of at least
     * 5 words; header within the segment (RFC 9293 §3.1). The checksum needs the IP addresses
     * and is checked apart, {@link #checksumValid(int, int)}.
     *
     * @param buffer holding the segment.
     * @param offset of its first byte (the IPv4 payload offset).
     * @param length of the segment, header and data: the IPv4 payload length.
     * @return {@link DropReason#NONE} when the accessors may be used, else
     *         {@link DropReason#TCP_TRUNCATED}, {@link DropReason#TCP_DATA_OFFSET_TOO_SMALL} or
     *         {@link DropReason#TCP_DATA_OFFSET_EXCEEDS_SEGMENT}.
     */
    public DropReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.headerLength = 0;
        if (length < MIN_HEADER_LENGTH)
        {
            return DropReason.TCP_TRUNCATED;
        }
        final int dataOffset = dataOffset();
        if (dataOffset < MIN_DATA_OFFSET)
        {
            return DropReason.TCP_DATA_OFFSET_TOO_SMALL;
        }
        if (dataOffset * 4 > length)
        {
            return DropReason.TCP_DATA_OFFSET_EXCEEDS_SEGMENT;
        }
        headerLength = dataOffset * 4;
        return DropReason.NONE;
    }

    /**
     * The buffer last wrapped; the payload is at {@link #payloadOffset()}.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Whether the checksum over the pseudo-header, header and data verifies (RFC 9293 §3.1).
     *
     * @param sourceIp      IPv4 source address of the datagram.
     * @param destinationIp IPv4 destination address of the datagram.
     * @return true if it does.
     */
    public boolean checksumValid(final int sourceIp, final int destinationIp)
    {
        final int pseudo = InternetChecksum.pseudoHeaderSum(sourceIp, destinationIp, Ipv4Header.PROTOCOL_TCP, length);
        return InternetChecksum.verify(buffer, offset, length, pseudo);
    }

    /**
     * Offset of the segment in the buffer.
     *
     * @return the offset of the source port.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Length of the segment as wrapped.
     *
     * @return header and data length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Source port.
     *
     * @return 0..65535.
     */
    public int sourcePort()
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Destination port.
     *
     * @return 0..65535.
     */
    public int destinationPort()
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Sequence number.
     *
     * @return the 32-bit value (compare modulo 2<sup>32</sup>).
     */
    public int sequenceNumber()
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, BIG_ENDIAN);
    }

    /**
     * Acknowledgment number, significant only with {@link #ACK}.
     *
     * @return the 32-bit value (compare modulo 2<sup>32</sup>).
     */
    public int ackNumber()
    {
        return buffer.getInt(offset + ACK_OFFSET, BIG_ENDIAN);
    }

    /**
     * Data offset: the header length in 32-bit words.
     *
     * @return 5..15 for any segment that wrapped.
     */
    public int dataOffset()
    {
        return (buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0xFF) >>> 4;
    }

    /**
     * Header length in bytes.
     *
     * @return 20..60.
     */
    public int headerLength()
    {
        return dataOffset() * 4;
    }

    /**
     * The four bits between the data offset and CWR, reserved by RFC 9293 §3.1; bit 0 is
     * {@link #RESERVED_AE}.
     *
     * @return 0..15.
     */
    public int reservedBits()
    {
        return buffer.getByte(offset + DATA_OFFSET_OFFSET) & 0x0F;
    }

    /**
     * The eight control bits of byte 13.
     *
     * @return 0..255, an OR of {@link #FIN} .. {@link #CWR}.
     */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * Whether all the given control bits are set.
     *
     * @param flag one or more of {@link #FIN} .. {@link #CWR}, OR-ed.
     * @return true if every bit of {@code flag} is set.
     */
    public boolean hasFlag(final int flag)
    {
        return (flags() & flag) == flag;
    }

    /**
     * Window, unscaled as carried.
     *
     * @return 0..65535.
     */
    public int window()
    {
        return buffer.getShort(offset + WINDOW_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Checksum as stored.
     *
     * @return 0..65535.
     */
    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Urgent pointer, significant only with {@link #URG}.
     *
     * @return 0..65535.
     */
    public int urgentPointer()
    {
        return buffer.getShort(offset + URGENT_POINTER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Absolute index of the options in the buffer; parse them with {@link TcpOptions}.
     *
     * @return the offset of the first option byte.
     */
    public int optionsOffset()
    {
        return offset + OPTIONS_OFFSET;
    }

    /**
     * Length of the options area, padding included.
     *
     * @return 0..40 bytes.
     */
    public int optionsLength()
    {
        return headerLength - MIN_HEADER_LENGTH;
    }

    /**
     * Absolute index of the data in the buffer.
     *
     * @return the offset of the first byte after the header.
     */
    public int payloadOffset()
    {
        return offset + headerLength;
    }

    /**
     * Length of the data.
     *
     * @return the segment length minus the header length.
     */
    public int payloadLength()
    {
        return length - headerLength;
    }

    /**
     * Write a header with the checksum field zeroed; write the options (if any) and the data
     * next, then call {@link #writeChecksum}.
     *
     * @param buffer        to write into.
     * @param offset        of the header's first byte.
     * @param sourcePort    source port.
     * @param destinationPort destination port.
     * @param sequence      sequence number.
     * @param ack           acknowledgment number.
     * @param headerLength  20..60, a multiple of 4: 20 plus the padded options length.
     * @param flags         control bits {@link #FIN} .. {@link #CWR} in bits 0..7; bits 8..11
     *                      go to the reserved bits ({@link #RESERVED_AE} is bit 8).
     * @param window        window, already scaled down.
     * @param urgentPointer urgent pointer, 0 without {@link #URG}.
     * @return {@link #MIN_HEADER_LENGTH}, the bytes written; the options start there.
     * @throws IllegalArgumentException if {@code headerLength} is not a multiple of 4 in 20..60.
     */
    public static int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int sourcePort,
        final int destinationPort,
        final int sequence,
        final int ack,
        final int headerLength,
        final int flags,
        final int window,
        final int urgentPointer)
    {
        if (headerLength < MIN_HEADER_LENGTH || headerLength > MAX_HEADER_LENGTH || (headerLength & 3) != 0)
        {
            throw new IllegalArgumentException("TCP header length must be a multiple of 4 in 20..60: " + headerLength);
        }
        buffer.putShort(offset + SOURCE_PORT_OFFSET, (short)sourcePort, BIG_ENDIAN);
        buffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)destinationPort, BIG_ENDIAN);
        buffer.putInt(offset + SEQUENCE_OFFSET, sequence, BIG_ENDIAN);
        buffer.putInt(offset + ACK_OFFSET, ack, BIG_ENDIAN);
        buffer.putByte(offset + DATA_OFFSET_OFFSET, (byte)(((headerLength >>> 2) << 4) | ((flags >>> 8) & 0x0F)));
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        buffer.putShort(offset + WINDOW_OFFSET, (short)window, BIG_ENDIAN);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        buffer.putShort(offset + URGENT_POINTER_OFFSET, (short)urgentPointer, BIG_ENDIAN);
        return MIN_HEADER_LENGTH;
    }

    /**
     * Compute the checksum over the pseudo-header, header and data and store it
     * (RFC 9293 §3.1).
     *
     * @param buffer        holding the segment.
     * @param offset        of the segment's first byte.
     * @param segmentLength header and data length in bytes.
     * @param sourceIp      IPv4 source address.
     * @param destinationIp IPv4 destination address.
     */
    public static void writeChecksum(
        final MutableDirectBuffer buffer, final int offset, final int segmentLength, final int sourceIp, final int destinationIp)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        final int pseudo = InternetChecksum.pseudoHeaderSum(sourceIp, destinationIp, Ipv4Header.PROTOCOL_TCP, segmentLength);
        final int checksum = InternetChecksum.finish(InternetChecksum.partialSum(buffer, offset, segmentLength, pseudo));
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }
}
