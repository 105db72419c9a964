package io.jmtcp.port;

/**
 * Run in a child JVM by {@link PcapPortTest} with CAP_NET_RAW taken away: tries to open a pcap
 * port on the interface named by its argument and prints {@code opened} or
 * {@code failed<TAB>message}.
 */
public final class PcapOpenProbe
{
    private PcapOpenProbe()
    {
    }

    /**
     * @param args the interface name.
     */
    public static void main(final String[] args)
    {
        try (PcapPort port = PcapPort.open(PcapPortConfig.builder(args[0]).build()))
        {
            System.out.println("opened\t" + port.name());
        }
        catch (final PortException e)
        {
            System.out.println("failed\t" + e.getMessage());
        }
    }
}
