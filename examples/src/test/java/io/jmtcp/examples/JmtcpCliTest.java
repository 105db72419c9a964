package io.jmtcp.examples;

import io.jmtcp.bed.HostTools;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class JmtcpCliTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static void libpcapOrSkip()
    {
        if (HostTools.isRoot())
        {
            HostTools.ensure(HostTools.Requirement.LIBPCAP).orThrow();
        }
        assumeTrue(HostTools.Requirement.LIBPCAP.present(), "libpcap is not installed (apt-get install libpcap0.8)");
    }

    private int run(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new JmtcpCli());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void runRejectsABadAddressNamingIt()
    {
        assertEquals(2, run("run", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.300/24"));
        assertTrue(err.toString().contains("198.18.0.300"), err.toString());
    }

    @Test
    void runRejectsAMissingPrefix()
    {
        assertEquals(2, run("run", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1"));
        assertTrue(err.toString().contains("a.b.c.d/prefix"), err.toString());
    }

    @Test
    void runRejectsAGatewayOffTheSubnet()
    {
        assertEquals(2, run("run", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--gateway", "198.19.0.1"));
        assertTrue(err.toString().contains("gateway 198.19.0.1"), err.toString());
    }

    @Test
    void runNamesAnInterfaceThatDoesNotExist()
    {
        assertEquals(2, run("run", "--iface", "nosuchif0", "--ip", "198.18.0.1/24"));
        assertTrue(err.toString().contains("no such interface: nosuchif0"), err.toString());
    }

    @Test
    void runRejectsAnUnknownPromiscuousMode()
    {
        assertEquals(2, run("run", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--promiscuous", "sometimes"));
        assertTrue(err.toString().contains("--promiscuous must be on, off or auto: sometimes"), err.toString());
    }

    @Test
    void runWithJumboMtuOnAMissingInterfaceFailsWithTheInterfaceNamedNotACrash()
    {
        libpcapOrSkip();
        assertEquals(1, run("run", "--iface", "jmtcp-nosuch0", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--promiscuous", "off", "--mtu", "9000"));
        assertTrue(err.toString().contains("interface 'jmtcp-nosuch0' does not exist"), err.toString());
    }

    @Test
    void runRequiresInterfaceAndAddress()
    {
        assertEquals(2, run("run"));
        assertTrue(err.toString().contains("--iface") && err.toString().contains("--ip"), err.toString());
    }

    @Test
    void statsNamesAMissingFile()
    {
        assertEquals(1, run("stats", "/nonexistent/ctx0.counters"));
        assertTrue(err.toString().contains("no counters file at /nonexistent/ctx0.counters"), err.toString());
    }

    @Test
    void statsRejectsAnUnboundedRepeat()
    {
        assertEquals(2, run("stats", "/nonexistent/ctx0.counters", "--repeat", "0"));
    }

    @Test
    void demoOverTheMemoryLinkAnswersEveryPing()
    {
        assertEquals(0, run("demo", "--memory", "--count", "2"), out + "\n" + err);
        assertTrue(out.toString().contains("OK: every ping was answered both ways."), out.toString());
    }

    @Test
    void demoRejectsABadCount()
    {
        assertEquals(2, run("demo", "--count", "0"));
    }
}
