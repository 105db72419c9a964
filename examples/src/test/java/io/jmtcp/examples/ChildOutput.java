package io.jmtcp.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child process's output, read as it comes by a thread of its own (so that a chatty child never
 * blocks on a full pipe), for tests that wait for a line and then stop the child with a signal.
 */
final class ChildOutput
{
    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread reader;

    private ChildOutput(final Process process)
    {
        this.process = process;
        this.reader = new Thread(this::drain, "child-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Start reading a process's standard output (start it with {@code redirectErrorStream(true)}
     * to get its errors too).
     *
     * @param process the child.
     * @return its output.
     */
    static ChildOutput of(final Process process)
    {
        return new ChildOutput(process);
    }

    /**
     * @return everything read so far.
     */
    String text()
    {
        synchronized (output)
        {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Wait until the output contains {@code text}.
     *
     * @param text    what to wait for.
     * @param timeout how long at most.
     * @throws InterruptedException if interrupted.
     * @throws AssertionError       naming the text and showing the output, when the time ran out.
     */
    void await(final String text, final Duration timeout) throws InterruptedException
    {
        if (!awaitText(this::text, text, timeout))
        {
            throw new AssertionError("no \"" + text + "\" within " + timeout + ": " + text());
        }
    }

    /**
     * Poll {@code source} until it contains {@code text}.
     *
     * @param source  the text to look in, read again every 20 ms.
     * @param text    what to wait for.
     * @param timeout how long at most.
     * @return false if the time ran out.
     * @throws InterruptedException if interrupted.
     */
    static boolean awaitText(final Supplier<String> source, final String text, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!source.get().contains(text))
        {
            if (deadline - System.nanoTime() < 0)
            {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Wait for the process to exit and its output to be read.
     *
     * @param timeout how long at most.
     * @return the exit status.
     * @throws InterruptedException if interrupted.
     */
    int exit(final Duration timeout) throws InterruptedException
    {
        assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
            "pid " + process.pid() + " did not exit within " + timeout + ": " + text());
        reader.join(5_000);
        return process.exitValue();
    }

    /**
     * Send SIGTERM and wait for the exit. Not {@link Process#destroy()}: it closes our ends of the
     * child's pipes before signalling, and what the child prints on SIGTERM would be lost.
     *
     * @param timeout how long the child may take to stop.
     * @return the exit status.
     * @throws IOException          if kill cannot be run.
     * @throws InterruptedException if interrupted.
     */
    int terminate(final Duration timeout) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
        assertEquals(0, kill.waitFor(), "kill -TERM " + process.pid());
        return exit(timeout);
    }

    private void drain()
    {
        final InputStream in = process.getInputStream();
        final byte[] chunk = new byte[4096];
        try
        {
            int read;
            while ((read = in.read(chunk)) >= 0)
            {
                synchronized (output)
                {
                    output.write(chunk, 0, read);
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process ended; what was read is kept.
        }
    }
}
