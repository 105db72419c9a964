package io.jmtcp.bench;

import io.jmtcp.bed.NetnsBed;
import io.jmtcp.testing.ChildJvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link KernelSocketPeer} in a JVM of its own, pinned to one CPU with {@code taskset}, in the
 * bed's namespace or in the root namespace; its output lines are collected as they come.
 * {@link #close()} ends it (by its PID, with its descendants) if it still runs.
 */
final class PeerProcess implements AutoCloseable
{
    /** How long a process gets between SIGTERM and SIGKILL. */
    private static final long STOP_GRACE_MILLIS = 1000;

    private final Process process;
    private final String description;
    private final List<String> lines = new ArrayList<>();
    private final Thread stdout;
    private final Thread stderr;

    private PeerProcess(final Process process, final String description)
    {
        this.process = process;
        this.description = description;
        stdout = collect(process.getInputStream(), "stdout");
        stderr = collect(process.getErrorStream(), "stderr");
    }

    /**
     * Start a peer in the bed's namespace; the bed also stops it when it closes.
     *
     * @param bed  the bed.
     * @param cpu  the CPU to pin it to, or -1 for none.
     * @param args the peer's mode and arguments.
     * @return the running peer.
     */
    static PeerProcess inNamespace(final NetnsBed bed, final int cpu, final String... args)
    {
        final List<String> command = command(cpu, args);
        return new PeerProcess(bed.start(command.toArray(new String[0])),
            "peer in " + bed.namespace() + ": " + String.join(" ", args));
    }

    /**
     * Start a peer in the root namespace, as a child of this JVM.
     *
     * @param cpu  the CPU to pin it to, or -1 for none.
     * @param args the peer's mode and arguments.
     * @return the running peer.
     * @throws IOException if it cannot be started.
     */
    static PeerProcess inRoot(final int cpu, final String... args) throws IOException
    {
        return new PeerProcess(new ProcessBuilder(command(cpu, args)).start(),
            "peer in the root namespace: " + String.join(" ", args));
    }

    /**
     * Wait for a line that starts with {@code prefix}.
     *
     * @param prefix  what the line starts with.
     * @param timeout the longest wait.
     * @return the line.
     * @throws IllegalStateException if the process ends or the time runs out first, with its output.
     * @throws InterruptedException  if this thread is interrupted.
     */
    String awaitLine(final String prefix, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines)
        {
            while (true)
            {
                for (final String line : lines)
                {
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !stdout.isAlive()))
                {
                    throw new IllegalStateException(description + ": no line starting with '" + prefix + "' "
                        + (process.isAlive() ? "within " + timeout.toMillis() + " ms" : "before it exited")
                        + "; output: " + lines);
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * Wait for the process to exit with status 0 and return its line that starts with
     * {@code prefix}.
     *
     * @param prefix  what the line starts with.
     * @param timeout the longest wait.
     * @return the line.
     * @throws IllegalStateException if it does not exit in time, fails, or printed no such line.
     * @throws InterruptedException  if this thread is interrupted.
     */
    String awaitResult(final String prefix, final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException(description + ": still running after " + timeout.toMillis() + " ms; output: "
                + output());
        }
        stdout.join(STOP_GRACE_MILLIS);
        stderr.join(STOP_GRACE_MILLIS);
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(description + ": exit status " + process.exitValue() + "; output: "
                + output());
        }
        return awaitLine(prefix, Duration.ZERO);
    }

    /** End the process and its descendants by PID if it still runs: SIGTERM, then SIGKILL. */
    @Override
    public void close()
    {
        final List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        tree.add(process.toHandle());
        for (final ProcessHandle handle : tree)
        {
            handle.destroy();
        }
        for (final ProcessHandle handle : tree)
        {
            try
            {
                handle.onExit().get(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
            catch (final Exception e)
            {
                handle.destroyForcibly();
            }
        }
    }

    private String output()
    {
        synchronized (lines)
        {
            return lines.toString();
        }
    }

    private Thread collect(final InputStream stream, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            }
            catch (final IOException e)
            {
                // The process went away; what was read is kept.
            }
            finally
            {
                synchronized (lines)
                {
                    lines.notifyAll();
                }
            }
        }, "peer-" + name + "-" + process.pid());
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static List<String> command(final int cpu, final String... args)
    {
        final List<String> command = new ArrayList<>();
        if (cpu >= 0)
        {
            command.add("taskset");
            command.add("-c");
            command.add(Integer.toString(cpu));
        }
        command.addAll(ChildJvm.command(List.of("-Xmx256m"), KernelSocketPeer.class, args));
        return command;
    }
}
