package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Flyweight over an IPv4 header (RFC 791 §3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |R|D|M|      Fragment Offset    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL - 5 words)                    | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The old type-of-service byte is split into DSCP (RFC 2474 §3) and ECN (RFC 3168 §5);
 * R is the reserved flag, D "don't fragment", M "more fragments" (RFC 791 §3.1).
 *
 * <p>{@link #wrap} checks structure only. The header checksum and fragmentation are separate
 * questions ({@link #checksumValid()}, {@link #isFragment()}) because a monitor reading
 * captures taken before checksum offload must be able to look past a checksum the NIC had not
 * filled in yet, while the stack drops such packets.
 */
public final class Ipv4Header
{
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with 40 bytes of options, the most IHL can express. */
    public static final int MAX_HEADER_LENGTH = 60;

    /** ICMP (RFC 792). */
    public static final int PROTOCOL_ICMP = 1;
    /** TCP (RFC 9293). */
    public static final int PROTOCOL_TCP = 6;
    /** UDP (RFC 768). */
    public static final int PROTOCOL_UDP = 17;

    /** Offset of the version and IHL byte. */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the DSCP and ECN byte (the former type of service). */
    public static final int DSCP_ECN_OFFSET = 1;
    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the flags and fragment offset. */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the time to live. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM_OFFSET = 10;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;
    /** Offset of the options, when IHL is above 5. */
    public static final int OPTIONS_OFFSET = 20;

    /** The version this view accepts. */
    public static final int VERSION = 4;
    /** Reserved flag, must be zero (RFC 791 §3.1). */
    public static final int FLAG_RESERVED = 0x8000;
    /** Don't fragment. */
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    /** More fragments. */
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    /** Mask of the fragment offset, counted in 8-byte units. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private static final int MIN_IHL = 5;
    private static final int VERSION_IHL_DEFAULT = (VERSION << 4) | MIN_IHL;

    private DirectBuffer buffer;
    private int offset;
    private int headerLength;
    private int payloadLength;

    /**
     * Wrap an IPv4 header and check its structure, in this order: at least 20 bytes; version 4;
     * IHL of at least 5 words; header within the bytes available; total length not shorter
     * than the header; total length within the bytes available.
     *
     * <p>Bytes beyond the total length are not an error: Ethernet pads short frames to 60
     * bytes, padding that "is not included in the total length field of the IP header"
     * (RFC 894), and some captures keep the frame check sequence. The payload simply ends at
     * the total length.
     *
     * <p>After {@link DropReason#NONE} every accessor may be used. After
     * {@link DropReason#IPV4_TOTAL_LENGTH_EXCEEDS_FRAME}, typically a capture cut short by its
     * snap length or the quoted datagram in an ICMP error, the header itself was checked to be
     * present, so every header accessor may still be used and {@link #payloadLength()} counts
     * only the payload bytes that are present.
     *
     * @param buffer holding the header.
     * @param offset of the header's first byte.
     * @param length bytes available from {@code offset}.
     * @return {@link DropReason#NONE} or the first structural error found.
     */
    public DropReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.headerLength = 0;
        this.payloadLength = 0;
        if (length < MIN_HEADER_LENGTH)
        {
            return DropReason.IPV4_TRUNCATED;
        }
        final int versionIhl = buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xFF;
        if ((versionIhl >>> 4) != VERSION)
        {
            return DropReason.IPV4_BAD_VERSION;
        }
        final int ihl = versionIhl & 0x0F;
        if (ihl < MIN_IHL)
        {
            return DropReason.IPV4_IHL_TOO_SMALL;
        }
        final int headerLength = ihl * 4;
        if (headerLength > length)
        {
            return DropReason.IPV4_HEADER_EXCEEDS_FRAME;
        }
        this.headerLength = headerLength;
        final int totalLength = totalLength();
        if (totalLength < headerLength)
        {
            return DropReason.IPV4_TOTAL_LENGTH_TOO_SHORT;
        }
        if (totalLength > length)
        {
            payloadLength = length - headerLength;
            return DropReason.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME;
        }
        payloadLength = totalLength - headerLength;
        return DropReason.NONE;
    }

    /**
     * The buffer last wrapped.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Offset of the header in the buffer.
     *
     * @return the offset of the version byte.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Whether the header checksum verifies (RFC 791 §3.1, computed as in RFC 1071).
     *
     * @return true if the one's complement sum over the header, options included, is all ones.
     */
    public boolean checksumValid()
    {
        return InternetChecksum.verify(buffer, offset, headerLength, 0);
    }

    /**
     * Whether this datagram is a fragment: "more fragments" is set or the offset is not zero
     * (RFC 791 §2.3). The stack does not reassemble; it counts fragments as
     * {@link DropReason#IPV4_FRAGMENT} and {@link DropReason#IPV4_NON_FIRST_FRAGMENT}.
     *
     * @return true for any fragment, first, middle or last.
     */
    public boolean isFragment()
    {
        return (flagsAndFragmentOffset() & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /**
     * The "more fragments" flag.
     *
     * @return true if more fragments follow this one.
     */
    public boolean moreFragments()
    {
        return (flagsAndFragmentOffset() & FLAG_MORE_FRAGMENTS) != 0;
    }

    /**
     * The "don't fragment" flag.
     *
     * @return true if routers must not fragment this datagram.
     */
    public boolean dontFragment()
    {
        return (flagsAndFragmentOffset() & FLAG_DONT_FRAGMENT) != 0;
    }

    /**
     * The three flag bits, reserved bit first.
     *
     * @return 0..7: 4 reserved, 2 don't fragment, 1 more fragments.
     */
    public int flags()
    {
        return flagsAndFragmentOffset() >>> 13;
    }

    /**
     * The fragment offset as carried: in units of 8 bytes (RFC 791 §3.1).
     *
     * @return 0..8191.
     */
    public int fragmentOffset()
    {
        return flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK;
    }

    /**
     * The fragment offset in bytes.
     *
     * @return the position of this fragment's data in the original datagram.
     */
    public int fragmentOffsetBytes()
    {
        return fragmentOffset() << 3;
    }

    /**
     * Version.
     *
     * @return 4 for any header that wrapped.
     */
    public int version()
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xFF) >>> 4;
    }

    /**
     * Header length, from IHL.
     *
     * @return 20..60 bytes.
     */
    public int headerLength()
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0F) * 4;
    }

    /**
     * Differentiated services code point (RFC 2474 §3).
     *
     * @return 0..63.
     */
    public int dscp()
    {
        return (buffer.getByte(offset + DSCP_ECN_OFFSET) & 0xFF) >>> 2;
    }

    /**
     * Explicit congestion notification codepoint (RFC 3168 §5).
     *
     * @return 0 not ECN-capable, 1 ECT(1), 2 ECT(0), 3 CE.
     */
    public int ecn()
    {
        return buffer.getByte(offset + DSCP_ECN_OFFSET) & 0x03;
    }

    /**
     * Total length of the datagram, header included.
     *
     * @return 0..65535 bytes.
     */
    public int totalLength()
    {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Identification.
     *
     * @return 0..65535.
     */
    public int identification()
    {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Time to live.
     *
     * @return 0..255.
     */
    public int ttl()
    {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    /**
     * Protocol of the payload.
     *
     * @return 0..255, for example {@link #PROTOCOL_TCP}.
     */
    public int protocol()
    {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    /**
     * Header checksum as stored.
     *
     * @return 0..65535.
     */
    public int headerChecksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Source address.
     *
     * @return the IPv4 address.
     */
    public int source()
    {
        return buffer.getInt(offset + SOURCE_OFFSET, BIG_ENDIAN);
    }

    /**
     * Destination address.
     *
     * @return the IPv4 address.
     */
    public int destination()
    {
        return buffer.getInt(offset + DESTINATION_OFFSET, BIG_ENDIAN);
    }

    /**
     * Absolute index of the options in the buffer.
     *
     * @return the offset of the first option byte.
     */
    public int optionsOffset()
    {
        return offset + OPTIONS_OFFSET;
    }

    /**
     * Length of the options.
     *
     * @return 0..40 bytes.
     */
    public int optionsLength()
    {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /**
     * Absolute index of the payload in the buffer.
     *
     * @return the offset of the first byte after the header.
     */
    public int payloadOffset()
    {
        return offset + headerLength;
    }

    /**
     * Length of the payload: total length minus header length, or the bytes present if the
     * last wrap returned {@link DropReason#IPV4_TOTAL_LENGTH_EXCEEDS_FRAME}.
     *
     * @return the payload length in bytes.
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * Write a 20-byte header without options, DSCP 0 and ECN 0, with its checksum.
     *
     * @param buffer         to write into.
     * @param offset         of the header's first byte.
     * @param payloadLength  bytes that follow the header; total length is this plus 20.
     * @param identification 16-bit identification; RFC 6864 requires it to be unique per
     *                       source, destination and protocol only for datagrams that may be
     *                       fragmented.
     * @param dontFragment   whether to set DF (set it for TCP so that path MTU discovery works,
     *                       RFC 1191 §3).
     * @param ttl            time to live.
     * @param protocol       payload protocol.
     * @param source         source address.
     * @param destination    destination address.
     * @return {@link #MIN_HEADER_LENGTH}.
     */
    public static int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int payloadLength,
        final int identification,
        final boolean dontFragment,
        final int ttl,
        final int protocol,
        final int source,
        final int destination)
    {
        buffer.putByte(offset + VERSION_IHL_OFFSET, (byte)VERSION_IHL_DEFAULT);
        buffer.putByte(offset + DSCP_ECN_OFFSET, (byte)0);
        buffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)(MIN_HEADER_LENGTH + payloadLength), BIG_ENDIAN);
        buffer.putShort(offset + IDENTIFICATION_OFFSET, (short)identification, BIG_ENDIAN);
        buffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short)(dontFragment ? FLAG_DONT_FRAGMENT : 0), BIG_ENDIAN);
        buffer.putByte(offset + TTL_OFFSET, (byte)ttl);
        buffer.putByte(offset + PROTOCOL_OFFSET, (byte)protocol);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        buffer.putInt(offset + SOURCE_OFFSET, source, BIG_ENDIAN);
        buffer.putInt(offset + DESTINATION_OFFSET, destination, BIG_ENDIAN);
        writeChecksum(buffer, offset);
        return MIN_HEADER_LENGTH;
    }

    /**
     * Compute the header checksum over the header as IHL gives it and store it, for example
     * after a field was changed in place.
     *
     * @param buffer holding the header.
     * @param offset of the header's first byte.
     */
    public static void writeChecksum(final MutableDirectBuffer buffer, final int offset)
    {
        final int headerLength = (buffer.getByte(offset + VERSION_IHL_OFFSET) & 0x0F) * 4;
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        final int checksum = InternetChecksum.checksum(buffer, offset, headerLength);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    private int flagsAndFragmentOffset()
    {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }
}
