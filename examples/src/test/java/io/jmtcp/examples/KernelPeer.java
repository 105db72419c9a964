package io.jmtcp.examples;

import io.jmtcp.bed.SeededBytes;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The Linux kernel's end of the TCP command tests: a small program run in the bed's namespace
 * ({@code ip netns exec NS java ... KernelPeer ...}), so that its sockets are the namespace
 * kernel's. Every blocking call has a timeout, so a stuck stack fails the test instead of hanging.
 *
 * <ul>
 *   <li>{@code send HOST PORT BYTES SEED}: connect, send the {@link SeededBytes} stream, shut down
 *       writing, read until EOF; print {@code bytes=N sha256=HEX} of what it sent.</li>
 *   <li>{@code echo HOST PORT BYTES SEED [READ_DELAY_MILLIS]}: the same, reading concurrently
 *       (after READ_DELAY_MILLIS, default 0, so that the buffers on the way fill up first);
 *       print {@code bytes=N sha256=HEX} of what came back.</li>
 *   <li>{@code reset HOST PORT BYTES SEED}: connect, send the stream, then reset the connection
 *       (close with a zero linger time) instead of closing it.</li>
 *   <li>{@code sink PORT [HOLD_MILLIS]}: accept one connection, read until EOF, print
 *       {@code bytes=N sha256=HEX} of what it read, wait HOLD_MILLIS (default 0), close.</li>
 * </ul>
 */
public final class KernelPeer
{
    /** Longest wait for a connect, an accept or a read. */
    private static final int TIMEOUT_MILLIS = 30_000;
    private static final int CHUNK = 64 * 1024;

    private KernelPeer()
    {
    }

    /**
     * @param args the mode and its arguments, as in the class comment.
     * @throws Exception on any failure, which exits non-zero with the stack trace.
     */
    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "send":
                send(connect(args[1], Integer.parseInt(args[2])), Long.parseLong(args[3]), Long.parseLong(args[4]),
                    -1);
                break;
            case "echo":
                send(connect(args[1], Integer.parseInt(args[2])), Long.parseLong(args[3]), Long.parseLong(args[4]),
                    args.length > 5 ? Long.parseLong(args[5]) : 0);
                break;
            case "reset":
                reset(connect(args[1], Integer.parseInt(args[2])), Long.parseLong(args[3]), Long.parseLong(args[4]));
                break;
            case "sink":
                sink(Integer.parseInt(args[1]), args.length > 2 ? Long.parseLong(args[2]) : 0);
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /**
     * @param bytes the stream's length.
     * @param seed  its seed.
     * @return the line {@code send} and {@code sink} print for that stream.
     * @throws IOException never: the bytes go nowhere.
     */
    static String expectedLine(final long bytes, final long seed) throws IOException
    {
        final MessageDigest digest = Sha256.newDigest();
        write(OutputStream.nullOutputStream(), bytes, seed, digest);
        return line(bytes, digest);
    }

    private static Socket connect(final String host, final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    /** @param readDelayMillis before reading, or -1 to print the hash of what was sent rather than received. */
    private static void send(final Socket socket, final long bytes, final long seed, final long readDelayMillis)
        throws Exception
    {
        try (socket)
        {
            final MessageDigest sentDigest = Sha256.newDigest();
            final Exception[] writeFailure = new Exception[1];
            // The writer has a thread of its own so that an echo's replies are read while it writes:
            // otherwise both sides' buffers fill and the exchange deadlocks.
            final Thread writer = new Thread(() ->
            {
                try
                {
                    write(socket.getOutputStream(), bytes, seed, sentDigest);
                    socket.shutdownOutput();
                }
                catch (final IOException ex)
                {
                    writeFailure[0] = ex;
                }
            }, "writer");
            writer.start();
            Thread.sleep(Math.max(0, readDelayMillis));
            final MessageDigest receivedDigest = Sha256.newDigest();
            final long received = read(socket.getInputStream(), receivedDigest);
            writer.join(TIMEOUT_MILLIS);
            if (writer.isAlive() || writeFailure[0] != null)
            {
                throw new IOException("writing failed", writeFailure[0]);
            }
            System.out.println(readDelayMillis >= 0 ? line(received, receivedDigest) : line(bytes, sentDigest));
        }
    }

    private static void reset(final Socket socket, final long bytes, final long seed) throws IOException
    {
        try (socket)
        {
            write(socket.getOutputStream(), bytes, seed, Sha256.newDigest());
            // Linger 0: close() sends RST, not FIN.
            socket.setSoLinger(true, 0);
        }
    }

    private static void sink(final int port, final long holdMillis) throws IOException, InterruptedException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(TIMEOUT_MILLIS);
            System.out.println("listening on " + port);
            System.out.flush();
            try (Socket socket = server.accept())
            {
                socket.setSoTimeout(TIMEOUT_MILLIS);
                final MessageDigest digest = Sha256.newDigest();
                final long received = read(socket.getInputStream(), digest);
                System.out.println(line(received, digest));
                System.out.flush();
                // Keeping the connection half-open lets a test see the stack's source time out.
                Thread.sleep(holdMillis);
            }
        }
    }

    private static void write(final OutputStream out, final long bytes, final long seed, final MessageDigest digest)
        throws IOException
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[CHUNK]);
        for (long at = 0; at < bytes; at += CHUNK)
        {
            final int length = (int)Math.min(CHUNK, bytes - at);
            SeededBytes.fill(seed, at, chunk, 0, length);
            digest.update(chunk.byteArray(), 0, length);
            out.write(chunk.byteArray(), 0, length);
        }
        out.flush();
    }

    private static long read(final InputStream in, final MessageDigest digest) throws IOException
    {
        final byte[] chunk = new byte[CHUNK];
        long total = 0;
        int read;
        while ((read = in.read(chunk)) >= 0)
        {
            digest.update(chunk, 0, read);
            total += read;
        }
        return total;
    }

    private static String line(final long bytes, final MessageDigest digest)
    {
        return "bytes=" + bytes + " sha256=" + HexFormat.of().formatHex(digest.digest());
    }
}
