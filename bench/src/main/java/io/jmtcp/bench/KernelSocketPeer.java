package io.jmtcp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The Linux kernel's end of {@link TcpVethComparison}: a small program run in its own JVM,
 * either in the bed's namespace ({@code ip netns exec NS taskset -c CPU java ... KernelSocketPeer})
 * or in the root namespace, so that its sockets are that namespace's kernel's. Every mode is
 * bounded in bytes or round trips and in time, and every blocking call has a timeout, so a
 * stuck stack ends the run instead of hanging it.
 *
 * <ul>
 *   <li>{@code send HOST PORT BYTES SECONDS}: connect, write BYTES (fewer if SECONDS run out),
 *       shut down writing, read until the peer's EOF; print {@code bytes=N nanos=T}, T from the
 *       first write to that EOF, which the peer sends only after reading everything.</li>
 *   <li>{@code rr HOST PORT SIZE WARMUP COUNT SECONDS}: connect with TCP_NODELAY, then WARMUP
 *       unmeasured and COUNT measured round trips of SIZE bytes (fewer if SECONDS run out),
 *       each timed with {@link System#nanoTime()} from before the write to after the last byte
 *       of the echo; print {@code count=N p50=.. p99=.. p999=.. max=.. nanos=T} in nanoseconds.</li>
 *   <li>{@code sink BIND PORT SECONDS}: print {@code listening}, accept one connection, read
 *       until EOF, close; print {@code bytes=N}.</li>
 *   <li>{@code echo BIND PORT SECONDS}: print {@code listening}, accept one connection (with
 *       TCP_NODELAY), write back every byte read until EOF, close; print {@code bytes=N}.</li>
 *   <li>{@code cc HOST PORT SIZE WARMUP COUNT SECONDS}: WARMUP unmeasured, then COUNT measured
 *       short connections one after another (each phase ends early if SECONDS run out): connect,
 *       TCP_NODELAY, write SIZE bytes, read the SIZE-byte echo, close; print
 *       {@code count=N nanos=T}, T from before the first measured connect to after the last
 *       close.</li>
 *   <li>{@code echoall BIND PORT SECONDS}: print {@code listening}, then for SECONDS accept
 *       connections one at a time, echoing each until its EOF; print {@code connections=N}.</li>
 * </ul>
 *
 * <p>Output lines are parsed by {@link TcpVethComparison}; a failure exits non-zero with the
 * stack trace on stderr.
 */
public final class KernelSocketPeer
{
    /** The line a server prints once it listens, so the launcher knows it may connect. */
    public static final String LISTENING = "listening";

    /** Bytes per write and read: as large as the stack's own copies, small enough to stay in cache. */
    private static final int CHUNK = 64 * 1024;

    /** The longest a connect, an accept or a read may block, in milliseconds. */
    private static final int TIMEOUT_MILLIS = 10_000;

    private KernelSocketPeer()
    {
    }

    /**
     * Run one mode.
     *
     * @param args the mode and its arguments, as in the class comment.
     * @throws Exception on any failure, which exits non-zero with the stack trace.
     */
    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "send":
                send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
                break;
            case "rr":
                roundTrips(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
                break;
            case "sink":
                serve(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), false);
                break;
            case "echo":
                serve(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), true);
                break;
            case "cc":
                shortConnections(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
                break;
            case "echoall":
                echoAll(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static Socket connect(final String host, final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    private static void send(final String host, final int port, final long bytes, final int seconds)
        throws IOException
    {
        // Random rather than zeros, so that nothing on the way can profit from the content.
        final byte[] chunk = new byte[CHUNK];
        new Random(1).nextBytes(chunk);
        try (Socket socket = connect(host, port))
        {
            final OutputStream out = socket.getOutputStream();
            final long start = System.nanoTime();
            final long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            long sent = 0;
            while (sent < bytes && System.nanoTime() - deadline < 0)
            {
                final int length = (int)Math.min(CHUNK, bytes - sent);
                out.write(chunk, 0, length);
                sent += length;
            }
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            while (in.read(chunk) >= 0)
            {
                // A sink sends nothing; this waits for its EOF, sent once it has read every byte.
            }
            final long nanos = System.nanoTime() - start;
            System.out.println("bytes=" + sent + " nanos=" + nanos);
        }
    }

    private static void roundTrips(final String host, final int port, final int size, final int warmup,
        final int count, final int seconds) throws IOException
    {
        final byte[] request = new byte[size];
        new Random(2).nextBytes(request);
        final byte[] response = new byte[size];
        final long[] rtts = new long[count];
        int measured = 0;
        try (Socket socket = connect(host, port))
        {
            socket.setTcpNoDelay(true);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final long start = System.nanoTime();
            final long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            long measuredStart = start;
            for (int i = 0; i < warmup + count && System.nanoTime() - deadline < 0; i++)
            {
                if (i == warmup)
                {
                    measuredStart = System.nanoTime();
                }
                final long sent = System.nanoTime();
                out.write(request);
                readFully(in, response);
                final long rtt = System.nanoTime() - sent;
                if (!Arrays.equals(request, response))
                {
                    throw new IOException("round trip " + i + ": the echo differs from the request");
                }
                if (i >= warmup)
                {
                    rtts[measured++] = rtt;
                }
            }
            final long nanos = System.nanoTime() - measuredStart;
            socket.shutdownOutput();
            if (measured == 0)
            {
                throw new IOException("no measured round trip within " + seconds + " s");
            }
            Arrays.sort(rtts, 0, measured);
            System.out.println("count=" + measured + " p50=" + percentile(rtts, measured, 0.50)
                + " p99=" + percentile(rtts, measured, 0.99) + " p999=" + percentile(rtts, measured, 0.999)
                + " max=" + rtts[measured - 1] + " nanos=" + nanos);
        }
    }

    private static void serve(final String bind, final int port, final int seconds, final boolean echo)
        throws IOException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
            server.setSoTimeout(TIMEOUT_MILLIS);
            System.out.println(LISTENING);
            System.out.flush();
            try (Socket socket = server.accept())
            {
                // The client bounds the exchange; this only ends a read that waits longer than a whole run.
                socket.setSoTimeout(Math.max(TIMEOUT_MILLIS, (int)TimeUnit.SECONDS.toMillis(seconds)));
                socket.setTcpNoDelay(echo);
                final InputStream in = socket.getInputStream();
                final OutputStream out = socket.getOutputStream();
                final byte[] chunk = new byte[CHUNK];
                long received = 0;
                int read;
                while ((read = in.read(chunk)) >= 0)
                {
                    received += read;
                    if (echo)
                    {
                        out.write(chunk, 0, read);
                    }
                }
                System.out.println("bytes=" + received);
            }
        }
    }

    private static void shortConnections(final String host, final int port, final int size, final int warmup,
        final int count, final int seconds) throws IOException
    {
        final byte[] request = new byte[size];
        new Random(3).nextBytes(request);
        final InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
        // The warm-up lets the JIT compile the loop before anything is timed.
        shortConnections(address, request, warmup, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        final long start = System.nanoTime();
        final int done = shortConnections(address, request, count, start + TimeUnit.SECONDS.toNanos(seconds));
        final long nanos = System.nanoTime() - start;
        System.out.println("count=" + done + " nanos=" + nanos);
    }

    private static int shortConnections(final InetSocketAddress address, final byte[] request, final int count,
        final long deadline) throws IOException
    {
        final byte[] response = new byte[request.length];
        int done = 0;
        while (done < count && System.nanoTime() - deadline < 0)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(address, TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                socket.getOutputStream().write(request);
                readFully(socket.getInputStream(), response);
            }
            if (!Arrays.equals(request, response))
            {
                throw new IOException("connection " + done + ": the echo differs from the request");
            }
            done++;
        }
        return done;
    }

    private static void echoAll(final String bind, final int port, final int seconds) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long connections = 0;
        try (ServerSocket server = new ServerSocket())
        {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 1024);
            // Short, so that the loop sees its deadline even when no client comes.
            server.setSoTimeout(200);
            System.out.println(LISTENING);
            System.out.flush();
            final byte[] chunk = new byte[CHUNK];
            while (System.nanoTime() - deadline < 0)
            {
                final Socket socket;
                try
                {
                    socket = server.accept();
                }
                catch (final SocketTimeoutException e)
                {
                    continue;
                }
                try (socket)
                {
                    socket.setSoTimeout(TIMEOUT_MILLIS);
                    socket.setTcpNoDelay(true);
                    final InputStream in = socket.getInputStream();
                    final OutputStream out = socket.getOutputStream();
                    int read;
                    while ((read = in.read(chunk)) >= 0)
                    {
                        out.write(chunk, 0, read);
                    }
                }
                connections++;
            }
        }
        System.out.println("connections=" + connections);
    }

    private static void readFully(final InputStream in, final byte[] into) throws IOException
    {
        int at = 0;
        while (at < into.length)
        {
            final int read = in.read(into, at, into.length - at);
            if (read < 0)
            {
                throw new IOException("EOF after " + at + " of " + into.length + " bytes of an echo");
            }
            at += read;
        }
    }

    private static long percentile(final long[] sorted, final int count, final double fraction)
    {
        // Nearest rank: the smallest value with at least this fraction of the samples at or below it.
        final int rank = (int)Math.ceil(fraction * count);
        return sorted[Math.max(0, rank - 1)];
    }
}
