package io.jmtcp.port;

import java.util.Objects;

/**
 * How to open a {@link PcapPort}: which interface, snapshot length, kernel ring size, promiscuous
 * mode, an optional kernel BPF filter and the capture direction. Immutable; built and validated
 * in one place by {@link Builder#build()}.
 *
 * <p>Not configurable, because the port's contract depends on them: immediate mode is on (each
 * frame is delivered as it arrives, not when a kernel block fills) and the handle is
 * non-blocking (libpcap has no read timeout in immediate mode, so a blocking read with no
 * traffic would never return; see PACKET-IO-NOTES.md pitfall 5).
 */
public final class PcapPortConfig
{
    /** Default snapshot length: room for a 1514-byte frame and VLAN tags, small ring slots (pitfall 6). */
    public static final int DEFAULT_SNAPLEN = 2048;

    /** Default kernel ring size: 32 MiB, about 16,000 slots of 2 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 32 * 1024 * 1024;

    /** Longest interface name on Linux (IFNAMSIZ - 1). */
    public static final int MAX_INTERFACE_NAME_LENGTH = 15;

    /** Which frames the handle captures. */
    public enum Direction
    {
        /**
         * Only frames arriving at the interface. The default: a stack must not receive its own
         * transmissions, which libpcap otherwise shows to every handle on the interface (pitfall 7).
         */
        IN,

        /** Frames in both directions, for a monitor that watches a link rather than terminating it. */
        INOUT
    }

    private final String interfaceName;
    private final int snaplen;
    private final int maxFrameLength;
    private final int bufferSize;
    private final boolean promiscuous;
    private final String filter;
    private final Direction direction;

    private PcapPortConfig(final Builder builder)
    {
        this.interfaceName = builder.interfaceName;
        this.snaplen = builder.snaplen;
        this.maxFrameLength = builder.maxFrameLength;
        this.bufferSize = builder.bufferSize;
        this.promiscuous = builder.promiscuous;
        this.filter = builder.filter;
        this.direction = builder.direction;
    }

    /**
     * Start a configuration for an interface.
     *
     * @param interfaceName the interface to open, for example {@code veth-stack}.
     * @return a builder with the defaults.
     */
    public static Builder builder(final String interfaceName)
    {
        return new Builder(interfaceName);
    }

    /**
     * The interface to open.
     *
     * @return its name.
     */
    public String interfaceName()
    {
        return interfaceName;
    }

    /**
     * Bytes captured of each frame; never below {@link #maxFrameLength()}.
     *
     * @return the snapshot length.
     */
    public int snaplen()
    {
        return snaplen;
    }

    /**
     * The longest frame the port sends or expects, Ethernet header included, no FCS.
     *
     * @return bytes.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Size of the kernel receive ring.
     *
     * @return bytes.
     */
    public int bufferSize()
    {
        return bufferSize;
    }

    /**
     * Whether the interface is put in promiscuous mode (needed on a physical NIC for frames to
     * other MAC addresses, not on veth).
     *
     * @return true if promiscuous.
     */
    public boolean promiscuous()
    {
        return promiscuous;
    }

    /**
     * The kernel BPF filter, in tcpdump's expression syntax.
     *
     * @return the expression, or null for none.
     */
    public String filter()
    {
        return filter;
    }

    /**
     * Which frames are captured.
     *
     * @return the direction.
     */
    public Direction direction()
    {
        return direction;
    }

    /**
     * The same configuration with another filter, for one of several handles on the interface
     * (one per context, each with its share of the flows).
     *
     * @param expression tcpdump syntax, or null for none.
     * @return the copy.
     * @throws IllegalArgumentException if the expression is blank.
     */
    public PcapPortConfig withFilter(final String expression)
    {
        return builder(interfaceName)
            .snaplen(snaplen)
            .maxFrameLength(maxFrameLength)
            .bufferSize(bufferSize)
            .promiscuous(promiscuous)
            .direction(direction)
            .filter(expression)
            .build();
    }

