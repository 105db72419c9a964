package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile but legal sequences: each is handled by its RFC rule and a counter, never by an
 * exception out of the engine.
 */
final class HostileSequenceTest
{
    private final EngineFixture fx = new EngineFixture();
    private final TcpConnection connection = fx.establishPassive();

    private static byte[] filled(final int length, final int value)
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte)value);
        return bytes;
    }

    @Test
    void establishedSynOnEstablishedConnectionChallenged()
    {
        assertDoesNotThrow(() -> fx.peer().flags(SYN).seq(fx.peerNxt).ack(0).mss(536).send());
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_IN_SYNCHRONIZED));
    }

    @Test
    void establishedAckOfUnsentDataAckedAndDropped()
    {
        // RFC 9293 §3.10.7.4: SEG.ACK > SND.NXT: send an ACK, drop the segment (its data too).
        assertDoesNotThrow(() -> fx.peerData(bytes(10, 0)).ack(fx.localNxt + 1000).send());
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt - 10, ack.ack());
        assertEquals(0, connection.readable());
        assertEquals(1, fx.counter(StackCounter.TCP_ACK_OF_UNSENT));
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void establishedOverlappingRetransmissionKeepsFirstBytesOutOfOrder()
    {
        final int start = fx.peerNxt;
        fx.peerData(filled(100, 'A')).seq(start + 100).send();
        fx.peerData(filled(150, 'B')).seq(start + 50).send();
        fx.peerData(filled(50, 'C')).seq(start).send();
        final byte[] expected = new byte[200];
        Arrays.fill(expected, 0, 50, (byte)'C');
        Arrays.fill(expected, 50, 100, (byte)'B');
        Arrays.fill(expected, 100, 200, (byte)'A');
        assertArrayEquals(expected, EngineFixture.read(connection));
        assertEquals(start + 200, fx.last().ack());
    }

    @Test
    void establishedOverlappingRetransmissionKeepsFirstBytesInOrder()
    {
        final int start = fx.peerNxt;
        fx.peerData(filled(100, 'A')).seq(start).send();
        fx.peerData(filled(100, 'B')).seq(start + 50).send();
        final byte[] expected = new byte[150];
        Arrays.fill(expected, 0, 100, (byte)'A');
        Arrays.fill(expected, 100, 150, (byte)'B');
        assertArrayEquals(expected, EngineFixture.read(connection));
    }

    @Test
    void establishedWindowShrinkCountedAndRespected()
    {
        fx.peerAck().window(100).send();
        assertEquals(1, fx.counter(StackCounter.TCP_WINDOW_SHRUNK));
        assertEquals(100 << fx.peerWindowScale, connection.sendWindow());
        fx.peerAck().window(1).send();
        assertEquals(2, fx.counter(StackCounter.TCP_WINDOW_SHRUNK));
        // Sender SWS avoidance (RFC 9293 §3.8.6.2.1) holds a segment this small until the
        // override timeout; then only what fits the shrunken window (128 bytes at shift 7) leaves.
        EngineFixture.write(connection, bytes(1000, 0));
        fx.assertNothingSent();
        fx.advance(5 * SECOND);
        final Sent segment = fx.sent().get(0);
        assertEquals(128, segment.length());
    }

    @Test
    void establishedWindowShrinkBelowDataInFlightKeepsRetransmitting()
    {
        connection.noDelay(true);
        EngineFixture.write(connection, bytes(1000, 0));
        fx.clearSent();
        // The peer withdraws the window over data already sent: nothing is lost, nothing thrown.
        assertDoesNotThrow(() -> fx.peerAck().ack(fx.localIss + 1).window(0).send());
        assertTrue(fx.counter(StackCounter.TCP_WINDOW_SHRUNK) > 0);
        fx.advance(5 * SECOND);
        fx.peerAck().window(1000).send();
        fx.advance(5 * SECOND);
        fx.peerAck().send();
        assertEquals(0, connection.unacknowledged());
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void establishedRstWithWrongSeqChallenged()
    {
        assertDoesNotThrow(() -> fx.peer().flags(RST | ACK).seq(fx.peerNxt + 1).send());
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_RST_CHALLENGED));
    }

    @Test
    void establishedSegmentWithoutAckDropped()
    {
        fx.peer().flags(0).payload(10).send();
        assertEquals(0, connection.readable());
        assertEquals(1, fx.counter(StackCounter.TCP_NO_ACK_DROPPED));
    }

    @Test
    void establishedFinBeyondHoleWaitsForData()
    {
        // An out-of-order FIN is remembered and takes effect once the hole is filled.
        final int start = fx.peerNxt;
        fx.peer().flags(ACK | FIN).seq(start + 10).payload(10).send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.peerData(bytes(10, 0)).seq(start).send();
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
        assertEquals(start + 21, fx.last().ack());
    }

    @Test
    void closeWaitDataAfterFinIgnored()
    {
        fx.peerFin().send();
        fx.clearSent();
        assertDoesNotThrow(() -> fx.peerData(bytes(10, 0)).send());
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
        assertEquals(0, connection.readable());
    }
}
