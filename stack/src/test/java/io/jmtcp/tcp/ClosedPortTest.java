package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import io.jmtcp.wire.DropReason;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_ISS;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
import static io.jmtcp.wire.TcpHeader.PSH;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * CLOSED, RFC 9293 §3.10.7.1: no connection and no listener. A segment with ACK gets
 * {@code <SEQ=SEG.ACK><CTL=RST>}; one without gets {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>};
 * a RST gets nothing.
 */
final class ClosedPortTest
{
    private final EngineFixture fx = new EngineFixture();

    @Test
    void closedAckGetsResetWithSeqOfAck()
    {
        assertEquals(DropReason.TCP_NO_SOCKET, fx.peer().flags(ACK).seq(1234).ack(0xABCD_0000).send());
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(0xABCD_0000, rst.seq());
        assertEquals(PEER_IP, rst.remoteIp);
        assertFalse(rst.options().hasTimestamps());
        assertEquals(1, fx.counter(StackCounter.TCP_RESETS_TO_CLOSED_PORTS));
        assertEquals(1, fx.counter(StackCounter.TCP_RESETS_OUT));
    }

    @Test
    void closedSynGetsResetAckOfSeqPlusOne()
    {
        fx.peerSyn().send();
        final Sent rst = fx.only();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(0, rst.seq());
        assertEquals(PEER_ISS + 1, rst.ack());
    }

    @Test
    void closedDataWithoutAckGetsResetAckOfSeqPlusLength()
    {
        fx.peer().flags(PSH).seq(5000).ack(0).payload(100).send();
        final Sent rst = fx.only();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(5100, rst.ack());
    }

    @Test
    void closedFinWithoutAckCountsFin()
    {
        fx.peer().flags(FIN).seq(5000).ack(0).payload(10).send();
        assertEquals(5011, fx.only().ack());
    }

    @Test
    void closedRstNotAnswered()
    {
        assertEquals(DropReason.TCP_NO_SOCKET, fx.peer().flags(RST).seq(5000).ack(0).send());
        fx.peer().flags(RST | ACK).seq(5000).ack(1).send();
        fx.assertNothingSent();
        assertEquals(0, fx.counter(StackCounter.TCP_RESETS_TO_CLOSED_PORTS));
    }

    @Test
    void closedAfterConnectionEndedAnswersWithReset()
    {
        // A connection that ended (here by abort) leaves its 4-tuple CLOSED.
        final TcpConnection connection = fx.establishPassive();
        fx.engine.closeListener(fx.listener);
        connection.abort();
        fx.clearSent();
        fx.peerData(new byte[10]).send();
        final Sent rst = fx.only();
        assertEquals(RST, rst.flags());
        assertEquals(fx.localNxt, rst.seq());
    }
}
