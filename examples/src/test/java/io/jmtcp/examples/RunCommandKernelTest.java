package io.jmtcp.examples;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.port.PcapFileReader;
import io.jmtcp.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
            final ChildOutput output = ChildOutput.of(process);
            output.await("stop with Ctrl-C", Duration.ofSeconds(20));

            final CommandResult ping = bed.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "3", "-i", "0.1", "-W", "2",
                bed.stackAddressText());
            assertTrue(ping.ok(), ping.describe());

            // Another process (this one) reads the running stack's counters from its file.
            final StringWriter stats = new StringWriter();
            final CommandLine statsCommand = new CommandLine(new JmtcpCli());
            statsCommand.setOut(new PrintWriter(stats, true));
            assertEquals(0, statsCommand.execute("stats", counters.toString()));
            assertTrue(stats.toString().contains("(pid " + process.pid() + ", running)"), stats.toString());
            assertTrue(ChildOutput.awaitText(() -> statsOf(counters), "ctx0: icmp echo replies out: 3",
                Duration.ofSeconds(5)), stats.toString());

            final int status = output.terminate(Duration.ofSeconds(20));
            final String text = output.text();
            assertEquals(0, status, text);
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
}
