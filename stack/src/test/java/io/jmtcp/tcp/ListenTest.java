package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.LOCAL_PORT;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_ISS;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LISTEN (RFC 9293 §3.10.7.2) and SYN-RECEIVED of passive opens: the SYN and accept queues, and
 * SYN cookies (RFC 4987 §3.6) when the SYN queue is full.
 */
final class ListenTest
{
    @Test
    void listenAckGetsResetWithSeqOfAck()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().synCookies(false));
        fx.listen();
        fx.peer().flags(ACK).seq(PEER_ISS).ack(777).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(777, rst.seq());
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
    }

    @Test
    void listenRstIgnored()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peer().flags(RST).seq(PEER_ISS).ack(0).send();
        fx.peer().flags(RST | ACK).seq(PEER_ISS).ack(5).send();
        fx.assertNothingSent();
        assertEquals(0, fx.engine.flowCount());
    }

    @Test
    void listenSegmentWithoutSynOrAckDropped()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peer().flags(0).seq(PEER_ISS).ack(0).payload(10).send();
        fx.assertNothingSent();
        assertEquals(0, fx.engine.flowCount());
    }

    @Test
    void listenSynQueuedInSynQueue()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peerSyn().send();
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        assertEquals(2, fx.listener.synQueueLength());
        assertEquals(2, fx.take().size());
        assertEquals(0, fx.listener.pendingAccepts());
    }

    @Test
    void listenAcceptQueueFullDropsSyn()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen(1);
        fx.peerSyn().send();
        fx.peerAck().send();
        assertEquals(1, fx.listener.pendingAccepts());
        fx.clearSent();
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        fx.assertNothingSent();
        assertEquals(1, fx.listener.overflows());
        assertEquals(1, fx.counter(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS));
        assertNull(fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT));
    }

    @Test
    void synReceivedAckWithAcceptQueueFullIgnored()
    {
        // Like Linux with tcp_abort_on_overflow off: the handshake waits for room.
        final EngineFixture fx = new EngineFixture();
        fx.listen(1);
        fx.peerSyn().send();
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        fx.peerPort = PEER_PORT;
        fx.peerAck().ack(fx.sent().get(0).seq() + 1).send();
        assertEquals(1, fx.listener.pendingAccepts());
        fx.peerPort = PEER_PORT + 1;
        fx.peerAck().ack(fx.sent().get(1).seq() + 1).send();
        final TcpConnection second = fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT);
        assertEquals(TcpState.SYN_RECEIVED, second.state());
        assertEquals(1, fx.counter(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS));
        assertNotNull(fx.engine.accept(fx.listener));
        fx.peerAck().ack(fx.sent().get(1).seq() + 1).send();
        assertEquals(TcpState.ESTABLISHED, second.state());
    }

    @Test
    void synReceivedAckTooHighSendsReset()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        fx.peerAck().ack(synAck.seq() + 1000).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(synAck.seq() + 1000, rst.seq());
        assertEquals(1, fx.counter(StackCounter.TCP_BAD_ACK_IN_SYN_RECEIVED));
        assertEquals(TcpState.SYN_RECEIVED, fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT).state());
    }

    @Test
    void synReceivedRetransmittedSynResendsSynAck()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        fx.peerSyn().send();
        final Sent again = fx.only();
        assertEquals(SYN | ACK, again.flags());
        assertEquals(synAck.seq(), again.seq());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_RETRANSMITS_IN));
        assertEquals(1, fx.listener.synQueueLength());
    }

    @Test
    void synReceivedSynAckRetriesExhaustedDropsEmbryo()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().synAckRetries(2));
        fx.listen();
        fx.peerSyn().send();
        fx.advance(30 * SECOND);
        // The first SYN-ACK and two retransmissions; then the embryo is gone.
        assertEquals(3, fx.take().stream().filter(s -> s.flags() == (SYN | ACK)).count());
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
        assertEquals(0, fx.listener.synQueueLength());
        assertEquals(0, fx.engine.connectionCount());
        assertEquals(1, fx.counter(StackCounter.TCP_HANDSHAKE_TIMEOUTS));
    }

    @Test
    void listenSynQueueFullWithoutCookiesDropsSyn()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().synQueueCapacity(1).synCookies(false));
        fx.listen();
        fx.peerSyn().send();
        fx.clearSent();
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        fx.assertNothingSent();
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_QUEUE_DROPS));
    }

    @Test
    void listenSynQueueFullSendsCookieThenAckEstablishes()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().synQueueCapacity(1));
        fx.listen();
        fx.peerSyn().send();
        fx.clearSent();
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(PEER_ISS + 1, synAck.ack());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_COOKIES_SENT));
        assertEquals(1, fx.listener.cookiesSent());
        // No state kept.
        assertNull(fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT));
        assertEquals(1, fx.listener.synQueueLength());
        assertEquals(1460, synAck.options().mss());
        assertTrue(synAck.options().sackPermitted());
        assertTrue(synAck.options().hasWindowScale());
        assertTrue(synAck.options().hasTimestamps());
        // The cookie is our ISN (RFC 4987 §3.6), the SYN cookie of this 4-tuple and MSS 1460.
        final SynCookies cookies = new SynCookies(EngineFixture.KEY0, EngineFixture.KEY1);
        assertEquals(1460, cookies.check(EngineFixture.LOCAL_IP, LOCAL_PORT, PEER_IP, PEER_PORT + 1, PEER_ISS,
            synAck.seq(), fx.now));

        fx.peerAck().ack(synAck.seq() + 1).tsEcr(synAck.options().tsVal()).send();
        final TcpConnection connection = fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT);
        assertNotNull(connection);
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_COOKIES_ACCEPTED));
        assertEquals(1460 - TcpSender.TIMESTAMPS_SPACE, connection.sendMss());
        assertEquals(fx.peerWindowScale, connection.sendWindowShift());
        assertTrue(connection.sackEnabled());
        assertTrue(connection.timestampsEnabled());
        assertEquals(1, fx.listener.pendingAccepts());
        fx.dispatch();
        assertEquals(1, fx.events.acceptable);
        assertEquals(connection, fx.engine.accept(fx.listener));
    }

    @Test
    void listenCookieCarriesMssFromTableAndNoOptionsWithoutTimestamps()
    {
        // Without timestamps there is nowhere to keep window scale and SACK: both are off.
        final EngineFixture fx = new EngineFixture(new TcpConfig().synQueueCapacity(1));
        fx.listen();
        fx.peerSyn().send();
        fx.clearSent();
        fx.peerPort = PEER_PORT + 1;
        fx.peerTimestamps = false;
        fx.peerMss = 1400;
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        assertFalse(synAck.options().hasTimestamps());
        assertFalse(synAck.options().sackPermitted());
        assertFalse(synAck.options().hasWindowScale());
        fx.peerAck().ack(synAck.seq() + 1).send();
        final TcpConnection connection = fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT);
        assertEquals(TcpState.ESTABLISHED, connection.state());
        // 1400 is coded as the largest table entry not above it.
        assertEquals(1300, connection.sendMss());
        assertEquals(-1, connection.sendWindowShift());
        assertFalse(connection.sackEnabled());
        assertFalse(connection.timestampsEnabled());
    }

    @Test
    void listenForgedCookieAckGetsResetAndCounted()
    {
        final EngineFixture fx = new EngineFixture();
        fx.listen();
        fx.peerPort = PEER_PORT + 7;
        fx.peerAck().seq(PEER_ISS + 1).ack(0x1234_5678).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(0x1234_5678, rst.seq());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_COOKIES_REJECTED));
        assertEquals(0, fx.engine.flowCount());
    }

    @Test
    void listenCookieAckTooLateRejected()
    {
        // A cookie is good for at most two 64 s periods.
        final EngineFixture fx = new EngineFixture(new TcpConfig().synQueueCapacity(1));
        fx.listen();
        fx.peerSyn().send();
        fx.peerPort = PEER_PORT + 1;
        fx.clearSent();
        fx.peerSyn().send();
        final Sent synAck = fx.only();
        fx.jump(3 * SynCookies.PERIOD_NANOS);
        fx.peerAck().ack(synAck.seq() + 1).tsEcr(synAck.options().tsVal()).send();
        assertEquals(RST, fx.only().flags());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_COOKIES_REJECTED));
        assertNull(fx.engine.find(PEER_IP, PEER_PORT + 1, LOCAL_PORT));
    }
}
