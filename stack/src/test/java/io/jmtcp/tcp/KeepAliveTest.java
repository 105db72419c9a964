package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.wire.TcpHeader.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keepalive (RFC 9293 §3.8.4): off by default; when on, an idle connection is probed after the
 * idle time with a segment at SND.NXT - 1 (which the peer must answer), probes repeat at the
 * interval, an answer resets the idle clock, and enough unanswered probes end the connection
 * with ETIMEDOUT.
 */
final class KeepAliveTest
{
    private static final long IDLE = 10 * SECOND;
    private static final long INTERVAL = 2 * SECOND;

    private final EngineFixture fx = new EngineFixture(new TcpConfig().keepAlive(true)
        .keepAliveIdleNanos(IDLE).keepAliveIntervalNanos(INTERVAL).keepAliveProbes(3));

    @Test
    void establishedIdleSendsProbeAtSndNxtMinusOne()
    {
        fx.establishPassive();
        fx.advance(IDLE - SECOND);
        fx.assertNothingSent();
        fx.advance(2 * SECOND);
        final Sent probe = fx.only();
        assertEquals(ACK, probe.flags());
        assertEquals(fx.localNxt - 1, probe.seq());
        assertEquals(0, probe.payload().length);
        assertEquals(1, fx.counter(StackCounter.TCP_KEEPALIVE_PROBES));
    }

    @Test
    void establishedAnsweredProbeRestartsIdleTime()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.advance(IDLE + SECOND);
        fx.only();
        fx.peerAck().send();
        // The answer came at IDLE + 1 s; without it the next probe would follow INTERVAL later.
        fx.advance(IDLE - SECOND);
        fx.assertNothingSent();
        fx.advance(2 * SECOND);
        fx.only();
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void establishedUnansweredProbesTimeOut()
    {
        final TcpConnection connection = fx.establishPassive();
        fx.advance(IDLE + 3 * INTERVAL + SECOND);
        assertEquals(3, fx.counter(StackCounter.TCP_KEEPALIVE_PROBES));
        assertEquals(1, fx.counter(StackCounter.TCP_KEEPALIVE_TIMEOUTS));
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ETIMEDOUT, connection.error());
    }

    @Test
    void establishedKeepAliveOffByDefaultSendsNothing()
    {
        // The same short idle time and interval, but the switch left at its default.
        final EngineFixture quiet = new EngineFixture(new TcpConfig().keepAliveIdleNanos(IDLE)
            .keepAliveIntervalNanos(INTERVAL).keepAliveProbes(3));
        final TcpConnection connection = quiet.establishPassive();
        quiet.advance(IDLE + 4 * INTERVAL);
        quiet.assertNothingSent();
        assertEquals(0, quiet.counter(StackCounter.TCP_KEEPALIVE_PROBES));
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }
}
