package io.jmtcp.port;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers: build capture files byte by byte (classic pcap and pcapng, either byte order),
 * collect what a reader delivers, and ask tshark for its view of a file.
 */
final class CaptureFiles
{
    private CaptureFiles()
    {
    }

    /** One record as a reader delivered it. */
    static final class Record
    {
        final long timestampNanos;
        final int linkType;
        final byte[] bytes;
        final int originalLength;

        Record(final long timestampNanos, final int linkType, final byte[] bytes, final int originalLength)
        {
            this.timestampNanos = timestampNanos;
            this.linkType = linkType;
            this.bytes = bytes;
            this.originalLength = originalLength;
        }

        @Override
        public String toString()
        {
            return "Record{ts=" + timestampNanos + ", linkType=" + linkType + ", captured=" + bytes.length +
                ", original=" + originalLength + '}';
        }
    }

    /** Read every record of a file, {@code batch} at a time. */
    static List<Record> readAll(final Path file, final int bufferSize, final int batch) throws IOException
    {
        final List<Record> records = new ArrayList<>();
        try (PcapFileReader reader = PcapFileReader.open(file, bufferSize))
        {
            final PcapRecordHandler collect = (ts, linkType, buffer, offset, captured, original) ->
            {
                final byte[] bytes = new byte[captured];
                buffer.getBytes(offset, bytes);
                records.add(new Record(ts, linkType, bytes, original));
            };
            int n;
            while ((n = reader.read(collect, batch)) > 0)
            {
                if (n > batch)
                {
                    throw new AssertionError("read returned " + n + " for a limit of " + batch);
                }
            }
            if (0 != reader.read(collect, batch))
            {
                throw new AssertionError("read after the end returned records");
            }
        }
        return records;
    }

    /** A growable little builder over a byte order, for hand-made capture files. */
    static final class Bytes
    {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);

        Bytes(final ByteOrder order)
        {
            buffer.order(order);
        }

        Bytes order(final ByteOrder order)
        {
            buffer.order(order);
            return this;
        }

        int position()
        {
            return buffer.position();
        }

        Bytes u8(final int value)
        {
            room(1);
            buffer.put((byte)value);
            return this;
        }

        Bytes u16(final int value)
        {
            room(2);
            buffer.putShort((short)value);
            return this;
        }

        Bytes u32(final long value)
        {
            room(4);
            buffer.putInt((int)value);
            return this;
        }

        Bytes u64(final long value)
        {
            room(8);
            buffer.putLong(value);
            return this;
        }

        Bytes raw(final byte[] bytes)
        {
            room(bytes.length);
            buffer.put(bytes);
            return this;
        }

        Bytes pad4()
        {
            while (0 != (buffer.position() & 3))
            {
                u8(0);
            }
            return this;
        }

        /** Overwrite a 32-bit value already written. */
        Bytes u32At(final int at, final long value)
        {
            buffer.putInt(at, (int)value);
            return this;
        }

        byte[] toArray()
        {
            final byte[] out = new byte[buffer.position()];
            buffer.duplicate().flip().get(out);
            return out;
        }

        Path writeTo(final Path file)
        {
            try
            {
                return Files.write(file, toArray());
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
        }

        private void room(final int needed)
        {
            if (buffer.remaining() < needed)
            {
                final ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2 + needed).order(buffer.order());
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }
    }

    /** A classic pcap file header. */
    static Bytes pcapHeader(final ByteOrder order, final int magic, final int snaplen, final int linkType)
    {
        return new Bytes(order).u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(linkType);
    }

    /** A classic pcap record. */
    static Bytes pcapRecord(final Bytes out, final long seconds, final long fraction, final byte[] data, final int original)
    {
        return out.u32(seconds).u32(fraction).u32(data.length).u32(original).raw(data);
    }

    /** Start a pcapng block; returns its offset for {@link #endBlock}. */
    static int startBlock(final Bytes out, final int type)
    {
        final int at = out.position();
        out.u32(type).u32(0);
        return at;
    }

    /** Finish a pcapng block: pad, write the trailing length, patch the leading one. */
    static Bytes endBlock(final Bytes out, final int at)
    {
        out.pad4();
        final int length = out.position() + 4 - at;
        out.u32(length);
        return out.u32At(at + 4, length);
    }

