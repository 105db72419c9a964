package io.jmtcp.port;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.jmtcp.port.CaptureFiles.Bytes;
import io.jmtcp.port.CaptureFiles.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.jmtcp.port.CaptureFiles.data;
import static io.jmtcp.port.CaptureFiles.endBlock;
import static io.jmtcp.port.CaptureFiles.enhancedPacket;
import static io.jmtcp.port.CaptureFiles.interfaceDescription;
import static io.jmtcp.port.CaptureFiles.customBlock;
import static io.jmtcp.port.CaptureFiles.interfaceStatistics;
import static io.jmtcp.port.CaptureFiles.nameResolution;
import static io.jmtcp.port.CaptureFiles.obsoletePacket;
import static io.jmtcp.port.CaptureFiles.opaqueBlock;
import static io.jmtcp.port.CaptureFiles.pcapHeader;
import static io.jmtcp.port.CaptureFiles.pcapRecord;
import static io.jmtcp.port.CaptureFiles.readAll;
import static io.jmtcp.port.CaptureFiles.sectionHeader;
import static io.jmtcp.port.CaptureFiles.simplePacket;
import static io.jmtcp.port.CaptureFiles.startBlock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapFileReaderTest
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int MICROS_MAGIC = 0xa1b2c3d4;
    private static final int NANOS_MAGIC = 0xa1b23c4d;

    @TempDir
    Path dir;

    static Path resource(final String name)
    {
        try
        {
            return Path.of(PcapFileReaderTest.class.getResource("/port/" + name).toURI());
        }
        catch (final URISyntaxException e)
        {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "zeek__http__post.pcap, 14, 1, false",
        "zeek__tcp__retransmit-fast009.pcap, 39, 1, false",
        "zeek__http__cooper-grill-dvwa.pcapng, 64, 1, true",
        "tcpdump__resp_1_benchmark.pcap, 150, 113, false",
        "suricata__tcp-empty-sack__tcp-opt.pcap, 42, 101, false",
    })
    void realCapturesMatchTheTsharkOracle(
        final String file, final int frames, final int linkType, final boolean pcapng) throws Exception
    {
        final Path capture = resource(file);
        final List<String> oracle = new ArrayList<>();
        for (final String line : Files.readAllLines(resource(file + ".frames.tsv")))
        {
            if (!line.startsWith("#"))
            {
                oracle.add(line);
            }
        }
        assertEquals(frames, oracle.size(), "oracle of " + file);

        try (PcapFileReader reader = PcapFileReader.open(capture))
        {
            assertEquals(pcapng, reader.isPcapng());
        }
        // The second buffer barely holds the longest record, so records straddle refills all the time.
        final int tight = Math.max(PcapFileReader.MIN_BUFFER_SIZE, 64 + oracle.stream()
            .mapToInt(line -> Integer.parseInt(line.split("\t")[2])).max().orElse(0));
        for (final int bufferSize : new int[] {PcapFileReader.DEFAULT_BUFFER_SIZE, tight})
        {
            final List<Record> records = readAll(capture, bufferSize, 7);
            final List<String> actual = new ArrayList<>();
            for (int i = 0; i < records.size(); i++)
            {
                final Record r = records.get(i);
                assertEquals(linkType, r.linkType);
                actual.add((i + 1) + "\t" + r.timestampNanos + "\t" + r.bytes.length + "\t" + r.originalLength + "\t" +
                    r.linkType + "\t" + md5(r.bytes));
            }
            assertEquals(oracle, actual, file + " with a " + bufferSize + "-byte buffer");
        }
    }

    @Test
    void readDeliversAtMostItsLimitAndZeroAtTheEnd() throws IOException
    {
        final PcapFileReader reader = PcapFileReader.open(resource("zeek__http__post.pcap"));
        final int[] seen = {0};
        final PcapRecordHandler count = (ts, lt, b, o, c, l) -> seen[0]++;
        assertEquals(0, reader.read(count, 0));
        assertEquals(5, reader.read(count, 5));
        assertEquals(5, reader.read(count, 5));
        assertEquals(4, reader.read(count, 5));
        assertEquals(0, reader.read(count, 5));
        assertEquals(0, reader.read(count, 5));
        assertEquals(14, seen[0]);
        reader.close();
        reader.close();
        assertThrows(IOException.class, () -> reader.read(count, 1));
    }

    @Test
    void bigEndianMicrosecondPcap() throws IOException
    {
        final Bytes out = pcapHeader(BE, MICROS_MAGIC, 65535, PcapLinkType.ETHERNET);
        pcapRecord(out, 1, 500_000, data(60, 1), 60);
        pcapRecord(out, 2, 999_999, data(1514, 2), 1514);
        pcapRecord(out, 0xFFFF_FFFFL, 0, new byte[0], 0);
        final List<Record> records = readAll(out.writeTo(dir.resolve("be.pcap")), PcapFileReader.MIN_BUFFER_SIZE, 10);
        assertEquals(3, records.size());
        assertEquals(1_500_000_000L, records.get(0).timestampNanos);
        assertArrayEquals(data(60, 1), records.get(0).bytes);
        assertEquals(2_999_999_000L, records.get(1).timestampNanos);
        assertArrayEquals(data(1514, 2), records.get(1).bytes);
        assertEquals(0xFFFF_FFFFL * 1_000_000_000L, records.get(2).timestampNanos, "seconds are unsigned");
        assertEquals(0, records.get(2).bytes.length);
    }

    @Test
    void nanosecondMagicInBothByteOrders() throws IOException
    {
        for (final ByteOrder order : new ByteOrder[] {LE, BE})
        {
            final Bytes out = pcapHeader(order, NANOS_MAGIC, 96, PcapLinkType.ETHERNET);
            pcapRecord(out, 1_700_000_000L, 123_456_789, data(96, 3), 1500);
            final List<Record> records = readAll(out.writeTo(dir.resolve("ns-" + order + ".pcap")), 8192, 1);
            assertEquals(1, records.size(), order.toString());
            assertEquals(1_700_000_000_123_456_789L, records.get(0).timestampNanos, order.toString());
            assertEquals(96, records.get(0).bytes.length);
            assertEquals(1500, records.get(0).originalLength);
        }
    }

    @Test
    void linkTypeFcsBitsAreMaskedOff() throws IOException
    {
        // Bits 28-31 of the header's link type may carry the FCS length (libpcap's LT_FCS_LENGTH).
        final Bytes out = pcapHeader(LE, MICROS_MAGIC, 65535, 0x4000_0000 | PcapLinkType.ETHERNET);
        pcapRecord(out, 1, 0, data(64, 0), 64);
        assertEquals(PcapLinkType.ETHERNET, readAll(out.writeTo(dir.resolve("fcs.pcap")), 8192, 1).get(0).linkType);
    }

    /**
     * Two sections in opposite byte orders; interfaces with microsecond (default), binary 2^-20
     * with an offset, nanosecond and millisecond resolutions; blocks to skip (name resolution,
     * statistics and, optionally, an obsolete packet block and a custom block larger than the small
     * buffer, both of which tshark would show as frames); a simple packet block.
     */
    private Path multiSectionPcapng(final boolean withBlocksTsharkShows)
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        interfaceDescription(out, PcapLinkType.ETHERNET, 0, -1, 0);
        interfaceDescription(out, PcapLinkType.RAW, 128, 0x80 | 20, 100);
        nameResolution(out);
        enhancedPacket(out, 0, 1_700_000_000_123_456L, data(60, 1), 60);
        if (withBlocksTsharkShows)
        {
            obsoletePacket(out, 0, data(40, 9));
        }
        enhancedPacket(out, 1, (5L << 20) | (1L << 19), data(128, 2), 1400);
        interfaceStatistics(out, 1);
        simplePacket(out, data(50, 3), 50);
        if (withBlocksTsharkShows)
        {
            customBlock(out, 10_000);
        }
        enhancedPacket(out, 0, 7, data(61, 4), 1000);

        out.order(BE);
        sectionHeader(out);
        interfaceDescription(out, PcapLinkType.LINUX_SLL, 65535, 9, 0);
        interfaceDescription(out, PcapLinkType.ETHERNET, 65535, 3, 0);
        enhancedPacket(out, 0, 1_234_567_890_123_456_789L, data(70, 5), 70);
        enhancedPacket(out, 1, 5, data(71, 6), 71);
        return out.writeTo(dir.resolve("multi-" + withBlocksTsharkShows + ".pcapng"));
    }

    @Test
    void pcapngSectionsInterfacesResolutionsAndSkippedBlocks() throws IOException
    {
        final Path file = multiSectionPcapng(true);
        for (final int bufferSize : new int[] {PcapFileReader.MIN_BUFFER_SIZE, PcapFileReader.DEFAULT_BUFFER_SIZE})
        {
            final List<Record> r = readAll(file, bufferSize, 3);
            assertEquals(6, r.size(), r.toString());

            assertEquals(1_700_000_000_123_456_000L, r.get(0).timestampNanos, "default resolution: microseconds");
            assertEquals(PcapLinkType.ETHERNET, r.get(0).linkType);
            assertArrayEquals(data(60, 1), r.get(0).bytes);

            assertEquals(105_500_000_000L, r.get(1).timestampNanos, "5.5 s at 2^-20 plus an offset of 100 s");
            assertEquals(PcapLinkType.RAW, r.get(1).linkType);
            assertEquals(1400, r.get(1).originalLength);
            assertArrayEquals(data(128, 2), r.get(1).bytes);

            assertEquals(0, r.get(2).timestampNanos, "a simple packet block has no timestamp");
            assertEquals(PcapLinkType.ETHERNET, r.get(2).linkType);
            assertArrayEquals(data(50, 3), r.get(2).bytes);

            assertEquals(7_000, r.get(3).timestampNanos);
            assertEquals(1000, r.get(3).originalLength);
            assertArrayEquals(data(61, 4), r.get(3).bytes);

            assertEquals(1_234_567_890_123_456_789L, r.get(4).timestampNanos, "nanoseconds, big-endian section");
            assertEquals(PcapLinkType.LINUX_SLL, r.get(4).linkType);
            assertArrayEquals(data(70, 5), r.get(4).bytes);

            assertEquals(5_000_000L, r.get(5).timestampNanos, "milliseconds");
            assertArrayEquals(data(71, 6), r.get(5).bytes);
        }
    }

    @Test
    void tsharkAgreesThatTheHandMadePcapngIsValid() throws Exception
    {
        final Path tshark = CaptureFiles.tshark();
        assumeTrue(null != tshark, "tshark is not installed (Debian: apt-get install tshark)");
        final Path file = multiSectionPcapng(false);
        final List<String> fields = CaptureFiles.tsharkFields(tshark, file, "frame.cap_len", "frame.len");
        final List<String> ours = new ArrayList<>();
        for (final Record r : readAll(file, PcapFileReader.DEFAULT_BUFFER_SIZE, 100))
        {
            ours.add(r.bytes.length + "\t" + r.originalLength);
        }
        assertEquals(fields, ours);
    }

    @Test
    void emptyFileIsATruncatedHeader()
    {
        final PcapFormatException e = malformed(new byte[0]);
        assertMessage(e, 0, "truncated header");
    }

    @Test
    void truncatedPcapHeader()
    {
        final byte[] header = pcapHeader(LE, MICROS_MAGIC, 65535, 1).toArray();
        final byte[] cut = new byte[10];
        System.arraycopy(header, 0, cut, 0, cut.length);
        assertMessage(malformed(cut), 0, "truncated header: the file has 10 bytes, a pcap header needs 24");
    }

    @Test
    void badMagic()
    {
        final byte[] gif = "GIF89a, not a capture at all".getBytes(StandardCharsets.US_ASCII);
        assertMessage(malformed(gif), 0, "bad magic 0x47494638");
    }

    @Test
    void unsupportedPcapVersion()
    {
        final Bytes out = new Bytes(LE).u32(MICROS_MAGIC).u16(3).u16(0).u32(0).u32(0).u32(65535).u32(1);
        assertMessage(malformed(out.toArray()), 4, "unsupported pcap version 3");
    }

    @Test
    void recordPastTheEndOfTheFile()
    {
        final Bytes out = pcapHeader(LE, MICROS_MAGIC, 65535, 1);
        pcapRecord(out, 1, 0, data(60, 0), 60);
        out.u32(2).u32(0).u32(100).u32(100).raw(data(40, 1));
        final PcapFormatException e = malformed(out.toArray());
        assertMessage(e, 24 + 16 + 60, "truncated record of 100 captured bytes: needs 116 bytes, the file ends after 56");
    }

    @Test
    void truncatedRecordHeader()
    {
        final Bytes out = pcapHeader(LE, MICROS_MAGIC, 65535, 1).u32(1).u32(2);
        assertMessage(malformed(out.toArray()), 24, "truncated record header: needs 16 bytes, the file ends after 8");
    }

    @Test
    void recordLongerThanTheSnaplen()
    {
        final Bytes out = pcapHeader(LE, MICROS_MAGIC, 64, 1);
        pcapRecord(out, 1, 0, data(100, 0), 100);
        assertMessage(malformed(out.toArray()), 24, "record captured length 100 is longer than the file's snaplen 64");
    }

    @Test
    void recordLongerThanTheReadBuffer()
    {
        final Bytes out = pcapHeader(LE, MICROS_MAGIC, 65535, 1);
        pcapRecord(out, 1, 0, data(5000, 0), 5000);
        assertMessage(malformed(out.toArray()), 24, "record of 5016 bytes is longer than the read buffer (4096 bytes)");
    }

    @Test
    void pcapngBlockLengthMismatch()
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        interfaceDescription(out, 1, 0, -1, 0);
        final int epb = out.position();
        enhancedPacket(out, 0, 1, data(60, 0), 60);
        out.u32At(out.position() - 4, 96);
        final PcapFormatException e = malformed(out.toArray());
        assertMessage(e, epb, "pcapng block length mismatch: header says 104, trailer says 96");
    }

    @Test
    void pcapngBlockLengthNotAMultipleOfFour()
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        final int idb = out.position();
        out.u32(1).u32(30).u16(1).u16(0).u32(0).u32(0).u32(30).u16(0);
        assertMessage(malformed(out.toArray()), idb, "bad pcapng block length 30 (must be a multiple of 4, at least 12)");
    }

    @Test
    void pcapngSkippedBlockLengthMismatch()
    {
        final Bytes out = new Bytes(BE);
        sectionHeader(out);
        final int nrb = out.position();
        opaqueBlock(out, 4, 8_000);
        out.u32At(out.position() - 4, 12);
        assertMessage(malformed(out.toArray()), nrb, "pcapng block length mismatch: header says 8012, trailer says 12");
    }

    @Test
    void pcapngBlockCutByTheEndOfTheFile()
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        interfaceDescription(out, 1, 0, -1, 0);
        final int epb = out.position();
        enhancedPacket(out, 0, 1, data(200, 0), 200);
        final byte[] whole = out.toArray();
        final byte[] cut = new byte[epb + 100];
        System.arraycopy(whole, 0, cut, 0, cut.length);
        assertMessage(malformed(cut), epb, "truncated enhanced packet block of 244 bytes: needs 244 bytes, the file ends after 100");
    }

    @Test
    void pcapngBadByteOrderMagic()
    {
        final Bytes out = new Bytes(LE).u32(PcapFileReader.PCAPNG_SHB).u32(28).u32(0x11223344).u16(1).u16(0)
            .u64(-1).u32(28);
        assertMessage(malformed(out.toArray()), 8, "bad pcapng byte-order magic 0x44332211");
    }

    @Test
    void pcapngPacketOfAnUndescribedInterface()
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        interfaceDescription(out, 1, 0, -1, 0);
        enhancedPacket(out, 0, 1, data(60, 0), 60);
        out.order(BE);
        sectionHeader(out);
        final int epb = out.position();
        enhancedPacket(out, 0, 1, data(60, 0), 60);
        final PcapFormatException e = malformed(out.toArray());
        assertMessage(e, epb, "packet names interface 0 but its section describes 0");
    }

    @Test
    void pcapngCapturedLengthOverrunsItsBlock()
    {
        final Bytes out = new Bytes(LE);
        sectionHeader(out);
        interfaceDescription(out, 1, 0, -1, 0);
        final int epb = startBlock(out, 6);
        out.u32(0).u32(0).u32(1).u32(500).u32(500).raw(data(20, 0));
        endBlock(out, epb);
        assertMessage(malformed(out.toArray()), epb, "enhanced packet block of 52 bytes cannot hold its captured length 500");
    }

    private PcapFormatException malformed(final byte[] bytes)
    {
        final Path file = dir.resolve("malformed-" + System.nanoTime() + ".pcap");
        new Bytes(LE).raw(bytes).writeTo(file);
        return assertThrows(PcapFormatException.class, () -> readAll(file, PcapFileReader.MIN_BUFFER_SIZE, 1000));
    }

    private static void assertMessage(final PcapFormatException e, final long offset, final String detail)
    {
        assertTrue(e.getMessage().contains(detail), e.getMessage());
        assertTrue(e.getMessage().endsWith("(at byte offset " + offset + ")"), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    private static String md5(final byte[] bytes)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
