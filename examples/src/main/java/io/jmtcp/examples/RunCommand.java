package io.jmtcp.examples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code jmtcp run}: the stack on a live interface, answering ARP and ICMP echo until SIGINT or
 * SIGTERM, then its counters.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the stack on an interface: answer ARP and ICMP echo until SIGINT or SIGTERM, " +
        "then print the counters.")
final class RunCommand implements Callable<Integer>
{
    @Mixin
    LiveStack stack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        return stack.run(spec, null, (contexts, signals) -> LiveStack.untilSignal(signals, spec.commandLine().getOut()));
    }
}
