package io.jmtcp.tcp.kernel;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel peer's errno names, without a kernel bed: they must follow the JDK's messages.
 */
class KernelPeerTest
{
    @Test
    void errnoNamesFollowTheJdksMessages()
    {
        assertEquals("ECONNREFUSED", KernelPeer.errno(new ConnectException("Connection refused")));
        assertEquals("ECONNRESET", KernelPeer.errno(new SocketException("Connection reset")));
        assertEquals("ECONNRESET", KernelPeer.errno(new SocketException("Connection reset by peer")));
        assertEquals("EPIPE", KernelPeer.errno(new SocketException("Broken pipe")));
        assertEquals("OTHER", KernelPeer.errno(new IOException("something else")));
    }
}
