package io.jmtcp.tcp;

import io.jmtcp.core.ContextPlacement;
import io.jmtcp.core.PortSpace;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Consumer;

import static io.jmtcp.tcp.EngineFixture.LOCAL_IP;
import static io.jmtcp.tcp.EngineFixture.MS;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_ISS;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.tcp.EngineFixture.SECOND;
import static io.jmtcp.tcp.EngineFixture.bytes;
import static io.jmtcp.tcp.TcpEngine.REUSE_ADDRESS;
import static io.jmtcp.tcp.TcpEngine.REUSE_PORT;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ports of active opens in the stack's account ({@link PortSpace} through a
 * {@link ContextPlacement}): a connection counts its local port from connect until the engine lets
 * it go, through TIME_WAIT, exactly once on every way out; a bind or listen of such a port is
 * refused unless both sockets share it (Linux's {@code inet_csk_bind_conflict}); and the
 * ephemeral choice (RFC 6056 §3.3.3) is what it was: off held ports, shared among connections to
 * different peers.
 */
final class ActiveOpenPortTest
{
    private static final long TIME_WAIT = 2 * SECOND;

    private final PortSpace ports = new PortSpace(49152, 65535);
    private final EngineFixture fx = fixture(new TcpConfig());

    private EngineFixture fixture(final TcpConfig config)
    {
        return new EngineFixture(config.timeWaitNanos(TIME_WAIT).synRetries(2).dataRetries(2)
            .finWait2TimeoutNanos(5 * SECOND), new ContextPlacement(0, 1, ports));
    }

    /** An active open from an ephemeral port to the fixture's peer at {@code peerPort}: SYN_SENT. */
    private static TcpConnection connect(final EngineFixture fx, final int peerPort, final int sharing)
    {
        fx.peerPort = peerPort;
        fx.peerNxt = PEER_ISS;
        fx.localNxt = 0;
        final TcpConnection connection = fx.engine.connect(PEER_IP, peerPort, 0, sharing, fx.events, fx.now);
        assertNotNull(connection, () -> "connect failed: " + TcpError.name(fx.engine.lastError()));
        fx.localPort = connection.localPort();
        fx.localIss = connection.iss;
        fx.clearSent();
        return connection;
    }

    /** {@link #connect}, then the peer's SYN-ACK: ESTABLISHED. */
    private static TcpConnection establish(final EngineFixture fx, final int peerPort, final int sharing)
    {
        final TcpConnection connection = connect(fx, peerPort, sharing);
        fx.peerSynAck().send();
        fx.dispatch();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.clearSent();
        return connection;
    }

    /** We close first, the peer acknowledges and closes: TIME_WAIT, kept as a record. */
    private static void intoTimeWait(final EngineFixture fx, final TcpConnection connection)
    {
        connection.close();
        fx.peerAck().send();
        fx.peerFin().send();
        assertEquals(TcpState.TIME_WAIT, connection.state());
        fx.clearSent();
    }

    @Test
    void synSentCountsTheEphemeralPortAtOnce()
    {
        final TcpConnection connection = connect(fx, PEER_PORT, 0);
        final int port = connection.localPort();
        assertTrue(port >= ports.ephemeralFirst() && port <= ports.ephemeralLast());
        assertEquals(1, ports.connections(port));
        assertEquals(0, ports.holders(port), "a use, not a claim");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, 0));
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_ADDRESS | REUSE_PORT), "the connection set neither");
    }

    @Test
    void timeWaitKeepsThePortUntilTheRecordExpires()
    {
        final TcpConnection connection = establish(fx, PEER_PORT, 0);
        final int port = connection.localPort();
        intoTimeWait(fx, connection);
        assertEquals(0, fx.engine.flowCount());
        assertEquals(1, fx.engine.timeWaitCount());
        assertEquals(1, ports.connections(port), "TIME_WAIT keeps the port in use");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_ADDRESS));
        fx.advance(TIME_WAIT - 10 * MS);
        assertEquals(1, ports.connections(port));
        fx.advance(20 * MS);
        assertEquals(0, fx.engine.timeWaitCount());
        assertEquals(0, ports.connections(port), "free when the record expires");
        assertEquals(TcpError.NONE, ports.bind(port, 0));
    }

    @Test
    void timeWaitOfASharingConnectionLetsASharingBindIn()
    {
        final TcpConnection connection = establish(fx, PEER_PORT, REUSE_ADDRESS);
        final int port = connection.localPort();
        intoTimeWait(fx, connection);
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, 0), "SO_REUSEADDR on the connection alone");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_PORT));
        assertEquals(TcpError.NONE, ports.bind(port, REUSE_ADDRESS), "both set SO_REUSEADDR");
        ports.release(port);
        fx.advance(TIME_WAIT + 10 * MS);
        assertEquals(0, ports.connections(port));
    }

    /** Every way a connection ends without a TIME_WAIT record; each must give its port back once. */
    enum End
    {
        REFUSED(fx -> fx.peer().flags(RST | ACK).seq(0).ack(fx.localIss + 1).send(), false),
        SYN_TIMEOUT(fx -> fx.advance(120 * SECOND), false),
        ICMP_PORT_UNREACHABLE(fx -> icmpPortUnreachable(fx), false),
        ABORT(fx -> connection(fx).abort(), true),
        CLOSE_WITH_UNREAD_DATA(fx ->
        {
            fx.peerData(bytes(10, 0)).send();
            connection(fx).close();
        }, true),
        PEER_RESET(fx -> fx.peer().flags(RST).send(), true),
        PEER_CLOSES_FIRST(fx ->
        {
            fx.peerFin().send();
            connection(fx).close();
            fx.peerAck().send();
        }, true),
        FIN_WAIT_2_TIMEOUT(fx ->
        {
            connection(fx).close();
            fx.peerAck().send();
            fx.advance(6 * SECOND);
        }, true),
        RETRANSMISSION_TIMEOUT(fx ->
        {
            EngineFixture.write(connection(fx), bytes(100, 0));
            fx.advance(60 * SECOND);
        }, true);

        final Consumer<EngineFixture> action;
        final boolean established;

        End(final Consumer<EngineFixture> action, final boolean established)
        {
            this.action = action;
            this.established = established;
        }

        private static TcpConnection connection(final EngineFixture fx)
        {
            return fx.engine.find(PEER_IP, fx.peerPort, fx.localPort);
        }

        private static void icmpPortUnreachable(final EngineFixture fx)
        {
            final UnsafeBuffer quote = new UnsafeBuffer(new byte[40]);
            Ipv4Header.write(quote, 0, 20, 1, true, 64, Ipv4Header.PROTOCOL_TCP, LOCAL_IP, PEER_IP);
            TcpHeader.write(quote, 20, fx.localPort, fx.peerPort, fx.localIss, 0, 20, SYN, 0, 0);
            fx.engine.onIcmpError(IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE, 0, quote, 0, 28,
                fx.now);
        }
    }

    @ParameterizedTest
    @EnumSource(End.class)
    void everyEndWithoutTimeWaitGivesThePortBackOnce(final End end)
    {
        final TcpConnection connection = end.established ? establish(fx, PEER_PORT, 0) : connect(fx, PEER_PORT, 0);
        final int port = connection.localPort();
        // Another context's connection to another peer on the same port: a second release of
        // ours would take its count.
        assertTrue(ports.addConnection(port, 0));
        end.action.accept(fx);
        fx.dispatch();
        assertEquals(TcpState.CLOSED, connection.state(), end.name());
        assertEquals(0, fx.engine.timeWaitCount(), end.name());
        assertEquals(1, ports.connections(port), end.name());
        connection.close();
        connection.abort();
        fx.advance(TIME_WAIT + SECOND);
        assertEquals(1, ports.connections(port), end.name() + ": released once, the other connection is left");
        ports.removeConnection(port, 0);
        assertEquals(0, fx.engine.connectionCount());
        assertEquals(TcpError.NONE, ports.bind(port, 0));
    }

    @Test
    void timeWaitReopenedByANewSynGivesThePortBack()
    {
        final TcpConnection connection = establish(fx, PEER_PORT, 0);
        final int port = connection.localPort();
        intoTimeWait(fx, connection);
        // RFC 6191 §2: a SYN above RCV.NXT may start a new incarnation; no listener: RST.
        fx.peer().flags(SYN).seq(fx.peerNxt + 100_000).ack(0).noTimestamps().send();
        assertEquals(0, fx.engine.timeWaitCount());
        assertTrue(fx.only().has(RST));
        assertEquals(0, ports.connections(port));
    }

    @Test
    void timeWaitRecordEvictedFromAFullTableGivesItsPortBack()
    {
        final EngineFixture small = fixture(new TcpConfig().timeWaitCapacity(1));
        final TcpConnection first = establish(small, PEER_PORT, 0);
        final int firstPort = first.localPort();
        intoTimeWait(small, first);
        final TcpConnection second = establish(small, PEER_PORT + 1, REUSE_PORT);
        final int secondPort = second.localPort();
        assertNotEquals(firstPort, secondPort);
        intoTimeWait(small, second);
        assertEquals(1, small.engine.timeWaitCount());
        assertEquals(0, ports.connections(firstPort), "evicted early, port free");
        assertEquals(1, ports.connections(secondPort));
        assertEquals(TcpError.NONE, ports.bind(secondPort, REUSE_PORT), "kept with its sharing");
    }

    @Test
    void timeWaitOfZeroLengthGivesThePortBackAtOnce()
    {
        final EngineFixture noWait = new EngineFixture(new TcpConfig().timeWaitNanos(0),
            new ContextPlacement(0, 1, ports));
        final TcpConnection connection = establish(noWait, PEER_PORT, 0);
        final int port = connection.localPort();
        intoTimeWait(noWait, connection);
        assertEquals(0, noWait.engine.timeWaitCount());
        assertEquals(0, ports.connections(port));
    }

    @Test
    void connectWithoutAConnectionObjectLeavesNoUse()
    {
        final EngineFixture one = fixture(new TcpConfig().maxConnections(1));
        connect(one, PEER_PORT, 0);
        assertNull(one.engine.connect(PEER_IP, PEER_PORT + 1, 0, 0, one.events, one.now));
        assertEquals(TcpError.ENOBUFS, one.engine.lastError());
        assertNull(one.engine.connect(PEER_IP, PEER_PORT + 1, 7000, 0, one.events, one.now));
        assertEquals(TcpError.ENOBUFS, one.engine.lastError());
        assertEquals(1, ports.connectionsOnAllPorts(), "only the first connection's port");
    }

    @Test
    void engineCloseGivesEveryPortBack()
    {
        final TcpConnection old = establish(fx, PEER_PORT, 0);
        intoTimeWait(fx, old);
        establish(fx, PEER_PORT + 1, REUSE_ADDRESS);
        connect(fx, PEER_PORT + 2, REUSE_PORT);
        assertTrue(fx.engine.connect(PEER_IP, PEER_PORT, 7000, 0, fx.events, fx.now) != null);
        assertEquals(4, ports.connectionsOnAllPorts());
        fx.clearSent();
        fx.engine.close();
        fx.assertNothingSent();
        assertEquals(0, fx.engine.flowCount());
        assertEquals(0, fx.engine.timeWaitCount());
        assertEquals(0, ports.connectionsOnAllPorts());
        fx.engine.close();
        assertEquals(0, ports.connectionsOnAllPorts());
    }

    @Test
    void boundPortConnectIsCountedWithItsSharingAndOutlivesTheBind()
    {
        assertEquals(TcpError.NONE, ports.bind(7000, REUSE_PORT));
        final TcpConnection connection = fx.engine.connect(PEER_IP, PEER_PORT, 7000, REUSE_PORT, fx.events, fx.now);
        assertNotNull(connection);
        assertEquals(1, ports.connections(7000));
        ports.release(7000);
        assertEquals(TcpError.EADDRINUSE, ports.bind(7000, REUSE_ADDRESS));
        assertEquals(TcpError.NONE, ports.bind(7000, REUSE_PORT));
        ports.release(7000);
        connection.abort();
        assertEquals(0, ports.connections(7000));
        assertNull(fx.engine.connect(PEER_IP, PEER_PORT, 7000, 4, fx.events, fx.now), "no such sharing bit");
        assertEquals(TcpError.EINVAL, fx.engine.lastError());
    }

    @Test
    void listenOnAPortAConnectionUsesNeedsBothToShareThenCoexists()
    {
        final TcpConnection connection = connect(fx, PEER_PORT, REUSE_ADDRESS);
        final int port = connection.localPort();
        final EngineFixture.Events listening = new EngineFixture.Events();
        assertNull(fx.engine.listen(port, 4, listening));
        assertEquals(TcpError.EADDRINUSE, fx.engine.lastError(), "no SO_REUSEADDR on the listener");
        assertNull(fx.engine.listen(port, 4, REUSE_PORT, listening));
        assertEquals(TcpError.EADDRINUSE, fx.engine.lastError(), "the connection did not set SO_REUSEPORT");
        final TcpListener listener = fx.engine.listen(port, 4, REUSE_ADDRESS, listening);
        assertNotNull(listener, "both set SO_REUSEADDR");

        // The connection's own segments still reach it.
        fx.peerSynAck().send();
        fx.dispatch();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        fx.clearSent();
        // A SYN from another peer port reaches the listener.
        fx.peerPort = PEER_PORT + 1;
        fx.peerSyn().send();
        assertEquals(SYN | ACK, fx.only().flags());
        assertEquals(TcpState.SYN_RECEIVED, fx.engine.find(PEER_IP, PEER_PORT + 1, port).state());
        assertEquals(1, ports.connections(port), "the embryonic passive connection is not counted");
        fx.engine.closeListener(listener);
        assertEquals(TcpState.ESTABLISHED, connection.state());
    }

    @Test
    void ephemeralChoiceStaysOffHeldPortsAndSharesAPortAmongPeers()
    {
        final PortSpace one = new PortSpace(50_000, 50_000);
        final EngineFixture single = new EngineFixture(new TcpConfig(), new ContextPlacement(0, 1, one));
        assertEquals(TcpError.NONE, one.bind(50_000, REUSE_ADDRESS | REUSE_PORT));
        assertNull(single.engine.connect(PEER_IP, PEER_PORT, 0, REUSE_ADDRESS | REUSE_PORT, single.events, single.now),
            "a held port is never an ephemeral port");
        assertEquals(TcpError.EADDRNOTAVAIL, single.engine.lastError());
        one.release(50_000);
        assertEquals(50_000, connect(single, PEER_PORT, 0).localPort());
        assertEquals(50_000, connect(single, PEER_PORT + 1, REUSE_ADDRESS).localPort(), "another peer port");
        assertNull(single.engine.connect(PEER_IP, PEER_PORT, 0, 0, single.events, single.now), "4-tuple in use");
        assertEquals(TcpError.EADDRNOTAVAIL, single.engine.lastError());
        assertEquals(2, one.connections(50_000));
    }
}
