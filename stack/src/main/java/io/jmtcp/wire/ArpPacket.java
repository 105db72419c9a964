package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Flyweight over an ARP packet for IPv4 over Ethernet (RFC 826), the only kind the stack
 * speaks.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Hardware type (HTYPE = 1)  |  Protocol type (PTYPE 0x0800) |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HLEN = 6     |  PLEN = 4     |        Operation (OPER)       |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Sender hardware address (bytes 0..3)              |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Sender hardware addr (4..5)  |  Sender protocol addr (0..1)  | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Sender protocol addr (2..3)  |  Target hardware addr (0..1)  | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Target hardware address (bytes 2..5)              | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Target protocol address                    | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>An ARP packet in a minimum-size Ethernet frame is followed by 18 bytes of padding; the
 * view ignores everything after byte 28.
 */
public final class ArpPacket
{
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** ARP request (RFC 826). */
    public static final int OP_REQUEST = 1;
    /** ARP reply (RFC 826). */
    public static final int OP_REPLY = 2;

    /** Hardware type of Ethernet (RFC 826, IANA "Hardware Types"). */
    public static final int HTYPE_ETHERNET = 1;
    /** Protocol type of IPv4: its EtherType. */
    public static final int PTYPE_IPV4 = EthernetHeader.ETHERTYPE_IPV4;
    /** Hardware address length of Ethernet. */
    public static final int HLEN_ETHERNET = Mac.LENGTH;
    /** Protocol address length of IPv4. */
    public static final int PLEN_IPV4 = Ip4.LENGTH;

    /** Offset of the hardware type. */
    public static final int HTYPE_OFFSET = 0;
    /** Offset of the protocol type. */
    public static final int PTYPE_OFFSET = 2;
    /** Offset of the hardware address length. */
    public static final int HLEN_OFFSET = 4;
    /** Offset of the protocol address length. */
    public static final int PLEN_OFFSET = 5;
    /** Offset of the operation. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender hardware address. */
    public static final int SENDER_MAC_OFFSET = 8;
    /** Offset of the sender protocol address. */
    public static final int SENDER_IP_OFFSET = 14;
    /** Offset of the target hardware address. */
    public static final int TARGET_MAC_OFFSET = 18;
    /** Offset of the target protocol address. */
    public static final int TARGET_IP_OFFSET = 24;

    private DirectBuffer buffer;
    private int offset;

    /**
     * Wrap an ARP packet and check that it is a request or a reply for IPv4 over Ethernet.
     *
     * @param buffer holding the packet.
     * @param offset of its first byte (the Ethernet payload offset).
     * @param length bytes available from {@code offset}, padding included.
     * @return {@link DropReason#NONE} when the accessors may be used, else
     *         {@link DropReason#ARP_TRUNCATED}, {@link DropReason#ARP_UNSUPPORTED} or
     *         {@link DropReason#ARP_BAD_OPERATION}.
     */
    public DropReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        if (length < LENGTH)
        {
            return DropReason.ARP_TRUNCATED;
        }
        if ((buffer.getShort(offset + HTYPE_OFFSET, BIG_ENDIAN) & 0xFFFF) != HTYPE_ETHERNET ||
            (buffer.getShort(offset + PTYPE_OFFSET, BIG_ENDIAN) & 0xFFFF) != PTYPE_IPV4 ||
            (buffer.getByte(offset + HLEN_OFFSET) & 0xFF) != HLEN_ETHERNET ||
            (buffer.getByte(offset + PLEN_OFFSET) & 0xFF) != PLEN_IPV4)
        {
            return DropReason.ARP_UNSUPPORTED;
        }
        final int operation = operation();
        if (operation != OP_REQUEST && operation != OP_REPLY)
        {
            return DropReason.ARP_BAD_OPERATION;
        }
        return DropReason.NONE;
    }

    /**
     * Hardware type.
     *
     * @return 1 (Ethernet) for any packet that wrapped.
     */
    public int hardwareType()
    {
        return buffer.getShort(offset + HTYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Protocol type.
     *
     * @return 0x0800 (IPv4) for any packet that wrapped.
     */
    public int protocolType()
    {
        return buffer.getShort(offset + PTYPE_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Operation.
     *
     * @return {@link #OP_REQUEST} or {@link #OP_REPLY} for any packet that wrapped.
     */
    public int operation()
    {
        return buffer.getShort(offset + OPERATION_OFFSET, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Sender hardware address.
     *
     * @return the MAC in the low 48 bits.
     */
    public long senderMac()
    {
        return Mac.read(buffer, offset + SENDER_MAC_OFFSET);
    }

    /**
     * Sender protocol address.
     *
     * @return the IPv4 address.
     */
    public int senderIp()
    {
        return buffer.getInt(offset + SENDER_IP_OFFSET, BIG_ENDIAN);
    }

    /**
     * Target hardware address (zero in most requests, which is what they ask for).
     *
     * @return the MAC in the low 48 bits.
     */
    public long targetMac()
    {
        return Mac.read(buffer, offset + TARGET_MAC_OFFSET);
    }

    /**
     * Target protocol address.
     *
     * @return the IPv4 address.
     */
    public int targetIp()
    {
        return buffer.getInt(offset + TARGET_IP_OFFSET, BIG_ENDIAN);
    }

    /**
     * Write an Ethernet/IPv4 ARP packet.
     *
     * @param buffer    to write into.
     * @param offset    of the packet's first byte (after the Ethernet header).
     * @param operation {@link #OP_REQUEST} or {@link #OP_REPLY}.
     * @param senderMac sender hardware address.
     * @param senderIp  sender protocol address.
     * @param targetMac target hardware address (zero in a request, RFC 826 "Packet Generation").
     * @param targetIp  target protocol address.
     * @return {@link #LENGTH}.
     */
    public static int write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int operation,
        final long senderMac,
        final int senderIp,
        final long targetMac,
        final int targetIp)
    {
        buffer.putShort(offset + HTYPE_OFFSET, (short)HTYPE_ETHERNET, BIG_ENDIAN);
        buffer.putShort(offset + PTYPE_OFFSET, (short)PTYPE_IPV4, BIG_ENDIAN);
        buffer.putByte(offset + HLEN_OFFSET, (byte)HLEN_ETHERNET);
        buffer.putByte(offset + PLEN_OFFSET, (byte)PLEN_IPV4);
        buffer.putShort(offset + OPERATION_OFFSET, (short)operation, BIG_ENDIAN);
        Mac.write(buffer, offset + SENDER_MAC_OFFSET, senderMac);
        buffer.putInt(offset + SENDER_IP_OFFSET, senderIp, BIG_ENDIAN);
        Mac.write(buffer, offset + TARGET_MAC_OFFSET, targetMac);
        buffer.putInt(offset + TARGET_IP_OFFSET, targetIp, BIG_ENDIAN);
        return LENGTH;
    }
}
