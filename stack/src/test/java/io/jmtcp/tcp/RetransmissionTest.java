package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retransmission timer, RFC 6298 §5 rule by rule, Karn's algorithm (§3), giving up (RFC 9293
 * §3.8.3 R2) and the handshake's retransmissions.
 */
final class RetransmissionTest
{
    private final EngineFixture fx = new EngineFixture(new TcpConfig().dataRetries(3).synRetries(2).noDelay(true));

    @Test
    void establishedSendArmsTimerAndTimeoutRetransmits()
    {
        // §5.1: the timer starts with the first segment; §5.4: it retransmits the earliest one.
        final TcpConnection connection = fx.establishPassive();
        final long rto = connection.rtoNanos();
        final byte[] data = bytes(100, 1);
        EngineFixture.write(connection, data);
        final Sent first = fx.only();
        fx.advance(rto - 2 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        final Sent again = fx.only();
        assertEquals(first.seq(), again.seq());
        assertArrayEquals(data, again.payload());
        assertEquals(1, fx.counter(StackCounter.TCP_RETRANSMIT_TIMEOUTS));
        assertEquals(1, connection.retransmits());
    }

    @Test
    void establishedAckOfNewDataRestartsTimer()
    {
        // §5.3: an ACK of new data restarts the timer with the current RTO.
        final TcpConnection connection = fx.establishPassive();
        final long rto = connection.rtoNanos();
        EngineFixture.write(connection, bytes(100, 1));
        EngineFixture.write(connection, bytes(100, 101));
        final List<Sent> segments = fx.take();
        assertEquals(2, segments.size());
        fx.advance(rto / 2);
        fx.peerAck().ack(segments.get(1).seq()).send();
        final long restartedRto = connection.rtoNanos();
        fx.advance(restartedRto - 2 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        final Sent again = fx.only();
        assertEquals(segments.get(1).seq(), again.seq());
    }

    @Test
    void establishedAllAckedStopsTimer()
    {
        // §5.2: all data acknowledged: the timer stops.
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 1));
        fx.clearSent();
        fx.peerAck().send();
        fx.advance(10 * SECOND);
        fx.assertNothingSent();
        assertEquals(0, fx.counter(StackCounter.TCP_RETRANSMIT_TIMEOUTS));
    }

    @Test
    void establishedTimeoutBacksOffRto()
    {
        // §5.5: RTO doubles at each expiry; §5.6: the timer restarts with it.
        final TcpConnection connection = fx.establishPassive();
        final long rto = connection.rtoNanos();
        EngineFixture.write(connection, bytes(100, 1));
        fx.clearSent();
        fx.advance(rto + MS);
        final long firstRetransmit = fx.only().time;
        assertEquals(2 * rto, connection.rtoNanos());
        fx.advance(2 * rto - 2 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        final long secondRetransmit = fx.only().time;
        assertTrue(Math.abs(secondRetransmit - firstRetransmit - 2 * rto) <= 2 * MS,
            () -> "interval " + (secondRetransmit - firstRetransmit));
        assertEquals(4 * rto, connection.rtoNanos());
    }

    @Test
    void establishedNoRttSampleFromRetransmittedSegment()
    {
        // Karn (§3): the ACK of a retransmitted segment is ambiguous; no sample, the backed-off
        // RTO stays until a new segment is timed (§5.7).
        final TcpConnection connection = fx.establishPassive();
        final long srtt = connection.srttNanos();
        EngineFixture.write(connection, bytes(100, 1));
        fx.advance(connection.rtoNanos() + MS);
        final long backedOff = connection.rtoNanos();
        fx.advance(backedOff / 2);
        fx.peerAck().send();
        assertEquals(srtt, connection.srttNanos());
        assertEquals(backedOff, connection.rtoNanos());

        // A fresh segment is timed again.
        fx.clearSent();
        EngineFixture.write(connection, bytes(100, 1));
        fx.advance(50 * MS);
        fx.peerAck().send();
        assertTrue(connection.srttNanos() != srtt);
        assertTrue(connection.rtoNanos() < backedOff);
    }

    @Test
    void establishedRetriesExhaustedTimesOut()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 1));
        fx.clearSent();
        fx.advance(120 * SECOND);
        // Three retransmissions (dataRetries), then ETIMEDOUT.
        assertEquals(3, fx.take().size());
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ETIMEDOUT, connection.error());
        assertEquals(1, fx.counter(StackCounter.TCP_RETRANSMIT_GIVE_UPS));
        assertTrue(fx.events.closed.contains(connection));
    }

    @Test
    void synSentTimeoutRetransmitsSynWithBackoff()
    {
        final TcpConnection connection = fx.connect();
        final Sent syn = fx.only();
        final long rto = fx.config.initialRtoNanos();
        fx.advance(rto - 2 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        final Sent again = fx.only();
        assertEquals(SYN, again.flags());
        assertEquals(syn.seq(), again.seq());
        fx.advance(2 * rto - 4 * MS);
        fx.assertNothingSent();
        fx.advance(4 * MS);
        assertEquals(SYN, fx.only().flags());
        assertEquals(TcpState.SYN_SENT, connection.state());
    }

    @Test
    void synSentRetriesExhaustedTimesOut()
    {
        final TcpConnection connection = fx.connect();
        fx.advance(60 * SECOND);
        // The SYN and synRetries (2) retransmissions.
        assertEquals(3, fx.take().size());
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ETIMEDOUT, connection.error());
        assertEquals(1, fx.counter(StackCounter.TCP_HANDSHAKE_TIMEOUTS));
    }

    @Test
    void synSentRetransmittedSynLeavesThreeSecondRto()
    {
        // §5.7: after a SYN timeout, the first data RTO is 3 s if it would be lower.
        final TcpConnection connection = fx.connect();
        fx.advance(fx.config.initialRtoNanos() + MS);
        fx.peerSynAck().send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(3 * SECOND, connection.rtoNanos());
    }

    @Test
    void establishedFirstRtoBeforeSampleIsInitialRto()
    {
        // §2.1: one second before any RTT measurement.
        final TcpConnection connection = fx.connect();
        assertEquals(SECOND, connection.rtoNanos());
    }
}
