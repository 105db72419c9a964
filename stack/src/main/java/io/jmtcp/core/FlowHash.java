package io.jmtcp.core;

import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Ipv4Header;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Which context owns a TCP flow: a symmetric hash of the 4-tuple that a libpcap filter computes
 * exactly, so that the kernel hands each context's pcap handle its share of the frames (the
 * user-space twin of a NIC's RSS queues, DESIGN.md §3), and the in-memory link dispatches the
 * same way.
 *
 * <pre>
 *   x       = ipA ^ ipB ^ portA ^ portB                 (32-bit, ports zero-extended)
 *   h       = ((x &gt;&gt;&gt; 16) ^ x) &amp; 0xFFFF
 *   m       = (h * 0x9E3779B1) &gt;&gt;&gt; 16               (32-bit product, 16 bits kept)
 *   context = (m * contexts) &gt;&gt;&gt; 16
 * </pre>
 *
 * <p>Symmetric, because XOR does not care which side is which: a segment and its answer land on
 * the same context. Exact in BPF, because classic BPF's ALU is unsigned 32-bit with XOR, shifts,
 * AND and a multiply that wraps as Java's {@code int} multiply does, and every value shifted
 * right is read unsigned. The Fibonacci multiplier (Knuth, TAOCP 6.4) spreads ports that step
 * by any small stride evenly, not only by one: Linux's {@code connect()} picks even ports first
 * (since 4.6), which {@code h % contexts} would have put all on even contexts. The last step is
 * a multiply-shift range reduction (Lemire 2019) from the top bits of {@code m}, so any context
 * count is fair, not only powers of two.
 *
 * <p>Context 0 also takes everything that is not an unfragmented-or-first-fragment TCP/IPv4
 * frame: ARP, ICMP, IPv6, other protocols, and non-first fragments (which carry no ports; the
 * network layer drops them).
 */
public final class FlowHash
{
    /** The most contexts a stack may have; a sane bound on a filter list and a CPU mask. */
    public static final int MAX_CONTEXTS = 64;

    /** 2^32 divided by the golden ratio, odd. */
    private static final int FIBONACCI = 0x9E3779B1;

    /** The hash in tcpdump syntax; {@code tcp[]} loads skip a variable IPv4 header length. */
    private static final String X = "(ip[12:4] ^ ip[16:4] ^ tcp[0:2] ^ tcp[2:2])";
    /** IPv4 carrying TCP whose fragment offset is 0: the frames {@link #contextOf} is asked about. */
    private static final String TCP_WITH_PORTS = "(ip and tcp and (ip[6:2] & 0x1fff) = 0)";

    private FlowHash()
    {
    }

    /**
     * The owner of a flow. Symmetric: swapping the local and remote side gives the same answer.
     *
     * @param localIp    one side's IPv4 address.
     * @param localPort  its port.
     * @param remoteIp   the other side's address.
     * @param remotePort its port.
     * @param contexts   how many contexts share the interface, 1..{@link #MAX_CONTEXTS}.
     * @return the context index, 0..contexts-1.
     */
    public static int contextOf(final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int contexts)
    {
        final int x = localIp ^ remoteIp ^ (localPort & 0xFFFF) ^ (remotePort & 0xFFFF);
        final int m = ((((x >>> 16) ^ x) & 0xFFFF) * FIBONACCI) >>> 16;
        return (m * contexts) >>> 16;
    }

    /**
     * The owner of a frame, by the same rule as {@link #bpfFilter}: a TCP/IPv4 frame with ports
     * goes to its flow's owner, anything else (and anything too short to tell) to context 0.
     *
     * @param buffer   holding the frame.
     * @param offset   of its Ethernet header.
     * @param length   of the frame.
     * @param contexts how many contexts.
     * @return the context index.
     */
    public static int contextOfFrame(final DirectBuffer buffer, final int offset, final int length,
        final int contexts)
    {
        if (contexts == 1 || length < EthernetHeader.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + 4 ||
            (buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF) != EthernetHeader.ETHERTYPE_IPV4)
        {
            return 0;
        }
        final int ip = offset + EthernetHeader.HEADER_LENGTH;
        final int headerLength = (buffer.getByte(ip) & 0x0F) * 4;
        if ((buffer.getByte(ip + 9) & 0xFF) != Ipv4Header.PROTOCOL_TCP ||
            (buffer.getShort(ip + 6, BIG_ENDIAN) & 0x1FFF) != 0 ||
            EthernetHeader.HEADER_LENGTH + headerLength + 4 > length)
        {
            return 0;
        }
        final int source = buffer.getInt(ip + 12, BIG_ENDIAN);
        final int destination = buffer.getInt(ip + 16, BIG_ENDIAN);
        final int sourcePort = buffer.getShort(ip + headerLength, BIG_ENDIAN) & 0xFFFF;
        final int destinationPort = buffer.getShort(ip + headerLength + 2, BIG_ENDIAN) & 0xFFFF;
        return contextOf(destination, destinationPort, source, sourcePort, contexts);
    }

    /**
     * The kernel filter of one context's pcap handle: exactly one context's filter matches any
     * frame, and for TCP/IPv4 it is {@link #contextOf}'s.
     *
     * @param index    the context, 0..contexts-1.
     * @param contexts how many contexts, 1..{@link #MAX_CONTEXTS}.
     * @return a tcpdump expression, or null (take everything) for a single context.
     * @throws IllegalArgumentException if out of range.
     */
    public static String bpfFilter(final int index, final int contexts)
    {
        checkPlacement(index, contexts);
        if (contexts == 1)
        {
            return null;
        }
        final String m = "(((((" + X + " >> 16) ^ " + X + ") & 0xffff) * " + Integer.toUnsignedString(FIBONACCI) +
            ") >> 16)";
        final String mine = TCP_WITH_PORTS + " and (((" + m + " * " + contexts + ") >> 16) = " + index + ")";
        return index == 0 ? "(not " + TCP_WITH_PORTS + ") or (" + mine + ")" : mine;
    }

    /**
     * @param index    a context index.
     * @param contexts a context count.
     * @throws IllegalArgumentException unless 1 &lt;= contexts &lt;= {@link #MAX_CONTEXTS} and
     *                                  0 &lt;= index &lt; contexts.
     */
    static void checkPlacement(final int index, final int contexts)
    {
        if (contexts < 1 || contexts > MAX_CONTEXTS || index < 0 || index >= contexts)
        {
            throw new IllegalArgumentException("context " + index + " of " + contexts + ": need 1 <= contexts <= " +
                MAX_CONTEXTS + " and 0 <= index < contexts");
        }
    }
}
