package io.jmtcp.tcp;

import io.jmtcp.tcp.cc.CongestionControls;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 5681 §4.1: a sender that has not sent data for longer than the RTO restarts from the
 * restart window. Only segments that carry sequence space count as sending: the ACKs a server
 * keeps sending for a request that trickles in do not keep its window warm.
 */
final class IdleRestartTest
{
    private static final long MS = 1_000_000L;

    private final EngineFixture fx = new EngineFixture(
        new TcpConfig().noDelay(true).congestionControl(CongestionControls.NEW_RENO));
    private final TcpConnection connection = fx.establishPassive();
    private final int initialWindow = connection.cwnd();

    /** Send the initial window and have it acknowledged: slow start grows the window past it. */
    private void warmUp()
    {
        EngineFixture.write(connection, bytes(initialWindow, 1));
        fx.take();
        fx.peerAck().send();
        fx.take();
        assertTrue(connection.cwnd() > initialWindow, () -> "cwnd " + connection.cwnd());
    }

    @Test
    void onlyAcknowledgingForLongerThanTheRtoRestartsTheWindow()
    {
        warmUp();
        for (int i = 0; i < 30; i++)
        {
            fx.advance(100 * MS);
            fx.peerData(bytes(100, i)).send();
        }
        assertTrue(fx.take().size() > 0, "the request's bytes were acknowledged meanwhile");
        EngineFixture.write(connection, bytes(100, 0));
        assertEquals(initialWindow, connection.cwnd(), "3 s without data sent: the restart window");
    }

    @Test
    void dataSentWithinTheRtoKeepsTheWindow()
    {
        warmUp();
        final int warm = connection.cwnd();
        fx.advance(100 * MS);
        EngineFixture.write(connection, bytes(100, 0));
        assertEquals(warm, connection.cwnd());
    }
}
