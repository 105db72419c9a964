package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.PEER_ISS;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SYN-SENT, RFC 9293 §3.10.7.3 in its order: the ACK check, the RST check (RFC 5961 §3.2 keeps
 * it), the SYN check, and the segments with neither SYN nor RST.
 */
final class SynSentTest
{
    private final EngineFixture fx = new EngineFixture();
    private final TcpConnection connection = fx.connect();

    SynSentTest()
    {
        fx.clearSent();
    }

    @Test
    void synSentRstWithAcceptableAckRefused()
    {
        fx.peer().flags(RST | ACK).seq(0).ack(connection.iss + 1).noTimestamps().send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNREFUSED, connection.error());
        assertEquals(1, fx.counter(StackCounter.TCP_RESETS_IN));
        fx.assertNothingSent();
        fx.dispatch();
        assertTrue(fx.events.closed.contains(connection));
        assertEquals(0, fx.engine.flowCount());
    }

    @Test
    void synSentRstWithoutAckIgnored()
    {
        // "If the ACK bit is set [...]; otherwise drop the segment and return."
        fx.peer().flags(RST).seq(PEER_ISS).ack(0).noTimestamps().send();
        assertEquals(TcpState.SYN_SENT, connection.state());
        fx.assertNothingSent();
    }

    @Test
    void synSentRstWithBadAckIgnored()
    {
        // First check: a bad ACK with RST set is dropped, never answered.
        fx.peer().flags(RST | ACK).seq(0).ack(connection.iss).noTimestamps().send();
        assertEquals(TcpState.SYN_SENT, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_BAD_ACK_IN_SYN_SENT));
        fx.assertNothingSent();
    }

    @Test
    void synSentAckOfIssSendsResetWithSeqOfAck()
    {
        // SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>, and the connection stays.
        fx.peer().flags(SYN | ACK).seq(PEER_ISS).ack(connection.iss).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(connection.iss, rst.seq());
        assertEquals(TcpState.SYN_SENT, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_BAD_ACK_IN_SYN_SENT));
    }

    @Test
    void synSentAckAboveSndNxtSendsResetWithSeqOfAck()
    {
        // SEG.ACK > SND.NXT.
        fx.peer().flags(ACK).seq(PEER_ISS + 1).ack(connection.iss + 100).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(connection.iss + 100, rst.seq());
        assertEquals(TcpState.SYN_SENT, connection.state());
        // The real SYN-ACK still completes the handshake.
        fx.peerSynAck().send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void synSentAckWithoutSynDropped()
    {
        // Fifth: neither SYN nor RST: drop; an acceptable ACK alone does not establish.
        fx.peer().flags(ACK).seq(PEER_ISS + 1).ack(connection.iss + 1).send();
        assertEquals(TcpState.SYN_SENT, connection.state());
        fx.assertNothingSent();
    }

    @Test
    void synSentSynAckEstablishesWithPeerWindowUnscaled()
    {
        // RFC 7323 §2.2: the window of a SYN is never scaled.
        fx.peerSynAck().window(1000).send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1000, connection.sendWindow());
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(PEER_ISS + 1, ack.ack());
    }
}
