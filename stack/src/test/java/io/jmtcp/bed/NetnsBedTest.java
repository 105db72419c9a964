package io.jmtcp.bed;

import static io.jmtcp.bed.BedAssertions.TIMEOUT;
import static io.jmtcp.bed.BedAssertions.assertBedGone;
import static io.jmtcp.bed.BedAssertions.read;
import static io.jmtcp.bed.BedAssertions.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmtcp.bed.NetnsBed.Config;
import io.jmtcp.bed.NetnsBed.Neighbour;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The bed itself, checked from outside through the kernel's own tools. */
@KernelBed
class NetnsBedTest
{
    @Test
    void peerHasTheAddressAndTheStackEndHasNone(final NetnsBed bed)
    {
        assertEquals(0xC6120001, bed.stackAddress());
        assertEquals(0xC6120002, bed.peerAddress());
        assertEquals("198.18.0.1", bed.stackAddressText());
        assertEquals("198.18.0.2", bed.peerAddressText());
        assertEquals(24, bed.prefixLength());
        assertEquals(1500, bed.mtu());

        final CommandResult peer = bed.exec(TIMEOUT, "ip", "-4", "-o", "addr", "show", "dev", bed.peerInterface()).orThrow();
        assertTrue(peer.stdout().contains("inet 198.18.0.2/24"), peer.stdout());
        assertEquals("", root("ip", "-4", "-o", "addr", "show", "dev", bed.stackInterface()).trim());
        assertEquals("", root("ip", "-6", "-o", "addr", "show", "dev", bed.stackInterface()).trim());
        assertEquals("up", read("/sys/class/net/" + bed.stackInterface() + "/operstate"));
        assertEquals("1500", read("/sys/class/net/" + bed.stackInterface() + "/mtu"));
    }

    @Test
    void ipv6IsDisabledOnBothEnds(final NetnsBed bed)
    {
        assertEquals("1", read("/proc/sys/net/ipv6/conf/" + bed.stackInterface() + "/disable_ipv6"));
        assertEquals("1", bed.exec(TIMEOUT, "cat", "/proc/sys/net/ipv6/conf/" + bed.peerInterface() + "/disable_ipv6")
            .orThrow().stdout().trim());
        assertEquals("", bed.exec(TIMEOUT, "ip", "-6", "-o", "addr", "show", "dev", bed.peerInterface()).orThrow().stdout().trim());
    }

    @Test
    void offloadsAreOffOnBothEnds(final NetnsBed bed)
    {
        final Map<String, Boolean> stack = StackEnd.parseFeatures(root("ethtool", "-k", bed.stackInterface()));
        final Map<String, Boolean> peer = StackEnd.parseFeatures(bed.exec(TIMEOUT, "ethtool", "-k", bed.peerInterface()).orThrow().stdout());
        for (final String feature : StackEnd.FEATURES_OFF)
        {
            assertEquals(Boolean.FALSE, stack.get(feature), "stack end " + feature);
            assertEquals(Boolean.FALSE, peer.get(feature), "peer end " + feature);
        }
        assertEquals(Boolean.FALSE, stack.get("rx-checksumming"));
    }

    @Test
    void stackEndIsHardenedAgainstTheRootKernel(final NetnsBed bed)
    {
        for (final Map.Entry<String, String> setting : StackEnd.HARDENING.entrySet())
        {
            assertEquals(setting.getValue(), read("/proc/sys/net/ipv4/conf/" + bed.stackInterface() + "/" + setting.getKey()),
                setting.getKey());
        }
        assertTrue(bed.rootIngressDropped(), "this kernel has cls_bpf, so the ingress drop must be in place");
        final String filters = root("tc", "filter", "show", "dev", bed.stackInterface(), "ingress");
        assertTrue(filters.contains("bpf") && filters.contains("direct-action"), filters);
        assertEquals("1", bed.exec(TIMEOUT, "sysctl", "-n", "net.ipv4.tcp_tw_reuse").orThrow().stdout().trim());
        assertTrue(read("/sys/class/net/" + bed.stackInterface() + "/ifalias").startsWith("jmtcp-bed pid=" + ProcessHandle.current().pid()));
    }

    @Test
    void macsMatchTheKernelsView(final NetnsBed bed)
    {
        assertEquals(NetnsBed.parseMac(read("/sys/class/net/" + bed.stackInterface() + "/address")), bed.stackMac());
        // `ip netns exec` mounts the namespace's own sysfs, so this is the peer end's file.
        assertEquals(NetnsBed.parseMac(bed.exec(TIMEOUT, "cat", "/sys/class/net/" + bed.peerInterface() + "/address").orThrow().stdout()),
            bed.peerMac());
        assertNotEquals(bed.stackMac(), bed.peerMac());
    }

    @Test
    void theRootKernelNeitherAnswersNorSendsOnTheStackEnd(final NetnsBed bed)
    {
        final CommandResult ping = bed.exec(TIMEOUT, "ping", "-c", "1", "-W", "1", bed.stackAddressText());

        assertEquals(1, ping.exitCode(), ping.describe());
        final Neighbour stack = bed.neighbours().get(bed.stackAddress());
        assertFalse(stack.hasMac(), stack.toString());
        assertTrue(Set.of("INCOMPLETE", "FAILED").contains(stack.state()), stack.toString());
        // The peer's ARP requests did arrive, where the stack's pcap port would see them ...
        final String statistics = "/sys/class/net/" + bed.stackInterface() + "/statistics/";
        assertTrue(Long.parseLong(read(statistics + "rx_packets")) > 0);
        // ... but the root kernel never put a frame on the wire: no ARP reply, no IPv6 chatter.
        assertEquals("0", read(statistics + "tx_packets"));
    }

