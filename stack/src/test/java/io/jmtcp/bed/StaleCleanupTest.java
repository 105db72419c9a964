package io.jmtcp.bed;

import static io.jmtcp.bed.BedAssertions.TIMEOUT;
import static io.jmtcp.bed.BedAssertions.linkExists;
import static io.jmtcp.bed.BedAssertions.namespaceExists;
import static io.jmtcp.bed.BedAssertions.read;
import static io.jmtcp.bed.BedAssertions.root;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Clean-up of beds whose JVM was killed: what a dead pid named is removed, and nothing else.
 * The "dead" pid is at or above {@code pid_max}, where the kernel never allocates one.
 */
@KernelBed
class StaleCleanupTest
{
    @Test
    void removesBedsOfDeadPidsAndNothingElse()
    {
        final long dead = deadPid();
        final long self = ProcessHandle.current().pid();
        final String pidNamespace = BedNames.currentPidNamespace();
        final String staleNamespace = BedNames.namespace(dead, 0);
        final String staleLink = BedNames.stackLink(dead, 0);
        final String unmarkedLink = BedNames.stackLink(dead, 1);
        final String foreignLink = BedNames.stackLink(dead, 2);
        final String liveNamespace = BedNames.namespace(self, 999_999);
        try
        {
            root("ip", "netns", "add", staleNamespace);
            root("ip", "netns", "add", liveNamespace);
            root("ip", "link", "add", "name", staleLink, "type", "veth", "peer", "name", BedNames.peerLink(dead, 0));
            root("ip", "link", "set", "dev", staleLink, "alias", BedNames.alias(dead, pidNamespace));
            // Named like ours but without our mark: could be anyone's, so it must survive.
            root("ip", "link", "add", "name", unmarkedLink, "type", "veth", "peer", "name", BedNames.peerLink(dead, 1));
            // Marked by a JVM in another pid namespace, where our /proc says nothing about its pid.
            root("ip", "link", "add", "name", foreignLink, "type", "veth", "peer", "name", BedNames.peerLink(dead, 2));
            root("ip", "link", "set", "dev", foreignLink, "alias", BedNames.alias(dead, "pid:[1]"));

            final int removed = NetnsBed.cleanStale();

            assertTrue(removed >= 2, "removed " + removed);
            assertFalse(namespaceExists(staleNamespace));
            assertFalse(linkExists(staleLink));
            assertFalse(linkExists(BedNames.peerLink(dead, 0)));
            assertTrue(namespaceExists(liveNamespace), "a live pid's namespace was removed");
            assertTrue(linkExists(unmarkedLink), "an unmarked link was removed");
            assertTrue(linkExists(foreignLink), "another pid namespace's link was removed");
        }
        finally
        {
            for (final String link : new String[] {staleLink, unmarkedLink, foreignLink})
            {
                if (linkExists(link))
                {
                    Commands.run(TIMEOUT, "ip", "link", "delete", "dev", link);
                }
            }
            for (final String namespace : new String[] {staleNamespace, liveNamespace})
            {
                if (namespaceExists(namespace))
                {
                    Commands.run(TIMEOUT, "ip", "netns", "delete", namespace);
                }
            }
        }
    }

    private static long deadPid()
    {
        long pid = Long.parseLong(read("/proc/sys/kernel/pid_max"));
        while (Files.exists(Path.of("/proc", Long.toString(pid))))
        {
            pid++;
        }
        return pid;
    }
}
