package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 5961: blind reset (§3), blind SYN (§4) and blind data injection (§5) mitigations, and the
 * challenge ACK rate limit (§7).
 */
final class Rfc5961Test
{
    private final EngineFixture fx = new EngineFixture(new TcpConfig().challengeAcksPerSecond(3));
    private final TcpConnection connection = fx.establishPassive();

    @Test
    void establishedRstExactSeqResets()
    {
        fx.peer().flags(RST).ack(0).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNRESET, connection.error());
        assertEquals(1, fx.counter(StackCounter.TCP_RESETS_IN));
        fx.assertNothingSent();
    }

    @Test
    void establishedRstInWindowWrongSeqSendsChallengeAck()
    {
        fx.peer().flags(RST).seq(fx.peerNxt + 1000).ack(0).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt, ack.ack());
        assertEquals(fx.localIss + 1, ack.seq());
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(1, fx.counter(StackCounter.TCP_RST_CHALLENGED));
        assertEquals(1, fx.counter(StackCounter.TCP_CHALLENGE_ACKS));
    }

    @Test
    void establishedRstOutOfWindowDropped()
    {
        fx.peer().flags(RST).seq(fx.peerNxt + 0x4000_0000).ack(0).send();
        fx.peer().flags(RST).seq(fx.peerNxt - 1).ack(0).send();
        fx.assertNothingSent();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(2, fx.counter(StackCounter.TCP_OUT_OF_WINDOW));
    }

    @Test
    void establishedSynSendsChallengeAckAndSurvives()
    {
        // §4.2: whatever its sequence number, a SYN gets an ACK and does not reset.
        fx.peer().flags(SYN).seq(fx.peerNxt + 10).ack(0).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt, ack.ack());
        assertEquals(1, fx.counter(StackCounter.TCP_SYN_IN_SYNCHRONIZED));
        fx.peer().flags(SYN).seq(fx.peerNxt - 100_000).ack(0).send();
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.ESTABLISHED, connection.state());
        // The connection still carries data.
        fx.peerData(bytes(10, 1)).send();
        assertEquals(10, connection.readable());
    }

    @Test
    void establishedSynAckSendsChallengeAck()
    {
        fx.peer().flags(SYN | ACK).seq(fx.peerNxt).send();
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void establishedAckTooOldSendsChallengeAckAndDrops()
    {
        // §5.2: SEG.ACK < SND.UNA - MAX.SND.WND: challenge ACK, and the data is not taken.
        final int tooOld = fx.localIss + 1 - connection.maxSndWnd - 10;
        fx.peerData(bytes(10, 1)).ack(tooOld).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt - 10, ack.ack());
        assertEquals(0, connection.readable());
        assertEquals(1, fx.counter(StackCounter.TCP_ACK_TOO_OLD));
        assertEquals(1, fx.counter(StackCounter.TCP_CHALLENGE_ACKS));
    }

    @Test
    void establishedOldAckWithinMaxWindowAccepted()
    {
        // SND.UNA - MAX.SND.WND =< SEG.ACK < SND.UNA: a duplicate; its data is taken.
        fx.peerData(bytes(10, 1)).ack(fx.localIss - 5).send();
        assertEquals(10, connection.readable());
        assertEquals(0, fx.counter(StackCounter.TCP_ACK_TOO_OLD));
    }

    @Test
    void challengeAcksRateLimitedPerSecond()
    {
        // §7: at most challengeAcksPerSecond (3 here) in a second; the rest are counted.
        for (int i = 0; i < 5; i++)
        {
            fx.peer().flags(RST).seq(fx.peerNxt + 100 + i).ack(0).send();
        }
        assertEquals(3, fx.take().size());
        assertEquals(3, fx.counter(StackCounter.TCP_CHALLENGE_ACKS));
        assertEquals(2, fx.counter(StackCounter.TCP_CHALLENGE_ACKS_LIMITED));
        assertEquals(TcpState.ESTABLISHED, connection.state());

        fx.advance(SECOND);
        fx.peer().flags(SYN).seq(fx.peerNxt).ack(0).send();
        assertEquals(ACK, fx.only().flags());
        assertEquals(4, fx.counter(StackCounter.TCP_CHALLENGE_ACKS));
    }

    @Test
    void closeWaitRstExactSeqResets()
    {
        fx.peerFin().send();
        fx.peer().flags(RST).ack(0).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNRESET, connection.error());
    }

    @Test
    void finWait2RstInWindowWrongSeqSendsChallengeAck()
    {
        connection.shutdownWrite();
        fx.peerAck().send();
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
        fx.clearSent();
        fx.peer().flags(RST).seq(fx.peerNxt + 1).ack(0).send();
        assertEquals(ACK, fx.only().flags());
        assertEquals(TcpState.FIN_WAIT_2, connection.state());
        assertTrue(fx.counter(StackCounter.TCP_RST_CHALLENGED) > 0);
    }
}
