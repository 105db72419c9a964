package io.jmtcp.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code jmtcp crr}: short connections against an echo server (netperf's TCP_CRR), on the socket
 * API; see {@link RequestResponseLoad} for the threads and bounds.
 */
@Command(name = "crr", mixinStandardHelpOptions = true,
    description = {
        "Short connections against an echo server: each of C clients connects, sends 64 bytes, reads the 64 " +
            "echoed bytes, closes, and starts over, for S seconds; then prints " +
            "`connections=N cps=X p50_us=Y p99_us=Z errors=E`.",
        "Latency is from the connect call to the last echoed byte. Clients are spread over the contexts " +
            "(client i on context i mod K).",
        "Exit status: 0 when connections completed and none failed; 1 after a failure (the first one's errno " +
            "name goes to stderr), or a signal; 2 for a bad option."
    })
final class CrrCommand implements Callable<Integer>
{
    /** Most concurrent clients: far below a context's socket table, and a bound on the load. */
    private static final int MAX_CLIENTS = 1_024;

    @Mixin
    LiveStack stack;

    @Mixin
    LoadOptions load;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "1",
        description = "Concurrent client loops, 1..1024 (default: ${DEFAULT-VALUE}).")
    int clients;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        if (clients < 1 || clients > MAX_CLIENTS)
        {
            spec.commandLine().getErr().println("jmtcp crr: --clients must be 1.." + MAX_CLIENTS + ": " + clients);
            return 2;
        }
        return load.run(spec, stack, clients, true, "connections", "cps", true);
    }
}
