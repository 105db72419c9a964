package io.jmtcp.examples;

import io.jmtcp.stats.CountersFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code jmtcp stats FILE}: the counters of a running (or stopped) stack, read from the counters
 * file it was started with ({@code run --counters FILE}), without stopping it.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = "Print the counters of a stack from its counters file (run --counters FILE).")
final class StatsCommand implements Callable<Integer>
{
    @Parameters(paramLabel = "FILE", description = "The counters file.")
    Path file;

    @Option(names = "--all", description = "Also print counters that are zero.")
    boolean all;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
        description = "Print N times (1..3600), --interval apart (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
        description = "Milliseconds between prints, 10..60000 (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (repeat < 1 || repeat > 3600 || intervalMillis < 10 || intervalMillis > 60_000)
        {
            err.println("jmtcp stats: --repeat must be 1..3600 and --interval 10..60000 ms");
            return 2;
        }
        try (CountersFile counters = CountersFile.open(file))
        {
            for (int i = 0; i < repeat; i++)
            {
                if (i > 0)
                {
                    Thread.sleep(intervalMillis);
                    out.println();
                }
                out.println("# " + file + " (pid " + counters.pid() + (counters.writerAlive() ? ", running" : ", stopped") +
                    ")");
                out.print(counters.format(all));
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            err.println("jmtcp stats: " + ex.getMessage());
            return 1;
        }
        return 0;
    }
}
