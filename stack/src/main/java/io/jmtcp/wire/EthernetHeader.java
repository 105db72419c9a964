package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Flyweight over an Ethernet II header (IEEE 802.3 clause 3, with the EtherType of RFC 894), with
 * up to two IEEE 802.1Q / 802.1ad VLAN tags.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Destination MAC (bytes 0..3)                   |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Destination MAC (bytes 4..5)  |   Source MAC (bytes 0..1)     |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Source MAC (bytes 2..5)                      |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |  payload ...                     12  untagged
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * With one tag (a second tag repeats the TPID/TCI pair: a 22-byte header):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  TPID 0x8100/0x88A8/0x9100    | PCP |D|         VID           |  12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |  payload ...                     16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A tag is a 16-bit TPID in the EtherType position (0x8100 for a customer tag, 0x88A8 for
 * an 802.1ad service tag, 0x9100 for the pre-standard Q-in-Q tag) followed by the 16-bit tag
 * control information (priority, drop eligibility, 12-bit VLAN ID) and the next EtherType.
 * {@link #etherType()} is the type after the last tag parsed. A third tag is not unwrapped:
 * the type then reads as a TPID, which the stack does not handle.
 *
 * <p>A type/length field below 0x0600 is an IEEE 802.3 length (an LLC frame), not a type;
 * {@link #etherType()} returns it unchanged and the stack drops it as unsupported.
 *
 * <p>The frame check sequence is not part of this view: ports deliver frames without it, and a
 * capture that kept it simply shows four more payload bytes that the IPv4 total length ends
 * before.
 */
public final class EthernetHeader
{
    /** Length of an untagged header in bytes. */
    public static final int HEADER_LENGTH = 14;
    /** Length of one VLAN tag in bytes. */
    public static final int VLAN_TAG_LENGTH = 4;
    /** The most VLAN tags that are unwrapped. */
    public static final int MAX_VLAN_TAGS = 2;

    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 0;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 6;
    /** Offset of the (outer) EtherType or tag protocol identifier. */
    public static final int ETHERTYPE_OFFSET = 12;
    /** Offset of the first tag's control information, when the frame is tagged. */
    public static final int TAG_CONTROL_OFFSET = 14;

    /** Smallest type/length value that is an EtherType rather than an 802.3 length. */
    public static final int ETHERTYPE_MIN = 0x0600;
    /** IPv4 (RFC 894). */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** ARP (RFC 826). */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** IPv6 (RFC 2464). */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IEEE 802.1Q customer VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** IEEE 802.1ad service VLAN tag (Q-in-Q outer tag). */
    public static final int ETHERTYPE_QINQ = 0x88A8;
    /** Pre-standard Q-in-Q outer tag still sent by some switches. */
    public static final int ETHERTYPE_QINQ_LEGACY = 0x9100;

    private static final int VID_MASK = 0x0FFF;

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private int headerLength;
    private int vlanCount;

    /**
     * Wrap a received frame and check that its header, tags included, lies within it.
     *
     * @param buffer holding the frame.
     * @param offset of the frame's first byte.
     * @param length of the frame in bytes (without FCS).
     * @return {@link DropReason#NONE} when the accessors may be used, else
     *         {@link DropReason#ETH_TRUNCATED}.
     */
    public DropReason wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.vlanCount = 0;
        this.headerLength = HEADER_LENGTH;
        if (length < HEADER_LENGTH)
        {
            return DropReason.ETH_TRUNCATED;
        }
        while (vlanCount < MAX_VLAN_TAGS && isVlanTpid(buffer.getShort(offset + headerLength - 2, BIG_ENDIAN) & 0xFFFF))
        {
            if (headerLength + VLAN_TAG_LENGTH > length)
            {
                return DropReason.ETH_TRUNCATED;
            }
            headerLength += VLAN_TAG_LENGTH;
            vlanCount++;
        }
        return DropReason.NONE;
    }

    /**
     * Whether a type value is a VLAN tag protocol identifier this view unwraps.
     *
     * @param etherType a 16-bit type value.
     * @return true for 0x8100, 0x88A8 and 0x9100.
     */
    public static boolean isVlanTpid(final int etherType)
    {
        return etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_LEGACY;
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
     * Offset of the frame in the buffer.
     *
     * @return the offset of the first header byte.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * Destination address.
     *
     * @return the MAC in the low 48 bits.
     */
    public long destination()
    {
        return Mac.read(buffer, offset + DESTINATION_OFFSET);
    }

    /**
     * Source address.
     *
     * @return the MAC in the low 48 bits.
     */
    public long source()
    {
        return Mac.read(buffer, offset + SOURCE_OFFSET);
    }

    /**
     * The EtherType of the payload: the type after the VLAN tags, if any.
     *
     * @return the 16-bit type (or an 802.3 length, if below {@link #ETHERTYPE_MIN}).
     */
    public int etherType()
    {
        return buffer.getShort(offset + headerLength - 2, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Number of VLAN tags unwrapped.
     *
     * @return 0, 1 or 2.
     */
    public int vlanCount()
    {
        return vlanCount;
    }

    /**
     * VLAN ID of the outermost tag.
     *
     * @return the 12-bit VID, or -1 for an untagged frame.
     */
    public int vlanId()
    {
        return vlanCount == 0 ? -1 : tagControl(0) & VID_MASK;
    }

    /**
     * VLAN ID of the inner tag of a double-tagged (Q-in-Q) frame.
     *
     * @return the 12-bit VID, or -1 when the frame has fewer than two tags.
     */
    public int innerVlanId()
    {
        return vlanCount < 2 ? -1 : tagControl(1) & VID_MASK;
    }

    /**
     * The tag control information of one tag: priority (3 bits), drop eligible (1 bit) and
     * VLAN ID (12 bits).
     *
     * @param index 0 for the outermost tag, up to {@link #vlanCount()} - 1.
     * @return the 16-bit TCI.
     */
    public int tagControl(final int index)
    {
        return buffer.getShort(offset + TAG_CONTROL_OFFSET + index * VLAN_TAG_LENGTH, BIG_ENDIAN) & 0xFFFF;
    }

    /**
     * Length of the header with its tags.
     *
     * @return 14, 18 or 22.
     */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * Absolute index of the payload in the buffer.
     *
     * @return the offset of the first byte after the header and tags.
     */
    public int payloadOffset()
    {
        return offset + headerLength;
    }

    /**
     * Bytes after the header: the payload, plus any padding or trailer that the layer above
     * ends before.
     *
     * @return the payload length in bytes.
     */
    public int payloadLength()
    {
        return length - headerLength;
    }

    /**
     * Write an untagged header.
     *
     * @param buffer      to write into.
     * @param offset      of the frame's first byte.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param etherType   type of the payload.
     * @return {@link #HEADER_LENGTH}.
     */
    public static int write(
        final MutableDirectBuffer buffer, final int offset, final long destination, final long source, final int etherType)
    {
        Mac.write(buffer, offset + DESTINATION_OFFSET, destination);
        Mac.write(buffer, offset + SOURCE_OFFSET, source);
        buffer.putShort(offset + ETHERTYPE_OFFSET, (short)etherType, BIG_ENDIAN);
        return HEADER_LENGTH;
    }
}
