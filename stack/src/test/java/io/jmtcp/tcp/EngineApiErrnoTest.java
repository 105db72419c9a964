package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.jmtcp.tcp.EngineFixture.LOCAL_PORT;
import static io.jmtcp.tcp.EngineFixture.PEER_IP;
import static io.jmtcp.tcp.EngineFixture.PEER_PORT;
import static io.jmtcp.wire.TcpHeader.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every documented errno of the engine-level API: {@link TcpEngine#connect},
 * {@link TcpEngine#listen}, {@link TcpConnection#send}, {@link TcpConnection#receive} and
 * {@link TcpConnection#shutdownWrite}; and the listener's close, which resets the connections
 * still waiting to be accepted and frees the port.
 */
final class EngineApiErrnoTest
{
    private final UnsafeBuffer bytes = new UnsafeBuffer(new byte[16]);

    @ParameterizedTest(name = "connect to {0}:{1} from port {2}")
    @CsvSource({
        "198.18.0.2, 0, 0",
        "198.18.0.2, 65536, 0",
        "198.18.0.2, 80, -1",
        "198.18.0.2, 80, 65536",
        "0.0.0.0, 80, 0",
    })
    void connectWithBadArgumentsIsEinval(final String ip, final int port, final int localPort)
    {
        final EngineFixture fx = new EngineFixture();
        assertNull(fx.engine.connect(io.jmtcp.wire.Ip4.parse(ip), port, localPort, fx.events, fx.now));
        assertEquals(TcpError.EINVAL, fx.engine.lastError());
        assertEquals(0, fx.engine.connectionCount());
        fx.assertNothingSent();
    }

    @Test
    void connectOnATupleInUseIsEaddrinuse()
    {
        final EngineFixture fx = new EngineFixture();
        fx.connect();
        assertNull(fx.engine.connect(PEER_IP, PEER_PORT, LOCAL_PORT, fx.events, fx.now));
        assertEquals(TcpError.EADDRINUSE, fx.engine.lastError());
        assertEquals(1, fx.engine.connectionCount());
    }

    @Test
    void connectWithNoEphemeralPortLeftIsEaddrnotavail()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().ephemeralPorts(50_000, 50_000));
        assertNotNull(fx.engine.connect(PEER_IP, PEER_PORT, 0, fx.events, fx.now));
        assertNull(fx.engine.connect(PEER_IP, PEER_PORT, 0, fx.events, fx.now));
        assertEquals(TcpError.EADDRNOTAVAIL, fx.engine.lastError());
        // Another destination may still use the port: the 4-tuple differs.
        assertNotNull(fx.engine.connect(PEER_IP, PEER_PORT + 1, 0, fx.events, fx.now));
    }

    @Test
    void connectBeyondMaxConnectionsIsEnobufs()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().maxConnections(1));
        fx.connect();
        assertNull(fx.engine.connect(PEER_IP, PEER_PORT + 1, 0, fx.events, fx.now));
        assertEquals(TcpError.ENOBUFS, fx.engine.lastError());
        assertEquals(1, fx.counter(StackCounter.TCP_CONNECTIONS_EXHAUSTED));
    }

    @ParameterizedTest(name = "listen on {0} with backlog {1}")
    @CsvSource({ "0, 1", "65536, 1", "80, 0" })
    void listenWithBadArgumentsIsEinval(final int port, final int backlog)
    {
        final EngineFixture fx = new EngineFixture();
        assertNull(fx.engine.listen(port, backlog, fx.events));
        assertEquals(TcpError.EINVAL, fx.engine.lastError());
    }

    @Test
    void listenOnAPortTakenIsEaddrinuseUntilTheListenerCloses()
    {
        final EngineFixture fx = new EngineFixture();
        final TcpListener first = fx.listen();
        assertNull(fx.engine.listen(LOCAL_PORT, 4, fx.events));
        assertEquals(TcpError.EADDRINUSE, fx.engine.lastError());
        fx.engine.closeListener(first);
        assertNotNull(fx.engine.listen(LOCAL_PORT, 4, fx.events));
    }

    @Test
    void sendAfterShutdownWriteIsEpipe()
    {
        final EngineFixture fx = new EngineFixture();
        final TcpConnection connection = fx.establishPassive();
        assertEquals(0, connection.shutdownWrite());
        assertEquals(TcpConnection.FAILED, connection.send(bytes, 0, 4));
        assertEquals(TcpError.EPIPE, connection.error());
    }

    @Test
    void sendAndShutdownWriteAfterAnOrderlyEndAreEnotconn()
    {
        final EngineFixture fx = new EngineFixture(new TcpConfig().timeWaitNanos(0));
        final TcpConnection connection = fx.establishPassive();
        fx.peerFin().send();
        assertEquals(TcpState.CLOSE_WAIT, connection.state());
        connection.shutdownWrite();
        final EngineFixture.Sent fin = fx.last();
        fx.peerAck().ack(fin.seq() + 1).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(TcpConnection.FAILED, connection.shutdownWrite());
        assertEquals(TcpError.ENOTCONN, connection.error());
        assertEquals(TcpConnection.FAILED, connection.send(bytes, 0, 4));
        assertEquals(TcpError.ENOTCONN, connection.error());
    }

    @Test
    void receiveAfterResetReturnsDataThenFailsWithEconnreset()
    {
        final EngineFixture fx = new EngineFixture();
        final TcpConnection connection = fx.establishPassive();
        fx.peerData(EngineFixture.bytes(5, 1)).send();
        fx.peer().flags(RST).send();
        assertEquals(TcpState.CLOSED, connection.state());
        assertEquals(5, connection.receive(bytes, 0, bytes.capacity()), "data that arrived before the RST");
        assertEquals(TcpConnection.FAILED, connection.receive(bytes, 0, bytes.capacity()));
        assertEquals(TcpError.ECONNRESET, connection.error());
    }

    @Test
    void closingAListenerResetsConnectionsWaitingToBeAccepted()
    {
        final EngineFixture fx = new EngineFixture();
        final TcpListener listener = fx.listen();
        fx.peerSyn().send();
        fx.only();
        fx.peerAck().send();
        assertEquals(1, listener.pendingAccepts());
        fx.engine.closeListener(listener);
        final EngineFixture.Sent reset = fx.only();
        assertTrue(reset.has(RST), reset.toString());
        assertEquals(0, listener.pendingAccepts());
        assertEquals(0, fx.engine.connectionCount(), "the reset connection was released");
        assertNull(fx.engine.find(PEER_IP, PEER_PORT, LOCAL_PORT));
    }
}
