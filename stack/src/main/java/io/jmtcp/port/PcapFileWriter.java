package io.jmtcp.port;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a classic pcap file with nanosecond timestamps, the format libpcap, tcpdump and
 * Wireshark all read.
 *
 * <pre>
 * file header (24 bytes, little-endian like every field below)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  magic 0xa1b23c4d (nanoseconds)               |  0
 * |       version major 2         |       version minor 4         |  4
 * |                   thiszone 0  |  sigfigs 0                    |  8, 12
 * |                           snaplen                             | 16
 * |                          link type                            | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * record header (16 bytes), then the captured bytes
 * |                     seconds since the epoch                   |  0
 * |                  nanoseconds within the second                |  4
 * |          captured length (at most snaplen)                    |  8
 * |                  original length                              | 12
 * </pre>
 *
 * <p>Records are staged in a direct buffer allocated once and written to a {@link FileChannel}
 * when it fills, on {@link #flush()} and on {@link #close()}: writing a record allocates nothing
 * and makes a system call only once per buffer-full. Not thread-safe: one thread writes.
 */
public final class PcapFileWriter implements Closeable
{
    /** Magic number of a classic pcap file whose record timestamps are in nanoseconds. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;

    /** Default and largest snapshot length: 262144 bytes, tcpdump's, so that no frame is cut. */
    public static final int DEFAULT_SNAPLEN = 262_144;

    private static final int FILE_HEADER_LENGTH = 24;
    private static final int RECORD_HEADER_LENGTH = 16;
    private static final int MIN_STAGING_LENGTH = 64 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final FileChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingView;
    private final int snaplen;
    private final String name;
    private int stagedLength;
    private long records;
    private boolean closed;

    private PcapFileWriter(final Path path, final FileChannel channel, final int linkType, final int snaplen)
    {
        this.name = path.toString();
        this.channel = channel;
        this.snaplen = snaplen;
        this.staging = ByteBuffer.allocateDirect(Math.max(MIN_STAGING_LENGTH, RECORD_HEADER_LENGTH + snaplen));
        this.stagingView = new UnsafeBuffer(staging);
        stagingView.putInt(0, MAGIC_NANOS, ORDER);
        stagingView.putShort(4, (short)2, ORDER);
        stagingView.putShort(6, (short)4, ORDER);
        stagingView.putInt(8, 0, ORDER);
        stagingView.putInt(12, 0, ORDER);
        stagingView.putInt(16, snaplen, ORDER);
        stagingView.putInt(20, linkType, ORDER);
        stagedLength = FILE_HEADER_LENGTH;
    }

    /**
     * Create (or truncate) a capture file of Ethernet frames with the default snapshot length.
     *
     * @param path of the file.
     * @return the writer; the file header is written on the first flush.
     * @throws IOException if the file cannot be opened for writing.
     */
    public static PcapFileWriter open(final Path path) throws IOException
    {
        return open(path, PcapLinkType.ETHERNET, DEFAULT_SNAPLEN);
    }

    /**
     * Create (or truncate) a capture file.
     *
     * @param path     of the file.
     * @param linkType of every record, a {@link PcapLinkType} value.
     * @param snaplen  records are cut to this many bytes; in {@code [1, 262144]}.
     * @return the writer; the file header is written on the first flush.
     * @throws IOException if the file cannot be opened for writing.
     * @throws IllegalArgumentException if the link type or snaplen is out of range.
     */
    public static PcapFileWriter open(final Path path, final int linkType, final int snaplen) throws IOException
    {
        if (linkType < 0 || linkType > 0xFFFF)
        {
            throw new IllegalArgumentException("linkType must fit 16 bits: " + linkType);
        }
        if (snaplen < 1 || snaplen > DEFAULT_SNAPLEN)
        {
            // Above 262144 bytes Wireshark and libpcap reject the records as corrupt.
            throw new IllegalArgumentException("snaplen must be in [1, " + DEFAULT_SNAPLEN + "]: " + snaplen);
        }
        final FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new PcapFileWriter(path, channel, linkType, snaplen);
    }

    /**
     * Append one record; bytes past the snapshot length are cut, the original length is kept.
     *
     * @param epochNanos capture time in nanoseconds since the Unix epoch (the file stores the
     *                   seconds as an unsigned 32-bit number: 1970 to 2106).
     * @param buffer     holding the packet.
     * @param offset     of the packet in the buffer.
     * @param length     of the packet; at least 0.
     * @throws IOException if writing a full staging buffer to the file fails, or the writer is closed.
     */
    public void write(final long epochNanos, final DirectBuffer buffer, final int offset, final int length)
        throws IOException
    {
        if (closed)
        {
            throw new ClosedChannelException();
        }
        if (length < 0)
        {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        final int captured = Math.min(length, snaplen);
        if (stagedLength + RECORD_HEADER_LENGTH + captured > staging.capacity())
        {
            drain();
        }
        final int at = stagedLength;
        stagingView.putInt(at, (int)Math.floorDiv(epochNanos, NANOS_PER_SECOND), ORDER);
        stagingView.putInt(at + 4, (int)Math.floorMod(epochNanos, NANOS_PER_SECOND), ORDER);
        stagingView.putInt(at + 8, captured, ORDER);
        stagingView.putInt(at + 12, length, ORDER);
        stagingView.putBytes(at + RECORD_HEADER_LENGTH, buffer, offset, captured);
        stagedLength = at + RECORD_HEADER_LENGTH + captured;
        records++;
    }

    /**
     * Write every staged record to the file (to the operating system; no fsync).
     *
     * @throws IOException if the write fails or the writer is closed.
     */
    public void flush() throws IOException
    {
        if (closed)
        {
            throw new ClosedChannelException();
        }
        drain();
    }

    /**
     * Records written (or staged) so far.
     *
     * @return the count.
     */
    public long records()
    {
        return records;
    }

    /**
     * Flush and close the file. Idempotent; the file is closed even if the final flush fails.
     *
     * @throws IOException if the final flush or the close fails.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            drain();
        }
        finally
        {
            channel.close();
        }
    }

    @Override
    public String toString()
    {
        return "PcapFileWriter{" + name + ", records=" + records + (closed ? ", closed" : "") + '}';
    }

    private void drain() throws IOException
    {
        staging.clear().limit(stagedLength);
        try
        {
            while (staging.hasRemaining())
            {
                channel.write(staging);
            }
        }
        finally
        {
            // Never write the same bytes twice: after a failed write (disk full) the staged records
            // are dropped and the file may end in a partial record, which readers report as truncated.
            stagedLength = 0;
        }
    }
}
