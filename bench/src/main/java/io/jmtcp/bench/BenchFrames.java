package io.jmtcp.bench;

import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import io.jmtcp.wire.TcpOptionsWriter;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * The frames the benchmarks send and parse, built with the stack's own writers so that every
 * length and checksum is right. All live in cache-line aligned direct memory, as frames do in a
 * {@code MemoryLink} buffer.
 */
public final class BenchFrames
{
    /** The sender's MAC: locally administered, unicast. */
    public static final long SOURCE_MAC = Mac.parse("02:00:00:00:00:01");
    /** The receiver's MAC: locally administered, unicast. */
    public static final long DESTINATION_MAC = Mac.parse("02:00:00:00:00:02");
    /** The sender's IPv4 address, from the benchmarking block 198.18.0.0/15. */
    public static final int SOURCE_IP = Ip4.parse("198.18.0.1");
    /** The receiver's IPv4 address. */
    public static final int DESTINATION_IP = Ip4.parse("198.18.0.2");

    /**
     * IEEE 802 "local experimental" EtherType 1: no kernel protocol handler takes it, so a frame
     * of this type that reaches a kernel's protocol layer is dropped there.
     */
    public static final int EXPERIMENTAL_ETHERTYPE = 0x88B5;

    /** Where the sequence number of a {@link #raw} frame sits: right after the Ethernet header. */
    public static final int SEQUENCE_OFFSET = EthernetHeader.HEADER_LENGTH;

    /** The shortest frame {@link #raw} builds: an Ethernet header and the sequence number. */
    public static final int MIN_RAW_LENGTH = SEQUENCE_OFFSET + Long.BYTES;

    /** The TCP header of {@link #tcpAckWithSack}: 20 bytes, NOP NOP TS, NOP NOP SACK of 3 blocks. */
    public static final int TCP_HEADER_LENGTH = TcpHeader.MIN_HEADER_LENGTH + 12 + 28;

    /** Headers in front of the payload of {@link #tcpAckWithSack}. */
    public static final int TCP_FRAME_OVERHEAD = EthernetHeader.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + TCP_HEADER_LENGTH;

    /** The SACK blocks {@link #tcpAckWithSack} carries (RFC 2018 §4: the most recent first). */
    public static final int SACK_BLOCKS = 3;

    /** Source port of {@link #tcpAckWithSack}. */
    public static final int SOURCE_PORT = 45_678;
    /** Server port of {@link #tcpAckWithSack}. */
    public static final int DESTINATION_PORT = 80;
    /** Sequence number of {@link #tcpAckWithSack}. */
    public static final int SEQUENCE = 0x1234_5678;
    /** Acknowledgment number of {@link #tcpAckWithSack}. */
    public static final int ACK = 0x0ABC_DEF0;

    /**
     * What every forked benchmark JVM needs on its command line: Agrona 2.x reaches
     * {@code jdk.internal.misc.Unsafe}. The jar's manifest opens it for the JMH host JVM only;
     * JMH starts each fork with a plain {@code java -cp}, where the manifest does not apply. A
     * {@code -jvmArgsAppend} given on the JMH command line replaces this one, so repeat it there.
     */
    public static final String FORK_OPENS = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";

    private static final long SEED = 0x6A09E667F3BCC909L;

    private BenchFrames()
    {
    }

    /**
     * A direct buffer of {@code length} seeded pseudo-random bytes, its start cache-line aligned.
     *
     * @param length bytes.
     * @return the buffer, exactly {@code length} long.
     */
    public static UnsafeBuffer randomBytes(final int length)
    {
        final UnsafeBuffer buffer = aligned(length);
        fillRandom(buffer, 0, length);
        return buffer;
    }

