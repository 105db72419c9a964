package io.jmtcp.examples;

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
import java.util.concurrent.Callable;

/**
 * {@code jmtcp sink}: a TCP discard server (RFC 863) on the stack that says, for each
 * connection, how much it received and its SHA-256, until SIGINT or SIGTERM.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
    description = "Run a TCP sink on the stack: read and discard; when a connection ends print " +
        "`bytes=N sha256=HEX` (what it received; ` error=ERRNO` is added if it was reset or timed out). " +
        "Runs until SIGINT or SIGTERM, then prints the counters.")
final class SinkCommand implements Callable<Integer>
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
        final PrintWriter out = spec.commandLine().getOut();
        return TcpServer.serve(spec, stack, tcp, port, context ->
        {
            // One buffer for all connections of a context: they all run on its thread, and none
            // keeps bytes in it between calls.
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
            return () -> new Sink(scratch, out);
        });
    }

    /** One connection's reader. */
    static final class Sink implements TcpHandler
    {
        private final UnsafeBuffer scratch;
        private final PrintWriter out;
        private final MessageDigest digest = Sha256.newDigest();
        private long received;

        /**
         * @param scratch where bytes are read to.
         * @param out     where the connection's line goes.
         */
        Sink(final UnsafeBuffer scratch, final PrintWriter out)
        {
            this.scratch = scratch;
            this.out = out;
        }

        @Override
        public void onReadable(final TcpConnection connection)
        {
            while (true)
            {
                final int read = connection.receive(scratch, 0, scratch.capacity());
                if (read > 0)
                {
                    digest.update(scratch.byteArray(), 0, read);
                    received += read;
                    continue;
                }
                if (read == TcpConnection.EOF)
                {
                    finish(connection);
                }
                // 0: nothing more now; FAILED: onClosed follows.
                return;
            }
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            // Reset or timed out (an orderly end was finished at the peer's FIN).
            finish(connection);
        }

        private void finish(final TcpConnection connection)
        {
            final int error = connection.error();
            out.println("bytes=" + received + " sha256=" + HexFormat.of().formatHex(digest.digest()) +
                (error == TcpError.NONE ? "" : " error=" + TcpError.name(error)));
            out.flush();
            // Our FIN answers the peer's; the engine finishes the exchange and releases the connection.
            connection.close();
        }
    }
}
