package io.jmtcp.examples;

import io.jmtcp.tcp.EchoHandler;
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
        // One EchoHandler per context: it keeps no per-connection state, but its scratch buffer
        // must not be shared between context threads.
        return TcpServer.serve(spec, stack, tcp, port, context ->
        {
            final EchoHandler echo = new EchoHandler();
            return () -> echo;
        });
    }

}
