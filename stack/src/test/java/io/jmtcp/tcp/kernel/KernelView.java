package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.NetnsBed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel peer's own view of the TCP exchange, an oracle of DESIGN.md §5: its SNMP counters
 * ({@code nstat}) and its sockets ({@code ss}), read inside the bed's namespace.
 */
final class KernelView
{
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private KernelView()
    {
    }

    /**
     * The namespace's absolute SNMP counters. {@code nstat} keeps one history file per user by
     * default, shared by every namespace (PACKET-IO-NOTES.md pitfall 10), so it gets a history of
     * the bed's own and is told not to update it ({@code -s}); {@code -a} prints absolute values,
     * which in a fresh namespace count this test's traffic only.
     *
     * @param bed the bed.
     * @return counter name to value, zeros included.
     */
    static Map<String, Long> nstat(final NetnsBed bed)
    {
        final Path history = Path.of(System.getProperty("java.io.tmpdir"), "jmtcp-nstat-" + bed.namespace());
        try
        {
            final CommandResult result = bed.exec(COMMAND_TIMEOUT, "env", "NSTAT_HISTORY=" + history, "nstat", "-asz");
            assertTrue(result.ok(), result.describe());
            final Map<String, Long> counters = new HashMap<>();
            for (final String line : result.stdout().split("\n"))
            {
                final String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[1].matches("\\d+"))
                {
                    counters.put(words[0], Long.parseLong(words[1]));
                }
            }
            return counters;
        }
        finally
        {
            deleteHistory(history);
        }
    }

    /**
     * Assert that the kernel counted no TCP checksum error and no bad segment: every segment our
     * stack sent verified (PACKET-IO-NOTES.md pitfall 2, the kernel as checksum oracle).
     *
     * @param bed the bed.
     * @return the counters, for further checks.
     */
    static Map<String, Long> assertNoChecksumErrors(final NetnsBed bed)
    {
        final Map<String, Long> counters = nstat(bed);
        assertTrue(counters.containsKey("TcpInCsumErrors"), "nstat printed no TcpInCsumErrors: " + counters);
        assertEquals(0L, counters.get("TcpInCsumErrors"), "kernel TcpInCsumErrors");
        assertEquals(0L, counters.getOrDefault("TcpInErrs", 0L), "kernel TcpInErrs");
        assertEquals(0L, counters.getOrDefault("IpInHdrErrors", 0L), "kernel IpInHdrErrors");
        return counters;
    }

    /**
     * {@code ss -tin} in the namespace: the kernel's TCP sockets with their internal details.
     *
     * @param bed    the bed.
     * @param filter an {@code ss} state filter and more, for example {@code "state", "established"}.
     * @return what ss printed.
     */
    static String ss(final NetnsBed bed, final String... filter)
    {
        final String[] command = new String[3 + filter.length];
        command[0] = "ss";
        command[1] = "-tinH";
        command[2] = "-o";
        System.arraycopy(filter, 0, command, 3, filter.length);
        final CommandResult result = bed.exec(COMMAND_TIMEOUT, command);
        assertTrue(result.ok(), result.describe());
        return result.stdout();
    }

    private static void deleteHistory(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
