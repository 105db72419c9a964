package io.jmtcp.bed;

import io.jmtcp.bed.HostTools.Requirement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bare veth pair with both ends in the root namespace and no kernel peer: a private cable
 * between two pcap ports, for measuring packet I/O itself (the veth benchmarks).
 *
 * <pre>
 *   root namespace (this JVM)
 *   +-----------------------------+   veth   +-----------------------------+
 *   | jm&lt;pid&gt;s&lt;seq&gt;  end A         |&lt;--------&gt;| jm&lt;pid&gt;p&lt;seq&gt;  end B         |
 *   | no IPv4, IPv6 off, offloads |          | no IPv4, IPv6 off, offloads |
 *   | off, hardened, ingress drop |          | off, hardened, ingress drop |
 *   +-----------------------------+          +-----------------------------+
 * </pre>
 *
 * <p>Each end is set up as {@link NetnsBed} sets up its stack end, because each is a raw port
 * in the root namespace whose frames the host's kernel must never act on: IPv6 is disabled
 * before the link goes up (so the kernel sends nothing: no link-local address, no router
 * solicitation), no IPv4 address is given, the {@link StackEnd#HARDENING} sysctls are
 * set, offloads are off and checked off (so pcap sees MTU-sized frames, PACKET-IO-NOTES pitfall
 * 1), and a tc ingress filter drops every frame after the packet taps (pcap) have seen it, so
 * the root kernel's protocol layers never receive one; {@link #ingressDropped()} says whether
 * that filter is in place (it needs {@code cls_bpf}).
 *
 * <p>Names follow {@link BedNames}: {@code jm<pid>s<seq>} and {@code jm<pid>p<seq>}, both
 * carrying the bed alias with this JVM's pid and pid namespace, so {@link NetnsBed#cleanStale()}
 * removes a pair left by a killed JVM exactly as it removes a bed's link. The sequence numbers
 * start at {@link #FIRST_SEQUENCE} (base 36 {@code z000}), far above those {@link NetnsBed}
 * uses, so that a pair and a bed of the same JVM never race for a name.
 *
 * <p>Removed by {@link #close()} (deleting one end destroys both), by a JVM shutdown hook if the
 * owner forgets, and by the next JVM's stale clean-up if this one is killed. Needs Linux and
 * root.
 */
public final class VethPair implements AutoCloseable
{
    /** The first sequence number a pair uses: 35 * 36^3, {@code z000} in base 36. */
    static final int FIRST_SEQUENCE = 35 * 36 * 36 * 36;

    /** The default MTU of both ends. */
    public static final int DEFAULT_MTU = 1500;

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final int NAME_ATTEMPTS = 8;
    private static final AtomicInteger SEQUENCE = new AtomicInteger(FIRST_SEQUENCE);

    private final String nameA;
    private final String nameB;
    private final int mtu;
    private long macA;
    private long macB;
    private boolean ingressDroppedA;
    private boolean ingressDroppedB;
    private boolean closed;
    private ExitCleanup exitCleanup;

    private VethPair(final String nameA, final String nameB, final int mtu)
    {
        this.nameA = nameA;
        this.nameB = nameB;
        this.mtu = mtu;
    }

    /**
     * Create a pair with a 1500-byte MTU.
     *
     * @return the pair, both ends up.
     * @throws BedException if this is not Linux, not root, tools are missing and cannot be
     *                      installed, or a step fails; whatever was created is removed first.
     */
    public static VethPair create()
    {
        return create(DEFAULT_MTU);
    }

    /**
     * Create a pair. Beds and pairs left by killed JVMs are removed first
     * ({@link NetnsBed#cleanStale()}).
     *
     * @param mtu the MTU of both ends, 68 to 65535.
     * @return the pair, both ends up.
     * @throws BedException if this is not Linux, not root, tools are missing and cannot be
     *                      installed, or a step fails; whatever was created is removed first.
     */
    public static VethPair create(final int mtu)
    {
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("MTU must be 68..65535: " + mtu);
        }
        if (!HostTools.isLinux())
        {
            throw new BedException("a veth pair needs Linux; this is " + System.getProperty("os.name"));
        }
        if (!HostTools.isRoot())
        {
            throw new BedException("a veth pair needs root (CAP_NET_ADMIN) to create");
        }
        HostTools.ensure(Requirement.IP, Requirement.TC, Requirement.ETHTOOL).orThrow();
        NetnsBed.cleanStale();
        final long pid = ProcessHandle.current().pid();
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++)
        {
            final int seq = SEQUENCE.getAndIncrement();
            final String a = BedNames.stackLink(pid, seq);
            final String b = BedNames.peerLink(pid, seq);
            if (LinkFiles.exists(a) || LinkFiles.exists(b))
            {
                // Left by an earlier process that had our pid; not provably stale, so not ours to remove.
                continue;
            }
            final VethPair pair = new VethPair(a, b, mtu);
            try
            {
                pair.registerShutdownHook();
                pair.setUp();
                return pair;
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    pair.close();
                }
                catch (final RuntimeException closeFailure)
                {
                    ex.addSuppressed(closeFailure);
                }
                throw ex;
            }
        }
        throw new BedException("no free veth pair name for pid " + pid + " after " + NAME_ATTEMPTS + " attempts");
    }

    /**
     * End A's interface name.
     *
     * @return for example {@code jm12345sz000}.
     */
    public String nameA()
    {
        return nameA;
    }

    /**
     * End B's interface name.
     *
     * @return for example {@code jm12345pz000}.
     */
    public String nameB()
    {
        return nameB;
    }

    /**
     * End A's MAC address, as the kernel gave it.
     *
     * @return the address in the low 48 bits.
     */
    public long macA()
    {
        return macA;
    }

    /**
     * End B's MAC address, as the kernel gave it.
     *
     * @return the address in the low 48 bits.
     */
    public long macB()
    {
        return macB;
    }

    /**
     * The MTU of both ends.
     *
     * @return bytes.
     */
    public int mtu()
    {
        return mtu;
    }

    /**
     * Whether the tc ingress drop is in place on both ends; false on a kernel without cls_bpf,
     * where the sysctls alone keep the root kernel from acting on the frames.
     *
     * @return true if every frame arriving at either end is dropped after pcap has seen it.
     */
    public boolean ingressDropped()
    {
        return ingressDroppedA && ingressDroppedB;
    }

    /**
     * Whether {@link #close()} has been called.
     *
     * @return true once closed.
     */
    public synchronized boolean isClosed()
    {
        return closed;
    }

    /**
     * Remove the pair: delete end A, which destroys both ends at once, and drop the shutdown
     * hook. Idempotent; ends already gone are not errors.
     *
     * @throws BedException if an end is still there afterwards.
     */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        final List<String> failures = new ArrayList<>();
        for (final String name : List.of(nameA, nameB))
        {
            if (LinkFiles.exists(name))
            {
                final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "link", "delete", "dev", name);
                if (!result.ok() && LinkFiles.exists(name))
                {
                    failures.add(result.describe());
                }
            }
        }
        final ExitCleanup cleanup;
        synchronized (this)
        {
            cleanup = exitCleanup;
        }
        if (cleanup != null)
        {
            cleanup.cancel();
        }
        if (!failures.isEmpty())
        {
            throw new BedException("closing veth pair " + nameA + " <-> " + nameB + " left something behind: "
                + String.join("; ", failures));
        }
    }

    @Override
    public String toString()
    {
        return "VethPair[" + nameA + " <-> " + nameB + ", mtu " + mtu + (isClosed() ? ", closed" : "") + "]";
    }

    private void setUp()
    {
        final String mtuText = Integer.toString(mtu);
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "add", "name", nameA, "mtu", mtuText,
            "type", "veth", "peer", "name", nameB, "mtu", mtuText).orThrow();
        final String alias = BedNames.alias(ProcessHandle.current().pid(), BedNames.currentPidNamespace());
        // While the links are still down, so the kernel never sends a frame on them.
        StackEnd.configure(nameA, alias, "pcap");
        StackEnd.configure(nameB, alias, "pcap");
        ingressDroppedA = StackEnd.dropIngress(nameA);
        ingressDroppedB = StackEnd.dropIngress(nameB);
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "set", "dev", nameB, "up").orThrow();
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "set", "dev", nameA, "up").orThrow();
        macA = LinkFiles.mac(nameA);
        macB = LinkFiles.mac(nameB);
    }

    private synchronized void registerShutdownHook()
    {
        exitCleanup = ExitCleanup.register("jmtcp-veth-cleanup-" + nameA, this);
    }
}
