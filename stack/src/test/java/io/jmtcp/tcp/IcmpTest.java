package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.EngineFixture.Sent;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jmtcp.tcp.EngineFixture.LOCAL_IP;
import static io.jmtcp.tcp.EngineFixture.LOCAL_PORT;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ICMP errors about our segments: fragmentation needed lowers the MSS (RFC 1191 §6.3), port and
 * protocol unreachable abort an open (RFC 1122 §4.2.3.9), other unreachables are soft errors
 * reported only on timeout (RFC 5461), and an error must quote a sequence number in flight
 * (RFC 5927 §4.1).
 */
final class IcmpTest
{
    private final EngineFixture fx = new EngineFixture(new TcpConfig().dataRetries(2).synRetries(2).noDelay(true));

    /** The quote of an ICMP error: our IPv4 header and the first 8 bytes of our TCP header. */
    private DropReason icmp(final int code, final int mtu, final int seq)
    {
        // Written as a whole header; only the first 28 bytes are quoted (RFC 792).
        final UnsafeBuffer quote = new UnsafeBuffer(new byte[40]);
        Ipv4Header.write(quote, 0, 20, 1, true, 64, Ipv4Header.PROTOCOL_TCP, LOCAL_IP, PEER_IP);
        TcpHeader.write(quote, 20, LOCAL_PORT, PEER_PORT, seq, 0, 20, TcpHeader.ACK, 0, 0);
        return fx.engine.onIcmpError(IcmpHeader.DEST_UNREACHABLE, code, mtu, quote, 0, 28, fx.now);
    }

    @Test
    void establishedFragmentationNeededLowersMssAndResends()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(1448, 0));
        final Sent big = fx.only();
        assertEquals(1448, big.length());
        assertEquals(DropReason.NONE, icmp(IcmpHeader.CODE_FRAGMENTATION_NEEDED, 1200, big.seq()));
        assertEquals(1200 - 40 - TcpSender.TIMESTAMPS_SPACE, connection.sendMss());
        assertEquals(1, fx.counter(StackCounter.TCP_PMTU_DECREASES));
        // What was in flight goes again at the new size.
        final List<Sent> again = fx.take();
        assertEquals(big.seq(), again.get(0).seq());
        assertEquals(connection.sendMss(), again.get(0).length());
    }

    @Test
    void establishedFragmentationNeededNotBelowMinSendMss()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 0));
        icmp(IcmpHeader.CODE_FRAGMENTATION_NEEDED, 68, fx.localIss + 1);
        assertEquals(TcpConfig.DEFAULT_MIN_SEND_MSS - TcpSender.TIMESTAMPS_SPACE, connection.sendMss());
    }

    @Test
    void synSentPortUnreachableRefused()
    {
        final TcpConnection connection = fx.connect();
        icmp(IcmpHeader.CODE_PORT_UNREACHABLE, 0, connection.iss);
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.ECONNREFUSED, connection.error());
    }

    @Test
    void synSentHostUnreachableReportedOnTimeout()
    {
        final TcpConnection connection = fx.connect();
        icmp(IcmpHeader.CODE_HOST_UNREACHABLE, 0, connection.iss);
        assertEquals(TcpState.SYN_SENT, connection.state());
        fx.advance(60 * SECOND);
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.EHOSTUNREACH, connection.error());
    }

    @Test
    void establishedHostUnreachableSoftErrorReportedOnTimeout()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 0));
        icmp(IcmpHeader.CODE_HOST_UNREACHABLE, 0, fx.localIss + 1);
        assertEquals(TcpState.ESTABLISHED, connection.state());
        assertEquals(TcpError.NONE, connection.error());
        fx.advance(60 * SECOND);
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpError.EHOSTUNREACH, connection.error());
    }

    @Test
    void establishedPortUnreachableIsSoftError()
    {
        // Only in SYN-SENT is port unreachable fatal; later it may be forged (RFC 5927 §4).
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 0));
        icmp(IcmpHeader.CODE_PORT_UNREACHABLE, 0, fx.localIss + 1);
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void establishedErrorQuotingSequenceOutsideFlightIgnored()
    {
        final TcpConnection connection = fx.establishPassive();
        EngineFixture.write(connection, bytes(100, 0));
        assertEquals(DropReason.TCP_NO_SOCKET, icmp(IcmpHeader.CODE_FRAGMENTATION_NEEDED, 576, fx.localIss + 5000));
        assertEquals(DropReason.TCP_NO_SOCKET, icmp(IcmpHeader.CODE_FRAGMENTATION_NEEDED, 576, fx.localIss - 5000));
        assertEquals(1460 - TcpSender.TIMESTAMPS_SPACE, connection.sendMss());
        assertEquals(0, fx.counter(StackCounter.TCP_ICMP_ERRORS));
        assertTrue(connection.state() == TcpState.ESTABLISHED);
    }
}
