package io.jmtcp.api;

import io.jmtcp.bed.SeededBytes;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's side of the many-connection socket API tests, run in the bed's namespace in a JVM
 * of its own, so its sockets are the Linux kernel's TCP. One thread and one selector handle every
 * connection: a thread per connection would put 2,000 threads on this machine's two vCPUs, next
 * to the stack under test.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code echo-server PORT}: accept any number of connections (backlog 4096), echo each
 *       until EOF, then close it. Prints {@code listening} once it accepts; runs until killed.</li>
 *   <li>{@code echo-clients HOST PORT COUNT BYTES SEED}: open {@code COUNT} connections and wait
 *       until every one is established, so all are open at once; then on each send
 *       {@code BYTES} bytes of the {@link SeededBytes} stream of {@code SEED + i}, shut down
 *       writing, read the echo to EOF and compare its SHA-256 with the stream's. Prints
 *       {@code connections=N connectMs=T elapsedMs=T} and exits 0 when every echo matched;
 *       otherwise prints {@code failed=N first=...} and exits 1.</li>
 * </ul>
 */
public final class KernelCrowd
{
    /** Exit status when a connection failed or an echo differed. */
    public static final int EXIT_FAILED = 1;

    private static final int BLOCK = 16 * 1024;
    /** Bounds every phase, so a crowd never outlives a hung test by much. */
    private static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private KernelCrowd()
    {
    }

