package io.jmtcp.examples;

import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.wire.Mac;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The interface options every live subcommand shares: which port, and the stack's addresses on
 * it.
 */
final class InterfaceOptions
{
    @Option(names = "--iface", required = true, paramLabel = "IF",
        description = "Network interface the stack owns (a dedicated NIC port or a veth end).")
    String iface;

    @Option(names = "--ip", required = true, paramLabel = "A.B.C.D/N",
        description = "The stack's IPv4 address and prefix length.")
    String ip;

    @Option(names = "--mac", paramLabel = "M",
        description = "The stack's MAC address (default: the interface's own).")
    String mac;

    @Option(names = "--gateway", paramLabel = "G", description = "Default gateway (default: none, on-link only).")
    String gateway;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
        description = "IP MTU (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--promiscuous", paramLabel = "on|off|auto", defaultValue = "auto",
        description = "Promiscuous mode: auto turns it on for a physical NIC or a --mac other than the " +
            "interface's own (a veth does not filter unicast; a NIC does). Default: ${DEFAULT-VALUE}.")
    String promiscuous;

    /**
     * Whether the port must be promiscuous (PACKET-IO-NOTES.md pitfall 4): a physical NIC drops
     * unicast frames for a MAC other than its own, so the stack needs promiscuous mode there or
     * when it uses another MAC; a veth delivers every frame anyway.
     *
     * @param stackMac the MAC the stack will use.
     * @return true to open the port promiscuous.
     * @throws IOException if the interface's MAC cannot be read.
     * @throws IllegalArgumentException if the option value is not on, off or auto.
     */
    boolean promiscuous(final long stackMac) throws IOException
    {
        switch (promiscuous)
        {
            case "on":
                return true;
            case "off":
                return false;
            case "auto":
                final boolean physical = Files.exists(Path.of("/sys/class/net", iface, "device"));
                return physical || stackMac != Mac.parse(interfaceMac(iface));
            default:
                throw new IllegalArgumentException("--promiscuous must be on, off or auto: " + promiscuous);
        }
    }

    /**
     * The validated interface configuration.
     *
     * @return the configuration.
     * @throws IllegalArgumentException naming the bad option value.
     * @throws IOException if the interface's MAC cannot be read.
     */
    InterfaceConfig toConfig() throws IOException
    {
        final String macText = mac != null ? mac : interfaceMac(iface);
        return InterfaceConfig.parse(macText, ip, gateway, mtu);
    }

    /**
     * The MAC Linux reports for an interface.
     *
     * @param name the interface.
     * @return its MAC as text.
     * @throws IOException if there is no such interface.
     */
    static String interfaceMac(final String name) throws IOException
    {
        final Path path = Path.of("/sys/class/net", name, "address");
        if (!Files.exists(path))
        {
            throw new IOException("no such interface: " + name + " (see `ip link`), or pass --mac");
        }
        return Files.readString(path).trim();
    }
}
