package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A zero send window (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17): the persist timer probes it with
 * exponential backoff for as long as the peer answers, gives up with ETIMEDOUT when the peer
 * answers none of {@link TcpConfig#dataRetries()} probes, and a reopened window resumes sending.
 */
final class ZeroWindowTest
{
    private final EngineFixture fx = new EngineFixture();
    private final TcpConnection connection = fx.establishPassive();
    private final byte[] data = bytes(100, 9);

    ZeroWindowTest()
    {
        fx.peerAck().window(0).send();
        assertEquals(0, connection.sendWindow());
        EngineFixture.write(connection, data);
    }

    @Test
    void establishedZeroWindowSendsNothingUntilPersistTimeout()
    {
        fx.assertNothingSent();
        fx.advance(connection.rtoNanos() + 2 * MS);
        final Sent probe = fx.only();
        assertEquals(1, probe.length());
        assertEquals(fx.localIss + 1, probe.seq());
        assertEquals(data[0], probe.payload()[0]);
        assertEquals(1, fx.counter(StackCounter.TCP_ZERO_WINDOW_PROBES));
    }

    @Test
    void establishedZeroWindowProbesBackOffWhilePeerAnswers()
    {
        final long rto = connection.rtoNanos();
        long last = fx.now;
        long interval = rto;
        for (int i = 0; i < 5; i++)
        {
            fx.advance(interval + 2 * MS);
            final Sent probe = fx.only();
            assertTrue(Math.abs(probe.time - last - interval) <= 2 * MS,
                "probe " + i + " after " + (probe.time - last) + " ns, expected " + interval);
            assertEquals(fx.localIss + 1, probe.seq());
            last = probe.time;
            interval *= 2;
            // The peer still has no room: it acknowledges nothing new and keeps the window shut.
            fx.peerAck().ack(fx.localIss + 1).window(0).send();
            fx.clearSent();
        }
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(5, fx.counter(StackCounter.TCP_ZERO_WINDOW_PROBES));
        // Window probes answered with the same window are no losses.
        assertEquals(0, fx.counter(StackCounter.TCP_FAST_RETRANSMITS));
        assertEquals(0, fx.counter(StackCounter.TCP_RETRANSMIT_TIMEOUTS));
    }

    @Test
    void establishedWindowReopeningResumesSending()
    {
        fx.advance(connection.rtoNanos() + 2 * MS);
        fx.clearSent();
        // The peer took the probe byte and opens its window.
        fx.peerAck().ack(fx.localIss + 2).window(1000).send();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        received.write(data[0]);
        final List<Sent> segments = fx.take();
        assertTrue(!segments.isEmpty());
        for (final Sent segment : segments)
        {
            assertEquals(fx.localIss + 1 + received.size(), segment.seq());
            received.writeBytes(segment.payload());
        }
        assertArrayEquals(data, received.toByteArray());
        fx.peerAck().send();
        assertEquals(0, connection.unacknowledged());
        fx.advance(10 * SECOND);
        fx.assertNothingSent();
    }

    @Test
    void establishedWindowUpdateBeforeProbeCancelsPersist()
    {
        fx.peerAck().window(1000).send();
        final Sent segment = fx.only();
        assertArrayEquals(data, segment.payload());
        fx.peerAck().send();
        fx.advance(10 * SECOND);
        fx.assertNothingSent();
        assertEquals(0, fx.counter(StackCounter.TCP_ZERO_WINDOW_PROBES));
    }

    @Test
    void establishedZeroWindowProbesUnansweredTimeOut()
    {
        final EngineFixture few = new EngineFixture(new TcpConfig().dataRetries(2));
        final TcpConnection c = few.establishPassive();
        few.peerAck().window(0).send();
        EngineFixture.write(c, data);
        few.advance(c.rtoNanos() + 2 * MS);
        assertEquals(1, few.counter(StackCounter.TCP_ZERO_WINDOW_PROBES));
        assertEquals(TcpState.ESTABLISHED, c.state(), "still probing");
        few.advance(120 * SECOND);
        assertEquals(TcpState.CLOSED, c.state());
        assertEquals(TcpError.ETIMEDOUT, c.error());
        assertEquals(2, few.counter(StackCounter.TCP_ZERO_WINDOW_PROBES), "two probes unanswered, then no more");
        assertEquals(1, few.counter(StackCounter.TCP_RETRANSMIT_GIVE_UPS));
    }

    @Test
    void establishedZeroWindowAnsweredProbesNeverTimeOut()
    {
        final EngineFixture few = new EngineFixture(new TcpConfig().dataRetries(2));
        final TcpConnection c = few.establishPassive();
        few.peerAck().window(0).send();
        EngineFixture.write(c, data);
        int probes = 0;
        while (probes < 6)
        {
            few.advance(100 * MS);
            final int sent = few.take().size();
            if (sent > 0)
            {
                probes += sent;
                // The peer answers each probe, its window still shut.
                few.peerAck().ack(few.localIss + 1).window(0).send();
                few.clearSent();
            }
        }
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(6, few.counter(StackCounter.TCP_ZERO_WINDOW_PROBES));
        assertEquals(0, few.counter(StackCounter.TCP_RETRANSMIT_GIVE_UPS));
    }
}
