package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jmtcp.tcp.EngineFixture.LOCAL_PORT;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection closes (RFC 9293 §3.10.4–5, §3.6): FIN after queued data, close with
 * unread data and data after close (RFC 2525 §2.17), abort, the FIN_WAIT_2 timeout, and the
 * TIME_WAIT record (RFC 9293 §3.10.7.4, RFC 1337).
 */
final class CloseTest
{
    private final EngineFixture fx = new EngineFixture(new TcpConfig().finWait2TimeoutNanos(30 * SECOND));

    @Test
    void establishedCloseSendsFinAfterQueuedData()
    {
        fx.peerWindowScale = -1;
        final TcpConnection connection = fx.establishPassive();
        final int mss = connection.sendMss();
        // The peer's window holds one segment: the rest stays queued behind it.
        fx.peerAck().window(mss).send();
        EngineFixture.write(connection, bytes(2 * mss + 10, 0));
        connection.shutdownWrite();
        final Sent first = fx.only();
        assertEquals(ACK, first.flags() & (ACK | FIN));
        fx.peerAck().window(mss).send();
        assertEquals(0, fx.only().flags() & FIN);
        fx.peerAck().window(mss).send();
        final Sent last = fx.only();
        assertEquals(10, last.length());
        assertTrue(last.has(FIN));
        assertEquals(fx.localIss + 1 + 2 * mss, last.seq());
        fx.peerAck().window(mss).send();
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
    }

    @Test
    void establishedCloseWithUnreadDataSendsReset()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerData(bytes(10, 0)).send();
        fx.clearSent();
        connection.close();
        final Sent rst = fx.only();
        assertTrue(rst.has(RST));
        assertEquals(fx.localIss + 1, rst.seq());
        assertEquals(1, fx.counter(StackCounter.TCP_UNREAD_DATA_RESETS));
        assertEquals(0, fx.engine.flowCount());
        fx.dispatch();
        assertEquals(0, fx.engine.connectionCount());
    }

    @Test
    void establishedAbortSendsReset()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(10, 0));
        fx.clearSent();
        connection.abort();
        final Sent rst = fx.only();
        assertTrue(rst.has(RST));
        assertEquals(fx.localIss + 11, rst.seq());
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNABORTED, connection.error());
    }

    @Test
    void synSentAbortSendsNothing()
    {
        // RFC 9293 §3.10.5: ABORT in SYN-SENT sends no RST.
        final TcpConnection connection = fx.connect();
        fx.clearSent();
        connection.abort();
        fx.assertNothingSent();
        assertEquals(TcpState.CLOSED, connection.state());
    }

    @Test
    void finWait1DataAfterCloseSendsReset()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.close();
        fx.clearSent();
        fx.peerData(bytes(10, 0)).send();
        final Sent rst = fx.only();
        assertTrue(rst.has(RST));
        assertEquals(1, fx.counter(StackCounter.TCP_DATA_AFTER_CLOSE_RESETS));
        assertEquals(0, fx.engine.flowCount());
        fx.dispatch();
        assertEquals(0, fx.engine.connectionCount());
    }

    @Test
    void finWait2TimeoutAfterClose()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.close();
        fx.peerAck().send();
        fx.clearSent();
        fx.advance(30 * SECOND - 10 * EngineFixture.MS);
        assertEquals(1, fx.engine.flowCount());
        fx.advance(20 * EngineFixture.MS);
        assertEquals(0, fx.engine.flowCount());
        assertEquals(0, fx.engine.connectionCount());
        assertEquals(1, fx.counter(StackCounter.TCP_FIN_WAIT_2_TIMEOUTS));
        fx.assertNothingSent();
    }

    @Test
    void finWait2HalfCloseHasNoTimeout()
    {
        // shutdownWrite() keeps the receiving side open as long as the application wants.
        final TcpConnection connection = fx.establishPassive();
        connection.shutdownWrite();
        fx.peerAck().send();
        fx.advance(60 * SECOND);
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
        fx.peerData(bytes(10, 0)).send();
        assertEquals(10, connection.readable());
    }

    @Test
    void timeWaitRetransmittedFinAckedAndTimerRestarted()
    {
        final TcpConnection connection = fx.establishPassive();
        connection.close();
        fx.peerAck().send();
        fx.clearSent();
        fx.peerFin().send();
        final Sent ack = fx.only();
        assertEquals(1, fx.engine.timeWaitCount());
        // Our ACK was lost: the peer retransmits its FIN.
        fx.advance(30 * SECOND);
        fx.peerFin().seq(fx.peerNxt - 1).send();
        final Sent again = fx.only();
        assertEquals(ACK, again.flags());
        assertEquals(ack.seq(), again.seq());
        assertEquals(ack.ack(), again.ack());
        assertEquals(1, fx.counter(StackCounter.TCP_TIME_WAIT_SEGMENTS));
        // The 2 MSL timer restarted with the FIN.
        fx.advance(fx.config.timeWaitNanos() - SECOND);
        assertEquals(1, fx.engine.timeWaitCount());
        fx.advance(2 * SECOND);
        assertEquals(0, fx.engine.timeWaitCount());
    }

    @Test
    void timeWaitRstIgnored()
    {
        // RFC 1337 §3 fix F1: a RST must not end TIME-WAIT early.
        final TcpConnection connection = fx.establishPassive();
        connection.close();
        fx.peerFin().send();
        fx.clearSent();
        fx.peer().flags(RST).ack(0).send();
        fx.assertNothingSent();
        assertEquals(1, fx.engine.timeWaitCount());
    }

    @Test
    void timeWaitNewSynReopens()
    {
        // RFC 6191 §2: a SYN with a higher timestamp may start a new incarnation.
        final TcpConnection connection = fx.establishPassive();
        connection.close();
        fx.peerFin().send();
        fx.clearSent();
        fx.peer().flags(SYN).seq(fx.peerNxt + 100_000).ack(0).mss(1460).send();
        final Sent synAck = fx.only();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(0, fx.engine.timeWaitCount());
        assertEquals(1, fx.counter(StackCounter.TCP_TIME_WAIT_REOPENED));
        assertEquals(TcpState.SYN_RECEIVED, fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT).state());
    }

    @Test
    void closeWaitCloseCompletesWithoutApplication()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        fx.dispatch();
        connection.close();
        final List<Sent> sent = fx.take();
        assertTrue(sent.get(sent.size() - 1).has(FIN));
        fx.peerAck().send();
        assertEquals(0, fx.engine.flowCount());
        fx.dispatch();
        assertEquals(0, fx.engine.connectionCount());
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
    }

    @Test
    void lastAckRstCloses()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        connection.shutdownWrite();
        fx.peer().flags(RST).ack(0).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.NONE, connection.error());
    }
}
