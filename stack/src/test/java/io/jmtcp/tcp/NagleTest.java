package io.jmtcp.tcp;

import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nagle's algorithm (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4): a short segment waits while data is
 * unacknowledged; NODELAY sends it at once.
 */
final class NagleTest
{
    private final EngineFixture fx = new EngineFixture();
    private final TcpConnection connection = fx.establishPassive();

    @Test
    void establishedSmallSegmentHeldWhileDataUnacknowledged()
    {
        EngineFixture.write(connection, bytes(10, 0));
        assertEquals(10, fx.only().length());
        EngineFixture.write(connection, bytes(10, 10));
        EngineFixture.write(connection, bytes(10, 20));
        fx.assertNothingSent();
        // The ACK of the first releases what waited, as one segment.
        fx.peerAck().send();
        final Sent held = fx.only();
        assertEquals(20, held.length());
        assertEquals(fx.localIss + 11, held.seq());
    }

    @Test
    void establishedFullSegmentsSentDespiteUnacknowledgedData()
    {
        EngineFixture.write(connection, bytes(10, 0));
        fx.clearSent();
        final int mss = connection.sendMss();
        EngineFixture.write(connection, bytes(2 * mss + 5, 0));
        final List<Sent> sent = fx.take();
        assertEquals(2, sent.size(), sent::toString);
        assertEquals(mss, sent.get(0).length());
        assertEquals(mss, sent.get(1).length());
        fx.peerAck().send();
        assertEquals(5, fx.only().length());
    }

    @Test
    void establishedNoDelaySendsSmallSegmentsAtOnce()
    {
        connection.noDelay(true);
        EngineFixture.write(connection, bytes(10, 0));
        EngineFixture.write(connection, bytes(10, 10));
        final List<Sent> sent = fx.take();
        assertEquals(2, sent.size());
        assertEquals(fx.localIss + 11, sent.get(1).seq());
    }

    @Test
    void establishedNoDelaySwitchedOnFlushesHeldData()
    {
        EngineFixture.write(connection, bytes(10, 0));
        EngineFixture.write(connection, bytes(10, 10));
        fx.clearSent();
        connection.noDelay(true);
        assertEquals(10, fx.only().length());
    }
}
