package io.jmtcp.tcp.sim;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.TcpState;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransferSmokeTest
{
    @Test
    void oneMegabyteEachWayOverACleanLink()
    {
        final LinkImpairments path = LinkImpairments.NONE.withDelayNanos(TimeUnit.MILLISECONDS.toNanos(1))
            .withRateBitsPerSecond(1_000_000_000L);
        try (TwoStacks net = new TwoStacks(1, path, path, new TcpConfig().secret(1, 2), new TcpConfig().secret(3, 4),
            1500))
        {
            final long size = 1 << 20;
            final StreamEndpoint client = new StreamEndpoint(size, 11);
            final StreamEndpoint[] server = new StreamEndpoint[1];
            final TcpEngine b = net.b().tcp();
            final TcpListener listener = b.listen(80, 16, new TcpHandler()
            {
                @Override
                public void onAcceptable(final TcpListener l)
                {
                    server[0] = new StreamEndpoint(size, 22);
                    server[0].start(b.accept(l));
                }
            });
            net.a().tcp().connect(TwoStacks.B, 80, 0, client, net.clock().nanoTime());
            final boolean done = net.runUntil(() -> client.closed() && server[0] != null && server[0].closed(),
                TimeUnit.SECONDS.toNanos(120));
            assertTrue(done, "transfer finished: client sent " + client.sent() + " received " + client.received() +
                (server[0] == null ? "" : ", server sent " + server[0].sent() + " received " + server[0].received()) +
                "\n" + net.describe() + client.connection());
            assertEquals(SeededBytes.sha256Hex(22, size), client.receivedSha256());
            assertEquals(SeededBytes.sha256Hex(11, size), server[0].receivedSha256());
            assertTrue(client.finalState() == TcpState.TIME_WAIT || client.finalState() == TcpState.CLOSED);
            assertTrue(server[0].finalState() == TcpState.TIME_WAIT || server[0].finalState() == TcpState.CLOSED);
            assertEquals(0, client.finalError());
            b.closeListener(listener);
        }
    }
}
