package io.jmtcp.examples;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code jmtcp echo}: a TCP echo server (RFC 862) on the stack, until SIGINT or SIGTERM.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
    description = "Run a TCP echo server on the stack: every byte read is written back; a connection is closed " +
        "once the peer's FIN is read and everything was echoed. Runs until SIGINT or SIGTERM, then prints " +
        "the counters.")
final class EchoCommand implements Callable<Integer>
{
    @Mixin
    LiveStack stack;

    @Mixin
    TcpOptions tcp;

    @Option(names = "--port", required = true, paramLabel = "P", description = "The port to listen on, 1..65535.")
    int port;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        final Echo echo = new Echo();
        return TcpServer.serve(spec, stack, tcp, port, () -> echo);
    }

    /**
     * Echoes on every connection. It holds no per-connection state: it reads only as many bytes
     * as the send buffer takes at once, so nothing waits between calls, and a full send buffer
     * stops the reading (the receive window then closes and the peer waits) until
     * {@link #onWritable}.
     */
    static final class Echo implements TcpHandler
    {
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);

        @Override
        public void onReadable(final TcpConnection connection)
        {
            pump(connection);
        }

        @Override
        public void onWritable(final TcpConnection connection)
        {
            pump(connection);
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            // Reset or timed out: release it.
            connection.close();
        }

        private void pump(final TcpConnection connection)
        {
            while (true)
            {
                final int room = Math.min(scratch.capacity(), connection.writable());
                if (room == 0)
                {
                    // Send buffer full: read nothing more until onWritable. (Never ask receive for
                    // 0 bytes either: it reports EOF then even with data still unread.)
                    return;
                }
                final int read = connection.receive(scratch, 0, room);
                if (read > 0)
                {
                    if (connection.send(scratch, 0, read) < 0)
                    {
                        // Failed under us: onClosed follows.
                        return;
                    }
                    continue;
                }
                if (read == TcpConnection.EOF)
                {
                    // Everything read has been queued: the FIN goes after it.
                    connection.close();
                }
                return;
            }
        }
    }
}
