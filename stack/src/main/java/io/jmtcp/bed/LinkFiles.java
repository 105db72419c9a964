package io.jmtcp.bed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The root namespace's view of a network interface through sysfs and procfs: whether it exists,
 * its alias and MAC address, and its per-interface sysctls. Plain file access, because these
 * answers are needed often (every name probe, every stale clean-up) and a process per question
 * would be slow.
 */
final class LinkFiles
{
    /** One directory per interface of the root namespace, named after it. */
    static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    private static final Path PROC_SYS_NET = Path.of("/proc/sys/net");

    private LinkFiles()
    {
    }

    /**
     * Whether an interface of this name exists in the root namespace.
     *
     * @param name the interface name.
     * @return true if it exists.
     */
    static boolean exists(final String name)
    {
        return Files.exists(SYS_CLASS_NET.resolve(name));
    }

    /**
     * An interface's alias ({@code ip link set dev <if> alias ...}).
     *
     * @param name the interface name.
     * @return the alias, or an empty string if it has none or cannot be read (it may have gone
     *         since it was listed).
     */
    static String alias(final String name)
    {
        try
        {
            return Files.readString(SYS_CLASS_NET.resolve(name).resolve("ifalias"), StandardCharsets.UTF_8).trim();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /**
     * An interface's MAC address, as the kernel gave it.
     *
     * @param name the interface name.
     * @return the address in the low 48 bits.
     * @throws BedException if it cannot be read.
     */
    static long mac(final String name)
    {
        return NetnsBed.parseMac(readFile(SYS_CLASS_NET.resolve(name).resolve("address")));
    }

    /**
     * Whether this kernel has IPv6 at all; without it there is no {@code disable_ipv6} to write.
     *
     * @return true if {@code /proc/sys/net/ipv6} exists.
     */
    static boolean hostHasIpv6()
    {
        return Files.isDirectory(PROC_SYS_NET.resolve("ipv6"));
    }

    /**
     * Set one of an interface's sysctls, {@code net.<family>.conf.<if>.<key>}, and check that
     * the kernel kept the value.
     *
     * @param family {@code ipv4} or {@code ipv6}.
     * @param name   the interface name.
     * @param key    the setting, for example {@code rp_filter}.
     * @param value  the value to write.
     * @throws BedException if it cannot be written or reads back differently.
     */
    static void writeConf(final String family, final String name, final String key, final String value)
    {
        final Path path = PROC_SYS_NET.resolve(family).resolve("conf").resolve(name).resolve(key);
        try
        {
            // One write per file, as sysctl(8) does; /proc/sys parses each write on its own.
            Files.writeString(path, value + "\n", StandardCharsets.US_ASCII);
            final String readBack = readFile(path);
            if (!value.equals(readBack))
            {
                throw new BedException("wrote " + value + " to " + path + " but it reads " + readBack);
            }
        }
        catch (final IOException ex)
        {
            throw new BedException("cannot write " + value + " to " + path + ": " + ex.getMessage(), ex);
        }
    }

    private static String readFile(final Path path)
    {
        try
        {
            return Files.readString(path, StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            throw new BedException("cannot read " + path + ": " + ex.getMessage(), ex);
        }
    }
}
