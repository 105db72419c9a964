package io.jmtcp.tcp.sim;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpState;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One end of a test transfer: sends {@code bytesToSend} bytes of the {@link SeededBytes} stream
 * of its seed, half-closes, reads everything the
 * peer sends until EOF, and hashes both streams with SHA-256. It closes the connection once it
 * ended (so the test sees whether it reached CLOSED or TIME_WAIT).
 */
public final class StreamEndpoint implements TcpHandler
{
    private final long bytesToSend;
    private final long seed;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageDigest sentDigest = sha256();
    private final MessageDigest receivedDigest = sha256();
    private TcpConnection connection;
    private long sent;
    private long received;
    private boolean shutdown;
    private boolean eof;
    private boolean closed;
    private TcpState finalState;
    private int finalError;
    private boolean closeOnDone = true;

    /**
     * @param bytesToSend how many bytes to send before the FIN.
     * @param seed        the stream's seed.
     */
    public StreamEndpoint(final long bytesToSend, final long seed)
    {
        this.bytesToSend = bytesToSend;
        this.seed = seed;
    }

    /**
     * @param close whether to close the connection once both directions ended (default true).
     * @return this.
     */
    public StreamEndpoint closeOnDone(final boolean close)
    {
        this.closeOnDone = close;
        return this;
    }

    /**
     * Start on an accepted connection.
     *
     * @param accepted the connection.
     */
    public void start(final TcpConnection accepted)
    {
        this.connection = accepted;
        accepted.handler(this);
        onReadable(accepted);
        pump();
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
        this.connection = c;
        pump();
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        pump();
    }

    @Override
    public void onReadable(final TcpConnection c)
    {
        this.connection = c;
        while (true)
        {
            final int n = c.receive(scratch, 0, scratch.capacity());
            if (n > 0)
            {
                receivedDigest.update(scratch.byteArray(), 0, n);
                received += n;
                continue;
            }
            if (n == TcpConnection.EOF)
            {
                eof = true;
            }
            break;
        }
    }

    @Override
    public void onClosed(final TcpConnection c)
    {
        onReadable(c);
        closed = true;
        finalState = c.state();
        finalError = c.error();
        if (closeOnDone)
        {
            c.close();
        }
    }

    private void pump()
    {
        if (connection == null || shutdown)
        {
            return;
        }
        while (sent < bytesToSend)
        {
            final int n = (int)Math.min(scratch.capacity(), bytesToSend - sent);
            SeededBytes.fill(seed, sent, scratch, 0, n);
            final int accepted = connection.send(scratch, 0, n);
            if (accepted <= 0)
            {
                return;
            }
            sentDigest.update(scratch.byteArray(), 0, accepted);
            sent += accepted;
        }
        shutdown = true;
        connection.shutdownWrite();
    }

    /** @return bytes sent (accepted by the engine). */
    public long sent()
    {
        return sent;
    }

    /** @return bytes received. */
    public long received()
    {
        return received;
    }

    /** @return whether the peer's FIN was read. */
    public boolean eof()
    {
        return eof;
    }

    /** @return whether the connection ended. */
    public boolean closed()
    {
        return closed;
    }

    /** @return the state it ended in. */
    public TcpState finalState()
    {
        return finalState;
    }

    /** @return the error it ended with. */
    public int finalError()
    {
        return finalError;
    }

    /** @return the connection. */
    public TcpConnection connection()
    {
        return connection;
    }

    /** @return SHA-256 of what was sent, in hex (consumes the digest). */
    public String sentSha256()
    {
        return HexFormat.of().formatHex(sentDigest.digest());
    }

    /** @return SHA-256 of what was received, in hex (consumes the digest). */
    public String receivedSha256()
    {
        return HexFormat.of().formatHex(receivedDigest.digest());
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
