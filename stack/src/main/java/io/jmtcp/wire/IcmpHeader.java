package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Flyweight over an ICMP message (RFC 792): the 8-byte header and what follows it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |           Checksum            |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Rest of header                         |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data: echo payload, or the quoted IP header + leading bytes  |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Rest of header, by type:
 *   echo request / reply     | Identifier (16)  | Sequence Number (16) |
 *   fragmentation needed     | unused = 0 (16)  | Next-Hop MTU (16)    |   (RFC 1191 §4)
 *   other errors             |            unused = 0 (32)              |
 * </pre>
 *
 * <p>The checksum covers the whole message, data included (RFC 792). It is not checked by
 * {@link #wrap}; see {@link #checksumValid()}.
 */
public final class IcmpHeader
{
    /** Length of the header, rest-of-header field included. */
    public static final int HEADER_LENGTH = 8;

    /** Echo reply (RFC 792). */
    public static final int ECHO_REPLY = 0;
    /** Destination unreachable (RFC 792). */
    public static final int DEST_UNREACHABLE = 3;
    /** Echo request (RFC 792). */
    public static final int ECHO_REQUEST = 8;
    /** Time exceeded (RFC 792). */
    public static final int TIME_EXCEEDED = 11;

    /** Destination unreachable: net unreachable. */
    public static final int CODE_NET_UNREACHABLE = 0;
    /** Destination unreachable: host unreachable. */
    public static final int CODE_HOST_UNREACHABLE = 1;
    /** Destination unreachable: protocol unreachable. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination unreachable: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination unreachable: fragmentation needed and DF set (carries the next-hop MTU, RFC 1191 §4). */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Time exceeded: time to live exceeded in transit. */
    public static final int CODE_TTL_EXCEEDED = 0;
    /** Time exceeded: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;
    /** Offset of the 32-bit rest of header. */
    public static final int REST_OF_HEADER_OFFSET = 4;
    /** Offset of the echo identifier. */
    public static final int IDENTIFIER_OFFSET = 4;
    /** Offset of the echo sequence number. */
    public static final int SEQUENCE_OFFSET = 6;
    /** Offset of the next-hop MTU in a "fragmentation needed" message (RFC 1191 §4). */
    public static final int NEXT_HOP_MTU_OFFSET = 6;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * Wrap an ICMP message.
     *
     * @param buffer holding the message.
     * @param offset of its first byte (the IPv4 payload offset).
     * @param length of the message: the IPv4 payload length.
     * @return {@link DropReason#NONE} when the accessors may be used, else
     *         {@link DropReason#ICMP_TRUNCATED}.
     */
    public DropReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        if (length < HEADER_LENGTH)
        {
            return DropReason.ICMP_TRUNCATED;
        }
        return DropReason.NONE;
    }

    /**
     * Whether the checksum over the whole message verifies (RFC 792).
     *
     * @return true if it does.
     */
    public boolean checksumValid()
    {
        return InternetChecksum.verify(buffer, offset, length, 0);
    }

    /**
     * Offset of the message in the buffer.
     *
     * @return the offset of the type byte.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Length of the message, as wrapped.
     *
     * @return header and data length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Type.
     *
     * @return 0..255, for example {@link #ECHO_REQUEST}.
     */
    public int type()
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * Code.
     *
     * @return 0..255, for example {@link #CODE_PORT_UNREACHABLE}.
     */
    public int code()
    {
        return buffer.getByte(offset + CODE_OFFSET) & 0xFF;
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
     * The 32-bit field after the checksum, whatever the type makes of it.
     *
     * @return the raw field.
     */
    public int restOfHeader()
    {
        return buffer.getInt(offset + REST_OF_HEADER_OFFSET, BIG_ENDIAN);
    }

    /**
     * Identifier of an echo request or reply.
     *
     * @return 0..65535.
     */
    public int identifier()
    {
        return buffer.getShort(offset + IDENTIFIER_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Sequence number of an echo request or reply.
     *
     * @return 0..65535.
     */
    public int sequence()
    {
        return buffer.getShort(offset + SEQUENCE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Next-hop MTU of a "fragmentation needed" message (type 3, code 4; RFC 1191 §4). Routers
     * older than RFC 1191 send 0 here, and the engine then estimates the MTU (RFC 1191 §5).
     *
     * @return 0..65535.
     */
    public int nextHopMtu()
    {
        return buffer.getShort(offset + NEXT_HOP_MTU_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Absolute index of the data after the 8-byte header: the quoted datagram of an error
     * message, or the echo payload.
     *
     * @return the offset of the first data byte.
     */
    public int quoteOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * Length of the data after the 8-byte header.
     *
     * @return the data length in bytes.
     */
    public int quoteLength()
    {
        return length - HEADER_LENGTH;
    }

    /**
     * Compute the checksum over a message and store it.
     *
     * @param buffer holding the message.
     * @param offset of the message's first byte.
     * @param length of the message, header and data.
     */
    public static void writeChecksum(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0, BIG_ENDIAN);
        final int checksum = InternetChecksum.checksum(buffer, offset, length);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG_ENDIAN);
    }

    /**
     * Write an echo request or reply with its payload and checksum.
     *
     * <p>A reply built in place over its request may pass the same buffer and the request's
     * payload offset ({@code offset + 8}): the copy is then skipped. Otherwise the payload
     * must not overlap the message being written.
     *
     * @param buffer        to write into.
     * @param offset        of the message's first byte.
     * @param type          {@link #ECHO_REQUEST} or {@link #ECHO_REPLY}.
     * @param identifier    echo identifier.
     * @param sequence      echo sequence number.
     * @param payload       buffer holding the payload (a reply returns the request's data
     *                      unchanged, RFC 792 "Echo or Echo Reply Message").
     * @param payloadOffset offset of the payload in {@code payload}.
     * @param payloadLength length of the payload.
     * @return the message length, 8 + {@code payloadLength}.
     */
    public static int writeEcho(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final int identifier,
        final int sequence,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int restOfHeader = (identifier << 16) | (sequence & 0xFFFF);
        return writeMessage(buffer, offset, type, 0, restOfHeader, payload, payloadOffset, payloadLength);
    }

    /**
     * Write an error message (destination unreachable, time exceeded) quoting the datagram
     * that caused it, with its checksum.
     *
     * <p>RFC 792 asks for the offending IP header and the first 64 bits of its data; RFC 1812
     * §4.3.2.3 lets a sender quote as much as fits in 576 bytes. The caller chooses
     * {@code quoteLength}.
     *
     * @param buffer       to write into.
     * @param offset       of the message's first byte.
     * @param type         for example {@link #DEST_UNREACHABLE}.
     * @param code         for example {@link #CODE_PORT_UNREACHABLE}.
     * @param restOfHeader the 32 bits after the checksum: 0, or the next-hop MTU in the low 16
     *                     bits for {@link #CODE_FRAGMENTATION_NEEDED}.
     * @param quote        buffer holding the offending datagram.
     * @param quoteOffset  offset of its IP header in {@code quote}.
     * @param quoteLength  bytes to quote.
     * @return the message length, 8 + {@code quoteLength}.
     */
    public static int writeError(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final int code,
        final int restOfHeader,
        final DirectBuffer quote,
        final int quoteOffset,
        final int quoteLength)
    {
        return writeMessage(buffer, offset, type, code, restOfHeader, quote, quoteOffset, quoteLength);
    }

    private static int writeMessage(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final int code,
        final int restOfHeader,
        final DirectBuffer data,
        final int dataOffset,
        final int dataLength)
    {
        final int dataTarget = offset + HEADER_LENGTH;
        if (data != buffer || dataOffset != dataTarget)
        {
            buffer.putBytes(dataTarget, data, dataOffset, dataLength);
        }
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putByte(offset + CODE_OFFSET, (byte)code);
        buffer.putInt(offset + REST_OF_HEADER_OFFSET, restOfHeader, BIG_ENDIAN);
        final int length = HEADER_LENGTH + dataLength;
        writeChecksum(buffer, offset, length);
        return length;
    }
}
