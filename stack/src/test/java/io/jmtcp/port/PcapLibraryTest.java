package io.jmtcp.port;

import io.jmtcp.bed.HostTools;
import io.jmtcp.testing.ChildJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** libpcap loading in fresh JVMs: the choice of file, and the failure messages. */
class PcapLibraryTest
{
    @TempDir
    Path dir;

    private static List<String> probe(final String property, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = ChildJvm.command(
            property == null ? List.of() : List.of("-D" + PcapLibrary.LIBRARY_PROPERTY + "=" + property),
            PcapLibraryProbe.class, args);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "probe JVM did not finish");
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    @Test
    void choosesAnInstalledLibraryAndLoadsIt() throws Exception
    {
        if (HostTools.isRoot())
        {
            HostTools.ensure(HostTools.Requirement.LIBPCAP).orThrow();
        }
        assumeTrue(null != PcapLibrary.find(PcapLibrary.searchDirectories()),
            "libpcap is not installed here (Debian: apt-get install libpcap0.8)");
        final List<String> lines = probe(null);
        assertEquals(2, lines.size(), lines.toString());
        for (final String line : lines)
        {
            final String[] fields = line.split("\t");
            assertEquals("loaded", fields[0], line);
            assertTrue(fields[1].startsWith("libpcap version 1.10."), line);
            assertTrue(Files.isRegularFile(Path.of(fields[2])), "the property names the file: " + line);
        }
    }

    @Test
    void noLibraryFoundGivesTheInstallHintEveryTime() throws Exception
    {
        final List<String> lines = probe(null, dir.toString());
        assertEquals(2, lines.size(), lines.toString());
        for (final String line : lines)
        {
            assertTrue(line.startsWith("failed\tlibpcap not found"), line);
            assertTrue(line.contains(dir.toString()), line);
            assertTrue(line.contains("apt-get install libpcap0.8"), line);
        }
    }

    @Test
    void aLibraryThatDoesNotLoadGivesTheInstallHintEveryTime() throws Exception
    {
        final Path bogus = Files.writeString(dir.resolve("libpcap.so.0.8"), "not an ELF file");
        final List<String> lines = probe(bogus.toString());
        assertEquals(2, lines.size(), lines.toString());
        for (final String line : lines)
        {
            assertTrue(line.startsWith("failed\tlibpcap (" + bogus + ") does not load"), line);
            assertTrue(line.contains("apt-get install libpcap0.8"), line);
            assertTrue(line.contains("-D" + PcapLibrary.LIBRARY_PROPERTY), line);
        }
    }
}
