package io.jmtcp.examples;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.core.StackContext;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code jmtcp source}: one TCP connection from the stack that sends a seeded pseudo-random
 * stream ({@link SeededBytes}), half-closes, and waits for the peer to close.
 */
@Command(name = "source", mixinStandardHelpOptions = true,
    description = {
        "Connect from the stack, send N pseudo-random bytes (SeededBytes: SplitMix64 of the seed and the " +
            "position), shut down writing, wait for the peer's FIN, then print `bytes=N sha256=HEX gbps=X`.",
        "gbps is N*8 over the time from the connect call to the moment every byte was acknowledged.",
        "Exit status: 0 when the peer closed in order after taking every byte; 1 when the connect or the " +
            "connection failed (the errno's name goes to stderr), the --timeout ran out, or a signal stopped it; " +
            "2 for a bad option."
    })
final class SourceCommand implements Callable<Integer>
{
    @Mixin
    LiveStack stack;

    @Mixin
    TcpOptions tcp;

    @Option(names = "--connect", required = true, paramLabel = "HOST:PORT",
        description = "The peer: an IPv4 address (no name lookup) and a port.")
    String connect;

    @Option(names = "--bytes", required = true, paramLabel = "N", description = "How many bytes to send, 0 or more.")
    long bytes;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
        description = "The stream's seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "Give up (reset the connection, exit 1) after this long, 1..86400 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final int remoteIp;
        final int remotePort;
        try
        {
            final Endpoint peer = Endpoint.parse(connect);
            remoteIp = peer.ip();
            remotePort = peer.port();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("jmtcp source: " + ex.getMessage());
            return 2;
        }
        if (bytes < 0 || timeoutSeconds < 1 || timeoutSeconds > 86_400)
        {
            err.println("jmtcp source: --bytes must be 0 or more and --timeout 1..86400");
            return 2;
        }
        return stack.run(spec, tcp.toConfig(), (contexts, signals) ->
        {
            // One connection: context 0 opens it (the engine picks a port whose flow hashes there).
            final StackContext context = contexts.get(0);
            final Transfer transfer = new Transfer(bytes, seed, signals);
            final int errno = LiveStack.onContext(context, ctx -> transfer.start(ctx, remoteIp, remotePort));
            if (errno != TcpError.NONE)
            {
                err.println("jmtcp source: connect to " + connect + " failed: " + TcpError.name(errno));
                return new LiveStack.Outcome(1, null);
            }
            final String reason = signals.await(timeoutSeconds, TimeUnit.SECONDS);
            if (!Transfer.DONE.equals(reason))
            {
                // Out of time (null) or a signal: reset the connection rather than leave the peer
                // a half-open one when the stack stops.
                final String progress = LiveStack.onContext(context, ctx -> transfer.abort());
                err.println("jmtcp source: " + (reason == null ? "timed out after " + timeoutSeconds + " s"
                    : "stopped by " + reason) + ": " + progress);
                return new LiveStack.Outcome(1, reason);
            }
            if (transfer.error != TcpError.NONE)
            {
                err.println("jmtcp source: " + (transfer.connected ? "connection to " + connect + " failed: "
                    : "connect to " + connect + " failed: ") + TcpError.name(transfer.error));
                return new LiveStack.Outcome(1, null);
            }
            out.println(transfer.result());
            return new LiveStack.Outcome(0, null);
        });
    }

    /**
     * The connection's handler, on the context thread. The command's thread reads its fields
     * only after {@link SignalLatch#release} (which orders them), or through the context thread.
     */
    static final class Transfer implements TcpHandler
    {
        /** The reason the transfer gives {@link SignalLatch#release} when the connection ended. */
        static final String DONE = "done";

        private final long bytes;
        private final long seed;
        private final SignalLatch signals;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
        private final MessageDigest digest = Sha256.newDigest();
        private TcpConnection connection;
        private long startNanos;
        private long ackedNanos;
        private long sent;
        private boolean shutdown;
        private boolean connected;
        private boolean closed;
        private int error;

        /**
         * @param bytes   how many bytes to send.
         * @param seed    the stream's seed.
         * @param signals released when the connection ended.
         */
        Transfer(final long bytes, final long seed, final SignalLatch signals)
        {
            this.bytes = bytes;
            this.seed = seed;
            this.signals = signals;
        }

        /**
         * Open the connection.
         *
         * @param context    the context, on its thread.
         * @param remoteIp   the peer.
         * @param remotePort its port.
         * @return 0, or the errno of a connect the engine refused at once.
         */
        int start(final StackContext context, final int remoteIp, final int remotePort)
        {
            startNanos = System.nanoTime();
            connection = context.tcp().connect(remoteIp, remotePort, 0, this, context.now());
            return connection == null ? context.tcp().lastError() : TcpError.NONE;
        }

        /**
         * Give up: reset the connection, unless it ended meanwhile.
         *
         * @return how far the transfer got, for the user.
         */
        String abort()
        {
            if (closed)
            {
                return "sent " + sent + " of " + bytes + " bytes; the connection ended as time ran out";
            }
            final String progress = "sent " + sent + " of " + bytes + " bytes, " + connection.unacknowledged() +
                " not acknowledged, " + connection.state();
            connection.abort();
            return progress;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            connected = true;
            pump();
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            pump();
            checkAcknowledged();
        }

        @Override
        public void onReadable(final TcpConnection c)
        {
            // A sink sends nothing; whatever a peer sends is read and dropped so its window stays open.
            while (c.receive(scratch, 0, scratch.capacity()) > 0)
            {
                // Dropped.
            }
        }

        @Override
        public void onClosed(final TcpConnection c)
        {
            checkAcknowledged();
            error = c.error();
            closed = true;
            c.close();
            signals.release(DONE);
        }

        /**
         * @return the result line: {@code bytes=N sha256=HEX gbps=X}.
         */
        String result()
        {
            final double gbps = bytes * 8.0 / (ackedNanos - startNanos);
            return "bytes=" + sent + " sha256=" + HexFormat.of().formatHex(digest.digest()) +
                String.format(Locale.ROOT, " gbps=%.3f", gbps);
        }

        private void pump()
        {
            while (sent < bytes)
            {
                final int length = (int)Math.min(Math.min(scratch.capacity(), connection.writable()), bytes - sent);
                if (length == 0)
                {
                    // Send buffer full: onWritable resumes.
                    return;
                }
                SeededBytes.fill(seed, sent, scratch, 0, length);
                if (connection.send(scratch, 0, length) != length)
                {
                    // It took less than writable() promised only because it failed: onClosed follows.
                    return;
                }
                digest.update(scratch.byteArray(), 0, length);
                sent += length;
            }
            if (!shutdown)
            {
                shutdown = true;
                connection.shutdownWrite();
            }
        }

        private void checkAcknowledged()
        {
            if (shutdown && ackedNanos == 0 && connection.unacknowledged() == 0)
            {
                ackedNanos = System.nanoTime();
            }
        }
    }
}
