package io.jmtcp.tcp.sim;

import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.cc.CongestionControlFactory;
import io.jmtcp.tcp.cc.CongestionControls;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulation's throughput against random loss, for both congestion controls with SACK and
 * NewReno without it, over a 100 Mbit/s path with a 20 ms RTT: one 8 MiB stream, virtual time.
 * The runs are deterministic, so the table is committed
 * ({@code src/test/resources/io/jmtcp/tcp/sim/throughput-vs-loss.txt}) and compared exactly: a
 * change of recovery or congestion behaviour shows as a diff to review, not as silence. After an
 * intended change, regenerate it with {@code -Dsim.updateTable=true} and commit the new table.
 */
class ThroughputVersusLossTest
{
    private static final Path TABLE = Path.of("src/test/resources/io/jmtcp/tcp/sim/throughput-vs-loss.txt");
    private static final double[] LOSS = { 0, 0.001, 0.005, 0.01, 0.02, 0.05 };
    private static final long BYTES = 8L << 20;

    @Test
    void tableMatchesTheCommittedOne() throws IOException
    {
        final StringBuilder table = new StringBuilder();
        table.append("# goodput of one 8 MiB stream over 100 Mbit/s, 20 ms RTT, random loss both ways, seed 7\n");
        table.append("# regenerate: mvn -pl stack test -Dtest=ThroughputVersusLossTest -Dsim.updateTable=true\n");
        table.append(String.format(Locale.ROOT, "%-8s %-14s %14s %12s %12s%n", "loss", "control", "goodput Mb/s",
            "retransmits", "seconds"));
        row(table, "cubic+sack", CongestionControls.CUBIC, true);
        row(table, "newreno+sack", CongestionControls.NEW_RENO, true);
        row(table, "newreno", CongestionControls.NEW_RENO, false);
        final String text = table.toString();
        if (Boolean.getBoolean("sim.updateTable"))
        {
            Files.createDirectories(TABLE.getParent());
            Files.writeString(TABLE, text, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(TABLE), "no committed table; run with -Dsim.updateTable=true:\n" + text);
        assertEquals(Files.readString(TABLE, StandardCharsets.UTF_8), text,
            "throughput versus loss changed; if intended, regenerate with -Dsim.updateTable=true and commit");
    }

    private static void row(final StringBuilder table, final String name, final CongestionControlFactory control,
        final boolean sack)
    {
        for (final double loss : LOSS)
        {
            final LinkImpairments path = LinkImpairments.NONE.withDelayNanos(TimeUnit.MILLISECONDS.toNanos(10))
                .withRateBitsPerSecond(100_000_000L).withLossRate(loss);
            final Transfer transfer = new Transfer(7, BYTES, 0).run(path, path,
                () -> new TcpConfig().congestionControl(control).sack(sack).receiveBufferBytes(1 << 20)
                    .sendBufferBytes(1 << 20), 1500, TimeUnit.SECONDS.toNanos(3600));
            assertTrue(transfer.finished && transfer.intact, name + " at loss " + loss + ": " + transfer.diagnosis);
            table.append(String.format(Locale.ROOT, "%-8s %-14s %14.2f %12d %12.3f%n", loss * 100 + "%", name,
                transfer.goodputMbps(), transfer.retransmitsA, transfer.virtualNanos / 1e9));
        }
    }
}
