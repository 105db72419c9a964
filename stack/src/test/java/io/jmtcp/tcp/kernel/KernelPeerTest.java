package io.jmtcp.tcp.kernel;

import io.jmtcp.tcp.sim.StreamEndpoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel peer's helpers, without a kernel bed: its fast stream generator must produce exactly
 * {@link StreamEndpoint}'s bytes (else the hashes of the two sides could never match), and its
 * errno names must follow the JDK's messages.
 */
class KernelPeerTest
{
    @Test
    void fillMatchesByteAtAtEveryAlignment()
    {
        final long seed = 0x1234_5678_9ABCL;
        for (int start = 0; start < 24; start++)
        {
            for (int length = 0; length < 40; length++)
            {
                final byte[] block = new byte[length + 3];
                KernelPeer.fill(seed, start, block, 3, length);
                for (int i = 0; i < length; i++)
                {
                    assertEquals(StreamEndpoint.byteAt(seed, start + i), block[3 + i],
                        "start " + start + " index " + i);
                }
            }
        }
    }

    @Test
    void sha256MatchesTheEndpointsExpectedHash()
    {
        for (final long length : new long[]{ 0, 1, 7, 65_535, 65_536, 200_003 })
        {
            assertEquals(StreamEndpoint.expectedSha256(42, length), KernelPeer.sha256Hex(42, length),
                "length " + length);
        }
    }

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
