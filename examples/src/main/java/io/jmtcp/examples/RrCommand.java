package io.jmtcp.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code jmtcp rr}: 64-byte request/response on one connection to an echo server (netperf's
 * TCP_RR), on the socket API; see {@link RequestResponseLoad} for the threads and bounds.
 */
@Command(name = "rr", mixinStandardHelpOptions = true,
    description = {
        "Request/response on one connection to an echo server: send 64 bytes, read the 64 echoed bytes, " +
            "again, for S seconds; then close and print `transactions=N tps=X p50_us=Y p99_us=Z`.",
        "Latency is from the write call to the last echoed byte. The connection is opened from context 0.",
        "Exit status: 0 when transactions completed and none failed; 1 after a failure (the errno name goes " +
            "to stderr), or a signal; 2 for a bad option."
    })
final class RrCommand implements Callable<Integer>
{
    @Mixin
    LiveStack stack;

    @Mixin
    LoadOptions load;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        return load.run(spec, stack, 1, false, "transactions", "tps", false);
    }
}
