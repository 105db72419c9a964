package io.jmtcp.examples;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code echo}, {@code sink} and {@code source} as a user runs them: the command in a JVM of its
 * own on the bed's stack end, against Linux's TCP in the namespace ({@link KernelPeer}); what
 * arrives must be, byte for byte (by SHA-256), what was sent.
 */
@KernelBed
class TcpCommandsKernelTest
{
    /** Outside the kernel's ephemeral range (PACKET-IO-NOTES.md pitfall 10). */
    private static final int PORT = 5001;
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration TRANSFER = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(20);
    private static final Pattern SOURCE_LINE =
        Pattern.compile("bytes=(\\d+) sha256=([0-9a-f]{64}) gbps=(\\d+\\.\\d{3})");

    @Test
    void sinkPrintsTheLengthAndHashOfWhatTheKernelSent(final NetnsBed bed) throws Exception
    {
        final long bytes = 4 << 20;
        final Process stack = startStack(bed, "sink", "--port", Integer.toString(PORT));
        try
        {
            final ChildOutput output = ChildOutput.of(stack);
            output.await("stop with Ctrl-C", START);

            final CommandResult send = bed.exec(TRANSFER, kernelPeer("send", bed.stackAddressText(),
                Integer.toString(PORT), Long.toString(bytes), "7"));
            final String expected = KernelPeer.expectedLine(bytes, 7);
            assertTrue(send.ok() && send.stdout().contains(expected), send.describe() + "\n" + output.text());
            output.await(expected + "\n", Duration.ofSeconds(10));

            assertEquals(0, output.terminate(STOP), output.text());
            assertTrue(output.text().contains("SIGTERM: stopped. Counters:"), output.text());
        }
        finally
        {
            stack.destroyForcibly();
        }
    }

    @Test
    void sinkNamesTheErrnoOfAConnectionTheKernelReset(final NetnsBed bed) throws Exception
    {
        final Process stack = startStack(bed, "sink", "--port", Integer.toString(PORT));
        try
        {
            final ChildOutput output = ChildOutput.of(stack);
            output.await("stop with Ctrl-C", START);

            final CommandResult reset = bed.exec(TRANSFER, kernelPeer("reset", bed.stackAddressText(),
                Integer.toString(PORT), "100000", "3"));
            assertTrue(reset.ok(), reset.describe() + "\n" + output.text());
            // Linux discards what it had not sent yet when it resets, so only the error is certain.
            output.await(" error=ECONNRESET\n", Duration.ofSeconds(10));

            assertEquals(0, output.terminate(STOP), output.text());
        }
        finally
        {
            stack.destroyForcibly();
        }
    }

    @Test
    void echoReturnsEveryByteTheKernelSentThenCloses(final NetnsBed bed) throws Exception
    {
        // The kernel client starts reading only after a second: by then its receive buffer, the
        // stack's send buffer (256 KiB) and the stack's receive buffer are full, so echo must
        // have stopped reading and resumed on onWritable for every byte to come back.
        final long bytes = 2 << 20;
        final Process stack = startStack(bed, "echo", "--port", Integer.toString(PORT));
        try
        {
            final ChildOutput output = ChildOutput.of(stack);
            output.await("stop with Ctrl-C", START);

            final CommandResult echo = bed.exec(TRANSFER, kernelPeer("echo", bed.stackAddressText(),
                Integer.toString(PORT), Long.toString(bytes), "9", "1000"));
            assertTrue(echo.ok(), echo.describe() + "\n" + output.text());
            assertTrue(echo.stdout().contains(KernelPeer.expectedLine(bytes, 9)), echo.describe());

            assertEquals(0, output.terminate(STOP), output.text());
            // Echo stopped reading, so the stack's receive window closed and Linux probed it: its
            // zero-window probes (one byte below the window) are counted as out of window.
            assertTrue(output.text().contains("tcp out of window: "), output.text());
        }
        finally
        {
            stack.destroyForcibly();
        }
    }

