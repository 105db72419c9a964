package io.jmtcp.port;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads capture files in pure Java, without libpcap: classic pcap (either byte order, microsecond
 * or nanosecond magic) and pcapng (any number of sections, each in its own byte order, with any
 * number of interfaces, each with its own link type and timestamp resolution).
 *
 * <p>Streaming: the file is read through one direct buffer of fixed size, so memory use does not
 * grow with the file; a record is handed to the handler straight from that buffer, without a copy.
 * A record (pcap) or packet block (pcapng) must fit the buffer; blocks that carry no packet are
 * skipped whatever their size.
 *
 * <p>pcapng blocks read: Section Header, Interface Description ({@code if_tsresol} decimal or
 * binary, {@code if_tsoffset}), Enhanced Packet and Simple Packet (which has no timestamp: 0 is
 * reported). Skipped: Obsolete Packet, Name Resolution, Interface Statistics and every other type.
 * Every block's trailing length is checked against its leading one.
 *
 * <p>Problems with the file raise {@link PcapFormatException} naming the byte offset and the fault.
 * Strictness: a record whose captured length exceeds the snapshot length declared by the file
 * header or interface (when that is not 0) is an error, as is a block length that is not a
 * multiple of 4. Not thread-safe.
 */
public final class PcapFileReader implements Closeable
{
    /** Default read buffer: room for a 262144-byte record (tcpdump's largest snaplen) and its block. */
    public static final int DEFAULT_BUFFER_SIZE = 512 * 1024;

    /** Smallest read buffer accepted. */
    public static final int MIN_BUFFER_SIZE = 4096;

    /** Classic pcap, microsecond timestamps, as read in big-endian order. */
    static final int PCAP_MICROS_MAGIC = 0xa1b2c3d4;
    /** Classic pcap, nanosecond timestamps, as read in big-endian order. */
    static final int PCAP_NANOS_MAGIC = 0xa1b23c4d;
    /** pcapng Section Header Block type; a palindrome, so the same in both byte orders. */
    static final int PCAPNG_SHB = 0x0A0D0D0A;
    static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private static final int PCAPNG_IDB = 1;
    private static final int PCAPNG_SPB = 3;
    private static final int PCAPNG_EPB = 6;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;

