package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmtcp.bed.NetnsBed.Config;
import io.jmtcp.bed.NetnsBed.Neighbour;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The bed's readings of tool output and its config checks, on text captured from real runs. */
class NetnsBedParsingTest
{
    /** The head of `ethtool -k` on a veth after `ethtool -K ... off` (ethtool 6.1, kernel 6.18). */
    private static final String ETHTOOL_K = """
        Features for jm100s0:
        rx-checksumming: off
        tx-checksumming: off
        \ttx-checksum-ipv4: off [fixed]
        \ttx-checksum-ip-generic: off
        scatter-gather: off
        \ttx-scatter-gather: off
        tcp-segmentation-offload: off
        \ttx-tcp-segmentation: off
        generic-segmentation-offload: off
        generic-receive-offload: off
        large-receive-offload: off [fixed]
        rx-vlan-offload: on
        highdma: on [fixed]
        tx-gre-segmentation: on
        """;

    @Test
    void featuresAreReadFromTopLevelLinesOnly()
    {
        final Map<String, Boolean> features = StackEnd.parseFeatures(ETHTOOL_K);

        for (final String feature : StackEnd.FEATURES_OFF)
        {
            assertEquals(Boolean.FALSE, features.get(feature), feature);
        }
        assertEquals(Boolean.TRUE, features.get("rx-vlan-offload"));
        assertEquals(Boolean.TRUE, features.get("highdma"));
        assertFalse(features.containsKey("tx-checksum-ipv4"));
        assertFalse(features.containsKey("Features for jm100s0"));
    }

    @Test
    void neighboursWithAndWithoutLinkLayerAddress()
    {
        final Map<Integer, Neighbour> neighbours = NetnsBed.parseNeighbours("""
            198.18.0.1 lladdr 02:00:c6:12:00:01 REACHABLE
            198.18.0.3 INCOMPLETE
            198.18.0.4 lladdr aa:bb:cc:dd:ee:ff router STALE
            fe80::1 lladdr 02:00:00:00:00:09 STALE
            """);

        assertEquals(3, neighbours.size());
        final Neighbour stack = neighbours.get(0xC6120001);
        assertEquals(0x0200C6120001L, stack.mac());
        assertEquals("REACHABLE", stack.state());
        assertEquals("198.18.0.1", stack.addressText());
        assertFalse(neighbours.get(0xC6120003).hasMac());
        assertEquals("INCOMPLETE", neighbours.get(0xC6120003).state());
        assertEquals("STALE", neighbours.get(0xC6120004).state());
        assertTrue(NetnsBed.parseNeighbours("").isEmpty());
    }

    @Test
    void addressesInNetworkOrder()
    {
        assertEquals(0xC6120001, NetnsBed.parseIpv4("198.18.0.1"));
        assertEquals("198.18.0.2", NetnsBed.ipv4Text(0xC6120002));
        assertEquals("255.255.255.255", NetnsBed.ipv4Text(-1));
        assertEquals(0xCAFEBABE0102L, NetnsBed.parseMac("ca:fe:ba:be:01:02\n"));
        assertThrows(IllegalArgumentException.class, () -> NetnsBed.parseIpv4("198.18.0.256"));
        assertThrows(IllegalArgumentException.class, () -> NetnsBed.parseMac("ca:fe:ba:be:01"));
    }

    @Test
    void configKeepsThePeerInsideTheBenchmarkingBlock()
    {
        assertEquals(new Config(24, 1500, true), Config.DEFAULT);
        assertEquals(new Config(30, 9000, false), Config.DEFAULT.withPrefixLength(30).withMtu(9000).withPeerOffloadsOff(false));
        assertThrows(IllegalArgumentException.class, () -> Config.DEFAULT.withPrefixLength(14));
        assertThrows(IllegalArgumentException.class, () -> Config.DEFAULT.withPrefixLength(31));
        assertThrows(IllegalArgumentException.class, () -> Config.DEFAULT.withMtu(67));
        assertThrows(IllegalArgumentException.class, () -> Config.DEFAULT.withMtu(65536));
    }
}
