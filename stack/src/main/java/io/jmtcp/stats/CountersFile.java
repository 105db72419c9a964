package io.jmtcp.stats;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A context's counters in a memory-mapped file, so that another process (the {@code stats}
 * command, a monitoring agent) reads them live while the stack runs (DESIGN.md §4).
 *
 * <pre>
 *  0                   8          12          16          20          24        32          64
 *  +-------------------+----------+-----------+-----------+-----------+---------+-----------+
 *  | magic "JMTCPCNT"  | version  | meta len  | value len | reserved  | pid     | reserved  |
 *  +-------------------+----------+-----------+-----------+-----------+---------+-----------+
 *  | Agrona counters metadata (meta len bytes)                                  |
 *  +----------------------------------------------------------------------------+
 *  | Agrona counters values (value len bytes)                                   |
 *  +----------------------------------------------------------------------------+
 * </pre>
 *
 * All header fields are little-endian, as Agrona's counter buffers are. The writer owns the
 * file; readers map it read-only and may open it at any time after it was created, also after
 * the writer stopped (the records stay). Nothing is unmapped explicitly: an access after an
 * explicit unmap would crash the JVM, so mappings go when the garbage collector finds them
 * unreachable.
 */
public final class CountersFile implements AutoCloseable
{
    /** "JMTCPCNT" as a little-endian long. */
    static final long MAGIC = 0x544E_4350_4354_4D4AL;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 64;
    private static final int VERSION_OFFSET = 8;
    private static final int METADATA_LENGTH_OFFSET = 12;
    private static final int VALUES_LENGTH_OFFSET = 16;
    private static final int PID_OFFSET = 24;

    private final Path path;
    private final CountersReader reader;
    private final long pid;
    private boolean closed;

    private CountersFile(final Path path, final CountersReader reader, final long pid)
    {
        this.path = path;
        this.reader = reader;
        this.pid = pid;
    }

    /**
     * Create (or replace) a counters file for the calling process and map it read-write.
     *
     * @param path           the file.
     * @param metadataLength bytes of Agrona counter metadata.
     * @param valuesLength   bytes of Agrona counter values.
     * @return the mapping; the caller builds its counters manager over
     *         {@link #metadataBuffer} and {@link #valuesBuffer}.
     * @throws IOException if the file cannot be created or mapped.
     */
    static MappedByteBuffer create(final Path path, final int metadataLength, final int valuesLength)
        throws IOException
    {
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent))
        {
            throw new IOException("counters file directory does not exist: " + parent);
        }
        // Replace by unlinking, never by truncating in place: a reader that still maps the old
        // file keeps its inode and reads the last values, where truncation would fault it (SIGBUS).
        Files.deleteIfExists(path);
        final MappedByteBuffer mapping;
        try
        {
            mapping = IoUtil.mapNewFile(path.toFile(), (long)HEADER_LENGTH + metadataLength + valuesLength, true);
        }
        catch (final Exception ex)
        {
            throw new IOException("cannot create counters file " + path + ": " + ex, ex);
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, VERSION, ByteOrder.LITTLE_ENDIAN);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength, ByteOrder.LITTLE_ENDIAN);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength, ByteOrder.LITTLE_ENDIAN);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid(), ByteOrder.LITTLE_ENDIAN);
        // The magic goes last, with release semantics, so a reader never sees a half-made header.
        header.putLongRelease(0, MAGIC);
        return mapping;
    }

    static UnsafeBuffer metadataBuffer(final MappedByteBuffer mapping, final int metadataLength)
    {
        return new UnsafeBuffer(mapping, HEADER_LENGTH, metadataLength);
    }

    static UnsafeBuffer valuesBuffer(final MappedByteBuffer mapping, final int metadataLength, final int valuesLength)
    {
        return new UnsafeBuffer(mapping, HEADER_LENGTH + metadataLength, valuesLength);
    }

    /**
     * Open a counters file another process (or this one) writes, read-only.
     *
     * @param path the file.
     * @return the open file; close it to unmap.
     * @throws IOException if it does not exist or is not a jmtcp counters file.
     */
    public static CountersFile open(final Path path) throws IOException
    {
        if (!Files.isRegularFile(path))
        {
            throw new IOException("no counters file at " + path);
        }
        final long size = Files.size(path);
        if (size < HEADER_LENGTH)
        {
            throw new IOException(path + " is not a jmtcp counters file: " + size + " bytes, shorter than its header");
        }
        final MappedByteBuffer mapping = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY,
            "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        final long magic = header.getLongAcquire(0);
        final int version = header.getInt(VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final String problem = magic != MAGIC ? "bad magic" :
            version != VERSION ? "version " + version + ", expected " + VERSION :
            metadataLength < 0 || valuesLength < 0 || HEADER_LENGTH + (long)metadataLength + valuesLength != size ?
                "lengths " + metadataLength + "+" + valuesLength + " do not match the file's " + size + " bytes" :
            metadataLength % CountersReader.METADATA_LENGTH != 0 ||
                valuesLength / CountersReader.COUNTER_LENGTH != metadataLength / CountersReader.METADATA_LENGTH ?
                "lengths " + metadataLength + "+" + valuesLength + " are not whole counter records" : null;
        if (problem != null)
        {
            throw new IOException(path + " is not a jmtcp counters file: " + problem);
        }
        final CountersReader reader = new CountersReader(metadataBuffer(mapping, metadataLength),
            valuesBuffer(mapping, metadataLength, valuesLength), StandardCharsets.US_ASCII);
        return new CountersFile(path, reader, header.getLong(PID_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * @return a reader over the live counters.
     */
    public CountersReader reader()
    {
        ensureOpen();
        return reader;
    }

    /**
     * @return the process that created the file.
     */
    public long pid()
    {
        return pid;
    }

    /**
     * @return whether the process that created the file is still running.
     */
    public boolean writerAlive()
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * @return the file.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Allocated counters, one {@code label: value} per line; zero values only when {@code all}.
     *
     * @param all include counters that are zero.
     * @return the text.
     */
    public String format(final boolean all)
    {
        ensureOpen();
        return StackCounters.format(reader, all);
    }

    /** Stop reading: later calls throw. Idempotent. The mapping goes with the garbage collector. */
    @Override
    public void close()
    {
        closed = true;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("counters file " + path + " is closed");
        }
    }
}
