package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.LOCAL_PORT;
import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_ISS;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every transition of the RFC 9293 §3.3.2 state diagram (Figure 5), driven by hand-built
 * segments: the event, the segment the engine answers with and the state it ends in.
 */
final class StateTableTest
{
    private final EngineFixture fx = new EngineFixture();

    @Test
    void closedListenOpensListener()
    {
        final TcpListener listener = fx.listen();
        assertTrue(listener.isOpen());
        fx.peerSyn().send();
        assertEquals(SYN | ACK, fx.only().flags());
    }

    @Test
    void listenSynSendsSynAckAndEntersSynReceived()
    {
        fx.listen();
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(PEER_ISS + 1, synAck.ack());
        final TcpConnection connection = fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT);
        assertNotNull(connection);
        assertEquals(TcpState.SYN_RECEIVED, connection.state());
        assertEquals(1, fx.listener.synQueueLength());
    }

    @Test
    void synReceivedAckEntersEstablished()
    {
        final TcpConnection connection = fx.establishPassive();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(0, fx.listener.synQueueLength());
        assertEquals(1, fx.events.acceptable);
        assertEquals(1, fx.counter(StackCounter.TCP_PASSIVE_OPENS));
    }

    @Test
    void closedConnectSendsSynAndEntersSynSent()
    {
        final TcpConnection connection = fx.connect();
        final Sent syn = fx.only();
        assertEquals(SYN, syn.flags());
        assertEquals(connection.iss, syn.seq());
        assertEquals(TcpState.SYN_SENT, connection.state());
    }

    @Test
    void synSentSynAckEntersEstablishedAndAcks()
    {
        final TcpConnection connection = fx.connect();
        fx.clearSent();
        fx.peerSynAck().send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(connection.iss + 1, ack.seq());
        assertEquals(PEER_ISS + 1, ack.ack());
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.dispatch();
        assertEquals(1, fx.events.connected);
    }

    @Test
    void synSentSynEntersSynReceivedSimultaneousOpen()
    {
        // RFC 9293 §3.5 Figure 8: both SYNs cross; each side answers SYN,ACK with its own ISS.
        final TcpConnection connection = fx.connect();
        fx.clearSent();
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(connection.iss, synAck.seq());
        assertEquals(PEER_ISS + 1, synAck.ack());
        assertEquals(TcpState.SYN_RECEIVED, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_SIMULTANEOUS_OPENS));

        // The peer's SYN,ACK carries SEQ = RCV.NXT - 1: the first check of RFC 9293 §3.10.7.4
        // finds it unacceptable and answers with an ACK, which completes the peer's side; the
        // peer's own ACK of our SYN,ACK then completes ours.
        fx.peer().flags(SYN | ACK).seq(PEER_ISS).ack(connection.iss + 1).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(connection.iss + 1, ack.seq());
        assertEquals(PEER_ISS + 1, ack.ack());
        fx.peerAck().ack(connection.iss + 1).send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.dispatch();
        assertEquals(1, fx.events.connected);
    }

    @Test
    void synSentSimultaneousOpenAckEntersEstablished()
    {
        final TcpConnection connection = fx.connect();
        fx.peerSyn().send();
        fx.clearSent();
        fx.peerAck().ack(connection.iss + 1).send();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.assertNothingSent();
    }

    @Test
    void synSentCloseDeletesTcb()
    {
        // RFC 9293 §3.10.4: CLOSE in SYN-SENT deletes the TCB; nothing is sent.
        final TcpConnection connection = fx.connect();
        fx.clearSent();
        connection.shutdownWrite();
        assertEquals(TcpState.CLOSED, connection.state());
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
        fx.assertNothingSent();
    }

    @Test
    void synReceivedCloseSendsFinOnceEstablished()
    {
        // RFC 9293 §3.10.4, CLOSE in SYN-RECEIVED: queued until ESTABLISHED, then FIN-WAIT-1.
        final TcpConnection connection = fx.connect();
        fx.peerSyn().send();
        fx.clearSent();
        connection.shutdownWrite();
        fx.assertNothingSent();
        assertEquals(TcpConnection.FAILED, connection.send(new UnsafeBuffer(new byte[1]), 0, 1));
        fx.peerAck().ack(connection.iss + 1).send();
        final Sent fin = fx.only();
        assertEquals(FIN | ACK, fin.flags());
        assertEquals(connection.iss + 1, fin.seq());
        assertEquals(TcpState.FIN_WAIT_1, connection.state());
        fx.dispatch();
        assertEquals(1, fx.events.connected);
        fx.peerAck().send();
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
    }

    @Test
    void synReceivedCloseRetransmitsSynAckOnTimeout()
    {
        // Our SYN is still unacknowledged after the CLOSE: the retransmission timer resends it
        // (RFC 9293 §3.8.1), never data from SND.UNA.
        final TcpConnection connection = fx.connect();
        fx.peerSyn().send();
        connection.shutdownWrite();
        fx.clearSent();
        fx.advance(connection.rtoNanos() + 2 * EngineFixture.MS);
        final Sent again = fx.only();
        assertEquals(SYN | ACK, again.flags());
        assertEquals(connection.iss, again.seq());
        fx.peerAck().ack(connection.iss + 1).send();
        assertEquals(FIN | ACK, fx.only().flags());
        fx.peerAck().send();
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
    }

    @Test
    void establishedCloseSendsFinAndEntersFinWait1()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        final Sent fin = fx.only();
        assertEquals(FIN | ACK, fin.flags());
        assertEquals(fx.localIss + 1, fin.seq());
        assertEquals(TcpState.FIN_WAIT_1, connection.state());
    }

    @Test
    void finWait1AckOfFinEntersFinWait2()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        fx.clearSent();
        fx.peerAck().send();
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
        fx.assertNothingSent();
    }

    @Test
    void finWait2FinEntersTimeWaitAndAcks()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        fx.peerAck().send();
        fx.clearSent();
        fx.peerFin().send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(PEER_ISS + 2, ack.ack());
        assertEquals(fx.localIss + 2, ack.seq());
        assertEquals(TcpState.TIME_WAIT, connection.state());
        assertEquals(1, fx.engine.timeWaitCount());
        assertEquals(0, fx.engine.flowCount());
    }

    @Test
    void finWait1FinEntersClosingSimultaneousClose()
    {
        // RFC 9293 §3.6 Figure 13: the FINs cross; each acknowledges the other's.
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        final Sent ourFin = fx.only();
        fx.peerFin().ack(ourFin.seq()).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(PEER_ISS + 2, ack.ack());
        assertEquals(TcpState.CLOSING, connection.state());

        fx.peerAck().ack(ourFin.seq() + 1).send();
        assertEquals(TcpState.TIME_WAIT, connection.state());
        assertEquals(1, fx.engine.timeWaitCount());
        fx.dispatch();
        assertTrue(fx.events.closed.contains(connection));
    }

    @Test
    void finWait1FinAckOfFinEntersTimeWait()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        fx.clearSent();
        fx.peerFin().send();
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.TIME_WAIT, connection.state());
    }

    @Test
    void timeWaitTimeoutDeletesRecord()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        fx.peerFin().send();
        assertEquals(1, fx.engine.timeWaitCount());
        fx.advance(fx.config.timeWaitNanos() - SECOND);
        assertEquals(1, fx.engine.timeWaitCount());
        fx.advance(2 * SECOND);
        assertEquals(0, fx.engine.timeWaitCount());
        connection.close();
        assertEquals(0, fx.engine.connectionCount());
    }

    @Test
    void establishedFinEntersCloseWaitAndAcksAfterTheDelayedAckTime()
    {
        // RFC 9293 §3.10.7.4: the FIN's acknowledgment may wait for a segment to ride on, within
        // the delayed-ACK time (RFC 9293 §3.8.6.3); alone, it goes when that time is up.
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
        fx.assertNothingSent();
        fx.dispatch();
        assertEquals(TcpConnection.EOF, connection.receive(new UnsafeBuffer(new byte[8]), 0, 8));
        fx.advance(fx.config.delayedAckNanos() - MS);
        fx.assertNothingSent();
        fx.advance(2 * MS);
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(PEER_ISS + 2, ack.ack());
        assertEquals(1, fx.counter(StackCounter.TCP_DELAYED_ACKS));
    }

    @Test
    void closeWaitCloseSendsFinAndEntersLastAck()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        fx.clearSent();
        connection.shutdownWrite();
        final Sent fin = fx.only();
        assertEquals(FIN | ACK, fin.flags());
        assertEquals(TcpState.LAST_ACK, connection.state());
    }

    @Test
    void closeWaitCloseAtOnceAcksThePeerFinWithOurs()
    {
        // The application closes as soon as it reads EOF: one FIN|ACK acknowledges the peer's FIN,
        // with no pure ACK before it (which a Linux peer inside close() can make it lose our FIN)
        // nor after it.
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        fx.dispatch();
        assertEquals(TcpConnection.EOF, connection.receive(new UnsafeBuffer(new byte[8]), 0, 8));
        connection.close();
        final Sent fin = fx.only();
        assertEquals(FIN | ACK, fin.flags());
        assertEquals(PEER_ISS + 2, fin.ack());
        assertEquals(fx.localIss + 1, fin.seq());
        assertEquals(TcpState.LAST_ACK, connection.state());
        fx.advance(fx.config.delayedAckNanos() + MS);
        fx.assertNothingSent();
        assertEquals(0, fx.counter(StackCounter.TCP_DELAYED_ACKS));
        fx.peerAck().ack(fin.seq() + 1).send();
        assertEquals(TcpState.CLOSED, connection.state());
        fx.assertNothingSent();
    }

    @Test
    void lastAckAckOfFinEntersClosed()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        connection.shutdownWrite();
        fx.clearSent();
        fx.peerAck().send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.NONE, connection.error());
        assertEquals(0, fx.engine.flowCount());
        assertEquals(0, fx.engine.timeWaitCount());
        fx.assertNothingSent();
    }

    @Test
    void lastAckWithoutAckRetransmitsFin()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        fx.clearSent();
        connection.shutdownWrite();
        final Sent fin = fx.only();
        fx.advance(connection.rtoNanos() + 2 * EngineFixture.MS);
        final Sent again = fx.only();
        assertEquals(FIN | ACK, again.flags());
        assertEquals(fin.seq(), again.seq());
        assertEquals(TcpState.LAST_ACK, connection.state());
    }

    @Test
    void closingAckOfFinEntersTimeWait()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        final Sent ourFin = fx.only();
        fx.peerFin().ack(ourFin.seq()).send();
        assertEquals(TcpState.CLOSING, connection.state());
        fx.clearSent();
        // An ACK that does not cover our FIN leaves CLOSING as it is.
        fx.peerAck().ack(ourFin.seq()).send();
        assertEquals(TcpState.CLOSING, connection.state());
        fx.peerAck().ack(ourFin.seq() + 1).send();
        assertEquals(TcpState.TIME_WAIT, connection.state());
    }

    @Test
    void listenCloseRefusesNewSyns()
    {
        fx.listen();
        fx.engine.closeListener(fx.listener);
        fx.peerSyn().send();
        final Sent rst = fx.only();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(PEER_ISS + 1, rst.ack());
    }

    @Test
    void synReceivedRstReturnsToListen()
    {
        // RFC 9293 §3.10.7.4, second check: a passive open goes back to LISTEN.
        fx.listen();
        fx.peerSyn().send();
        fx.clearSent();
        fx.peer().flags(RST).seq(PEER_ISS + 1).ack(0).send();
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
        assertEquals(0, fx.listener.synQueueLength());
        assertTrue(fx.listener.isOpen());
        fx.assertNothingSent();
        // The listener still answers a new SYN.
        fx.peerSyn().send();
        assertEquals(SYN | ACK, fx.only().flags());
    }
}
