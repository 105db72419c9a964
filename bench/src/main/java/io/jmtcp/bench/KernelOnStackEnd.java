package io.jmtcp.bench;

import io.jmtcp.bed.NetnsBed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hands a {@link NetnsBed}'s stack end to the root namespace's kernel for the kernel-to-kernel
 * reference of {@link TcpVethComparison}, on the same veth pair, once the user-space stack has
 * stopped: the kernel gets the stack's address {@code 198.18.0.1/24} on that end, the tc
 * ingress drop that normally hides the end's frames from the kernel is removed, and both sides
 * get a permanent neighbour entry for the other (the end keeps {@code arp_ignore=8}, so the root
 * kernel would not answer the peer's ARP). {@link #close()} undoes all of it in reverse, and
 * closing the bed removes the link with whatever is left on it.
 *
 * <p>The end keeps its other hardening: {@code rp_filter=1} passes, because the new connected
 * route leads back through this end; {@code forwarding=0} keeps anything addressed elsewhere
 * from being routed out of the host.
 */
final class KernelOnStackEnd implements AutoCloseable
{
    /** The prefix that the root namespace gets a connected route for while this lasts. */
    private static final int PREFIX_LENGTH = 24;

    /** The longest one configuration command may take. */
    private static final long COMMAND_SECONDS = 10;

    /** The bed's own drop-all program (cls_bpf direct action, {@code ret #2}: TC_ACT_SHOT). */
    private static final String DROP_ALL_BYTECODE = "1,6 0 0 2,";

    /** The offload features {@link #offloads} switches, as {@code ethtool -K} names them. */
    private static final List<String> OFFLOADS = List.of("tx", "sg", "tso", "gso", "gro");

    private final NetnsBed bed;
    private final String address;
    private boolean ingressDropRemoved;
    private boolean addressAdded;
    private boolean offloadsOn;
    private boolean closed;

    private KernelOnStackEnd(final NetnsBed bed)
    {
        this.bed = bed;
        this.address = bed.stackAddressText() + "/" + PREFIX_LENGTH;
    }

    /**
     * Give the stack end to the root kernel. Refuses if some root-namespace interface already
     * has an address in 198.18.0.0/15 (another bed's kernel reference, say), whose route this
     * one would clash with.
     *
     * @param bed the bed, whose stack must have stopped.
     * @return the handle that undoes it.
     * @throws IllegalStateException if refused, or if a step fails (what was done is undone first).
     */
    static KernelOnStackEnd assign(final NetnsBed bed)
    {
        final String existing = root("ip", "-4", "-o", "addr", "show", "to", "198.18.0.0/15").trim();
        if (!existing.isEmpty())
        {
            throw new IllegalStateException("the root namespace already has an address in 198.18.0.0/15, so a kernel"
                + " reference here would clash with it: " + existing);
        }
        final KernelOnStackEnd kernel = new KernelOnStackEnd(bed);
        try
        {
            kernel.setUp();
            return kernel;
        }
        catch (final RuntimeException e)
        {
            kernel.close();
            throw e;
        }
    }

    /**
     * Switch the offloads of both ends on (the veth defaults: the kernel then moves 64 KB GSO
     * super-frames with partial checksums) or off again (every frame MTU-sized, as the
     * user-space stack sees them).
     *
     * @param on true for on.
     */
    void offloads(final boolean on)
    {
        final List<String> stackEnd = new ArrayList<>(List.of("ethtool", "-K", bed.stackInterface()));
        final List<String> peerEnd = new ArrayList<>(List.of("ethtool", "-K", bed.peerInterface()));
        for (final String feature : OFFLOADS)
        {
            stackEnd.add(feature);
            stackEnd.add(on ? "on" : "off");
            peerEnd.add(feature);
            peerEnd.add(on ? "on" : "off");
        }
        offloadsOn = on;
        root(stackEnd.toArray(new String[0]));
        bed.exec(Duration.ofSeconds(COMMAND_SECONDS), peerEnd.toArray(new String[0])).orThrow();
    }

    /** Undo everything, in reverse; idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<String> failures = new ArrayList<>();
        if (offloadsOn)
        {
            attempt(failures, () -> offloads(false));
        }
        if (addressAdded)
        {
            attempt(failures, () -> root("ip", "-n", bed.namespace(), "neigh", "del", bed.stackAddressText(),
                "dev", bed.peerInterface()));
            attempt(failures, () -> root("ip", "neigh", "del", bed.peerAddressText(), "dev", bed.stackInterface()));
            attempt(failures, () -> root("ip", "addr", "del", address, "dev", bed.stackInterface()));
        }
        if (ingressDropRemoved)
        {
            attempt(failures, () -> root("tc", "qdisc", "add", "dev", bed.stackInterface(), "clsact"));
            attempt(failures, () -> root("tc", "filter", "add", "dev", bed.stackInterface(), "ingress", "pref", "1",
                "bpf", "da", "bytecode", DROP_ALL_BYTECODE));
        }
        if (!failures.isEmpty())
        {
            throw new IllegalStateException("undoing the kernel reference on " + bed.stackInterface() + " failed: "
                + String.join("; ", failures) + " (closing the bed removes the link with the rest)");
        }
    }

    private void setUp()
    {
        if (bed.rootIngressDropped())
        {
            ingressDropRemoved = true;
            root("tc", "qdisc", "del", "dev", bed.stackInterface(), "clsact");
        }
        addressAdded = true;
        root("ip", "addr", "add", address, "dev", bed.stackInterface());
        root("ip", "neigh", "replace", bed.peerAddressText(), "lladdr", macText(bed.peerMac()), "dev",
            bed.stackInterface(), "nud", "permanent");
        root("ip", "-n", bed.namespace(), "neigh", "replace", bed.stackAddressText(), "lladdr",
            macText(bed.stackMac()), "dev", bed.peerInterface(), "nud", "permanent");
    }

    private static void attempt(final List<String> failures, final Runnable step)
    {
        try
        {
            step.run();
        }
        catch (final RuntimeException e)
        {
            failures.add(e.getMessage());
        }
    }

    private static String macText(final long mac)
    {
        final StringBuilder text = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            if (text.length() > 0)
            {
                text.append(':');
            }
            text.append(String.format("%02x", (mac >>> shift) & 0xFF));
        }
        return text.toString();
    }

    /**
     * Run a command in the root namespace.
     *
     * @param command the program and its arguments.
     * @return its standard output.
     * @throws IllegalStateException if it fails or takes longer than {@value #COMMAND_SECONDS} s.
     */
    private static String root(final String... command)
    {
        final String line = String.join(" ", command);
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (InputStream output = process.getInputStream())
            {
                if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    throw new IllegalStateException("`" + line + "` took longer than " + COMMAND_SECONDS + " s");
                }
                final String text = new String(output.readAllBytes(), StandardCharsets.UTF_8);
                if (process.exitValue() != 0)
                {
                    throw new IllegalStateException("`" + line + "` exited " + process.exitValue() + ": " + text.trim());
                }
                return text;
            }
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("`" + line + "`: " + e.getMessage(), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("`" + line + "` interrupted", e);
        }
    }
}
