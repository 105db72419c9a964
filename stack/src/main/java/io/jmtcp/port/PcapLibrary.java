package io.jmtcp.port;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.pcap4j.core.Pcaps;

/**
 * Finds and loads libpcap for pcap4j before any pcap4j class is used.
 *
 * <p>pcap4j asks JNA for the library named by the system property {@value #LIBRARY_PROPERTY}
 * ("pcap" by default, so {@code libpcap.so}). Debian's runtime package {@code libpcap0.8} ships
 * only {@code libpcap.so.0.8} (the unversioned name comes with {@code libpcap-dev}), so on a
 * machine without the development package pcap4j fails to load. {@link #ensureLoaded()} looks for
 * a usable file in the usual library directories, points the property at it, and proves it by
 * calling {@code pcap_lib_version()}.
 *
 * <p>A failed load is final for the JVM (pcap4j's native bindings are set up in a static
 * initialiser that cannot run twice), so the failure is remembered and reported again, with the
 * same message, on every later call.
 */
public final class PcapLibrary
{
    /** The system property through which pcap4j is told which library to load. */
    public static final String LIBRARY_PROPERTY = "org.pcap4j.core.pcapLibName";

    /** What to do when libpcap is missing. */
    public static final String INSTALL_HINT =
        "install libpcap: apt-get install libpcap0.8 (Debian, Ubuntu), dnf install libpcap (Fedora, RHEL)";

    /** File names tried in each directory, most specific last; {@code libpcap.so.*} is tried after these. */
    static final List<String> FILE_NAMES = List.of("libpcap.so", "libpcap.so.1", "libpcap.so.0.8");

    private static String version;
    private static PortException failure;

    private PcapLibrary()
    {
    }

    /**
     * Make sure libpcap is loaded, choosing the library file first if
     * {@value #LIBRARY_PROPERTY} is not set. Idempotent and thread-safe; cheap after the first call.
     *
     * @return libpcap's version string, for example {@code "libpcap version 1.10.3 (with TPACKET_V3)"}.
     * @throws PortException if no library is found or it does not load; the message says how to install it.
     */
    public static String ensureLoaded() throws PortException
    {
        return ensureLoaded(searchDirectories());
    }

    /**
     * {@link #ensureLoaded()} with the directories to search on Linux given.
     *
     * @param directories searched in order when {@value #LIBRARY_PROPERTY} is not set.
     * @return libpcap's version string.
     * @throws PortException if no library is found or it does not load.
     */
    static synchronized String ensureLoaded(final List<Path> directories) throws PortException
    {
        if (null != version)
        {
            return version;
        }
        if (null != failure)
        {
            throw new PortException(failure.getMessage(), failure);
        }

        final String configured = System.getProperty(LIBRARY_PROPERTY);
        final String chosen;
        if (null != configured)
        {
            chosen = configured;
        }
        else if (isLinux())
        {
            final Path found = find(directories);
            if (null == found)
            {
                failure = new PortException("libpcap not found (looked for " + FILE_NAMES + " and libpcap.so.* in " +
                    directories + "); " + INSTALL_HINT);
                throw failure;
            }
            chosen = found.toString();
            System.setProperty(LIBRARY_PROPERTY, chosen);
        }
        else
        {
            // Elsewhere (macOS, Windows with Npcap) pcap4j's own default name is the right one.
            chosen = "pcap4j's default";
        }

        try
        {
            version = Pcaps.libVersion();
            return version;
        }
        catch (final LinkageError e)
        {
            failure = new PortException("libpcap (" + chosen + ") does not load: " + summary(e) + "; " + INSTALL_HINT +
                (null != configured ? ", or correct -D" + LIBRARY_PROPERTY + "=" + configured : ""), e);
            throw failure;
        }
    }

    /**
     * The directories searched on Linux, in order: the multiarch directories of this JVM's
     * architecture, then the generic ones.
     *
     * @return absolute directory paths, existing or not.
     */
    public static List<Path> searchDirectories()
    {
        final List<Path> dirs = new ArrayList<>();
        final String triplet = multiarchTriplet(System.getProperty("os.arch", ""));
        if (null != triplet)
        {
            dirs.add(Path.of("/usr/lib", triplet));
            dirs.add(Path.of("/lib", triplet));
        }
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/lib64"));
        dirs.add(Path.of("/usr/local/lib"));
        dirs.add(Path.of("/usr/lib"));
        dirs.add(Path.of("/lib"));
        return dirs;
    }

    /**
     * The first usable libpcap in the directories: in each directory, in order, the names of
     * {@link #FILE_NAMES}, then any other {@code libpcap.so.*}.
     *
     * @param directories to search, in order.
     * @return the library file, or null if there is none.
     */
    static Path find(final List<Path> directories)
    {
        for (final Path dir : directories)
        {
            for (final String name : FILE_NAMES)
            {
                final Path candidate = dir.resolve(name);
                if (Files.isRegularFile(candidate) && Files.isReadable(candidate))
                {
                    return candidate;
                }
            }
            if (Files.isDirectory(dir))
            {
                try (DirectoryStream<Path> others = Files.newDirectoryStream(dir, "libpcap.so.*"))
                {
                    for (final Path candidate : others)
                    {
                        if (Files.isRegularFile(candidate) && Files.isReadable(candidate))
                        {
                            return candidate;
                        }
                    }
                }
                catch (final IOException e)
                {
                    // An unreadable directory holds nothing we can load; try the next one.
                }
            }
        }
        return null;
    }

    /**
     * Debian's multiarch directory name for a JVM architecture.
     *
     * @param osArch the value of {@code os.arch}.
     * @return the triplet, or null for an architecture this does not know.
     */
    static String multiarchTriplet(final String osArch)
    {
        switch (osArch.toLowerCase(Locale.ROOT))
        {
            case "amd64":
            case "x86_64":
                return "x86_64-linux-gnu";
            case "aarch64":
            case "arm64":
                return "aarch64-linux-gnu";
            case "arm":
                return "arm-linux-gnueabihf";
            case "x86":
            case "i386":
            case "i686":
                return "i386-linux-gnu";
            case "ppc64le":
                return "powerpc64le-linux-gnu";
            case "s390x":
                return "s390x-linux-gnu";
            case "riscv64":
                return "riscv64-linux-gnu";
            default:
                return null;
        }
    }

    /**
     * The first two lines of a load error: JNA's message goes on to list the whole class path,
     * which would drown the line an operator needs (the dlopen error, second).
     */
    private static String summary(final Throwable error)
    {
        final String message = String.valueOf(error.getMessage());
        final String[] lines = message.split("\\R", 3);
        return error.getClass().getSimpleName() + ": " +
            (lines.length > 1 ? lines[0].trim() + " " + lines[1].trim() : lines[0].trim());
    }

    private static boolean isLinux()
    {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }
}
