package io.jmtcp.bed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a veth end that a user-space port owns in the root namespace is set up and checked: the
 * stack end of a {@link NetnsBed} and both ends of a {@link VethPair}. The host's kernel must
 * never act on what arrives at such an end, and pcap must see MTU-sized frames on it, so it gets
 * the bed's alias, IPv6 off, the {@link #HARDENING} sysctls and offloads off while still down,
 * and then a tc ingress drop. {@link NetnsBed}'s class comment says why each step.
 */
final class StackEnd
{
    /** The offload features {@code ethtool -k} must report off on each end. */
    static final List<String> FEATURES_OFF = List.of(
        "tx-checksumming", "scatter-gather", "tcp-segmentation-offload", "generic-segmentation-offload",
        "generic-receive-offload");

    /** The stack end's IPv4 settings, under {@code net.ipv4.conf.<if>}; {@link NetnsBed}'s class comment says why each. */
    static final Map<String, String> HARDENING = hardening();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A classic BPF program of one instruction, {@code ret #2}: in cls_bpf's direct-action mode
     * the return value is the verdict, and 2 is TC_ACT_SHOT. Unlike {@code matchall action
     * drop} it needs no action module, which minimal kernels leave out.
     */
    private static final String DROP_ALL_BYTECODE = "1,6 0 0 2,";

    private StackEnd()
    {
    }

    /**
     * Configure an end that is still down, so that the root kernel never sends a frame on it
     * (IPv6 would otherwise add a link-local address and solicit routers on link up): set its
     * alias, switch IPv6 off, write the {@link #HARDENING} sysctls, and switch the offloads off
     * and check that they are.
     *
     * @param name   the interface name.
     * @param alias  the bed alias that marks it as this JVM's ({@link BedNames#alias}).
     * @param reader who reads the end's frames, for the error message: {@code "the stack"} or
     *               {@code "pcap"}.
     * @throws BedException if a step fails or an offload stays on.
     */
    static void configure(final String name, final String alias, final String reader)
    {
        // The kernel ignores an alias given to `ip link add`; it has to be set separately.
        Commands.run(COMMAND_TIMEOUT, "ip", "link", "set", "dev", name, "alias", alias).orThrow();
        if (LinkFiles.hostHasIpv6())
        {
            LinkFiles.writeConf("ipv6", name, "disable_ipv6", "1");
        }
        for (final Map.Entry<String, String> setting : HARDENING.entrySet())
        {
            LinkFiles.writeConf("ipv4", name, setting.getKey(), setting.getValue());
        }
        // Refused features are tolerated here; the check below decides whether it matters.
        Commands.run(COMMAND_TIMEOUT, "ethtool", "-K", name,
            "rx", "off", "tx", "off", "tso", "off", "gso", "off", "gro", "off", "sg", "off");
        requireOffloadsOff(name, Commands.run(COMMAND_TIMEOUT, "ethtool", "-k", name).orThrow(), reader);
    }

    /**
     * Drop every frame arriving at an end after the packet taps (pcap) have seen it, so the root
     * kernel's protocol layers never receive one: a clsact qdisc with a cls_bpf ingress filter.
     *
     * @param name the interface name.
     * @return true if the filter is in place; false if tc refused, for example on a kernel
     *         without cls_bpf, where the sysctls alone keep the kernel from acting on the frames.
     */
    static boolean dropIngress(final String name)
    {
        return Commands.run(COMMAND_TIMEOUT, "tc", "qdisc", "add", "dev", name, "clsact").ok()
            && Commands.run(COMMAND_TIMEOUT, "tc", "filter", "add", "dev", name, "ingress", "pref", "1",
                "bpf", "da", "bytecode", DROP_ALL_BYTECODE).ok();
    }

    /**
     * Check that {@code ethtool -k} reports every one of {@link #FEATURES_OFF} off; also used for
     * the kernel peer's end of a {@link NetnsBed}, whose features are read inside its namespace.
     *
     * @param name     the interface name.
     * @param features what {@code ethtool -k <if>} printed.
     * @param reader   who reads the end's frames, for the error message.
     * @throws BedException if a feature is on or not reported.
     */
    static void requireOffloadsOff(final String name, final CommandResult features, final String reader)
    {
        final Map<String, Boolean> parsed = parseFeatures(features.stdout());
        final List<String> stillOn = new ArrayList<>();
        for (final String feature : FEATURES_OFF)
        {
            if (!Boolean.FALSE.equals(parsed.get(feature)))
            {
                stillOn.add(feature);
            }
        }
        if (!stillOn.isEmpty())
        {
            throw new BedException("offloads still on (or not reported) on " + name + ": " + String.join(", ", stillOn)
                + "; " + reader + " would see GSO super-frames with partial checksums");
        }
    }

    /**
     * The top-level features of {@code ethtool -k} output and whether each is on; the indented
     * sub-features are left out.
     *
     * @param ethtoolOutput what {@code ethtool -k <if>} printed.
     * @return feature name to on (true) or off (false).
     */
    static Map<String, Boolean> parseFeatures(final String ethtoolOutput)
    {
        final Map<String, Boolean> features = new LinkedHashMap<>();
        for (final String line : ethtoolOutput.split("\n"))
        {
            final int colon = line.indexOf(':');
            if (line.isEmpty() || Character.isWhitespace(line.charAt(0)) || colon < 0 || line.startsWith("Features for"))
            {
                continue;
            }
            final String value = line.substring(colon + 1).trim();
            features.put(line.substring(0, colon).trim(), value.startsWith("on"));
        }
        return features;
    }

    private static Map<String, String> hardening()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("forwarding", "0");
        settings.put("rp_filter", "1");
        settings.put("arp_ignore", "8");
        settings.put("accept_redirects", "0");
        settings.put("send_redirects", "0");
        settings.put("accept_source_route", "0");
        return Collections.unmodifiableMap(settings);
    }
}
