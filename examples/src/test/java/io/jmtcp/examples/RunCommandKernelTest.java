package io.jmtcp.examples;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.port.PcapFileReader;
import io.jmtcp.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jmtcp run} as a user runs it: a separate JVM on a veth end, pinged by the kernel, stopped
 * with SIGTERM; it must print its counters and exit 0.
 */
@KernelBed
class RunCommandKernelTest
{
    @Test
    void answersPingsUntilSigtermThenPrintsCountersAndExitsZero(final NetnsBed bed, @TempDir final Path dir)
        throws Exception
    {
        final Path trace = dir.resolve("run.pcap");
        final Path counters = dir.resolve("ctx0.counters");
        final List<String> command = ChildJvm.command(List.of(), JmtcpCli.class, "run", "--iface",
            bed.stackInterface(), "--ip", bed.stackAddressText() + "/" + bed.prefixLength(), "--trace",
            trace.toString(), "--counters", counters.toString());
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final ByteArrayOutputStream output = new ByteArrayOutputStream();
            final Thread reader = drain(process.getInputStream(), output);
            waitFor(output, "stop with Ctrl-C", Duration.ofSeconds(20));

            final CommandResult ping = bed.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "3", "-i", "0.1", "-W", "2",
                bed.stackAddressText());
            assertTrue(ping.ok(), ping.describe());

            // Another process (this one) reads the running stack's counters from its file.
            final StringWriter stats = new StringWriter();
            final CommandLine statsCommand = new CommandLine(new JmtcpCli());
            statsCommand.setOut(new PrintWriter(stats, true));
            assertEquals(0, statsCommand.execute("stats", counters.toString()));
            assertTrue(stats.toString().contains("(pid " + process.pid() + ", running)"), stats.toString());
            assertTrue(awaitText(() -> statsOf(counters), "ctx0: icmp echo replies out: 3", Duration.ofSeconds(5)),
                stats.toString());

            // Not Process.destroy(): it closes our ends of the child's pipes before signalling, and
            // the counters the child prints on SIGTERM would be lost.
            final Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
            assertEquals(0, kill.waitFor(), "kill -TERM " + process.pid());
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "run did not stop on SIGTERM");
            reader.join(5_000);
            final String text = output.toString(StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), text);
            assertTrue(text.contains("SIGTERM: stopped. Counters:"), text);
            assertTrue(text.contains("ctx0: icmp echo replies out: 3"), text);
            assertTrue(text.contains("tracing to " + trace), text);
            assertTrue(tracedFrames(trace) >= 3 + 3 + 2, "3 requests, 3 replies and an ARP exchange traced");
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String statsOf(final Path counters)
    {
        final StringWriter stats = new StringWriter();
        final CommandLine statsCommand = new CommandLine(new JmtcpCli());
        statsCommand.setOut(new PrintWriter(stats, true));
        statsCommand.execute("stats", counters.toString());
        return stats.toString();
    }

    private static boolean awaitText(final Supplier<String> source, final String text, final Duration timeout)
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

    private static int tracedFrames(final Path trace) throws IOException
    {
        try (PcapFileReader reader = PcapFileReader.open(trace))
        {
            int frames = 0;
            int read;
            while ((read = reader.read((timestamp, linkType, buffer, offset, captured, original) -> { }, 64)) > 0)
            {
                frames += read;
            }
            return frames;
        }
    }

    private static Thread drain(final InputStream in, final ByteArrayOutputStream out)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] chunk = new byte[4096];
            try
            {
                int read;
                while ((read = in.read(chunk)) >= 0)
                {
                    synchronized (out)
                    {
                        out.write(chunk, 0, read);
                    }
                }
            }
            catch (final IOException ignored)
            {
                // The process ended; what was read is kept.
            }
        }, "run-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void waitFor(final ByteArrayOutputStream out, final String text, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (deadline - System.nanoTime() > 0)
        {
            synchronized (out)
            {
                if (out.toString(StandardCharsets.UTF_8).contains(text))
                {
                    return;
                }
            }
            Thread.sleep(20);
        }
        synchronized (out)
        {
            throw new AssertionError("no \"" + text + "\" within " + timeout + ": " + out.toString(StandardCharsets.UTF_8));
        }
    }
}