    @Test
    void sourceSendsTheSeededStreamToAKernelSink(final NetnsBed bed) throws Exception
    {
        final long bytes = 8 << 20;
        final Process sink = bed.start(kernelPeer("sink", Integer.toString(PORT)));
        final ChildOutput sinkOutput = ChildOutput.of(sink);
        sinkOutput.await("listening on " + PORT, START);

        final Process source = startStack(bed, "source", "--connect", bed.peerAddressText() + ":" + PORT,
            "--bytes", Long.toString(bytes), "--seed", "5", "--timeout", "30");
        try
        {
            final ChildOutput output = ChildOutput.of(source);
            assertEquals(0, output.exit(START.plus(TRANSFER)), output.text());
            final String expected = KernelPeer.expectedLine(bytes, 5);
            final Matcher line = SOURCE_LINE.matcher(output.text());
            assertTrue(line.find(), output.text());
            assertEquals(expected, "bytes=" + line.group(1) + " sha256=" + line.group(2), output.text());
            assertTrue(Double.parseDouble(line.group(3)) > 0, output.text());

            assertEquals(0, sinkOutput.exit(Duration.ofSeconds(10)), errors(sink));
            assertTrue(sinkOutput.text().contains(expected), sinkOutput.text());
        }
        finally
        {
            source.destroyForcibly();
        }
    }

    @Test
    void sourceGivesUpAfterItsTimeoutWhenThePeerNeverCloses(final NetnsBed bed) throws Exception
    {
        final Process sink = bed.start(kernelPeer("sink", Integer.toString(PORT), "10000"));
        final ChildOutput sinkOutput = ChildOutput.of(sink);
        sinkOutput.await("listening on " + PORT, START);

        final Process source = startStack(bed, "source", "--connect", bed.peerAddressText() + ":" + PORT,
            "--bytes", "100000", "--timeout", "2");
        try
        {
            final ChildOutput output = ChildOutput.of(source);
            assertEquals(1, output.exit(START), output.text());
            // Every byte went and was acknowledged; only the peer's FIN is missing.
            assertTrue(output.text().contains("jmtcp source: timed out after 2 s: sent 100000 of 100000 bytes, " +
                "0 not acknowledged, FIN_WAIT_2"), output.text());
            sinkOutput.await(KernelPeer.expectedLine(100_000, 1), Duration.ofSeconds(5));
        }
        finally
        {
            source.destroyForcibly();
        }
    }

    @Test
    void sourceStoppedBySigtermResetsPrintsTheCountersAndExitsOne(final NetnsBed bed) throws Exception
    {
        final Process sink = bed.start(kernelPeer("sink", Integer.toString(PORT), "10000"));
        final ChildOutput sinkOutput = ChildOutput.of(sink);
        sinkOutput.await("listening on " + PORT, START);

        final Process source = startStack(bed, "source", "--connect", bed.peerAddressText() + ":" + PORT,
            "--bytes", "1000", "--timeout", "30");
        try
        {
            final ChildOutput output = ChildOutput.of(source);
            sinkOutput.await(KernelPeer.expectedLine(1000, 1), START);
            assertEquals(1, output.terminate(STOP), output.text());
            assertTrue(output.text().contains("jmtcp source: stopped by SIGTERM: sent 1000 of 1000 bytes"),
                output.text());
            assertTrue(output.text().contains("SIGTERM: stopped. Counters:"), output.text());
        }
        finally
        {
            source.destroyForcibly();
        }
    }

    @Test
    void sourceNamesTheErrnoWhenTheKernelRefuses(final NetnsBed bed) throws Exception
    {
        // Nothing listens there: the kernel answers the SYN with RST.
        final Process source = startStack(bed, "source", "--connect", bed.peerAddressText() + ":" + PORT,
            "--bytes", "1000", "--timeout", "20");
        try
        {
            final ChildOutput output = ChildOutput.of(source);
            assertEquals(1, output.exit(START.plus(Duration.ofSeconds(20))), output.text());
            assertTrue(output.text().contains("jmtcp source: connect to " + bed.peerAddressText() + ":" + PORT +
                " failed: ECONNREFUSED"), output.text());
        }
        finally
        {
            source.destroyForcibly();
        }
    }

    private static Process startStack(final NetnsBed bed, final String... commandArgs) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of(commandArgs));
        args.addAll(List.of("--iface", bed.stackInterface(),
            "--ip", bed.stackAddressText() + "/" + bed.prefixLength()));
        return new ProcessBuilder(ChildJvm.command(List.of(), JmtcpCli.class, args.toArray(new String[0])))
            .redirectErrorStream(true).start();
    }

    private static String[] kernelPeer(final String... args)
    {
        return ChildJvm.command(List.of(), KernelPeer.class, args).toArray(new String[0]);
    }

    private static String errors(final Process process) throws IOException
    {
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
