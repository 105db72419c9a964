package io.jmtcp.bed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What an external command did: its exit code, what it printed, whether it ran out of time.
 *
 * @param command  the command as run, program first.
 * @param exitCode the exit code; {@link #NOT_STARTED} if the program could not be started, and
 *                 whatever the killed process reported (usually 137) after a timeout.
 * @param stdout   everything it printed on standard output.
 * @param stderr   everything it printed on standard error.
 * @param timedOut true if it outlived its time limit and was killed, with its descendants.
 * @param elapsed  wall-clock time from start to exit (or to the kill).
 */
public record CommandResult(
    List<String> command, int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed)
{
    /** The exit code reported when the program could not even be started. */
    public static final int NOT_STARTED = -1;

    /** The most lines of output that {@link #describe()} quotes. */
    private static final int DESCRIBE_LINES = 20;

    /**
     * Validates and copies the command.
     *
     * @param command  the command as run.
     * @param exitCode its exit code.
     * @param stdout   its standard output.
     * @param stderr   its standard error.
     * @param timedOut whether it was killed for running too long.
     * @param elapsed  how long it ran.
     */
    public CommandResult
    {
        command = List.copyOf(command);
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * Whether the command ran to completion and exited with 0.
     *
     * @return true on success.
     */
    public boolean ok()
    {
        return !timedOut && exitCode == 0;
    }

    /**
     * The command as a person would type it: the program by its file name, not its full path.
     *
     * @return the command line.
     */
    public String commandLine()
    {
        if (command.isEmpty())
        {
            return "";
        }
        final String[] words = command.toArray(new String[0]);
        final Path program = Path.of(words[0]).getFileName();
        words[0] = program == null ? words[0] : program.toString();
        return String.join(" ", Arrays.asList(words));
    }

    /**
     * A one-paragraph account for an exception message or a log line, quoting the end of
     * stderr (or of stdout when stderr is empty), for example
     * {@code `ip link add ...` failed (exit 2): RTNETLINK answers: File exists}.
     *
     * @return the description.
     */
    public String describe()
    {
        final String quoted = tail(stderr.isBlank() ? stdout : stderr, DESCRIBE_LINES);
        final String suffix = quoted.isEmpty() ? "" : ": " + quoted;
        final String line = '`' + commandLine() + '`';
        if (timedOut)
        {
            return line + " timed out after " + elapsed.toMillis() + " ms and was killed" + suffix;
        }
        if (exitCode == NOT_STARTED)
        {
            return line + " could not be started" + suffix;
        }
        if (exitCode == 0)
        {
            return line + " succeeded";
        }
        return line + " failed (exit " + exitCode + ")" + suffix;
    }

    /**
     * This result if it is {@link #ok()}, else a {@link BedException} with {@link #describe()}.
     *
     * @return this result.
     * @throws BedException if the command failed or timed out.
     */
    public CommandResult orThrow()
    {
        if (!ok())
        {
            throw new BedException(describe());
        }
        return this;
    }

    /**
     * The last lines of standard output followed by standard error, trimmed: the part of an
     * installer's or a tool's output that usually says what went wrong.
     *
     * @param lines how many lines at most.
     * @return the lines, joined with newlines.
     */
    public String outputTail(final int lines)
    {
        return tail(stdout.strip() + "\n" + stderr.strip(), lines);
    }

    private static String tail(final String text, final int lines)
    {
        final String[] all = text.strip().split("\n");
        final int from = Math.max(0, all.length - lines);
        return String.join("\n", Arrays.asList(all).subList(from, all.length)).strip();
    }
}
