package io.jmtcp.examples;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.tcp.kernel.KernelEchoServer;
import io.jmtcp.testing.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --contexts}, {@code crr} and {@code rr} as a user runs them, in a JVM of their own on the
 * bed's stack end, against Linux's TCP in the namespace: a 2-context echo server takes many
 * kernel connections on both contexts and echoes byte for byte with nothing misrouted; the load
 * commands measure a kernel echo server and print sane figures.
 */
@KernelBed
class ContextsAndLoadKernelTest
{
    /** Outside the kernel's ephemeral range (PACKET-IO-NOTES.md pitfall 10). */
    private static final int PORT = 5001;
    private static final int KERNEL_CONNECTIONS = 200;
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration TRANSFER = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(20);
    private static final Pattern CONTEXT_LINE = Pattern.compile("context (\\d+): connections=(\\d+) misrouted=(\\d+)");
    private static final String FIGURES = "=(\\d+) %s=(\\d+\\.\\d) p50_us=(\\d+\\.\\d) p99_us=(\\d+\\.\\d)";
    private static final Pattern CRR_LINE =
        Pattern.compile("connections" + String.format(FIGURES, "cps") + " errors=(\\d+)");
    private static final Pattern RR_LINE = Pattern.compile("transactions" + String.format(FIGURES, "tps"));

    @Test
    void echoOnTwoContextsServesKernelConnectionsOnBothByteExact(final NetnsBed bed) throws Exception
    {
        final CommandResult sysctl = bed.exec(Duration.ofSeconds(10), "sysctl", "-w", "net.ipv4.tcp_tw_reuse=1");
        assertTrue(sysctl.ok(), sysctl.describe());
        final Process stack = startStack(bed, "echo", "--port", Integer.toString(PORT), "--contexts", "2");
        try
        {
            final ChildOutput output = ChildOutput.of(stack);
            output.await("stop with Ctrl-C", START);

            // Many short connections, each checked byte for byte by the kernel client...
            final CommandResult many = bed.exec(TRANSFER, ChildJvm.command(List.of(),
                io.jmtcp.tcp.kernel.KernelPeer.class, "echo-client", bed.stackAddressText(), Integer.toString(PORT),
                Integer.toString(KERNEL_CONNECTIONS), "64").toArray(new String[0]));
            assertTrue(many.ok() && many.stdout().contains("connections=" + KERNEL_CONNECTIONS + " "),
                many.describe() + "\n" + output.text());
            // ...and one 1 MiB stream compared by SHA-256.
            final long bytes = 1 << 20;
            final CommandResult stream = bed.exec(TRANSFER, ChildJvm.command(List.of(), KernelPeer.class, "echo",
                bed.stackAddressText(), Integer.toString(PORT), Long.toString(bytes), "11").toArray(new String[0]));
            assertTrue(stream.ok() && stream.stdout().contains(KernelPeer.expectedLine(bytes, 11)),
                stream.describe() + "\n" + output.text());

            assertEquals(0, output.terminate(STOP), output.text());
            final Matcher line = CONTEXT_LINE.matcher(output.text());
            long total = 0;
            int contexts = 0;
            while (line.find())
            {
                assertEquals(contexts, Integer.parseInt(line.group(1)), output.text());
                assertTrue(Long.parseLong(line.group(2)) > 0, "context " + contexts + " took none: " + output.text());
                assertEquals(0, Long.parseLong(line.group(3)), output.text());
                total += Long.parseLong(line.group(2));
                contexts++;
            }
            assertEquals(2, contexts, output.text());
            assertEquals(KERNEL_CONNECTIONS + 1, total, output.text());
            System.out.println("echo --contexts 2: " + output.text().lines()
                .filter(l -> l.startsWith("context ") && l.contains("connections=")).toList());
        }
        finally
        {
            stack.destroyForcibly();
        }
    }

    @Test
    void crrAgainstAKernelEchoServerPrintsSaneFigures(final NetnsBed bed) throws Exception
    {
        final Process server = startKernelEchoServer(bed);
        try
        {
            final ChildOutput output = ChildOutput.of(startStack(bed, "crr", "--connect",
                bed.peerAddressText() + ":" + PORT, "--clients", "4", "--seconds", "2", "--contexts", "2"));
            assertEquals(0, output.exit(START), output.text());
            final Matcher line = CRR_LINE.matcher(output.text());
            assertTrue(line.find(), output.text());
            System.out.println("crr: " + line.group());
            assertTrue(Long.parseLong(line.group(1)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(2)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(3)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(3)) <= Double.parseDouble(line.group(4)), output.text());
            assertEquals(0, Long.parseLong(line.group(5)), output.text());
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    @Test
    void rrAgainstAKernelEchoServerPrintsSaneFigures(final NetnsBed bed) throws Exception
    {
        final Process server = startKernelEchoServer(bed);
        try
        {
            final ChildOutput output = ChildOutput.of(startStack(bed, "rr", "--connect",
                bed.peerAddressText() + ":" + PORT, "--seconds", "1"));
            assertEquals(0, output.exit(START), output.text());
            final Matcher line = RR_LINE.matcher(output.text());
            assertTrue(line.find(), output.text());
            System.out.println("rr: " + line.group());
            assertTrue(Long.parseLong(line.group(1)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(2)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(3)) > 0, output.text());
            assertTrue(Double.parseDouble(line.group(3)) <= Double.parseDouble(line.group(4)), output.text());
            // Not a speed goal: a lost EPOLLIN wake-up makes a transaction wait out the whole
            // epoll timeout, and if that were common the median would be at least that.
            assertTrue(Double.parseDouble(line.group(3)) < RequestResponseLoad.POLL_MILLIS * 1_000.0 / 2,
                () -> "median transaction near the epoll timeout (lost wake-ups): " + output.text());
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    private static Process startKernelEchoServer(final NetnsBed bed) throws IOException, InterruptedException
    {
        final Process server = bed.start(ChildJvm.command(List.of("-Xmx64m", "-XX:+UseSerialGC"),
            KernelEchoServer.class, Integer.toString(PORT)).toArray(new String[0]));
        ChildOutput.of(server).await("listening", START);
        return server;
    }

    private static Process startStack(final NetnsBed bed, final String... commandArgs) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of(commandArgs));
        args.addAll(List.of("--iface", bed.stackInterface(),
            "--ip", bed.stackAddressText() + "/" + bed.prefixLength()));
        return new ProcessBuilder(ChildJvm.command(List.of(), JmtcpCli.class, args.toArray(new String[0])))
            .redirectErrorStream(true).start();
    }
}