    @Override
    public String toString()
    {
        return "PcapPortConfig{" +
            "interface=" + interfaceName +
            ", snaplen=" + snaplen +
            ", maxFrameLength=" + maxFrameLength +
            ", bufferSize=" + bufferSize +
            ", promiscuous=" + promiscuous +
            ", filter=" + (null == filter ? "none" : '\'' + filter + '\'') +
            ", direction=" + direction +
            '}';
    }

    /** Collects the settings; {@link #build()} checks them together. */
    public static final class Builder
    {
        private final String interfaceName;
        private int snaplen = DEFAULT_SNAPLEN;
        private int maxFrameLength = MemoryLink.DEFAULT_MAX_FRAME_LENGTH;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private boolean promiscuous;
        private String filter;
        private Direction direction = Direction.IN;

        private Builder(final String interfaceName)
        {
            this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
        }

        /**
         * Bytes captured of each frame.
         *
         * @param snaplen at least {@link #maxFrameLength(int)}; 2048 by default.
         * @return this builder.
         */
        public Builder snaplen(final int snaplen)
        {
            this.snaplen = snaplen;
            return this;
        }

        /**
         * The longest frame, Ethernet header included.
         *
         * @param maxFrameLength at least 60 (the Ethernet minimum without FCS); 1514 by default.
         * @return this builder.
         */
        public Builder maxFrameLength(final int maxFrameLength)
        {
            this.maxFrameLength = maxFrameLength;
            return this;
        }

        /**
         * Size of the kernel receive ring.
         *
         * @param bufferSize bytes, at least the snaplen; 32 MiB by default.
         * @return this builder.
         */
        public Builder bufferSize(final int bufferSize)
        {
            this.bufferSize = bufferSize;
            return this;
        }

        /**
         * Promiscuous mode.
         *
         * @param promiscuous false by default.
         * @return this builder.
         */
        public Builder promiscuous(final boolean promiscuous)
        {
            this.promiscuous = promiscuous;
            return this;
        }

        /**
         * A kernel BPF filter; frames it rejects never reach user space.
         *
         * @param expression tcpdump syntax, for example {@code "ether proto 0x0800 or arp"}; null for none.
         * @return this builder.
         */
        public Builder filter(final String expression)
        {
            this.filter = expression;
            return this;
        }

        /**
         * Which frames to capture.
         *
         * @param direction {@link Direction#IN} by default.
         * @return this builder.
         */
        public Builder direction(final Direction direction)
        {
            this.direction = Objects.requireNonNull(direction, "direction");
            return this;
        }

        /**
         * Check the settings together and freeze them.
         *
         * @return the configuration.
         * @throws IllegalArgumentException naming the first setting that is wrong and why.
         */
        public PcapPortConfig build()
        {
            if (interfaceName.isBlank() || interfaceName.length() > MAX_INTERFACE_NAME_LENGTH ||
                interfaceName.chars().anyMatch(c -> c <= ' ' || c == '/'))
            {
                throw new IllegalArgumentException("interfaceName must be 1 to " + MAX_INTERFACE_NAME_LENGTH +
                    " characters without spaces or '/': '" + interfaceName + "'");
            }
            if (maxFrameLength < 60 || maxFrameLength > MemoryLink.MAX_FRAME_LENGTH_LIMIT)
            {
                throw new IllegalArgumentException(
                    "maxFrameLength must be in [60, " + MemoryLink.MAX_FRAME_LENGTH_LIMIT + "]: " + maxFrameLength);
            }
            if (snaplen < maxFrameLength)
            {
                throw new IllegalArgumentException("snaplen " + snaplen + " must be at least maxFrameLength " +
                    maxFrameLength + ", or frames would be cut");
            }
            if (bufferSize < snaplen)
            {
                throw new IllegalArgumentException("bufferSize " + bufferSize + " must hold at least one frame of " +
                    "snaplen " + snaplen);
            }
            if (null != filter && filter.isBlank())
            {
                throw new IllegalArgumentException("filter must be null (no filter) or an expression, not blank");
            }
            return new PcapPortConfig(this);
        }
    }
}
