package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.RST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 7323 timestamps: PAWS (§5.3), which TSval becomes TS.Recent (§4.3), the 24-day idle rule
 * (§5.5), and a peer that does not offer timestamps.
 */
final class PawsTest
{
    private static final long DAY = 24L * 3600 * 1000 * MS;

    private final EngineFixture fx = new EngineFixture();

    @Test
    void establishedOldTsValDroppedWithAck()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerData(bytes(10, 1)).tsVal(4000).send();
        final Sent ack = fx.only();
        assertEquals(ACK, ack.flags());
        assertEquals(fx.peerNxt - 10, ack.ack());
        assertEquals(0, connection.readable());
        assertEquals(1, fx.counter(StackCounter.TCP_PAWS_REJECTED));
    }

    @Test
    void establishedEqualTsValAccepted()
    {
        // R1 drops only SEG.TSval < TS.Recent; a burst may share one timestamp.
        final TcpConnection connection = fx.establishPassive();
        final int tsRecent = connection.tsRecent;
        fx.peerData(bytes(10, 1)).tsVal(tsRecent).send();
        assertEquals(10, connection.readable());
    }

    @Test
    void establishedInOrderSegmentUpdatesTsRecent()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.peerData(bytes(10, 1)).tsVal(9000).send();
        assertEquals(9000, connection.tsRecent);
        fx.advance(fx.config.delayedAckNanos() + MS);
        final Sent ack = fx.only();
        assertEquals(9000, ack.options().tsEcr());
    }

    @Test
    void establishedDelayedAckEchoesEarliestTsVal()
    {
        // §4.3 (2): only a segment at or below Last.ACK.sent updates TS.Recent, so the ACK of two
        // segments echoes the first one's TSval: the RTT measured covers the delay.
        fx.establishPassive();
        fx.peerData(bytes(10, 1)).tsVal(9000).send();
        fx.peerData(bytes(10, 11)).tsVal(9100).send();
        final Sent ack = fx.only();
        assertEquals(fx.peerNxt, ack.ack());
        assertEquals(9000, ack.options().tsEcr());
    }

    @Test
    void establishedOutOfOrderSegmentDoesNotUpdateTsRecent()
    {
        final TcpConnection connection = fx.establishPassive();
        final int tsRecent = connection.tsRecent;
        fx.peerData(bytes(10, 1)).seq(fx.peerNxt + 100).tsVal(9000).send();
        final Sent dupAck = fx.only();
        assertEquals(tsRecent, dupAck.options().tsEcr());
        assertEquals(tsRecent, connection.tsRecent);
    }

    @Test
    void establishedRstWithOldTsValStillResets()
    {
        // §5.3 R1 applies to non-RST segments; RST is judged by its sequence number (RFC 5961 §3).
        final TcpConnection connection = fx.establishPassive();
        fx.peer().flags(RST).ack(0).tsVal(1).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNRESET, connection.error());
    }

    @Test
    void establishedTsRecentIdleOver24DaysInvalid()
    {
        // §5.5: a TS.Recent idle for more than 24 days is invalid; the segment is accepted.
        final TcpConnection connection = fx.establishPassive();
        fx.jump(25 * DAY);
        fx.peerData(bytes(10, 1)).tsVal(3).send();
        assertEquals(10, connection.readable());
        assertEquals(3, connection.tsRecent);
        assertEquals(0, fx.counter(StackCounter.TCP_PAWS_REJECTED));
    }

    @Test
    void establishedTsRecentIdleUnder24DaysStillValid()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.jump(23 * DAY);
        fx.peerData(bytes(10, 1)).tsVal(3).send();
        assertEquals(0, connection.readable());
        assertEquals(1, fx.counter(StackCounter.TCP_PAWS_REJECTED));
    }

    @Test
    void establishedPeerWithoutTimestampsWorks()
    {
        fx.peerTimestamps = false;
        final TcpConnection connection = fx.establishPassive();
        assertFalse(connection.timestampsEnabled());
        assertEquals(1460, connection.sendMss());
        final byte[] data = bytes(100, 7);
        EngineFixture.write(connection, data);
        final Sent segment = fx.only();
        assertFalse(segment.options().hasTimestamps());
        assertArrayEquals(data, segment.payload());
        fx.peerData(bytes(20, 3)).send();
        fx.peerData(bytes(20, 23)).send();
        assertEquals(40, connection.readable());
        assertFalse(fx.only().options().hasTimestamps());
    }

    @Test
    void synAckEchoesPeerTsValAndNoTimestampsWhenDisabled()
    {
        final EngineFixture off = new EngineFixture(new TcpConfig().timestamps(false));
        off.listen();
        off.peerSyn().send();
        final Sent synAck = off.only();
        assertFalse(synAck.options().hasTimestamps());

        fx.listen();
        fx.peerSyn().send();
        final Sent withTs = fx.only();
        assertTrue(withTs.options().hasTimestamps());
        assertEquals(5000, withTs.options().tsEcr());
    }
}
