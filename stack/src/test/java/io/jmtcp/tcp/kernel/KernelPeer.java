package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.SeededBytes;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel's side of the TCP tests: a small program run in the bed's namespace
 * ({@code ip netns exec <ns> java ... KernelPeer <mode> ...}), so that its sockets are the Linux
 * kernel's TCP. It prints {@code key=value} lines on stdout for the test to read, and exits 0 on
 * success, 3 on a socket error (after printing {@code error=<ERRNO>}), 2 on bad arguments.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code client HOST PORT BYTES SEED ORDER} and {@code server PORT BYTES SEED ORDER}: one
 *       connection; send {@code BYTES} bytes of the {@link SeededBytes} stream of
 *       {@code SEED}, shut down writing (a half-close: reading goes on), read until EOF hashing,
 *       print {@code bytes=N sha256=HEX}. ORDER {@code concurrent} sends and reads at once;
 *       {@code send-first} sends everything before reading; {@code after-eof} reads to EOF
 *       before sending. The server prints {@code listening} once it accepts connections.</li>
 *   <li>{@code echo-client HOST PORT COUNT SIZE}: {@code COUNT} sequential connections, each
 *       sending {@code SIZE} bytes, reading the echo and closing; prints
 *       {@code connections=N elapsedMs=T}.</li>
 *   <li>{@code connect HOST PORT}: one connect; prints {@code connected} or the error.</li>
 *   <li>{@code abort HOST PORT READ}: connect, read {@code READ} bytes, then close with
 *       {@code SO_LINGER} 0 so the kernel sends RST; prints {@code aborted}.</li>
 *   <li>{@code close-first HOST PORT BYTES SEED}: connect, send, close() at once without
 *       reading; prints {@code closed}.</li>
 * </ul>
 *
 * <p>Socket errors are printed as Linux errno names. Java reports them as exception messages,
 * not numbers; {@link #errno} maps the JDK's messages for the errors these tests meet.
 */
public final class KernelPeer
{
    /** Exit status after a socket error. */
    public static final int EXIT_SOCKET_ERROR = 3;

    private static final int BLOCK = 64 * 1024;
    /** Guards every blocking read, so a peer never outlives a hung test by much. */
    private static final int READ_TIMEOUT_MILLIS = 120_000;

    private KernelPeer()
    {
    }

    /**
     * @param args the mode and its arguments (see the class comment).
     * @throws Exception never on purpose: socket errors are printed and turned into exit status 3.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length == 0)
        {
            usage();
        }
        try
        {
            switch (args[0])
            {
                case "client":
                    requireArgs(args, 6);
                    try (Socket socket = connect(args[1], Integer.parseInt(args[2])))
                    {
                        stream(socket, Long.parseLong(args[3]), Long.parseLong(args[4]), args[5]);
                    }
                    break;
                case "server":
                    requireArgs(args, 5);
                    serve(Integer.parseInt(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]), args[4]);
                    break;
                case "echo-client":
                    requireArgs(args, 5);
                    echoClient(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]));
                    break;
                case "connect":
                    requireArgs(args, 3);
                    try (Socket socket = connect(args[1], Integer.parseInt(args[2])))
                    {
                        System.out.println("connected local=" + socket.getLocalPort());
                    }
                    break;
                case "abort":
                    requireArgs(args, 4);
                    abort(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                    break;
                case "close-first":
                    requireArgs(args, 5);
                    closeFirst(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
                    break;
                default:
                    usage();
            }
        }
        catch (final IOException ex)
        {
            System.out.println("error=" + errno(ex) + " message=" + ex);
            System.out.flush();
            System.exit(EXIT_SOCKET_ERROR);
        }
        System.out.flush();
    }

    private static void serve(final int port, final long bytes, final long seed, final String order)
        throws IOException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            System.out.println("listening port=" + port);
            System.out.flush();
            server.setSoTimeout(READ_TIMEOUT_MILLIS);
            try (Socket socket = server.accept())
            {
                stream(socket, bytes, seed, order);
            }
        }
    }

    private static Socket connect(final String host, final int port) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /** Send, half-close and read to EOF in the given order; print the received count and hash. */
    private static void stream(final Socket socket, final long bytes, final long seed, final String order)
        throws IOException
    {
        final long start = System.nanoTime();
        final MessageDigest digest = sha256();
        final long received;
        switch (order)
        {
            case "concurrent":
                final AtomicReference<IOException> sendError = new AtomicReference<>();
                final Thread sender = new Thread(() ->
                {
                    try
                    {
                        sendAndShutdown(socket, bytes, seed);
                    }
                    catch (final IOException ex)
                    {
                        sendError.set(ex);
                    }
                }, "kernel-peer-sender");
                sender.start();
                received = readToEof(socket.getInputStream(), digest);
                join(sender);
                if (sendError.get() != null)
                {
                    throw sendError.get();
                }
                break;
            case "send-first":
                sendAndShutdown(socket, bytes, seed);
                received = readToEof(socket.getInputStream(), digest);
                break;
            case "after-eof":
                received = readToEof(socket.getInputStream(), digest);
                sendAndShutdown(socket, bytes, seed);
                break;
            default:
                throw new IllegalArgumentException("unknown order " + order);
        }
        final long elapsedNanos = System.nanoTime() - start;
        System.out.println("sent=" + bytes);
        System.out.println("bytes=" + received + " sha256=" + HexFormat.of().formatHex(digest.digest()));
        System.out.println("elapsedMs=" + elapsedNanos / 1_000_000);
    }

    private static void sendAndShutdown(final Socket socket, final long bytes, final long seed) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        final byte[] block = new byte[BLOCK];
        for (long at = 0; at < bytes; at += block.length)
        {
            final int n = (int)Math.min(block.length, bytes - at);
            fill(seed, at, block, 0, n);
            out.write(block, 0, n);
        }
        socket.shutdownOutput();
    }

    private static long readToEof(final InputStream in, final MessageDigest digest) throws IOException
    {
        final byte[] block = new byte[BLOCK];
        long received = 0;
        int n;
        while ((n = in.read(block)) >= 0)
        {
            digest.update(block, 0, n);
            received += n;
        }
        return received;
    }

    private static void echoClient(final String host, final int port, final int count, final int size)
        throws IOException
    {
        final byte[] request = new byte[size];
        final byte[] reply = new byte[size];
        final long start = System.nanoTime();
        int done = 0;
        try
        {
            for (; done < count; done++)
            {
                fill(done, 0, request, 0, size);
                try (Socket socket = connect(host, port))
                {
                    socket.setTcpNoDelay(true);
                    socket.getOutputStream().write(request);
                    final InputStream in = socket.getInputStream();
                    int got = 0;
                    while (got < size)
                    {
                        final int n = in.read(reply, got, size - got);
                        if (n < 0)
                        {
                            throw new IOException("EOF after " + got + " of " + size + " echoed bytes");
                        }
                        got += n;
                    }
                    if (!Arrays.equals(request, reply))
                    {
                        throw new IOException("echo differs on connection " + done);
                    }
                }
            }
        }
        finally
        {
            System.out.println("connections=" + done + " elapsedMs=" + (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static void abort(final String host, final int port, final int read) throws IOException
    {
        try (Socket socket = connect(host, port))
        {
            final InputStream in = socket.getInputStream();
            final byte[] block = new byte[BLOCK];
            int got = 0;
            while (got < read)
            {
                final int n = in.read(block, 0, Math.min(block.length, read - got));
                if (n < 0)
                {
                    throw new IOException("EOF after " + got + " of " + read + " bytes");
                }
                got += n;
            }
            // SO_LINGER on with a zero timeout: close() discards the connection with RST.
            socket.setSoLinger(true, 0);
            System.out.println("read=" + got);
        }
        System.out.println("aborted");
    }

    private static void closeFirst(final String host, final int port, final long bytes, final long seed)
        throws IOException
    {
        try (Socket socket = connect(host, port))
        {
            System.out.println("connected local=" + socket.getLocalPort());
            final byte[] block = new byte[(int)bytes];
            fill(seed, 0, block, 0, block.length);
            socket.getOutputStream().write(block);
        }
        System.out.println("closed");
    }

    private static void fill(final long seed, final long position, final byte[] dst, final int off, final int len)
    {
        SeededBytes.fill(seed, position, new UnsafeBuffer(dst), off, len);
    }

    /**
     * The Linux errno name of a socket exception. The JDK turns errno into its strerror-like
     * message ({@code ECONNRESET}: "Connection reset" on read, "Connection reset by peer" on
     * write; {@code ECONNREFUSED}: "Connection refused"; {@code EPIPE}: "Broken pipe").
     *
     * @param ex what a socket call threw.
     * @return the errno name, or {@code OTHER}.
     */
    static String errno(final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT);
        if (ex instanceof SocketTimeoutException)
        {
            return "ETIMEDOUT";
        }
        if (ex instanceof ConnectException && message.contains("refused"))
        {
            return "ECONNREFUSED";
        }
        if (ex instanceof SocketException && message.contains("connection reset"))
        {
            return "ECONNRESET";
        }
        if (ex instanceof SocketException && message.contains("broken pipe"))
        {
            return "EPIPE";
        }
        return "OTHER";
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
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

    private static void requireArgs(final String[] args, final int count)
    {
        if (args.length != count)
        {
            usage();
        }
    }

    private static void usage()
    {
        System.err.println("usage: KernelPeer client HOST PORT BYTES SEED ORDER | server PORT BYTES SEED ORDER"
            + " | echo-client HOST PORT COUNT SIZE | connect HOST PORT | abort HOST PORT READ"
            + " | close-first HOST PORT BYTES SEED");
        System.exit(2);
    }
}
