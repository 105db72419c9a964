package io.jmtcp.bed;

import static io.jmtcp.bed.BedAssertions.linkExists;
import static io.jmtcp.bed.BedAssertions.read;
import static io.jmtcp.bed.BedAssertions.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmtcp.port.FrameHandler;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Mac;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The bare veth pair of the packet I/O benchmarks, checked from outside through the kernel's tools. */
@KernelBed
class VethPairTest
{
    private static final int EXPERIMENTAL_ETHERTYPE = 0x88B5;
    private static final int FRAMES = 100;
    private static final long RECEIVE_DEADLINE_NANOS = 5_000_000_000L;

    @Test
    void bothEndsAreUpQuietHardenedAndMarkedAsOurs()
    {
        try (VethPair pair = VethPair.create())
        {
            final long self = ProcessHandle.current().pid();
            for (final String name : new String[] {pair.nameA(), pair.nameB()})
            {
                assertEquals(OptionalLong.of(self), BedNames.linkOwner(name), name);
                assertEquals(BedNames.alias(self, BedNames.currentPidNamespace()), read("/sys/class/net/" + name + "/ifalias"));
                assertEquals("up", read("/sys/class/net/" + name + "/operstate"), name);
                assertEquals("1500", read("/sys/class/net/" + name + "/mtu"), name);
                assertEquals("", root("ip", "-4", "-o", "addr", "show", "dev", name).trim(), name + " has an IPv4 address");
                assertEquals("", root("ip", "-6", "-o", "addr", "show", "dev", name).trim(), name + " has an IPv6 address");
                if (Files.isDirectory(Path.of("/proc/sys/net/ipv6")))
                {
                    assertEquals("1", read("/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6"), name);
                }
                for (final Map.Entry<String, String> setting : StackEnd.HARDENING.entrySet())
                {
                    assertEquals(setting.getValue(), read("/proc/sys/net/ipv4/conf/" + name + "/" + setting.getKey()),
                        name + " " + setting.getKey());
                }
                final Map<String, Boolean> features = StackEnd.parseFeatures(root("ethtool", "-k", name));
                for (final String feature : StackEnd.FEATURES_OFF)
                {
                    assertEquals(Boolean.FALSE, features.get(feature), name + " " + feature);
                }
                final String filters = root("tc", "filter", "show", "dev", name, "ingress");
                assertTrue(filters.contains("bpf") && filters.contains("direct-action"), filters);
            }
            assertTrue(pair.ingressDropped());
            assertTrue(root("ip", "-o", "link", "show", "dev", pair.nameA()).contains(pair.nameA() + "@" + pair.nameB()));
            assertEquals(NetnsBed.parseMac(read("/sys/class/net/" + pair.nameA() + "/address")), pair.macA());
            assertEquals(NetnsBed.parseMac(read("/sys/class/net/" + pair.nameB() + "/address")), pair.macB());
            assertNotEquals(pair.macA(), pair.macB());
            assertTrue(pair.nameA().length() <= BedNames.MAX_INTERFACE_NAME);
        }
    }

    @Test
    void closeRemovesBothEndsAndIsIdempotent()
    {
        final VethPair pair = VethPair.create(9000);
        final String a = pair.nameA();
        final String b = pair.nameB();
        assertEquals("9000", read("/sys/class/net/" + b + "/mtu"));

        pair.close();
        pair.close();

        assertTrue(pair.isClosed());
        assertFalse(linkExists(a), a + " still exists");
        assertFalse(linkExists(b), b + " still exists");
    }

    @Test
    void pairsOfOneJvmGetDistinctNamesAboveTheBedRange()
    {
        try (VethPair first = VethPair.create(); VethPair second = VethPair.create())
        {
            assertNotEquals(first.nameA(), second.nameA());
            final String seq = first.nameA().substring(("jm" + ProcessHandle.current().pid() + "s").length());
            assertTrue(Integer.parseInt(seq, Character.MAX_RADIX) >= VethPair.FIRST_SEQUENCE, seq);
        }
    }

    @Test
    void creatingAPairRemovesThePairOfAKilledJvm()
    {
        long dead = Long.parseLong(read("/proc/sys/kernel/pid_max"));
        while (Files.exists(Path.of("/proc", Long.toString(dead))))
        {
            dead++;
        }
        final String staleA = BedNames.stackLink(dead, VethPair.FIRST_SEQUENCE);
        final String staleB = BedNames.peerLink(dead, VethPair.FIRST_SEQUENCE);
        try
        {
            root("ip", "link", "add", "name", staleA, "type", "veth", "peer", "name", staleB);
            root("ip", "link", "set", "dev", staleA, "alias", BedNames.alias(dead, BedNames.currentPidNamespace()));
            root("ip", "link", "set", "dev", staleB, "alias", BedNames.alias(dead, BedNames.currentPidNamespace()));

            VethPair.create().close();

            assertFalse(linkExists(staleA), staleA + " survived");
            assertFalse(linkExists(staleB), staleB + " survived");
        }
        finally
        {
            if (linkExists(staleA))
            {
                Commands.run(BedAssertions.TIMEOUT, "ip", "link", "delete", "dev", staleA);
            }
        }
    }

    @Test
    void framesSentOnOneEndArriveOnTheOtherAndTheRootKernelStaysSilent() throws PortException
    {
        try (VethPair pair = VethPair.create();
            PcapPort a = PcapPort.open(PcapPortConfig.builder(pair.nameA()).build());
            PcapPort b = PcapPort.open(PcapPortConfig.builder(pair.nameB()).build()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
            EthernetHeader.write(frame, 0, Mac.parse("02:00:00:00:00:02"), Mac.parse("02:00:00:00:00:01"), EXPERIMENTAL_ETHERTYPE);
            for (int i = 0; i < FRAMES; i++)
            {
                assertTrue(a.send(frame, 0, frame.capacity()));
            }
            final int[] received = new int[2];
            final FrameHandler handler = (buffer, offset, length) ->
            {
                received[0]++;
                received[1] = length;
            };
            final long deadline = System.nanoTime() + RECEIVE_DEADLINE_NANOS;
            while (received[0] < FRAMES && System.nanoTime() - deadline < 0)
            {
                if (b.receive(handler, 64) == 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertEquals(FRAMES, received[0]);
            assertEquals(60, received[1]);
            assertEquals(0, a.receive(handler, 64), "end A must not see its own frames (direction IN) nor any reply");
            // No kernel chatter: only our frames ever left either end.
            assertEquals(Long.toString(FRAMES), read("/sys/class/net/" + pair.nameA() + "/statistics/tx_packets"));
            assertEquals("0", read("/sys/class/net/" + pair.nameB() + "/statistics/tx_packets"));
        }
    }
}
