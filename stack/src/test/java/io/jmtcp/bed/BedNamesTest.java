package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** Bed names: short enough for Linux, and the owner's pid recoverable for stale clean-up. */
class BedNamesTest
{
    /** The largest pid_max Linux allows on 64-bit systems. */
    private static final long LARGEST_PID = 4_194_304;

    @Test
    void namesCarryThePid()
    {
        assertEquals("jmtcp-12345-7", BedNames.namespace(12345, 7));
        assertEquals("jm12345s0", BedNames.stackLink(12345, 0));
        assertEquals("jm12345pz", BedNames.peerLink(12345, 35));
        assertEquals("jm12345s10", BedNames.stackLink(12345, 36));
        assertEquals(OptionalLong.of(12345), BedNames.namespaceOwner("jmtcp-12345-7"));
        assertEquals(OptionalLong.of(12345), BedNames.linkOwner("jm12345s10"));
        assertEquals(OptionalLong.of(12345), BedNames.linkOwner("jm12345pz"));
    }

    @Test
    void interfaceNamesFitIfnamsizForTheLargestPid()
    {
        final int seq = 36 * 36 * 36 * 36 * 36 - 1;
        final String stack = BedNames.stackLink(LARGEST_PID, seq);

        assertEquals(BedNames.MAX_INTERFACE_NAME, stack.length());
        assertEquals(OptionalLong.of(LARGEST_PID), BedNames.linkOwner(stack));
        assertThrows(BedException.class, () -> BedNames.stackLink(LARGEST_PID, seq + 1));
    }

    @Test
    void otherNamesAreNotOurs()
    {
        for (final String name : new String[] {"eth0", "lo", "ifb0", "jmexpS", "jm12", "jm12x3", "jmtcp-12-", "jmtcp-abc-1",
            "jmtcp-12-3-4", "xjmtcp-12-3", "jm12s3 ", "JM12S3", "docker0", "veth1234"})
        {
            assertTrue(BedNames.namespaceOwner(name).isEmpty(), name);
            assertTrue(BedNames.linkOwner(name).isEmpty(), name);
        }
    }

    @Test
    void aliasNamesPidAndPidNamespace()
    {
        final String alias = BedNames.alias(42, "pid:[4026531836]");

        assertEquals("jmtcp-bed pid=42 pidns=pid:[4026531836]", alias);
        assertFalse(alias.equals(BedNames.alias(42, "pid:[4026532000]")));
        assertTrue(BedNames.currentPidNamespace().startsWith("pid:["), BedNames.currentPidNamespace());
    }
}
