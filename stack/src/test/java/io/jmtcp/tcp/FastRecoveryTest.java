package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import io.jmtcp.tcp.cc.CongestionControls;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Loss recovery on duplicate ACKs: fast retransmit (RFC 5681 §3.2), NewReno partial ACKs
 * (RFC 6582 §3.2) without SACK, and SACK-based recovery (RFC 6675) retransmitting exactly the
 * holes the SACK blocks leave.
 */
final class FastRecoveryTest
{
    private static final int SEGMENTS = 10;

    private EngineFixture fx;
    private TcpConnection connection;
    private int mss;
    private int base;
    private byte[] data;

    private List<Sent> start(final boolean sack)
    {
        fx = new EngineFixture(new TcpConfig().sack(sack).noDelay(true).congestionControl(CongestionControls.NEW_RENO));
        connection = fx.establishPassive();
        mss = connection.sendMss();
        base = fx.localIss + 1;
        data = bytes(SEGMENTS * mss, 3);
        EngineFixture.write(connection, data);
        final List<Sent> sent = fx.take();
        assertEquals(SEGMENTS, sent.size(), () -> "the initial window: " + sent);
        return sent;
    }

    private int seg(final int index)
    {
        return base + index * mss;
    }

    private byte[] segmentBytes(final int index)
    {
        final byte[] bytes = new byte[mss];
        System.arraycopy(data, index * mss, bytes, 0, mss);
        return bytes;
    }

    @Test
    void establishedThreeDupAcksFastRetransmit()
    {
        start(false);
        fx.peerAck().ack(base).send();
        fx.peerAck().ack(base).send();
        fx.assertNothingSent();
        assertEquals(2, fx.counter(StackCounter.TCP_DUPLICATE_ACKS_IN));
        fx.peerAck().ack(base).send();
        final Sent retransmission = fx.only();
        assertEquals(base, retransmission.seq());
        assertArrayEquals(segmentBytes(0), retransmission.payload());
        assertEquals(1, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
        // ssthresh = FlightSize / 2 (RFC 5681 equation 4), cwnd = ssthresh + 3 SMSS.
        assertEquals(SEGMENTS * mss / 2 + 3 * mss, connection.cwnd());
    }

    @Test
    void establishedDupAckWithWindowChangeNotCounted()
    {
        // RFC 5681 §2: a duplicate ACK leaves the advertised window unchanged.
        start(false);
        fx.peerAck().ack(base).window(1000).send();
        fx.peerAck().ack(base).window(2000).send();
        fx.peerAck().ack(base).window(3000).send();
        assertEquals(0, fx.counter(StackCounter.TCP_DUPLICATE_ACKS_IN));
        assertEquals(0, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
    }

    @Test
    void fastRecoveryPartialAckRetransmitsNextHoleWithoutSack()
    {
        start(false);
        for (int i = 0; i < 3; i++)
        {
            fx.peerAck().ack(base).send();
        }
        fx.clearSent();
        // Segments 0 and 1 arrive, segment 2 was lost too: the partial ACK retransmits it at once.
        fx.peerAck().ack(seg(2)).send();
        final Sent retransmission = fx.sent().get(0);
        assertEquals(seg(2), retransmission.seq());
        assertArrayEquals(segmentBytes(2), retransmission.payload());
        fx.clearSent();
        // The full ACK ends recovery; RFC 6582 §3.2 step 3 option (1): cwnd = min(ssthresh,
        // max(FlightSize, SMSS) + SMSS), with nothing left in flight 2 SMSS, against a burst.
        fx.peerAck().ack(seg(SEGMENTS)).send();
        assertEquals(Math.min(SEGMENTS * mss / 2, 2 * mss), connection.cwnd());
        assertEquals(2, connection.retransmits());
    }

    @Test
    void fastRecoveryRetransmitsSackHolesOnly()
    {
        start(true);
        // Segments 0 and 2 lost; the peer SACKs the others as they arrive.
        fx.peerAck().ack(base).sack(seg(1), seg(2)).send();
        fx.peerAck().ack(base).sack(seg(3), seg(4)).sack(seg(1), seg(2)).send();
        fx.assertNothingSent();
        // Three segments SACKed above segment 0: it is lost (RFC 6675 IsLost), recovery starts.
        fx.peerAck().ack(base).sack(seg(3), seg(5)).sack(seg(1), seg(2)).send();
        assertEquals(1, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
        for (int i = 6; i <= SEGMENTS; i++)
        {
            fx.peerAck().ack(base).sack(seg(3), seg(i)).sack(seg(1), seg(2)).send();
        }
        final List<Integer> retransmitted = fx.take().stream().map(Sent::seq).collect(Collectors.toList());
        assertEquals(List.of(seg(0), seg(2)), retransmitted);
        fx.peerAck().ack(seg(SEGMENTS)).send();
        assertEquals(0, connection.unacknowledged());
    }

    @Test
    void establishedReorderedDupAckWithOlderTimestampStillCounts()
    {
        // A duplicate ACK overtaken by a later one carries an older TSval; RFC 7323 §5.3 would
        // drop it, Linux's tcp_disordered_ack (and ours) lets such a harmless ACK through so
        // that fast retransmit still sees three duplicates.
        start(false);
        final int tsRecent = connection.tsRecent;
        fx.peerAck().ack(base).tsVal(tsRecent + 10).send();
        fx.peerAck().ack(base).tsVal(tsRecent + 5).send();
        fx.peerAck().ack(base).tsVal(tsRecent + 10).send();
        assertEquals(0, fx.counter(StackCounter.TCP_PAWS_REJECTED));
        assertEquals(3, fx.counter(StackCounter.TCP_DUPLICATE_ACKS_IN));
        assertEquals(1, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
    }

    @Test
    void establishedOldTimestampOnAckOfNewDataStillRejected()
    {
        // The exception covers duplicate ACKs only: an ACK that moves SND.UNA is held to PAWS.
        start(false);
        final int tsRecent = connection.tsRecent;
        fx.peerAck().ack(base).tsVal(tsRecent + 10).send();
        fx.peerAck().ack(seg(1)).tsVal(tsRecent + 5).send();
        assertEquals(1, fx.counter(StackCounter.TCP_PAWS_REJECTED));
    }
}
