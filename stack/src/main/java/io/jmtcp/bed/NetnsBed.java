package io.jmtcp.bed;

import io.jmtcp.bed.HostTools.Requirement;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private kernel peer: a network namespace with its own Linux TCP/IP stack, joined to this
 * host's root namespace by a veth pair whose root-side end belongs to the user-space stack.
 *
 * <pre>
 *   root namespace (this JVM)                    namespace jmtcp-&lt;pid&gt;-&lt;seq&gt;
 *   +-------------------------------+            +-------------------------------+
 *   | jm&lt;pid&gt;s&lt;seq&gt;  stack end      |  veth      | jm&lt;pid&gt;p&lt;seq&gt;  peer end       |
 *   | no kernel IPv4, IPv6 off,     |&lt;----------&gt;| 198.18.0.2/24, IPv6 off,      |
 *   | offloads off, hardened;       |            | offloads off; kernel sockets, |
 *   | 198.18.0.1 is in user space   |            | ping, curl, iperf3, tc here   |
 *   +-------------------------------+            +-------------------------------+
 * </pre>
 *
 * <p>The stack opens the stack end by pcap and answers ARP for {@link #stackAddress()} itself.
 * The kernel must not own that address (PACKET-IO-NOTES pitfall 3: it would answer the peer with
 * RST), so the stack end has no kernel IPv4 address and IPv6 off. The addresses are fixed,
 * 198.18.0.1 and 198.18.0.2 from the benchmarking block 198.18.0.0/15, and still never clash:
 * the stack's address exists only in user space, and each peer's in its own namespace, so many
 * beds can exist at once.
 *
 * <p>Both ends have their offloads off so that every frame is MTU-sized with a real checksum
 * (pitfall 1). Because the stack end sits in the root namespace, it is also hardened so that the
 * host's kernel never acts on what arrives there:
 * <ul>
 *   <li>a tc ingress filter drops every frame after the packet taps have seen it: pcap receives
 *       it, the root kernel's IP and ARP layers never do. It needs {@code cls_bpf}; on a kernel
 *       without it the bed works with the sysctls alone, see {@link #rootIngressDropped()};</li>
 *   <li>{@code forwarding=0}: a frame for some other address is not routed out of the host (the
 *       kernel drops it silently, without an ICMP error, when the input device does not
 *       forward);</li>
 *   <li>{@code rp_filter=1}: strict reverse-path filtering. The root namespace has no route back
 *       to 198.18.0.0/15 through this interface, so a frame from the peer addressed to one of
 *       the host's own addresses (Linux accepts those on any interface), or to 255.255.255.255,
 *       is dropped as a martian before any root socket sees it. The kernel uses the larger of
 *       this and {@code conf.all.rp_filter}, so a host-wide loose mode (2) weakens it;</li>
 *   <li>{@code arp_ignore=8}: never answer ARP here, for any address; the user-space stack owns
 *       ARP on this link, and the host must not claim its own addresses on it;</li>
 *   <li>{@code accept_redirects=0}, {@code send_redirects=0}: no ICMP redirect changes the
 *       host's routes or leaves for the peer. The kernel ORs both with {@code conf.all} on a
 *       non-forwarding interface, so they are a second line behind the two above;</li>
 *   <li>{@code accept_source_route=0}: no source-routed packet is honoured (ANDed with
 *       {@code conf.all}, so this one always holds).</li>
 * </ul>
 *
 * <p>Every bed is removed by {@link #close()}, by a JVM shutdown hook if the owner forgets, and
 * by {@link #cleanStale()} in a later JVM if this one is killed. Needs Linux and root.
 */
public final class NetnsBed implements AutoCloseable
{
    private static final int STACK_ADDRESS = 0xC6120001;
    private static final int PEER_ADDRESS = 0xC6120002;

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /** How long a started process gets between SIGTERM and SIGKILL when the bed closes. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    private static final int NAME_ATTEMPTS = 8;

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** Where {@code ip netns} keeps its named namespaces (iproute2's NETNS_RUN_DIR). */
    private static final Path NETNS_DIRECTORY = Path.of("/var/run/netns");

    private static final Pattern LINK_ETHER = Pattern.compile("link/ether ([0-9a-fA-F:]{17})");

    /**
     * The shape of a bed.
     *
     * @param prefixLength    the prefix of the peer's address, 15 to 30, so that the peer's
     *                        connected route stays inside 198.18.0.0/15.
     * @param mtu             the MTU of both ends, 68 to 65535.
     * @param peerOffloadsOff true to switch off tx checksum, sg, tso, gso and gro on the peer end
     *                        (the normal case); false to keep the veth defaults, which make the
     *                        kernel send 64 KB GSO super-frames with partial checksums.
     */
    public record Config(int prefixLength, int mtu, boolean peerOffloadsOff)
    {
        /** A /24, MTU 1500, peer offloads off. */
        public static final Config DEFAULT = new Config(24, 1500, true);

        /**
         * Validates the fields.
         *
         * @param prefixLength    the prefix of the peer's address.
         * @param mtu             the MTU of both ends.
         * @param peerOffloadsOff whether the peer's offloads are switched off.
         */
        public Config
        {
            if (prefixLength < 15 || prefixLength > 30)
            {
                throw new IllegalArgumentException("prefix length must be 15..30 to keep the peer inside 198.18.0.0/15: " + prefixLength);
            }
            if (mtu < 68 || mtu > 65535)
            {
                throw new IllegalArgumentException("MTU must be 68..65535: " + mtu);
            }
        }

        /**
         * This config with another prefix length.
         *
         * @param prefixLength the prefix of the peer's address.
         * @return the new config.
         */
        public Config withPrefixLength(final int prefixLength)
        {
            return new Config(prefixLength, mtu, peerOffloadsOff);
        }

        /**
         * This config with another MTU.
         *
         * @param mtu the MTU of both ends.
         * @return the new config.
         */
        public Config withMtu(final int mtu)
        {
            return new Config(prefixLength, mtu, peerOffloadsOff);
        }

        /**
         * This config with the peer's offloads off or left at the veth defaults.
         *
         * @param peerOffloadsOff true to switch them off.
         * @return the new config.
         */
        public Config withPeerOffloadsOff(final boolean peerOffloadsOff)
        {
            return new Config(prefixLength, mtu, peerOffloadsOff);
        }
    }

    /**
     * One entry of the peer's neighbour (ARP) table.
     *
     * @param address the IPv4 address, network order value.
     * @param mac     the link-layer address in the low 48 bits, or {@link #NO_MAC} while
     *                unresolved (INCOMPLETE, FAILED).
     * @param state   the kernel's state, for example {@code REACHABLE}, {@code STALE},
     *                {@code INCOMPLETE}, {@code FAILED}, {@code PERMANENT}.
     */
    public record Neighbour(int address, long mac, String state)
    {
        /** The {@link #mac()} of an entry without a link-layer address. */
        public static final long NO_MAC = -1;

        /**
         * Whether the entry has a link-layer address.
         *
         * @return true if {@link #mac()} is valid.
         */
        public boolean hasMac()
        {
            return mac != NO_MAC;
        }

        /**
         * The address in dotted decimal.
         *
         * @return for example {@code 198.18.0.1}.
         */
        public String addressText()
        {
            return ipv4Text(address);
        }
    }

    private final String namespace;
    private final String stackInterface;
    private final String peerInterface;
    private final Config config;
    private final List<Process> processes = new ArrayList<>();
    private long stackMac;
    private long peerMac;
    private boolean rootIngressDropped;
    private boolean closed;
    private ExitCleanup exitCleanup;

    private NetnsBed(final String namespace, final String stackInterface, final String peerInterface, final Config config)
    {
        this.namespace = namespace;
        this.stackInterface = stackInterface;
        this.peerInterface = peerInterface;
        this.config = config;
    }

    /**
     * Create a bed with the {@link Config#DEFAULT} shape.
     *
     * @return the bed, ready: both ends up, the peer reachable at {@link #peerAddress()}.
     * @throws BedException if this is not Linux, not root, tools are missing and cannot be
     *                      installed, or a step fails (the message quotes the tool's stderr);
     *                      whatever was created is removed first.
     */
    public static NetnsBed create()
    {
        return create(Config.DEFAULT);
    }

    /**
     * Create a bed. Beds left by killed JVMs are removed first ({@link #cleanStale()}).
     *
     * @param config the shape of the bed.
     * @return the bed, ready: both ends up, the peer reachable at {@link #peerAddress()}.
     * @throws BedException if this is not Linux, not root, tools are missing and cannot be
     *                      installed, or a step fails (the message quotes the tool's stderr);
     *                      whatever was created is removed first.
     */
    public static NetnsBed create(final Config config)
    {
        Objects.requireNonNull(config, "config");
        if (!HostTools.isLinux())
        {
            throw new BedException("a kernel bed needs Linux network namespaces; this is " + System.getProperty("os.name"));
        }
        if (!HostTools.isRoot())
        {
            throw new BedException("a kernel bed needs root (CAP_NET_ADMIN) to create a network namespace and a veth pair");
        }
        HostTools.ensure(Requirement.IP, Requirement.TC, Requirement.ETHTOOL, Requirement.SYSCTL).orThrow();
        cleanStale();
        final long pid = ProcessHandle.current().pid();
        for (int attempt = 0; attempt < NAME_ATTEMPTS; attempt++)
        {
            final int seq = SEQUENCE.getAndIncrement();
            final String namespace = BedNames.namespace(pid, seq);
            final String stack = BedNames.stackLink(pid, seq);
            final String peer = BedNames.peerLink(pid, seq);
            if (namespaceExists(namespace) || LinkFiles.exists(stack) || LinkFiles.exists(peer))
            {
                // Left by an earlier process that had our pid; not provably stale, so not ours to remove.
                continue;
            }
            final CommandResult added = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "add", namespace);
            if (!added.ok())
            {
                throw new BedException(added.describe());
            }
            final NetnsBed bed = new NetnsBed(namespace, stack, peer, config);
            try
            {
                bed.registerShutdownHook();
                bed.setUp();
                return bed;
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    bed.close();
                }
                catch (final RuntimeException closeFailure)
                {
                    ex.addSuppressed(closeFailure);
                }
                throw ex;
            }
        }
        throw new BedException("no free bed name for pid " + pid + " after " + NAME_ATTEMPTS + " attempts");
    }

    /**
     * Remove beds left by JVMs that no longer run: namespaces named {@code jmtcp-<pid>-<seq>}
     * and root-namespace links named {@code jm<pid>s<seq>} or {@code jm<pid>p<seq>} whose pid
     * has no {@code /proc/<pid>}. A link must also carry the alias a bed gives it, naming that
     * pid and this JVM's pid namespace. Nothing else is touched: not other names, not a live
     * pid's beds (this JVM's included).
     *
     * <p>A namespace has no room for an owner tag, so for namespaces the pid is the only check;
     * JVMs with different pid namespaces that share {@code /var/run/netns} would confuse it.
     * Processes the dead JVM started inside a stale namespace are not ours to kill: they keep
     * the now nameless namespace alive until they exit, but its veth pair is removed here.
     *
     * @return how many namespaces and links were removed.
     * @throws BedException if a stale bed exists and cannot be removed.
     */
    public static int cleanStale()
    {
        if (!HostTools.isLinux())
        {
            return 0;
        }
        final List<String> failures = new ArrayList<>();
        int removed = 0;
        for (final String name : directoryNames(NETNS_DIRECTORY))
        {
            final OptionalLong owner = BedNames.namespaceOwner(name);
            if (owner.isPresent() && !processAlive(owner.getAsLong()))
            {
                final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "delete", name);
                if (result.ok())
                {
                    removed++;
                }
                else if (namespaceExists(name))
                {
                    failures.add(result.describe());
                }
            }
        }
        final String pidNamespace = BedNames.currentPidNamespace();
        for (final String name : directoryNames(LinkFiles.SYS_CLASS_NET))
        {
            final OptionalLong owner = BedNames.linkOwner(name);
            if (owner.isPresent() && !processAlive(owner.getAsLong())
                && BedNames.alias(owner.getAsLong(), pidNamespace).equals(LinkFiles.alias(name)))
            {
                final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "link", "delete", "dev", name);
                if (result.ok())
                {
                    removed++;
                }
                else if (LinkFiles.exists(name))
                {
                    failures.add(result.describe());
                }
            }
        }
        if (!failures.isEmpty())
        {
            throw new BedException("cannot remove stale kernel beds: " + String.join("; ", failures));
        }
        return removed;
    }

    /**
     * The stack end's interface name, in the root namespace, for the pcap port to open.
     *
     * @return for example {@code jm12345s0}.
     */
    public String stackInterface()
    {
        return stackInterface;
    }

    /**
     * The stack end's MAC address, which the stack uses as its own.
     *
     * @return the address in the low 48 bits.
     */
    public long stackMac()
    {
        return stackMac;
    }

    /**
     * The stack's IPv4 address, which exists only in the user-space stack.
     *
     * @return 198.18.0.1 as a network order value, 0xC6120001.
     */
    public int stackAddress()
    {
        return STACK_ADDRESS;
    }

    /**
     * The stack's IPv4 address in dotted decimal.
     *
     * @return {@code 198.18.0.1}.
     */
    public String stackAddressText()
    {
        return ipv4Text(STACK_ADDRESS);
    }

    /**
     * The peer's IPv4 address, owned by the kernel in the namespace.
     *
     * @return 198.18.0.2 as a network order value, 0xC6120002.
     */
    public int peerAddress()
    {
        return PEER_ADDRESS;
    }

    /**
     * The peer's IPv4 address in dotted decimal.
     *
     * @return {@code 198.18.0.2}.
     */
    public String peerAddressText()
    {
        return ipv4Text(PEER_ADDRESS);
    }

    /**
     * The prefix length of the link's subnet, which the stack should configure too.
     *
     * @return the prefix length, 24 by default.
     */
    public int prefixLength()
    {
        return config.prefixLength();
    }

    /**
     * The peer end's MAC address.
     *
     * @return the address in the low 48 bits.
     */
    public long peerMac()
    {
        return peerMac;
    }

    /**
     * The peer end's interface name, inside {@link #namespace()}.
     *
     * @return for example {@code jm12345p0}.
     */
    public String peerInterface()
    {
        return peerInterface;
    }

    /**
     * The namespace's name, for {@code ip netns exec} or {@code ip -n}.
     *
     * @return for example {@code jmtcp-12345-0}.
     */
    public String namespace()
    {
        return namespace;
    }

    /**
     * The MTU of both ends.
     *
     * @return the MTU in bytes, 1500 by default.
     */
    public int mtu()
    {
        return config.mtu();
    }

    /**
     * Whether the tc ingress filter that hides the stack end's traffic from the root kernel is
     * in place; false on kernels without cls_bpf, where the sysctls alone harden the stack end.
     *
     * @return true if every frame arriving at the stack end is dropped after pcap has seen it.
     */
    public boolean rootIngressDropped()
    {
        return rootIngressDropped;
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
     * Run a command in the namespace ({@code ip netns exec <ns> ...}) and wait for it. A command
     * that outlives the timeout is killed with all its descendants and the result says so; this
     * never hangs.
     *
     * @param timeout the time limit.
     * @param command the program (looked up on PATH and in the sbin directories) and arguments.
     * @return the exit code and output; check {@link CommandResult#ok()}.
     * @throws IllegalStateException if the bed is closed.
     */
    public CommandResult exec(final Duration timeout, final String... command)
    {
        ensureOpen();
        return Commands.SYSTEM.run(timeout, Map.of(), inNamespace(command));
    }

    /**
     * Start a long-running process in the namespace, for example a server or a ping. The bed
     * stops it when it closes (SIGTERM, then SIGKILL after a grace period, with its
     * descendants). Its output goes to the returned process's pipes: read them, or a chatty
     * program blocks once the pipe buffer is full.
     *
     * @param command the program (looked up on PATH and in the sbin directories) and arguments.
     * @return the process.
     * @throws BedException          if it cannot be started.
     * @throws IllegalStateException if the bed is closed.
     */
    public synchronized Process start(final String... command)
    {
        ensureOpen();
        processes.removeIf(process -> !process.isAlive());
        final List<String> argv = inNamespace(command);
        try
        {
            final Process process = new ProcessBuilder(argv).start();
            processes.add(process);
            return process;
        }
        catch (final IOException ex)
        {
            throw new BedException("cannot start `" + String.join(" ", argv) + "`: " + ex.getMessage(), ex);
        }
    }

    /**
     * Put a netem qdisc on the peer end's egress: {@code tc qdisc replace dev <peer> root
     * netem <arguments>} in the namespace, so the delay or loss applies to what the kernel peer
     * sends to the stack.
     *
     * @param arguments netem's arguments, for example {@code "delay 10ms loss 1%"}.
     * @throws BedException if tc refuses, for example on a kernel without sch_netem.
     */
    public void netem(final String arguments)
    {
        ensureOpen();
        final List<String> command = new ArrayList<>(List.of(
            "tc", "-n", namespace, "qdisc", "replace", "dev", peerInterface, "root", "netem"));
        command.addAll(Arrays.asList(arguments.trim().split("\\s+")));
        final CommandResult result = Commands.SYSTEM.run(COMMAND_TIMEOUT, Map.of(), command);
        if (!result.ok())
        {
            final String hint = result.stderr().contains("qdisc kind is unknown")
                ? " (this kernel has no netem qdisc: CONFIG_NET_SCH_NETEM is off or the sch_netem module is missing)"
                : "";
            throw new BedException(result.describe() + hint);
        }
    }

    /**
     * The peer's IPv4 neighbour table on the veth: whether and how the kernel resolved the
     * stack's address.
     *
     * @return entries by IPv4 address (network order value).
     * @throws BedException if {@code ip neigh} fails.
     */
    public Map<Integer, Neighbour> neighbours()
    {
        ensureOpen();
        final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "neigh", "show", "dev", peerInterface).orThrow();
        return parseNeighbours(result.stdout());
    }

    /**
     * Remove the bed: stop the started processes, delete the stack end (which destroys the veth
     * pair at once) and the namespace, and drop the shutdown hook. Idempotent; things already
     * gone are not errors.
     *
     * @throws BedException if something of the bed is still there afterwards.
     */
    @Override
    public void close()
    {
        final List<Process> toStop;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(processes);
            processes.clear();
        }
        final List<String> failures = new ArrayList<>();
        for (final Process process : toStop)
        {
            if (!Commands.destroyTree(process.toHandle(), STOP_GRACE))
            {
                failures.add("process " + process.pid() + " in " + namespace + " survived SIGKILL");
            }
        }
        // The stack end first: deleting it destroys both ends synchronously, whereas deleting
        // the namespace alone leaves the pair to the kernel's asynchronous namespace teardown.
        if (LinkFiles.exists(stackInterface))
        {
            final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "link", "delete", "dev", stackInterface);
            if (!result.ok() && LinkFiles.exists(stackInterface))
            {
                failures.add(result.describe());
            }
        }
        if (namespaceExists(namespace))
        {
            final CommandResult result = Commands.run(COMMAND_TIMEOUT, "ip", "netns", "delete", namespace);
            if (!result.ok() && namespaceExists(namespace))
            {
                failures.add(result.describe());
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
            throw new BedException("closing kernel bed " + namespace + " left something behind: " + String.join("; ", failures));
        }
    }

    @Override
    public String toString()
    {
        return "NetnsBed[" + namespace + ", " + stackInterface + " <-> " + peerInterface + " " + peerAddressText() + "/" + prefixLength() + "]";
    }

    private void setUp()
    {
        // Namespace defaults first, so that the peer end is born with IPv6 off and never sends
        // a router solicitation or an MLD report.
        final List<String> sysctl = new ArrayList<>(List.of("sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1"));
        if (LinkFiles.hostHasIpv6())
        {
            sysctl.addAll(List.of("net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"));
        }
        Commands.SYSTEM.run(COMMAND_TIMEOUT, Map.of(), inNamespace(sysctl.toArray(new String[0]))).orThrow();
        final String mtu = Integer.toString(config.mtu());
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "add", "name", stackInterface, "mtu", mtu,
            "type", "veth", "peer", "name", peerInterface, "mtu", mtu, "netns", namespace).orThrow();
        // While the stack end is still down, so the root kernel never sends a frame on it.
        StackEnd.configure(stackInterface, BedNames.alias(ProcessHandle.current().pid(), BedNames.currentPidNamespace()),
            "the stack");
        rootIngressDropped = StackEnd.dropIngress(stackInterface);

        if (config.peerOffloadsOff())
        {
            exec(COMMAND_TIMEOUT, "ethtool", "-K", peerInterface, "tx", "off", "tso", "off", "gso", "off", "sg", "off", "gro", "off");
            StackEnd.requireOffloadsOff(peerInterface, exec(COMMAND_TIMEOUT, "ethtool", "-k", peerInterface).orThrow(), "the stack");
        }
        Commands.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "addr", "add",
            peerAddressText() + "/" + config.prefixLength(), "dev", peerInterface).orThrow();
        Commands.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "link", "set", "dev", "lo", "up").orThrow();
        Commands.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "link", "set", "dev", peerInterface, "up").orThrow();
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "set", "dev", stackInterface, "up").orThrow();

        stackMac = LinkFiles.mac(stackInterface);
        final CommandResult peerLink = Commands.run(COMMAND_TIMEOUT, "ip", "-n", namespace, "-o", "link", "show", "dev", peerInterface).orThrow();
        final Matcher ether = LINK_ETHER.matcher(peerLink.stdout());
        if (!ether.find())
        {
            throw new BedException("no MAC address in `" + peerLink.commandLine() + "`: " + peerLink.stdout());
        }
        peerMac = parseMac(ether.group(1));
    }

    private synchronized void registerShutdownHook()
    {
        exitCleanup = ExitCleanup.register("jmtcp-bed-cleanup-" + namespace, this);
    }

    private List<String> inNamespace(final String... command)
    {
        if (command.length == 0)
        {
            throw new IllegalArgumentException("empty command");
        }
        final List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        argv.addAll(Commands.resolve(List.of(command)));
        return Commands.resolve(argv);
    }

    private synchronized void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("kernel bed " + namespace + " is closed");
        }
    }

    /**
     * The IPv4 entries of {@code ip neigh show dev <if>} output, whose lines look like
     * {@code 198.18.0.1 lladdr 02:00:00:00:00:01 REACHABLE} or {@code 198.18.0.1 INCOMPLETE}.
     *
     * @param ipNeighOutput what {@code ip neigh show} printed.
     * @return entries by address.
     */
    static Map<Integer, Neighbour> parseNeighbours(final String ipNeighOutput)
    {
        final Map<Integer, Neighbour> neighbours = new LinkedHashMap<>();
        for (final String line : ipNeighOutput.split("\n"))
        {
            final String[] words = line.trim().split("\\s+");
            if (words.length < 2 || words[0].contains(":"))
            {
                continue;
            }
            final int address = parseIpv4(words[0]);
            long mac = Neighbour.NO_MAC;
            for (int i = 1; i + 1 < words.length; i++)
            {
                if ("lladdr".equals(words[i]))
                {
                    mac = parseMac(words[i + 1]);
                }
            }
            neighbours.put(address, new Neighbour(address, mac, words[words.length - 1]));
        }
        return Collections.unmodifiableMap(neighbours);
    }

    /**
     * A MAC address in {@code aa:bb:cc:dd:ee:ff} form as a number.
     *
     * @param text the address, surrounding whitespace allowed.
     * @return the address in the low 48 bits.
     */
    static long parseMac(final String text)
    {
        final String[] octets = text.trim().split(":");
        if (octets.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (final String octet : octets)
        {
            mac = (mac << 8) | Integer.parseInt(octet, 16);
        }
        return mac;
    }

    /**
     * A dotted-decimal IPv4 address as a network order value.
     *
     * @param text for example {@code 198.18.0.1}.
     * @return for example 0xC6120001.
     */
    static int parseIpv4(final String text)
    {
        final String[] octets = text.split("\\.");
        if (octets.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (final String octet : octets)
        {
            final int value = Integer.parseInt(octet);
            if (value < 0 || value > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | value;
        }
        return address;
    }

    /**
     * A network order IPv4 value in dotted decimal.
     *
     * @param address for example 0xC6120001.
     * @return for example {@code 198.18.0.1}.
     */
    static String ipv4Text(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    private static List<String> directoryNames(final Path directory)
    {
        final List<String> names = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory))
        {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        catch (final IOException ex)
        {
            throw new BedException("cannot list " + directory + ": " + ex.getMessage(), ex);
        }
        return names;
    }

    private static boolean processAlive(final long pid)
    {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    private static boolean namespaceExists(final String name)
    {
        return Files.exists(NETNS_DIRECTORY.resolve(name));
    }
}