    /**
     * An Ethernet frame with the {@link #EXPERIMENTAL_ETHERTYPE}, from {@link #SOURCE_MAC} to
     * {@link #DESTINATION_MAC}, with a sequence number of 0 at {@link #SEQUENCE_OFFSET} and seeded
     * random bytes after it.
     *
     * @param length the frame length, at least {@link #MIN_RAW_LENGTH}.
     * @return the frame at offset 0 of a buffer exactly as long.
     */
    public static UnsafeBuffer raw(final int length)
    {
        if (length < MIN_RAW_LENGTH)
        {
            throw new IllegalArgumentException("a raw frame needs at least " + MIN_RAW_LENGTH + " bytes: " + length);
        }
        final UnsafeBuffer buffer = aligned(length);
        EthernetHeader.write(buffer, 0, DESTINATION_MAC, SOURCE_MAC, EXPERIMENTAL_ETHERTYPE);
        buffer.putLong(SEQUENCE_OFFSET, 0L);
        fillRandom(buffer, MIN_RAW_LENGTH, length - MIN_RAW_LENGTH);
        return buffer;
    }

    /**
     * A TCP/IPv4 segment as a bulk receiver's peer sends it in the middle of a lossy transfer:
     * ACK|PSH with data, a timestamps option and three SACK blocks, DF set, every checksum
     * valid. The options are laid out as Linux lays them out (NOP NOP TS, NOP NOP SACK), 40
     * bytes, so the TCP header is the longest there is, 60 bytes.
     *
     * @param payloadLength data bytes, 0 to 1420 (1420 makes a 1514-byte frame).
     * @return the frame at offset 0 of a buffer exactly {@link #TCP_FRAME_OVERHEAD} + payload long.
     */
    public static UnsafeBuffer tcpAckWithSack(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > 1500 - Ipv4Header.MIN_HEADER_LENGTH - TCP_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("payload must fit a 1500-byte MTU: " + payloadLength);
        }
        final UnsafeBuffer buffer = aligned(TCP_FRAME_OVERHEAD + payloadLength);
        final int ipAt = EthernetHeader.HEADER_LENGTH;
        final int tcpAt = ipAt + Ipv4Header.MIN_HEADER_LENGTH;
        final int tcpLength = TCP_HEADER_LENGTH + payloadLength;
        EthernetHeader.write(buffer, 0, DESTINATION_MAC, SOURCE_MAC, EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(buffer, ipAt, tcpLength, 0x4321, true, 64, Ipv4Header.PROTOCOL_TCP, SOURCE_IP, DESTINATION_IP);
        TcpHeader.write(buffer, tcpAt, SOURCE_PORT, DESTINATION_PORT, SEQUENCE, ACK, TCP_HEADER_LENGTH,
            TcpHeader.ACK | TcpHeader.PSH, 501, 0);

        final int optionsAt = tcpAt + TcpHeader.MIN_HEADER_LENGTH;
        int n = TcpOptionsWriter.writeNop(buffer, optionsAt);
        n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
        n += TcpOptionsWriter.writeTimestamps(buffer, optionsAt + n, 0x0102_0304, 0x0A0B_0C0D);
        n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
        n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
        final int[] lefts = {ACK + 30_000, ACK + 10_000, ACK + 20_000};
        final int[] rights = {ACK + 31_448, ACK + 11_448, ACK + 21_448};
        n += TcpOptionsWriter.writeSackBlocks(buffer, optionsAt + n, lefts, rights, SACK_BLOCKS);
        n = TcpOptionsWriter.padToWord(buffer, optionsAt, n);
        if (TcpHeader.MIN_HEADER_LENGTH + n != TCP_HEADER_LENGTH || TCP_HEADER_LENGTH > TcpHeader.MAX_HEADER_LENGTH)
        {
            throw new IllegalStateException("options are " + n + " bytes");
        }
        if (SACK_BLOCKS > TcpOptions.MAX_SACK_BLOCKS)
        {
            throw new IllegalStateException("too many SACK blocks");
        }
        fillRandom(buffer, tcpAt + TCP_HEADER_LENGTH, payloadLength);
        TcpHeader.writeChecksum(buffer, tcpAt, tcpLength, SOURCE_IP, DESTINATION_IP);
        return buffer;
    }

    private static UnsafeBuffer aligned(final int length)
    {
        // allocateDirectAligned wants a power-of-two alignment and gives the start that alignment.
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, BitUtil.CACHE_LINE_LENGTH));
    }

    private static void fillRandom(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final SplittableRandom random = new SplittableRandom(SEED + length);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)random.nextInt(256));
        }
    }
}
