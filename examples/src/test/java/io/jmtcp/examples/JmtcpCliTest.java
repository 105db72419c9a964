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
    void theTcpCommandsDescribeTheirOptions()
    {
        assertEquals(0, run("echo", "--help"));
        assertEquals(0, run("sink", "--help"));
        assertEquals(0, run("source", "--help"));
        final String help = out.toString();
        assertTrue(help.contains("Usage: jmtcp echo") && help.contains("Usage: jmtcp sink") &&
            help.contains("Usage: jmtcp source"), help);
        assertTrue(help.contains("--port=P") && help.contains("--connect=HOST:PORT") && help.contains("--bytes=N") &&
            help.contains("--seed=S") && help.contains("--timeout=SECONDS") && help.contains("--cc=newreno|cubic") &&
            help.contains("--nodelay") && help.contains("--iface=IF") && help.contains("--trace=FILE"), help);
    }

    @Test
    void echoRequiresAPort()
    {
        assertEquals(2, run("echo", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24"));
        assertTrue(err.toString().contains("Missing required option: '--port=P'"), err.toString());
    }

    @Test
    void sinkRejectsAPortOutOfRange()
    {
        assertEquals(2, run("sink", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--port", "65536"));
        assertTrue(err.toString().contains("jmtcp sink: --port must be 1..65535: 65536"), err.toString());
    }

    @Test
    void sinkChecksTheInterfaceOptionsLikeRun()
    {
        assertEquals(2, run("sink", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.300/24",
            "--port", "9"));
        assertTrue(err.toString().contains("jmtcp sink: ") && err.toString().contains("198.18.0.300"), err.toString());
    }

    @Test
    void anUnknownCongestionControlIsABadOptionNamingTheChoices()
    {
        assertEquals(2, run("echo", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--port", "7", "--cc", "vegas"));
        assertTrue(err.toString().contains("unknown congestion control vegas: expected newreno or cubic"),
            err.toString());
    }

    @Test
    void sourceRejectsAPeerWithoutAPort()
    {
        assertEquals(2, run("source", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--connect", "198.18.0.2", "--bytes", "1"));
        assertTrue(err.toString().contains("jmtcp source: --connect must be HOST:PORT: 198.18.0.2"), err.toString());
    }

    @Test
    void sourceRejectsAHostName()
    {
        assertEquals(2, run("source", "--iface", "lo", "--mac", "02:00:00:00:00:01", "--ip", "198.18.0.1/24",
            "--connect", "example.org:80", "--bytes", "1"));
        assertTrue(err.toString().contains("example.org"), err.toString());
    }

    @Test
    void sourceRejectsABadPortNegativeBytesAndAnUnboundedTimeout()
    {
        assertEquals(2, run("source", "--iface", "lo", "--ip", "198.18.0.1/24", "--connect", "198.18.0.2:0",
            "--bytes", "1"));
        assertTrue(err.toString().contains("the port must be 1..65535: 0"), err.toString());
        assertEquals(2, run("source", "--iface", "lo", "--ip", "198.18.0.1/24", "--connect", "198.18.0.2:9",
            "--bytes", "-1"));
        assertEquals(2, run("source", "--iface", "lo", "--ip", "198.18.0.1/24", "--connect", "198.18.0.2:9",
            "--bytes", "1", "--timeout", "0"));
        assertTrue(err.toString().contains("--bytes must be 0 or more and --timeout 1..86400"), err.toString());
    }

    @Test
    void sourceRequiresAPeerAndALength()
    {
        assertEquals(2, run("source", "--iface", "lo", "--ip", "198.18.0.1/24"));
        assertTrue(err.toString().contains("--connect") && err.toString().contains("--bytes"), err.toString());
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
