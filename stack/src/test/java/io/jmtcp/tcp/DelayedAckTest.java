package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
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
    void establishedFinAfterAnUnacknowledgedSegmentAckedAtOnce()
    {
        // The FIN counts as a segment (it occupies a sequence number, RFC 9293 §3.4): with one
        // segment already waiting for its delayed ACK, it is the second one (RFC 5681 §4.2).
        fx.peerData(bytes(1000, 0)).send();
        fx.assertNothingSent();
        fx.peerFin().send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt, ack.ack());
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
    }

    @Test
    void establishedDataWithFinAckedOnceByTheAnswer()
    {
        // A request and the FIN in one segment (a client that half-closes after it) count once:
        // the answer and our FIN, sent within the delayed-ACK time, carry the acknowledgment.
        final byte[] request = bytes(100, 7);
        fx.peerData(request).flags(ACK | FIN).send();
        fx.assertNothingSent();
        fx.dispatch();
        final byte[] read = EngineFixture.read(connection);
        assertEquals(Arrays.toString(request), Arrays.toString(read));
        EngineFixture.write(connection, read);
        connection.close();
        // The answer, then our FIN (two calls, two segments), each acknowledging data and FIN.
        final List<Sent> sent = fx.take();
        assertEquals(2, sent.size(), sent::toString);
        assertEquals(100, sent.get(0).length());
        assertEquals(fx.peerNxt, sent.get(0).ack());
        assertEquals(ACK | FIN, sent.get(1).flags());
        assertEquals(fx.peerNxt, sent.get(1).ack());
        fx.advance(fx.config.delayedAckNanos() + MS);
        fx.assertNothingSent();
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