    @Test
    void execKillsACommandThatOutlivesItsTimeout(final NetnsBed bed)
    {
        final CommandResult result = bed.exec(Duration.ofMillis(300), "sh", "-c", "sleep 30 & echo $!; sleep 30");

        assertTrue(result.timedOut(), result.describe());
        assertTrue(result.elapsed().compareTo(Duration.ofSeconds(5)) < 0, result.elapsed().toString());
        assertTrue(result.describe().contains("timed out after"), result.describe());
        final long background = Long.parseLong(result.stdout().trim());
        assertTrue(ProcessHandle.of(background).map(Commands::isGone).orElse(true), "background sleep survived");
        assertTrue(bed.exec(TIMEOUT, "true").ok());
    }

    @Test
    void netemIsAppliedOrItsAbsenceIsNamed(final NetnsBed bed)
    {
        try
        {
            bed.netem("delay 1ms");
            final String qdisc = bed.exec(TIMEOUT, "tc", "qdisc", "show", "dev", bed.peerInterface()).orThrow().stdout();
            assertTrue(qdisc.contains("netem"), qdisc);
        }
        catch (final BedException ex)
        {
            // Kernels built without sch_netem (this test machine's, for one) must say so plainly.
            assertTrue(ex.getMessage().contains("netem") && ex.getMessage().contains("CONFIG_NET_SCH_NETEM"), ex.getMessage());
        }
    }

    @Test
    void closeStopsStartedProcessesAndRemovesEverything()
    {
        final NetnsBed bed = NetnsBed.create();
        final String[] names = {bed.namespace(), bed.stackInterface(), bed.peerInterface()};
        final Process polite = bed.start("sleep", "30");
        // Ignores SIGTERM (and so does its child), so only the SIGKILL after the grace period ends it.
        final Process stubborn = bed.start("sh", "-c", "trap '' TERM; sleep 30; true");
        assertTrue(polite.isAlive() && stubborn.isAlive());

        bed.close();

        assertTrue(bed.isClosed());
        assertFalse(polite.isAlive());
        assertFalse(stubborn.isAlive());
        assertBedGone(names[0], names[1], names[2]);
        bed.close();
        assertThrows(IllegalStateException.class, () -> bed.exec(TIMEOUT, "true"));
        assertThrows(IllegalStateException.class, () -> bed.start("true"));
    }

    @Test
    void closeCleansUpAfterTheBodyThrows()
    {
        final String[] names = new String[3];
        final IllegalStateException failure = new IllegalStateException("the test body failed");

        final IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
        {
            try (NetnsBed bed = NetnsBed.create())
            {
                names[0] = bed.namespace();
                names[1] = bed.stackInterface();
                names[2] = bed.peerInterface();
                bed.start("sleep", "30");
                throw failure;
            }
        });

        assertSame(failure, thrown);
        assertEquals(0, thrown.getSuppressed().length, Arrays.toString(thrown.getSuppressed()));
        assertBedGone(names[0], names[1], names[2]);
    }

    @Test
    void configShapesTheBed()
    {
        try (NetnsBed bed = NetnsBed.create(new Config(30, 9000, false)))
        {
            assertTrue(bed.exec(TIMEOUT, "ip", "-4", "-o", "addr", "show", "dev", bed.peerInterface()).orThrow().stdout()
                .contains("inet 198.18.0.2/30"));
            assertEquals(30, bed.prefixLength());
            assertEquals(9000, bed.mtu());
            assertEquals("9000", read("/sys/class/net/" + bed.stackInterface() + "/mtu"));
            assertEquals("9000", bed.exec(TIMEOUT, "cat", "/sys/class/net/" + bed.peerInterface() + "/mtu").orThrow().stdout().trim());
            final Map<String, Boolean> peer = StackEnd.parseFeatures(bed.exec(TIMEOUT, "ethtool", "-k", bed.peerInterface()).orThrow().stdout());
            assertEquals(Boolean.TRUE, peer.get("tcp-segmentation-offload"), "veth default kept on the peer");
            final Map<String, Boolean> stack = StackEnd.parseFeatures(root("ethtool", "-k", bed.stackInterface()));
            assertEquals(Boolean.FALSE, stack.get("generic-receive-offload"));
        }
    }

    @Test
    void createAndCloseAreFast()
    {
        final int beds = 3;
        final long[] createNanos = new long[beds];
        final long[] closeNanos = new long[beds];
        for (int i = 0; i < beds; i++)
        {
            final long start = System.nanoTime();
            final NetnsBed bed = NetnsBed.create();
            createNanos[i] = System.nanoTime() - start;
            final long closing = System.nanoTime();
            bed.close();
            closeNanos[i] = System.nanoTime() - closing;
        }
        Arrays.sort(createNanos);
        Arrays.sort(closeNanos);
        System.out.printf("kernel bed: create median %.1f ms (max %.1f), close median %.1f ms (max %.1f)%n",
            createNanos[beds / 2] / 1e6, createNanos[beds - 1] / 1e6, closeNanos[beds / 2] / 1e6, closeNanos[beds - 1] / 1e6);
        assertTrue(createNanos[beds / 2] < Duration.ofSeconds(1).toNanos(), List.of(createNanos[beds / 2]).toString());
        assertTrue(closeNanos[beds / 2] < Duration.ofSeconds(1).toNanos(), List.of(closeNanos[beds / 2]).toString());
    }
}
