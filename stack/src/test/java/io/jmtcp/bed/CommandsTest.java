package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Running external tools: output capture, failure descriptions, and timeouts that never hang. */
class CommandsTest
{
    @Test
    void capturesExitCodeAndBothStreams()
    {
        final CommandResult result = Commands.run(Duration.ofSeconds(5), "sh", "-c", "echo out; echo oops >&2; exit 3");

        assertFalse(result.ok());
        assertEquals(3, result.exitCode());
        assertEquals("out\n", result.stdout());
        assertEquals("oops\n", result.stderr());
        assertEquals("`sh -c echo out; echo oops >&2; exit 3` failed (exit 3): oops", result.describe());
        final BedException thrown = assertThrows(BedException.class, result::orThrow);
        assertEquals(result.describe(), thrown.getMessage());
    }

    @Test
    void passesTheEnvironment()
    {
        final CommandResult result = Commands.SYSTEM.run(
            Duration.ofSeconds(5), Map.of("JMTCP_PROBE", "42"), List.of("sh", "-c", "echo $JMTCP_PROBE")).orThrow();

        assertEquals("42", result.stdout().trim());
    }

    @Test
    void timeoutKillsTheWholeTreeAndSaysSo()
    {
        final CommandResult result = Commands.run(Duration.ofMillis(300), "sh", "-c", "sleep 30 & echo $!; sleep 30");

        assertTrue(result.timedOut());
        assertFalse(result.ok());
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(5)) < 0, result.elapsed().toString());
        assertTrue(result.describe().contains("timed out after"), result.describe());
        final long background = Long.parseLong(result.stdout().trim());
        assertTrue(ProcessHandle.of(background).map(Commands::isGone).orElse(true), "background sleep " + background + " survived");
    }

    @Test
    void aMissingProgramIsReportedNotThrown()
    {
        final CommandResult result = Commands.run(Duration.ofSeconds(5), "jmtcp-no-such-program", "x");

        assertEquals(CommandResult.NOT_STARTED, result.exitCode());
        assertTrue(result.describe().startsWith("`jmtcp-no-such-program x` could not be started"), result.describe());
        assertTrue(Commands.which("jmtcp-no-such-program").isEmpty());
    }

    @Test
    void outputTailKeepsTheLastLines()
    {
        final CommandResult result = new CommandResult(List.of("/usr/bin/apt-get", "install"), 100,
            "a\nb\nc\n", "E: d\n", false, Duration.ZERO);

        assertEquals("c\nE: d", result.outputTail(2));
        assertEquals("apt-get install", result.commandLine());
    }
}
