package io.jmtcp.stats;

import io.jmtcp.wire.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void aReaderSeesTheWritersCountersLive() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        try (StackCounters counters = new StackCounters("ctx0", file);
            CountersFile reader = CountersFile.open(file))
        {
            counters.increment(StackCounter.RX_FRAMES);
            counters.add(StackCounter.RX_BYTES, 1500);
            counters.drop(DropReason.TCP_BAD_CHECKSUM);
            assertEquals(ProcessHandle.current().pid(), reader.pid());
            final String text = reader.format(false);
            assertTrue(text.contains("ctx0: rx frames: 1\n"), text);
            assertTrue(text.contains("ctx0: rx bytes: 1500\n"), text);
            assertTrue(text.contains("ctx0: drop tcp checksum bad: 1\n"), text);

            counters.increment(StackCounter.RX_FRAMES);
            assertTrue(reader.format(false).contains("ctx0: rx frames: 2\n"), "values are live, not a copy");
            assertEquals(counters.format(true), reader.format(true));
        }
    }

    @Test
    void aRestartReplacesTheFileWhileAReaderOfTheOldOneKeepsItsLastValues() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        final StackCounters first = new StackCounters("ctx0", file);
        first.add(StackCounter.TX_FRAMES, 7);
        try (CountersFile oldReader = CountersFile.open(file))
        {
            first.close();
            final StackCounters second = new StackCounters("ctx0", file);
            second.add(StackCounter.TX_FRAMES, 3);
            assertTrue(oldReader.format(false).contains("ctx0: tx frames: 7\n"), oldReader.format(false));
            try (CountersFile newReader = CountersFile.open(file))
            {
                assertTrue(newReader.format(false).contains("ctx0: tx frames: 3\n"), newReader.format(false));
            }
        }
    }

    @Test
    void aStoppedStacksCountersStayReadable() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        final StackCounters counters = new StackCounters("ctx0", file);
        counters.add(StackCounter.RX_FRAMES, 42);
        counters.close();
        counters.close();
        try (CountersFile reader = CountersFile.open(file))
        {
            assertTrue(reader.format(false).contains("ctx0: rx frames: 42\n"), reader.format(false));
        }
        assertEquals(42, counters.get(StackCounter.RX_FRAMES), "still readable in process after close");
    }

    @Test
    void aClosedReaderRefusesInsteadOfTouchingTheMapping() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        new StackCounters("ctx0", file).close();
        final CountersFile reader = CountersFile.open(file);
        reader.close();
        reader.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> reader.format(true));
        assertTrue(ex.getMessage().contains("is closed"), ex.getMessage());
    }

    @Test
    void aMissingFileIsNamed()
    {
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(dir.resolve("none")));
        assertTrue(ex.getMessage().contains("no counters file at"), ex.getMessage());
    }

    @Test
    void aFileShorterThanTheHeaderIsRefused() throws IOException
    {
        final Path file = Files.write(dir.resolve("short"), new byte[10]);
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(file));
        assertTrue(ex.getMessage().contains("shorter than its header"), ex.getMessage());
    }

    @Test
    void aFileWithoutTheMagicIsRefused() throws IOException
    {
        final Path file = Files.write(dir.resolve("other"), new byte[4096]);
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(file));
        assertTrue(ex.getMessage().contains("not a jmtcp counters file: bad magic"), ex.getMessage());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        new StackCounters("ctx0", file).close();
        final byte[] bytes = Files.readAllBytes(file);
        final Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(bytes, bytes.length - 128));
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(truncated));
        assertTrue(ex.getMessage().contains("do not match the file's"), ex.getMessage());
    }

    @Test
    void lengthsThatAreNotWholeCounterRecordsAreRefused() throws IOException
    {
        final Path file = dir.resolve("ctx0.counters");
        new StackCounters("ctx0", file).close();
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int metadata = header.getInt(12);
        final int values = header.getInt(16);
        header.putInt(12, metadata - 8);
        header.putInt(16, values + 8);
        final Path odd = Files.write(dir.resolve("odd"), bytes);
        final IOException ex = assertThrows(IOException.class, () -> CountersFile.open(odd));
        assertTrue(ex.getMessage().contains("not whole counter records"), ex.getMessage());
    }

    @Test
    void creatingInAMissingDirectoryIsNamed()
    {
        final Path file = dir.resolve("no/such/dir/ctx0.counters");
        final IOException ex = assertThrows(IOException.class, () -> new StackCounters("ctx0", file));
        assertTrue(ex.getMessage().contains("counters file directory does not exist"), ex.getMessage());
    }
}