    /**
     * @param args the mode and its arguments (see the class comment).
     * @throws Exception if the server's port cannot be bound or the selector fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length == 2 && "echo-server".equals(args[0]))
        {
            echoServer(Integer.parseInt(args[1]));
        }
        else if (args.length == 6 && "echo-clients".equals(args[0]))
        {
            final boolean ok = echoClients(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Long.parseLong(args[5]));
            System.out.flush();
            System.exit(ok ? 0 : EXIT_FAILED);
        }
        else
        {
            System.err.println("usage: KernelCrowd echo-server PORT | echo-clients HOST PORT COUNT BYTES SEED");
            System.exit(2);
        }
    }

    private static void echoServer(final int port) throws IOException
    {
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(port), 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("listening");
            System.out.flush();
            while (true)
            {
                selector.select();
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext())
                {
                    final SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isAcceptable())
                    {
                        SocketChannel channel;
                        while ((channel = server.accept()) != null)
                        {
                            channel.configureBlocking(false);
                            channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(BLOCK));
                        }
                    }
                    else
                    {
                        echo(key);
                    }
                }
            }
        }
    }

    /** Read what fits, write what the socket takes; hold back reading while a block is pending. */
    private static void echo(final SelectionKey key)
    {
        final SocketChannel channel = (SocketChannel)key.channel();
        final ByteBuffer pending = (ByteBuffer)key.attachment();
        try
        {
            if (key.isReadable())
            {
                if (channel.read(pending) < 0)
                {
                    pending.flip();
                    channel.write(pending);
                    // At most one block is pending, and an idle socket's send buffer takes a block
                    // whole; a short write would show as a differing echo at the client.
                    channel.close();
                    return;
                }
            }
            pending.flip();
            channel.write(pending);
            pending.compact();
            key.interestOps(pending.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        catch (final IOException ex)
        {
            System.out.println("error=" + ex);
            System.out.flush();
            closeQuietly(channel);
        }
    }

    private static boolean echoClients(final String host, final int port, final int count, final int bytes,
        final long seed) throws IOException
    {
        final long start = System.nanoTime();
        final Client[] clients = new Client[count];
        int failed = 0;
        String first = null;
        try (Selector selector = Selector.open())
        {
            final InetSocketAddress server = new InetSocketAddress(host, port);
            for (int i = 0; i < count; i++)
            {
                clients[i] = new Client(i, seed + i, bytes);
                final SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                clients[i].channel = channel;
                if (channel.connect(server))
                {
                    clients[i].connected = true;
                }
                channel.register(selector, SelectionKey.OP_CONNECT, clients[i]);
            }
            final int connected = connectAll(selector, clients);
            final long connectNanos = System.nanoTime() - start;
            if (connected == count)
            {
                exchange(selector, clients);
            }
            for (final Client client : clients)
            {
                if (client.failure == null && !client.done)
                {
                    client.failure = "unfinished: sent " + client.sent + ", received " + client.received;
                }
                if (client.failure != null)
                {
                    failed++;
                    first = first == null ? "connection " + client.index + ": " + client.failure : first;
                }
                closeQuietly(client.channel);
            }
            System.out.println("connections=" + (count - failed) + " connectMs="
                + TimeUnit.NANOSECONDS.toMillis(connectNanos) + " elapsedMs="
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        if (failed > 0)
        {
            System.out.println("failed=" + failed + " first=" + first.replace(' ', '_'));
        }
        return failed == 0;
    }

    private static int connectAll(final Selector selector, final Client[] clients) throws IOException
    {
        int connected = 0;
        for (final Client client : clients)
        {
            connected += client.connected ? 1 : 0;
        }
        final long deadline = System.nanoTime() + PHASE_NANOS;
        while (connected < clients.length && deadline - System.nanoTime() > 0)
        {
            selector.select(100);
            final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext())
            {
                final SelectionKey key = keys.next();
                keys.remove();
                final Client client = (Client)key.attachment();
                try
                {
                    if (client.channel.finishConnect())
                    {
                        client.connected = true;
                        connected++;
                        // Nothing to do until every connection is up.
                        key.interestOps(0);
                    }
                }
                catch (final IOException ex)
                {
                    client.failure = "connect: " + ex;
                    key.cancel();
                    return connected;
                }
            }
        }
        return connected;
    }

    private static void exchange(final Selector selector, final Client[] clients) throws IOException
    {
        for (final Client client : clients)
        {
            client.channel.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        int open = clients.length;
        final ByteBuffer in = ByteBuffer.allocate(BLOCK);
        final long deadline = System.nanoTime() + PHASE_NANOS;
        while (open > 0 && deadline - System.nanoTime() > 0)
        {
            selector.select(100);
            final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext())
            {
                final SelectionKey key = keys.next();
                keys.remove();
                final Client client = (Client)key.attachment();
                try
                {
                    if (key.isValid() && key.isWritable())
                    {
                        client.write();
                        if (client.sent == client.bytes)
                        {
                            client.channel.shutdownOutput();
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isValid() && key.isReadable() && client.read(in))
                    {
                        key.cancel();
                        open--;
                    }
                }
                catch (final IOException ex)
                {
                    client.failure = ex.toString();
                    key.cancel();
                    open--;
                }
            }
        }
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            System.out.println("error=" + ex);
        }
    }

    /** One client connection: its seeded stream out, the echo's digest in. */
    private static final class Client
    {
        private final int index;
        private final long seed;
        private final int bytes;
        private final ByteBuffer out;
        private final MessageDigest digest = sha256();
        private SocketChannel channel;
        private boolean connected;
        private boolean done;
        private int sent;
        private long received;
        private String failure;

        Client(final int index, final long seed, final int bytes)
        {
            this.index = index;
            this.seed = seed;
            this.bytes = bytes;
            final byte[] stream = new byte[bytes];
            SeededBytes.fill(seed, 0, new UnsafeBuffer(stream), 0, bytes);
            this.out = ByteBuffer.wrap(stream);
        }

        void write() throws IOException
        {
            sent += channel.write(out);
        }

        /** @return true at EOF, with the verdict in {@link #failure}. */
        boolean read(final ByteBuffer in) throws IOException
        {
            in.clear();
            final int n = channel.read(in);
            if (n > 0)
            {
                digest.update(in.array(), 0, n);
                received += n;
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            done = true;
            final String hash = HexFormat.of().formatHex(digest.digest());
            if (received != bytes || !hash.equals(SeededBytes.sha256Hex(seed, bytes)))
            {
                failure = "echo of " + received + " bytes differs (sent " + bytes + ")";
            }
            return true;
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
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }
}
