package io.jmtcp.port;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.jmtcp.port.CaptureFiles.Record;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.jmtcp.port.CaptureFiles.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapFileWriterTest
{
    private static final long START = 1_700_000_000_987_654_321L;

    @TempDir
    Path dir;

    private static int lengthOf(final int i)
    {
        return 14 + (i * 7919) % 1501;
    }

    private static long timeOf(final int i)
    {
        return START + i * 1_234_567L;
    }

    private static UnsafeBuffer frame(final int i)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[lengthOf(i) + 3]);
        for (int j = 0; j < buffer.capacity(); j++)
        {
            buffer.putByte(j, (byte)(i * 13 + j));
        }
        return buffer;
    }

    private Path writeFrames(final String name, final int count, final int snaplen) throws IOException
    {
        final Path file = dir.resolve(name);
        try (PcapFileWriter writer = PcapFileWriter.open(file, PcapLinkType.ETHERNET, snaplen))
        {
            for (int i = 0; i < count; i++)
            {
                // From offset 3, so that the offset argument is exercised.
                writer.write(timeOf(i), frame(i), 3, lengthOf(i));
            }
            assertEquals(count, writer.records());
        }
        return file;
    }

    @Test
    void whatIsWrittenReadsBackExactly() throws IOException
    {
        final int count = 3_000;
        final Path file = writeFrames("round-trip.pcap", count, 1_000);
        final List<Record> records = readAll(file, PcapFileReader.MIN_BUFFER_SIZE, 64);
        assertEquals(count, records.size());
        for (int i = 0; i < count; i++)
        {
            final Record r = records.get(i);
            final int captured = Math.min(1_000, lengthOf(i));
            final byte[] expected = new byte[captured];
            frame(i).getBytes(3, expected);
            assertEquals(timeOf(i), r.timestampNanos, "frame " + i);
            assertEquals(PcapLinkType.ETHERNET, r.linkType);
            assertEquals(lengthOf(i), r.originalLength, "frame " + i);
            assertArrayEquals(expected, r.bytes, "frame " + i);
        }
    }

    @Test
    void headerIsClassicPcapWithNanosecondMagic() throws IOException
    {
        final Path file = dir.resolve("header.pcap");
        try (PcapFileWriter writer = PcapFileWriter.open(file))
        {
            writer.flush();
        }
        final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, header.capacity());
        assertEquals(0xa1b23c4d, header.getInt(0));
        assertEquals(2, header.getShort(4));
        assertEquals(4, header.getShort(6));
        assertEquals(PcapFileWriter.DEFAULT_SNAPLEN, header.getInt(16));
        assertEquals(PcapLinkType.ETHERNET, header.getInt(20));
    }

    @Test
    void tsharkOpensTheFileAndSeesTheSameFrames() throws Exception
    {
        final Path tshark = CaptureFiles.tshark();
        assumeTrue(null != tshark, "tshark is not installed (Debian: apt-get install tshark)");
        final int count = 500;
        final Path file = writeFrames("for-tshark.pcap", count, 1_200);
        final List<String> seen = CaptureFiles.tsharkFields(
            tshark, file, "frame.number", "frame.time_epoch", "frame.cap_len", "frame.len");
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final long t = timeOf(i);
            expected.add((i + 1) + "\t" + String.format("%d.%09d", t / 1_000_000_000L, t % 1_000_000_000L) + "\t" +
                Math.min(1_200, lengthOf(i)) + "\t" + lengthOf(i));
        }
        assertEquals(expected, seen);
    }

    @Test
    void aLargeFileStreamsThroughASmallBuffer() throws IOException
    {
        final int count = 100_000;
        final Path file = writeFrames("large.pcap", count, PcapFileWriter.DEFAULT_SNAPLEN);
        final long[] state = {0, 0};
        try (PcapFileReader reader = PcapFileReader.open(file, PcapFileReader.MIN_BUFFER_SIZE))
        {
            final PcapRecordHandler check = (ts, linkType, buffer, offset, captured, original) ->
            {
                final int i = (int)state[0]++;
                if (ts != timeOf(i) || captured != lengthOf(i) || buffer.getByte(offset) != (byte)(i * 13 + 3))
                {
                    state[1]++;
                }
            };
            while (reader.read(check, 1_000) > 0)
            {
                assertEquals(0, state[1], "mismatch before record " + state[0]);
            }
        }
        assertEquals(count, state[0]);
        assertEquals(0, state[1]);
    }

    @Test
    void closeIsIdempotentAndAClosedWriterRefuses() throws IOException
    {
        final Path file = dir.resolve("closed.pcap");
        final PcapFileWriter writer = PcapFileWriter.open(file, PcapLinkType.RAW, 64);
        writer.write(START, frame(0), 0, 10);
        writer.close();
        writer.close();
        assertThrows(ClosedChannelException.class, () -> writer.write(START, frame(1), 0, 10));
        assertThrows(ClosedChannelException.class, writer::flush);
        final List<Record> records = readAll(file, PcapFileReader.MIN_BUFFER_SIZE, 10);
        assertEquals(1, records.size(), "close flushed the staged record");
        assertEquals(PcapLinkType.RAW, records.get(0).linkType);
    }

    @Test
    void argumentsAreValidated()
    {
        assertThrows(IllegalArgumentException.class, () -> PcapFileWriter.open(dir.resolve("a"), -1, 100));
        assertThrows(IllegalArgumentException.class, () -> PcapFileWriter.open(dir.resolve("b"), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> PcapFileWriter.open(dir.resolve("c"), 1, 262_145));
    }
}
