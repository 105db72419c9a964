package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Option negotiation and use: MSS (RFC 9293 §3.7.1, RFC 6691), window scale (RFC 7323 §2),
 * SACK (RFC 2018) with D-SACK from the peer (RFC 2883).
 */
final class OptionsTest
{
    private static Sent synAckOf(final EngineFixture fx)
    {
        fx.listen();
        fx.peerSyn().send();
        return fx.only();
    }

    @Test
    void listenSynAckMssFromMtu()
    {
        assertEquals(1460, synAckOf(new EngineFixture()).options().mss());
        assertEquals(1240, synAckOf(new EngineFixture(new TcpConfig(), 1280)).options().mss());
    }

    @Test
    void synSentSynMssFromMtu()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig(), 9000);
        fx.connect();
        assertEquals(8960, fx.only().options().mss());
    }

    @Test
    void establishedTinyPeerMssRaisedToMinSendMss()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerMss = 20;
        final TcpConnection connection = fx.establishPassive();
        final int mss = TcpConfig.DEFAULT_MIN_SEND_MSS - TcpSender.TIMESTAMPS_SPACE;
        assertEquals(mss, connection.sendMss());
        connection.noDelay(true);
        EngineFixture.write(connection, bytes(500, 0));
        final List<Sent> sent = fx.take();
        assertTrue(sent.size() > 1);
        for (final Sent segment : sent)
        {
            assertTrue(segment.length() <= mss, segment::toString);
        }
    }

    @Test
    void establishedPeerWithoutMssOptionUses536()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerMss = -1;
        assertEquals(TcpConfig.DEFAULT_PEER_MSS - TcpSender.TIMESTAMPS_SPACE, fx.establishPassive().sendMss());
    }

    @Test
    void establishedPeerMssAboveOursClampedToOurs()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerMss = 9000;
        assertEquals(1460 - TcpSender.TIMESTAMPS_SPACE, fx.establishPassive().sendMss());
    }

    @Test
    void listenWindowScaleChosenForBuffer()
    {
        // RFC 7323 §2.3: the smallest shift that lets the whole buffer be advertised.
        assertEquals(3, synAckOf(new EngineFixture()).options().windowScale());
        assertEquals(5, synAckOf(new EngineFixture(new TcpConfig().receiveBufferBytes(1 << 20))).options()
            .windowScale());
        assertEquals(0, synAckOf(new EngineFixture(new TcpConfig().receiveBufferBytes(32 * 1024))).options()
            .windowScale());
        final EngineFixture fx = new EngineFixture(new TcpConfig().receiveBufferBytes(64 * 1024));
        assertEquals(1, fx.establishPassive().receiveWindowShift());
    }

    @Test
    void listenSynAckWindowUnscaled()
    {
        // RFC 7323 §2.2: the window of a SYN or SYN-ACK is never scaled.
        assertEquals(65_535, synAckOf(new EngineFixture()).window());
        assertEquals(8192, synAckOf(new EngineFixture(new TcpConfig().receiveBufferBytes(8192))).window());
    }

    @Test
    void establishedDataWindowScaled()
    {
        final EngineFixture fx = new EngineFixture();
        final TcpConnection connection = fx.establishPassive();
        fx.peerData(bytes(10, 0)).send();
        fx.peerData(bytes(10, 0)).send();
        final Sent ack = fx.only();
        assertEquals((256 * 1024 - 20) >> 3, ack.window());
        assertEquals(3, connection.receiveWindowShift());
    }

    @Test
    void establishedPeerWindowScaleAbove14Clamped()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerWindowScale = 15;
        assertEquals(14, fx.establishPassive().sendWindowShift());
    }

    @Test
    void establishedPeerWithoutWindowScaleDisablesBoth()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerWindowScale = -1;
        fx.listen();
        fx.peerSyn().send();
        assertFalse(fx.only().options().hasWindowScale());
        fx.peerAck().send();
        fx.dispatch();
        final TcpConnection connection = fx.engine.accept(fx.listener);
        assertEquals(-1, connection.sendWindowShift());
        assertEquals(-1, connection.receiveWindowShift());
        fx.peerData(bytes(10, 0)).send();
        fx.peerData(bytes(10, 0)).send();
        assertEquals(65_535, fx.only().window());
    }

    @Test
    void establishedSackBlocksFromOutOfOrderQueueNewestFirst()
    {
        final EngineFixture fx = new EngineFixture();
        fx.establishPassive();
        final int start = fx.peerNxt;
        fx.peerData(bytes(100, 0)).seq(start + 200).send();
        fx.peerData(bytes(100, 0)).seq(start + 400).send();
        final Sent ack = fx.last();
        assertEquals(start, ack.ack());
        assertEquals(2, ack.options().sackBlockCount());
        assertEquals(start + 400, ack.options().sackLeft(0));
        assertEquals(start + 500, ack.options().sackRight(0));
        assertEquals(start + 200, ack.options().sackLeft(1));
        assertEquals(start + 300, ack.options().sackRight(1));
    }

    @Test
    void establishedNoSackBlocksWhenPeerDidNotPermit()
    {
        final EngineFixture fx = new EngineFixture();
        fx.peerSackPermitted = false;
        fx.listen();
        fx.peerSyn().send();
        assertFalse(fx.only().options().sackPermitted());
        fx.peerAck().send();
        fx.peerData(bytes(100, 0)).seq(fx.peerNxt + 200).send();
        assertEquals(0, fx.only().options().sackBlockCount());
    }

    @Test
    void establishedDsackFromPeerTolerated()
    {
        // RFC 2883: a first SACK block below SEG.ACK reports a duplicate; it is no loss signal.
        final EngineFixture fx = new EngineFixture(new TcpConfig().noDelay(true));
        final TcpConnection connection = fx.establishPassive();
        final int base = fx.localIss + 1;
        EngineFixture.write(connection, bytes(300, 0));
        EngineFixture.write(connection, bytes(300, 0));
        fx.clearSent();
        fx.peerAck().ack(base + 300).sack(base, base + 300).send();
        fx.peerAck().ack(base + 300).sack(base, base + 300).send();
        fx.peerAck().ack(base + 300).sack(base, base + 300).send();
        fx.assertNothingSent();
        assertEquals(0, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
        fx.peerAck().ack(base + 600).sack(base + 300, base + 600).send();
        assertEquals(0, connection.unacknowledged());
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }
}
