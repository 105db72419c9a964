package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the receiver acknowledges (RFC 9293 §3.8.6.3, RFC 5681 §4.2): every second full segment,
 * else after the delayed-ACK time; at once for out-of-order data and filled holes; and a window
 * update once the application read enough (RFC 9293 §3.8.6.2.2).
 */
final class DelayedAckTest
{
    private final EngineFixture fx = new EngineFixture(new TcpConfig().receiveBufferBytes(8192));
    private final TcpConnection connection = fx.establishPassive();

    @Test
    void establishedSecondSegmentAckedAtOnce()
    {
        fx.peerData(bytes(1000, 0)).send();
        fx.assertNothingSent();
        fx.peerData(bytes(1000, 0)).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt, ack.ack());
    }

    @Test
    void establishedSingleSegmentAckedAfterDelay()
    {
        fx.peerData(bytes(1000, 0)).send();
        fx.advance(fx.config.delayedAckNanos() - 2 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        final Sent ack = fx.only();
        assertEquals(fx.peerNxt, ack.ack());
        assertEquals(1, fx.counter(StackCounter.TCP_DELAYED_ACKS));
    }

    @Test
    void establishedOutOfOrderSegmentAckedAtOnce()
    {
        fx.peerData(bytes(100, 0)).seq(fx.peerNxt + 100).send();
        final Sent dupAck = fx.only();
        assertEquals(fx.peerNxt, dupAck.ack());
        assertEquals(1, dupAck.options().sackBlockCount());
        assertEquals(1, fx.counter(StackCounter.TCP_OUT_OF_ORDER_SEGMENTS));
        // The segment filling the hole is acknowledged at once too, up to the end of both.
        fx.peerData(bytes(100, 0)).send();
        final Sent ack = fx.only();
        assertEquals(fx.peerNxt + 100, ack.ack());
        assertEquals(0, ack.options().sackBlockCount());
        assertEquals(1, fx.counter(StackCounter.TCP_HOLES_FILLED));
        assertEquals(200, connection.readable());
    }

    @Test
    void establishedDuplicateSegmentAckedAtOnce()
    {
        fx.peerData(bytes(100, 0)).send();
        fx.advance(fx.config.delayedAckNanos() + MS);
        fx.clearSent();
        fx.peerData(bytes(100, 0)).seq(fx.peerNxt - 100).send();
        assertEquals(fx.peerNxt, fx.only().ack());
    }

    @Test
    void establishedWindowUpdateAfterRead()
    {
        // Fill the 8 KiB buffer: the window closes.
        for (int i = 0; i < 8; i++)
        {
            fx.peerData(bytes(1024, i)).send();
        }
        final Sent last = fx.last();
        assertEquals(0, last.window());
        fx.clearSent();
        // Reading opens it; a window that opened by at least 2 MSS is advertised at once.
        assertEquals(8192, EngineFixture.read(connection).length);
        final Sent update = fx.only();
        assertEquals(ACK, update.flags());
        assertEquals(8192, update.window() << Math.max(connection.receiveWindowShift(), 0));
        assertEquals(1, fx.counter(StackCounter.TCP_WINDOW_UPDATES_OUT));
    }

    @Test
    void establishedSmallReadSendsNoWindowUpdate()
    {
        // Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): a few bytes read are not worth a segment.
        fx.peerData(bytes(100, 0)).send();
        fx.peerData(bytes(100, 0)).send();
        fx.clearSent();
        assertTrue(EngineFixture.read(connection).length == 200);
        fx.assertNothingSent();
    }
}
