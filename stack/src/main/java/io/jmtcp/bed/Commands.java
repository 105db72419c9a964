package io.jmtcp.bed;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs external tools with a time limit, captured output and no way to hang the caller.
 *
 * <p>Programs are looked up by absolute path, on {@code PATH} and then in the sbin and bin
 * directories, because a non-root user's {@code PATH} on Debian lacks {@code /usr/sbin}, where
 * {@code ip}, {@code tc}, {@code ethtool} and {@code sysctl} live. Standard input is
 * {@code /dev/null} so that nothing (apt-get, a pager) ever waits for a keyboard.
 */
final class Commands implements CommandRunner
{
    /** The runner for real commands. */
    static final Commands SYSTEM = new Commands();

    private static final List<String> FALLBACK_DIRECTORIES =
        List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    /** How long to wait for a killed process to be gone before calling it unkillable. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    /**
     * How long to wait for the output pipes to close after the process exited: a descendant
     * that escaped the kill (a daemon) may hold them open forever, and then we keep what we have.
     */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

    /** Output beyond this is read and dropped, so a chatty command cannot exhaust the heap. */
    private static final int OUTPUT_LIMIT = 8 << 20;

    private static final long POLL_MILLIS = 10;

    private Commands()
    {
    }

    /**
     * Find a program as a shell would, plus the sbin and bin directories.
     *
     * @param program a bare name ({@code ip}) or a path ({@code /usr/sbin/ip}).
     * @return the executable file, or empty if there is none.
     */
    static Optional<Path> which(final String program)
    {
        if (program.contains("/"))
        {
            final Path path = Path.of(program);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        final Set<String> directories = new LinkedHashSet<>();
        final String pathVariable = System.getenv("PATH");
        if (pathVariable != null)
        {
            for (final String directory : pathVariable.split(File.pathSeparator))
            {
                if (!directory.isEmpty())
                {
                    directories.add(directory);
                }
            }
        }
        directories.addAll(FALLBACK_DIRECTORIES);
        for (final String directory : directories)
        {
            final Path candidate = Path.of(directory, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The command with its program replaced by the absolute path {@link #which} finds; a
     * program that is not found is left as given, so that the failure to start names it.
     *
     * @param command the program and its arguments.
     * @return the resolved command.
     */
    static List<String> resolve(final List<String> command)
    {
        if (command.isEmpty())
        {
            throw new IllegalArgumentException("empty command");
        }
        final List<String> resolved = new ArrayList<>(command);
        which(command.get(0)).ifPresent(path -> resolved.set(0, path.toString()));
        return resolved;
    }

    /**
     * Run a command with no extra environment.
     *
     * @param timeout the time limit.
     * @param command the program and its arguments.
     * @return what it did.
     */
    static CommandResult run(final Duration timeout, final String... command)
    {
        return SYSTEM.run(timeout, Map.of(), List.of(command));
    }

    @Override
    public CommandResult run(final Duration timeout, final Map<String, String> environment, final List<String> command)
    {
        final List<String> argv = resolve(command);
        final ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        final long start = System.nanoTime();
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            return new CommandResult(argv, CommandResult.NOT_STARTED, "", String.valueOf(ex.getMessage()), false, since(start));
        }
        final OutputCollector stdout = new OutputCollector(process.getInputStream(), "stdout of " + argv.get(0));
        final OutputCollector stderr = new OutputCollector(process.getErrorStream(), "stderr of " + argv.get(0));
        boolean timedOut = false;
        try
        {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
            {
                timedOut = true;
                destroyTree(process.toHandle(), Duration.ZERO);
                process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            destroyTree(process.toHandle(), Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new BedException("interrupted while running `" + String.join(" ", command) + "`; it was killed", ex);
        }
        final Duration elapsed = since(start);
        final int exitCode = process.isAlive() ? CommandResult.NOT_STARTED : process.exitValue();
        return new CommandResult(argv, exitCode, stdout.text(), stderr.text(), timedOut, elapsed);
    }

    /**
     * Stop a process and all its descendants: SIGTERM and a grace period when {@code grace} is
     * positive, then SIGKILL for whatever is left.
     *
     * <p>The tree is captured before anything is signalled, because a killed parent's children
     * are re-parented and no longer show up as its descendants. Deepest processes are signalled
     * first so that a parent still alive can reap them; orphans go to PID 1, which on some
     * minimal VMs never reaps, so a zombie counts as gone.
     *
     * @param root  the process at the top of the tree (one we started).
     * @param grace how long SIGTERM gets before SIGKILL; zero to kill at once.
     * @return true if every process of the tree is gone.
     */
    static boolean destroyTree(final ProcessHandle root, final Duration grace)
    {
        final List<ProcessHandle> tree = deepestFirst(root);
        if (!grace.isZero() && !grace.isNegative())
        {
            tree.forEach(ProcessHandle::destroy);
            if (awaitGone(tree, grace))
            {
                return true;
            }
        }
        tree.forEach(ProcessHandle::destroyForcibly);
        return awaitGone(tree, KILL_WAIT);
    }

    /**
     * Whether a process has exited: not alive, or a zombie nobody reaps.
     *
     * @param process the process.
     * @return true if it no longer runs.
     */
    static boolean isGone(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return true;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // The state follows the command name, which is in parentheses and may itself contain them.
            final int afterName = stat.lastIndexOf(')');
            final char state = afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state == 'Z' || state == 'X';
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private static List<ProcessHandle> deepestFirst(final ProcessHandle root)
    {
        final List<ProcessHandle> breadthFirst = new ArrayList<>();
        breadthFirst.add(root);
        for (int i = 0; i < breadthFirst.size(); i++)
        {
            breadthFirst.get(i).children().forEach(breadthFirst::add);
        }
        Collections.reverse(breadthFirst);
        return breadthFirst;
    }

    private static boolean awaitGone(final List<ProcessHandle> processes, final Duration within)
    {
        final long deadline = System.nanoTime() + within.toNanos();
        while (true)
        {
            if (processes.stream().allMatch(Commands::isGone))
            {
                return true;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            try
            {
                Thread.sleep(POLL_MILLIS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return processes.stream().allMatch(Commands::isGone);
            }
        }
    }

    private static Duration since(final long startNanos)
    {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * Drains one output pipe on its own thread, so that a command filling the other pipe's
     * buffer never blocks, and so that a timeout is never held up by a read.
     */
    private static final class OutputCollector
    {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        OutputCollector(final InputStream in, final String name)
        {
            thread = new Thread(() -> drain(in), name);
            thread.setDaemon(true);
            thread.start();
        }

        String text()
        {
            try
            {
                thread.join(DRAIN_WAIT.toMillis());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            synchronized (bytes)
            {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        private void drain(final InputStream in)
        {
            final byte[] chunk = new byte[8192];
            try (in)
            {
                int n;
                while ((n = in.read(chunk)) >= 0)
                {
                    synchronized (bytes)
                    {
                        final int room = OUTPUT_LIMIT - bytes.size();
                        bytes.write(chunk, 0, Math.max(0, Math.min(n, room)));
                    }
                }
            }
            catch (final IOException ex)
            {
                // The pipe closes under us when the process is killed; what was read is kept.
            }
        }
    }
}
