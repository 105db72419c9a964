package io.jmtcp.bed;

import static io.jmtcp.bed.BedAssertions.TIMEOUT;
import static io.jmtcp.bed.BedAssertions.namespaceExists;
import static io.jmtcp.bed.BedAssertions.root;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The extension as other modules use it: a fresh, working bed per parameter, closed after each test. */
@KernelBed
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelBedExtensionTest
{
    private static NetnsBed previous;

    @Test
    @Order(1)
    void givesAWorkingBed(final NetnsBed bed)
    {
        assertFalse(bed.isClosed());
        assertTrue(bed.exec(TIMEOUT, "ip", "-4", "-o", "addr").orThrow().stdout().contains("198.18.0.2/24"));
        assertTrue(BedAssertions.linkExists(bed.stackInterface()));
        previous = bed;
    }

    @Test
    @Order(2)
    void givesAFreshBedAndClosedTheLastOne(final NetnsBed bed)
    {
        assertNotNull(previous, "runs after givesAWorkingBed");
        assertTrue(previous.isClosed());
        assertFalse(namespaceExists(previous.namespace()));
        assertNotEquals(previous.namespace(), bed.namespace());
        assertNotEquals(previous.stackInterface(), bed.stackInterface());
    }

    @Test
    @Order(3)
    void givesOneBedPerParameter(final NetnsBed first, final NetnsBed second)
    {
        assertNotEquals(first.namespace(), second.namespace());
        assertTrue(namespaceExists(first.namespace()) && namespaceExists(second.namespace()));
    }

    @AfterAll
    static void leavesNoBedOfThisJvmBehind()
    {
        final String prefix = "jmtcp-" + ProcessHandle.current().pid() + "-";
        final String namespaces = root("ip", "netns", "list");
        assertFalse(Arrays.stream(namespaces.split("\n")).anyMatch(line -> line.startsWith(prefix)), namespaces);
        final String links = root("ip", "-o", "link", "show");
        assertFalse(links.contains(": jm" + ProcessHandle.current().pid() + "s"), links);
    }
}