    static Bytes sectionHeader(final Bytes out)
    {
        final int at = startBlock(out, PcapFileReader.PCAPNG_SHB);
        out.u32(PcapFileReader.PCAPNG_BYTE_ORDER_MAGIC).u16(1).u16(0).u64(-1L);
        return endBlock(out, at);
    }

    /** An interface description block; {@code tsresol} below 0 leaves the option out (microseconds). */
    static Bytes interfaceDescription(
        final Bytes out, final int linkType, final int snaplen, final int tsresol, final long tsoffsetSeconds)
    {
        final int at = startBlock(out, 1);
        out.u16(linkType).u16(0).u32(snaplen);
        out.u16(2).u16(4).raw("eth0".getBytes(StandardCharsets.US_ASCII));
        if (tsresol >= 0)
        {
            out.u16(9).u16(1).u8(tsresol).pad4();
        }
        if (0 != tsoffsetSeconds)
        {
            out.u16(14).u16(8).u64(tsoffsetSeconds);
        }
        out.u16(0).u16(0);
        return endBlock(out, at);
    }

    static Bytes enhancedPacket(
        final Bytes out, final int interfaceId, final long units, final byte[] data, final int original)
    {
        final int at = startBlock(out, 6);
        out.u32(interfaceId).u32(units >>> 32).u32(units).u32(data.length).u32(original).raw(data).pad4();
        // An opt_comment, so that options after the data are exercised too.
        out.u16(1).u16(3).raw(new byte[] {'h', 'i', '!'}).pad4().u16(0).u16(0);
        return endBlock(out, at);
    }

    static Bytes simplePacket(final Bytes out, final byte[] data, final int original)
    {
        final int at = startBlock(out, 3);
        out.u32(original).raw(data);
        return endBlock(out, at);
    }

    /** A name resolution block: one IPv4 record, then the end record. */
    static Bytes nameResolution(final Bytes out)
    {
        final int at = startBlock(out, 4);
        out.u16(1).u16(10).raw(new byte[] {(byte)198, 18, 0, 1}).raw("host\0\0".getBytes(StandardCharsets.US_ASCII));
        out.pad4().u16(0).u16(0);
        return endBlock(out, at);
    }

    /** An interface statistics block with no options. */
    static Bytes interfaceStatistics(final Bytes out, final int interfaceId)
    {
        final int at = startBlock(out, 5);
        out.u32(interfaceId).u32(0).u32(0);
        return endBlock(out, at);
    }

    /** An obsolete packet block (pcapng's first packet block, replaced by the enhanced one). */
    static Bytes obsoletePacket(final Bytes out, final int interfaceId, final byte[] data)
    {
        final int at = startBlock(out, 2);
        out.u16(interfaceId).u16(0).u32(0).u32(1).u32(data.length).u32(data.length).raw(data);
        return endBlock(out, at);
    }

    /** A custom block (type 0x40000BAD: not to be copied) with a private enterprise number. */
    static Bytes customBlock(final Bytes out, final int length)
    {
        final int at = startBlock(out, 0x4000_0BAD);
        out.u32(32473);
        for (int i = 0; i < length; i++)
        {
            out.u8(i);
        }
        return endBlock(out, at);
    }

    /** A block of any type with an opaque body of {@code length} bytes. */
    static Bytes opaqueBlock(final Bytes out, final int type, final int length)
    {
        final int at = startBlock(out, type);
        for (int i = 0; i < length; i++)
        {
            out.u8(i);
        }
        return endBlock(out, at);
    }

    static byte[] data(final int length, final int seed)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(seed * 17 + i);
        }
        return data;
    }

    /** The tshark binary, or null if it is not installed. */
    static Path tshark()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        {
            final Path candidate = Path.of(dir, "tshark");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /** Run tshark on a file with {@code -T fields} and the given fields; one list entry per frame. */
    static List<String> tsharkFields(final Path tshark, final Path file, final String... fields)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(tshark.toString(), "-r", file.toString(), "-T", "fields"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final Path out = Files.createTempFile("tshark", ".txt");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("tshark did not finish in 30 s on " + file);
            }
            if (0 != process.exitValue())
            {
                throw new AssertionError("tshark failed (exit " + process.exitValue() + ") on " + file);
            }
            return Files.readAllLines(out);
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }
}
