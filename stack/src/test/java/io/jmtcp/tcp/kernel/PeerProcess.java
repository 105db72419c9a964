package io.jmtcp.tcp.kernel;

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
import java.util.function.Consumer;

/**
 * A {@link KernelPeer} running in a bed's namespace, in a JVM of its own: its stdout lines are
 * collected as they come, so a test can wait for one ({@code listening}) and read the
 * {@code key=value} results once it exits. The bed stops the process when it closes, so a peer
 * never outlives its test.
 */
public final class PeerProcess
{
    /**
     * A small heap and the serial collector: the peer holds 64 KB buffers, and on two vCPUs a
     * parallel collector's threads would only compete with the stack under test.
     */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC");

    private final Process process;
    private final String description;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private PeerProcess(final Process process, final String description)
    {
        this.process = process;
        this.description = description;
        this.stdoutReader = drain(process.getInputStream(), this::addLine, "peer-stdout");
        this.stderrReader = drain(process.getErrorStream(), this::addStderr, "peer-stderr");
    }

    /**
     * Start {@code KernelPeer args...} in the bed's namespace.
     *
     * @param bed  the bed.
     * @param args the peer's mode and arguments.
     * @return the running peer.
     */
    public static PeerProcess start(final NetnsBed bed, final String... args)
    {
        return start(bed, KernelPeer.class, args);
    }

    /**
     * Start another kernel-side program in the bed's namespace (the socket API tests' crowd of
     * connections), with the same JVM options and output handling.
     *
     * @param bed       the bed.
     * @param mainClass the program.
     * @param args      its arguments.
     * @return the running peer.
     */
    public static PeerProcess start(final NetnsBed bed, final Class<?> mainClass, final String... args)
    {
        final List<String> command = ChildJvm.command(JVM_OPTIONS, mainClass, args);
        return new PeerProcess(bed.start(command.toArray(new String[0])),
            mainClass.getSimpleName() + " " + String.join(" ", args));
    }

    /**
     * Wait for a stdout line that starts with {@code prefix}.
     *
     * @param prefix  the line's start.
     * @param timeout how long to wait.
     * @return the line.
     * @throws AssertionError if it did not come in time or the peer exited without it.
     */
    public String awaitLine(final String prefix, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this)
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
                if (left <= 0 || (!process.isAlive() && !stdoutReader.isAlive()))
                {
                    throw new AssertionError("no line '" + prefix + "' from " + describe());
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        }
    }

    /**
     * Wait for the peer to exit.
     *
     * @param timeout how long to wait; the process is killed if it takes longer.
     * @return its exit status.
     * @throws AssertionError if it did not exit in time.
     */
    public int awaitExit(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("peer did not exit within " + timeout + ": " + describe());
        }
        stdoutReader.join(TimeUnit.SECONDS.toMillis(5));
        stderrReader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    /**
     * The value of {@code key} in the first stdout line that has {@code key=value} among its
     * space-separated words.
     *
     * @param key the key.
     * @return the value, or null.
     */
    public synchronized String value(final String key)
    {
        for (final String line : lines)
        {
            for (final String word : line.split(" "))
            {
                if (word.startsWith(key + "="))
                {
                    return word.substring(key.length() + 1);
                }
            }
        }
        return null;
    }

    /**
     * @return what the peer ran and printed, for failure messages.
     */
    public synchronized String describe()
    {
        return description + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
            + "\nstdout: " + String.join(" | ", lines) + "\nstderr: " + stderr;
    }

    private synchronized void addLine(final String line)
    {
        lines.add(line);
        notifyAll();
    }

    private synchronized void addStderr(final String line)
    {
        stderr.append(line).append('\n');
    }

    private static Thread drain(final InputStream stream, final Consumer<String> sink, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    sink.accept(line);
                }
            }
            catch (final IOException ex)
            {
                sink.accept("(reading the peer's output failed: " + ex + ")");
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