    private static final int PCAP_HEADER_LENGTH = 24;
    private static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int BLOCK_MIN_LENGTH = 12;
    private static final int SHB_MIN_LENGTH = 28;
    private static final int IDB_MIN_LENGTH = 20;
    private static final int EPB_MIN_LENGTH = 32;
    private static final int SPB_MIN_LENGTH = 16;
    /** libpcap's LT_LINKTYPE(): the upper bits of the header's link type carry FCS information. */
    private static final int LINKTYPE_MASK = 0x03FFFFFF;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L,
        1_000_000_000_000_000_000L};

    private final String name;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final UnsafeBuffer view;
    private final boolean pcapng;

    /** File offset of buffer index 0. */
    private long base;
    private int position;
    private int limit;
    private boolean endOfFile;
    private boolean closed;
    private ByteOrder order;

    /* Classic pcap. */
    private int fileLinkType;
    private long fileSnaplen;
    private long fractionToNanos;

    /* pcapng: the interfaces of the current section, indexed by interface id. */
    private int interfaceCount;
    private int[] interfaceLinkType = new int[4];
    private long[] interfaceSnaplen = new long[4];
    /** Decimal resolution 10^-n as n, or -1 when binary. */
    private int[] interfaceDecimalExponent = new int[4];
    /** Binary resolution 2^-n as n, used when the decimal exponent is -1. */
    private int[] interfaceBinaryExponent = new int[4];
    private long[] interfaceOffsetNanos = new long[4];

    private PcapFileReader(final Path path, final FileChannel channel, final int bufferSize) throws IOException
    {
        this.name = path.toString();
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
        this.view = new UnsafeBuffer(buffer);
        final int magic = readMagic();
        if (PCAPNG_SHB == magic)
        {
            pcapng = true;
            startSection(0);
        }
        else
        {
            pcapng = false;
            readPcapHeader(magic);
        }
    }

    /**
     * Open a capture file with the default buffer size.
     *
     * @param path of a pcap or pcapng file.
     * @return the reader, positioned at the first record.
     * @throws PcapFormatException if the file does not start with a valid pcap header or pcapng section.
     * @throws IOException if the file cannot be read.
     */
    public static PcapFileReader open(final Path path) throws IOException
    {
        return open(path, DEFAULT_BUFFER_SIZE);
    }

    /**
     * Open a capture file.
     *
     * @param path       of a pcap or pcapng file.
     * @param bufferSize bytes of the read buffer, at least {@link #MIN_BUFFER_SIZE}; bounds the
     *                   longest record or packet block.
     * @return the reader, positioned at the first record.
     * @throws PcapFormatException if the file does not start with a valid pcap header or pcapng section.
     * @throws IOException if the file cannot be read.
     */
    public static PcapFileReader open(final Path path, final int bufferSize) throws IOException
    {
        if (bufferSize < MIN_BUFFER_SIZE)
        {
            throw new IllegalArgumentException("bufferSize must be at least " + MIN_BUFFER_SIZE + ": " + bufferSize);
        }
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try
        {
            return new PcapFileReader(path, channel, bufferSize);
        }
        catch (final IOException | RuntimeException e)
        {
            channel.close();
            throw e;
        }
    }

    /**
     * Whether the file is pcapng rather than classic pcap.
     *
     * @return true for pcapng.
     */
    public boolean isPcapng()
    {
        return pcapng;
    }

    /**
     * Hand up to {@code limit} records to the handler, in file order.
     *
     * @param handler called once per record.
     * @param limit   the most records to deliver.
     * @return the records delivered: fewer than {@code limit} only at the end of the file, 0 once there.
     * @throws PcapFormatException if the file is malformed where reading reached.
     * @throws IOException if reading fails or the reader is closed.
     */
    public int read(final PcapRecordHandler handler, final int limit) throws IOException
    {
        if (closed)
        {
            throw new IOException(name + ": reader is closed");
        }
        int delivered = 0;
        while (delivered < limit && !atEnd())
        {
            delivered += pcapng ? readBlock(handler) : readRecord(handler);
        }
        return delivered;
    }

    /** Close the file. Idempotent. */
    @Override
    public void close() throws IOException
    {
        if (!closed)
        {
            closed = true;
            channel.close();
        }
    }

    @Override
    public String toString()
    {
        return "PcapFileReader{" + name + ", offset=" + (base + position) + (closed ? ", closed" : "") + '}';
    }

    private int readMagic() throws IOException
    {
        if (!ensure(4))
        {
            throw new PcapFormatException(name, 0, "truncated header: the file has " + available() +
                " bytes, a pcap or pcapng header needs at least " + PCAP_HEADER_LENGTH);
        }
        final int magic = view.getInt(0, ByteOrder.BIG_ENDIAN);
        if (PCAPNG_SHB == magic || PCAP_MICROS_MAGIC == magic || PCAP_NANOS_MAGIC == magic ||
            PCAP_MICROS_MAGIC == Integer.reverseBytes(magic) || PCAP_NANOS_MAGIC == Integer.reverseBytes(magic))
        {
            return magic;
        }
        throw new PcapFormatException(name, 0, String.format(
            "bad magic 0x%08x: not a pcap (0xa1b2c3d4, 0xa1b23c4d in either byte order) or pcapng (0x0a0d0d0a) file",
            magic));
    }

    private void readPcapHeader(final int magic) throws IOException
    {
        final boolean bigEndian = PCAP_MICROS_MAGIC == magic || PCAP_NANOS_MAGIC == magic;
        order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final int canonical = bigEndian ? magic : Integer.reverseBytes(magic);
        fractionToNanos = PCAP_NANOS_MAGIC == canonical ? 1 : 1_000;
        if (!ensure(PCAP_HEADER_LENGTH))
        {
            throw new PcapFormatException(name, 0, "truncated header: the file has " + available() +
                " bytes, a pcap header needs " + PCAP_HEADER_LENGTH);
        }
        final int major = view.getShort(4, order) & 0xFFFF;
        if (2 != major)
        {
            throw new PcapFormatException(name, 4, "unsupported pcap version " + major + " (expected 2)");
        }
        fileSnaplen = view.getInt(16, order) & 0xFFFF_FFFFL;
        fileLinkType = view.getInt(20, order) & LINKTYPE_MASK;
        position = PCAP_HEADER_LENGTH;
    }

    private int readRecord(final PcapRecordHandler handler) throws IOException
    {
        final long recordOffset = base + position;
        if (!ensure(PCAP_RECORD_HEADER_LENGTH))
        {
            throw truncated(recordOffset, "record header", PCAP_RECORD_HEADER_LENGTH);
        }
        final long seconds = view.getInt(position, order) & 0xFFFF_FFFFL;
        final long fraction = view.getInt(position + 4, order) & 0xFFFF_FFFFL;
        final long captured = view.getInt(position + 8, order) & 0xFFFF_FFFFL;
        final long original = view.getInt(position + 12, order) & 0xFFFF_FFFFL;
        if (0 != fileSnaplen && captured > fileSnaplen)
        {
            throw new PcapFormatException(name, recordOffset,
                "record captured length " + captured + " is longer than the file's snaplen " + fileSnaplen);
        }
        checkFits(recordOffset, PCAP_RECORD_HEADER_LENGTH + captured, "record");
        final int total = PCAP_RECORD_HEADER_LENGTH + (int)captured;
        if (!ensure(total))
        {
            throw truncated(recordOffset, "record of " + captured + " captured bytes", total);
        }
        final int dataAt = position + PCAP_RECORD_HEADER_LENGTH;
        position += total;
        handler.onRecord(
            seconds * NANOS_PER_SECOND + fraction * fractionToNanos, fileLinkType, view, dataAt, (int)captured,
            clampToInt(original));
        return 1;
    }

    private int readBlock(final PcapRecordHandler handler) throws IOException
    {
        final long blockOffset = base + position;
        if (!ensure(8))
        {
            throw truncated(blockOffset, "block header", 8);
        }
        final int type = view.getInt(position, order);
        if (PCAPNG_SHB == type)
        {
            startSection(blockOffset);
            return 0;
        }
        final long length = blockLength(blockOffset, view.getInt(position + 4, order));
        switch (type)
        {
            case PCAPNG_IDB:
                loadBlock(blockOffset, length, IDB_MIN_LENGTH, "interface description block");
                readInterface(blockOffset, (int)length);
                position += (int)length;
                return 0;

            case PCAPNG_EPB:
                loadBlock(blockOffset, length, EPB_MIN_LENGTH, "enhanced packet block");
                return readEnhancedPacket(handler, blockOffset, (int)length);

            case PCAPNG_SPB:
                loadBlock(blockOffset, length, SPB_MIN_LENGTH, "simple packet block");
                return readSimplePacket(handler, blockOffset, (int)length);

            default:
                skipBlock(blockOffset, length);
                return 0;
        }
    }

    private void startSection(final long blockOffset) throws IOException
    {
        if (!ensure(12))
        {
            throw truncated(blockOffset, "section header block", SHB_MIN_LENGTH);
        }
        final int byteOrderMagic = view.getInt(position + 8, ByteOrder.BIG_ENDIAN);
        if (PCAPNG_BYTE_ORDER_MAGIC == byteOrderMagic)
        {
            order = ByteOrder.BIG_ENDIAN;
        }
        else if (PCAPNG_BYTE_ORDER_MAGIC == Integer.reverseBytes(byteOrderMagic))
        {
            order = ByteOrder.LITTLE_ENDIAN;
        }
        else
        {
            throw new PcapFormatException(name, blockOffset + 8,
                String.format("bad pcapng byte-order magic 0x%08x (expected 0x1a2b3c4d)", byteOrderMagic));
        }
        final long length = blockLength(blockOffset, view.getInt(position + 4, order));
        loadBlock(blockOffset, length, SHB_MIN_LENGTH, "section header block");
        final int major = view.getShort(position + 12, order) & 0xFFFF;
        if (1 != major)
        {
            throw new PcapFormatException(name, blockOffset + 12, "unsupported pcapng version " + major +
                " (expected 1)");
        }
        interfaceCount = 0;
        position += (int)length;
    }

    private void readInterface(final long blockOffset, final int length) throws PcapFormatException
    {
        if (interfaceCount == interfaceLinkType.length)
        {
            final int grown = 2 * interfaceCount;
            interfaceLinkType = Arrays.copyOf(interfaceLinkType, grown);
            interfaceSnaplen = Arrays.copyOf(interfaceSnaplen, grown);
            interfaceDecimalExponent = Arrays.copyOf(interfaceDecimalExponent, grown);
            interfaceBinaryExponent = Arrays.copyOf(interfaceBinaryExponent, grown);
            interfaceOffsetNanos = Arrays.copyOf(interfaceOffsetNanos, grown);
        }
        final int id = interfaceCount;
        interfaceLinkType[id] = view.getShort(position + 8, order) & 0xFFFF;
        interfaceSnaplen[id] = view.getInt(position + 12, order) & 0xFFFF_FFFFL;
        interfaceDecimalExponent[id] = 6;
        interfaceBinaryExponent[id] = 0;
        interfaceOffsetNanos[id] = 0;

        final int end = position + length - 4;
        int at = position + 16;
        while (at + 4 <= end)
        {
            final int code = view.getShort(at, order) & 0xFFFF;
            final int valueLength = view.getShort(at + 2, order) & 0xFFFF;
            final int value = at + 4;
            if (OPTION_END == code)
            {
                break;
            }
            if (value + valueLength > end)
            {
                throw new PcapFormatException(name, base + at,
                    "option " + code + " of " + valueLength + " bytes runs past the end of its block");
            }
            if (OPTION_IF_TSRESOL == code && 1 == valueLength)
            {
                setResolution(id, view.getByte(value) & 0xFF, base + value);
            }
            else if (OPTION_IF_TSOFFSET == code && 8 == valueLength)
            {
                interfaceOffsetNanos[id] = view.getLong(value, order) * NANOS_PER_SECOND;
            }
            at = value + align4(valueLength);
        }
        interfaceCount++;
    }

    private void setResolution(final int id, final int tsresol, final long optionOffset) throws PcapFormatException
    {
        final int exponent = tsresol & 0x7F;
        if (0 == (tsresol & 0x80))
        {
            if (exponent >= POWERS_OF_TEN.length + 9)
            {
                throw new PcapFormatException(name, optionOffset, "if_tsresol 10^-" + exponent + " is not supported");
            }
            interfaceDecimalExponent[id] = exponent;
        }
        else
        {
            if (exponent > 63)
            {
                throw new PcapFormatException(name, optionOffset, "if_tsresol 2^-" + exponent + " is not supported");
            }
            interfaceDecimalExponent[id] = -1;
            interfaceBinaryExponent[id] = exponent;
        }
    }

    private int readEnhancedPacket(final PcapRecordHandler handler, final long blockOffset, final int length)
        throws PcapFormatException
    {
        final int id = view.getInt(position + 8, order);
        checkInterface(blockOffset, id);
        final long units = ((long)view.getInt(position + 12, order) << 32) |
            (view.getInt(position + 16, order) & 0xFFFF_FFFFL);
        final long captured = view.getInt(position + 20, order) & 0xFFFF_FFFFL;
        final long original = view.getInt(position + 24, order) & 0xFFFF_FFFFL;
        if (EPB_MIN_LENGTH + align4(captured) > length)
        {
            throw new PcapFormatException(name, blockOffset,
                "enhanced packet block of " + length + " bytes cannot hold its captured length " + captured);
        }
        checkSnaplen(blockOffset, id, captured);
        final int dataAt = position + 28;
        position += length;
        handler.onRecord(toNanos(id, units), interfaceLinkType[id], view, dataAt, (int)captured, clampToInt(original));
        return 1;
    }

    private int readSimplePacket(final PcapRecordHandler handler, final long blockOffset, final int length)
        throws PcapFormatException
    {
        checkInterface(blockOffset, 0);
        final long original = view.getInt(position + 8, order) & 0xFFFF_FFFFL;
        long captured = Math.min(original, length - SPB_MIN_LENGTH);
        if (0 != interfaceSnaplen[0])
        {
            captured = Math.min(captured, interfaceSnaplen[0]);
        }
        final int dataAt = position + 12;
        position += length;
        handler.onRecord(0, interfaceLinkType[0], view, dataAt, (int)captured, clampToInt(original));
        return 1;
    }

    private void checkInterface(final long blockOffset, final int id) throws PcapFormatException
    {
        if (id < 0 || id >= interfaceCount)
        {
            throw new PcapFormatException(name, blockOffset, "packet names interface " + (id & 0xFFFF_FFFFL) +
                " but its section describes " + interfaceCount);
        }
    }

    private void checkSnaplen(final long blockOffset, final int id, final long captured) throws PcapFormatException
    {
        if (0 != interfaceSnaplen[id] && captured > interfaceSnaplen[id])
        {
            throw new PcapFormatException(name, blockOffset, "packet captured length " + captured +
                " is longer than interface " + id + "'s snaplen " + interfaceSnaplen[id]);
        }
    }

    private long toNanos(final int id, final long units)
    {
        final long nanos;
        final int decimal = interfaceDecimalExponent[id];
        if (decimal >= 0)
        {
            nanos = decimal <= 9 ?
                units * POWERS_OF_TEN[9 - decimal] :
                Long.divideUnsigned(units, POWERS_OF_TEN[decimal - 9]);
        }
        else
        {
            final int shift = interfaceBinaryExponent[id];
            final long seconds = units >>> shift;
            long fraction = 0 == shift ? 0 : units & (-1L >>> (64 - shift));
            int fractionShift = shift;
            if (fractionShift > 33)
            {
                // Keep fraction * 10^9 within 63 bits; the bits dropped are worth less than 1 ns.
                fraction >>>= fractionShift - 33;
                fractionShift = 33;
            }
            nanos = seconds * NANOS_PER_SECOND + ((fraction * NANOS_PER_SECOND) >>> fractionShift);
        }
        return nanos + interfaceOffsetNanos[id];
    }

    private long blockLength(final long blockOffset, final int rawLength) throws PcapFormatException
    {
        final long length = rawLength & 0xFFFF_FFFFL;
        if (length < BLOCK_MIN_LENGTH || 0 != (length & 3))
        {
            throw new PcapFormatException(name, blockOffset, "bad pcapng block length " + length +
                " (must be a multiple of 4, at least " + BLOCK_MIN_LENGTH + ")");
        }
        return length;
    }

    /** Bring a whole block into the buffer and check its minimum size and trailing length. */
    private void loadBlock(final long blockOffset, final long length, final int minLength, final String what)
        throws IOException
    {
        if (length < minLength)
        {
            throw new PcapFormatException(name, blockOffset, what + " length " + length +
                " is shorter than its fixed fields (" + minLength + ")");
        }
        checkFits(blockOffset, length, what);
        if (!ensure((int)length))
        {
            throw truncated(blockOffset, what + " of " + length + " bytes", length);
        }
        checkTrailer(blockOffset, length, view.getInt(position + (int)length - 4, order));
    }

    /** Stream past a block that carries no packet, however long, and check its trailing length. */
    private void skipBlock(final long blockOffset, final long length) throws IOException
    {
        long remaining = length - 4;
        while (remaining > 0)
        {
            if (!ensure(1))
            {
                throw truncated(blockOffset, "block of " + length + " bytes", length);
            }
            final int step = (int)Math.min(remaining, limit - position);
            position += step;
            remaining -= step;
        }
        if (!ensure(4))
        {
            throw truncated(blockOffset, "block of " + length + " bytes", length);
        }
        checkTrailer(blockOffset, length, view.getInt(position, order));
        position += 4;
    }

    private void checkTrailer(final long blockOffset, final long length, final int trailer) throws PcapFormatException
    {
        if ((trailer & 0xFFFF_FFFFL) != length)
        {
            throw new PcapFormatException(name, blockOffset, "pcapng block length mismatch: header says " + length +
                ", trailer says " + (trailer & 0xFFFF_FFFFL));
        }
    }

    private void checkFits(final long offset, final long length, final String what) throws PcapFormatException
    {
        if (length > buffer.capacity())
        {
            throw new PcapFormatException(name, offset, what + " of " + length +
                " bytes is longer than the read buffer (" + buffer.capacity() + " bytes)");
        }
    }

    private PcapFormatException truncated(final long offset, final String what, final long needed)
    {
        return new PcapFormatException(name, offset, "truncated " + what + ": needs " + needed +
            " bytes, the file ends after " + available());
    }

    private boolean atEnd() throws IOException
    {
        return !ensure(1);
    }

    private int available()
    {
        return limit - position;
    }

    /**
     * Make at least {@code needed} unread bytes available from {@link #position}, compacting and
     * refilling the buffer as required.
     *
     * @return false if the file ends first.
     */
    private boolean ensure(final int needed) throws IOException
    {
        if (limit - position >= needed)
        {
            return true;
        }
        if (endOfFile)
        {
            return false;
        }
        buffer.limit(limit).position(position);
        buffer.compact();
        base += position;
        position = 0;
        while (buffer.position() < needed)
        {
            if (channel.read(buffer) < 0)
            {
                endOfFile = true;
                break;
            }
        }
        limit = buffer.position();
        return limit >= needed;
    }

    private static long align4(final long length)
    {
        return (length + 3) & ~3L;
    }

    private static int align4(final int length)
    {
        return (length + 3) & ~3;
    }

    private static int clampToInt(final long value)
    {
        return (int)Math.min(value, Integer.MAX_VALUE);
    }
}
