package io.jmtcp.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jmtcp.jar} command line. Each subcommand is a program a user runs from the README.
 */
@Command(
    name = "jmtcp",
    mixinStandardHelpOptions = true,
    versionProvider = JmtcpCli.Version.class,
    description = "A user-space TCP/IP stack for the JVM.",
    subcommands = { DemoCommand.class, RunCommand.class, EchoCommand.class, SinkCommand.class, SourceCommand.class,
        CrrCommand.class, RrCommand.class,
        StatsCommand.class, CommandLine.HelpCommand.class })
public final class JmtcpCli
{
    /** The top-level command; picocli instantiates its subcommands. */
    JmtcpCli()
    {
    }

    /**
     * Entry point: runs the subcommand and exits with its status.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new JmtcpCli()).execute(args));
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = JmtcpCli.class.getPackage().getImplementationVersion();
            return new String[]{ "jmtcp " + (version == null ? "development" : version) };
        }
    }
}
