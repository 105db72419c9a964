package io.jmtcp.bed;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Checks shared by the kernel-bed tests: reading the kernel's view of a bed from outside it. */
final class BedAssertions
{
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private BedAssertions()
    {
    }

    /**
     * Run a command in the root namespace and return its stdout, failing on a non-zero exit.
     *
     * @param command the command.
     * @return its standard output.
     */
    static String root(final String... command)
    {
        return Commands.run(TIMEOUT, command).orThrow().stdout();
    }

    /**
     * Read a small kernel file (sysfs, procfs), trimmed.
     *
     * @param path the file.
     * @return its content.
     */
    static String read(final String path)
    {
        try
        {
            return Files.readString(Path.of(path), StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static boolean namespaceExists(final String name)
    {
        return Files.exists(Path.of("/var/run/netns", name));
    }

    static boolean linkExists(final String name)
    {
        return Files.exists(Path.of("/sys/class/net", name));
    }

    /**
     * Assert that nothing of a bed is left: no namespace, neither end of the veth pair.
     *
     * @param namespace the bed's namespace.
     * @param stack     its stack-side interface.
     * @param peer      its peer-side interface.
     */
    static void assertBedGone(final String namespace, final String stack, final String peer)
    {
        assertFalse(namespaceExists(namespace), namespace + " still exists");
        assertFalse(root("ip", "netns", "list").contains(namespace), namespace + " still listed");
        assertFalse(linkExists(stack), stack + " still exists");
        assertFalse(linkExists(peer), peer + " still exists");
        final String links = root("ip", "-o", "link", "show");
        assertFalse(links.contains(stack + "@") || links.contains(stack + ":"), stack + " still listed");
        assertFalse(links.contains(peer + "@") || links.contains(peer + ":"), peer + " in the root namespace");
    }
}
