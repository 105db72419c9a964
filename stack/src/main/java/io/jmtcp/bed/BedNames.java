package io.jmtcp.bed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a bed gives its namespace and interfaces, and how to tell from a name which process
 * made it. The owner's pid is part of every name so that a later JVM can find beds left by a
 * killed one, and so that nothing of a live JVM, and nothing not named by us, is ever removed.
 *
 * <p>Namespaces are {@code jmtcp-<pid>-<seq>}; interfaces are {@code jm<pid>s<seq>} (stack end)
 * and {@code jm<pid>p<seq>} (peer end), the pid in decimal and the sequence number in base 36,
 * because Linux allows interface names of at most 15 characters: a 7-digit pid (the largest
 * {@code pid_max} is 4194304) leaves 5 base-36 digits, 60 million beds per JVM.
 */
final class BedNames
{
    /** Linux's IFNAMSIZ is 16 bytes, one of them the terminating NUL. */
    static final int MAX_INTERFACE_NAME = 15;

    private static final Pattern NAMESPACE = Pattern.compile("jmtcp-([0-9]{1,10})-([0-9]{1,10})");
    private static final Pattern LINK = Pattern.compile("jm([0-9]{1,10})([sp])([0-9a-z]{1,8})");
    private static final String ALIAS_PREFIX = "jmtcp-bed";

    private BedNames()
    {
    }

    /**
     * The namespace name of a bed.
     *
     * @param pid the owning JVM's pid.
     * @param seq the bed's sequence number in that JVM.
     * @return {@code jmtcp-<pid>-<seq>}.
     */
    static String namespace(final long pid, final int seq)
    {
        return "jmtcp-" + pid + "-" + seq;
    }

    /**
     * The name of the stack-side veth end, which stays in the root namespace.
     *
     * @param pid the owning JVM's pid.
     * @param seq the bed's sequence number.
     * @return {@code jm<pid>s<seq base 36>}.
     */
    static String stackLink(final long pid, final int seq)
    {
        return link(pid, 's', seq);
    }

    /**
     * The name of the peer-side veth end, which lives in the bed's namespace.
     *
     * @param pid the owning JVM's pid.
     * @param seq the bed's sequence number.
     * @return {@code jm<pid>p<seq base 36>}.
     */
    static String peerLink(final long pid, final int seq)
    {
        return link(pid, 'p', seq);
    }

    /**
     * The pid encoded in a bed namespace's name.
     *
     * @param name a namespace name.
     * @return the owner's pid, or empty if the name is not a bed's.
     */
    static OptionalLong namespaceOwner(final String name)
    {
        final Matcher matcher = NAMESPACE.matcher(name);
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /**
     * The pid encoded in a bed interface's name.
     *
     * @param name an interface name.
     * @return the owner's pid, or empty if the name is not a bed's.
     */
    static OptionalLong linkOwner(final String name)
    {
        final Matcher matcher = LINK.matcher(name);
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /**
     * The interface alias that marks a stack-side link as made by a bed of this pid in this pid
     * namespace. A pid means something only within its pid namespace: a container sharing the
     * host's network but not its pids would otherwise see another container's live beds as
     * stale.
     *
     * @param pid          the owner's pid.
     * @param pidNamespace the owner's pid namespace, as {@link #currentPidNamespace()} gives it.
     * @return the alias text.
     */
    static String alias(final long pid, final String pidNamespace)
    {
        return ALIAS_PREFIX + " pid=" + pid + " pidns=" + pidNamespace;
    }

    /**
     * The pid namespace of this JVM, for example {@code pid:[4026531836]}.
     *
     * @return the identifier, or {@code unknown} if it cannot be read (then no alias matches
     *         another's, and stale links are left alone rather than guessed at).
     */
    static String currentPidNamespace()
    {
        try
        {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return "unknown";
        }
    }

    private static String link(final long pid, final char end, final int seq)
    {
        final String name = "jm" + pid + end + Integer.toString(seq, Character.MAX_RADIX);
        if (name.length() > MAX_INTERFACE_NAME)
        {
            throw new BedException("interface name " + name + " is longer than " + MAX_INTERFACE_NAME + " characters");
        }
        return name;
    }
}
