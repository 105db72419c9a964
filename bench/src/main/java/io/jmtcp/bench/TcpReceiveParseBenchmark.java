package io.jmtcp.bench;

import io.jmtcp.net.ArpSettings;
import io.jmtcp.net.FrameOutput;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.net.NetworkLayer;
import io.jmtcp.net.TransportHandler;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The receive path's validation of one TCP/IPv4 frame, as {@link NetworkLayer} does it, on the
 * segment a bulk sender sees mid-transfer: ACK with data, timestamps and three SACK blocks (a
 * 60-byte TCP header), valid checksums, from {@link BenchFrames#tcpAckWithSack}. The payload is
 * 64 bytes (a 158-byte frame) or 1420 bytes (a full 1514-byte frame).
 *
 * <ul>
 *   <li>{@link #validate}: {@code EthernetHeader.wrap}, destination MAC, VLAN and EtherType
 *       checks, {@code Ipv4Header.wrap} + {@code checksumValid()}, destination, source and
 *       fragment checks, {@code TcpHeader.wrap} + {@code checksumValid(src, dst)},
 *       {@code TcpOptions.parse}; then the fields a TCP engine reads are folded into one value
 *       for the {@link Blackhole}. The same order and checks as {@code NetworkLayer.onFrame}.</li>
 *   <li>{@link #validateWithoutTcpChecksum}: the same without the TCP checksum, which is the
 *       one step whose cost grows with the payload (what a NIC's receive checksum offload would
 *       save).</li>
 *   <li>{@link #networkLayer}: the real {@code NetworkLayer.onFrame} with its per-frame
 *       counters, handing the segment to a {@link TransportHandler} that reads the same
 *       fields.</li>
 * </ul>
 *
 * <p>Run, with allocation per call:
 * <pre>
 * java -jar bench/target/benchmarks.jar TcpReceiveParseBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TcpReceiveParseBenchmark
{
    /** TCP data bytes: 64 (a 158-byte frame) or 1420 (a 1514-byte frame). */
    @Param({"64", "1420"})
    public int payloadLength;

    private final EthernetHeader ethernet = new EthernetHeader();
    private final Ipv4Header ipv4 = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions tcpOptions = new TcpOptions();

    private final long ourMac = BenchFrames.DESTINATION_MAC;
    private final int ourAddress = BenchFrames.DESTINATION_IP;
    private final int prefixLength = 24;

    private UnsafeBuffer frame;
    private int frameLength;

    private MemoryLink link;
    private StackCounters counters;
    private NetworkLayer layer;
    private FoldingTransport transport;

    /** Build the frame and a network layer that owns its destination address. */
    @Setup(Level.Trial)
    public void setUp()
    {
        frame = BenchFrames.tcpAckWithSack(payloadLength);
        frameLength = frame.capacity();

        link = MemoryLink.builder().name("parse-bench").build();
        counters = new StackCounters("bench");
        transport = new FoldingTransport();
        final InterfaceConfig iface = new InterfaceConfig(ourMac, ourAddress, prefixLength, InterfaceConfig.NO_GATEWAY,
            InterfaceConfig.DEFAULT_MTU);
        layer = new NetworkLayer(iface, new FrameOutput(link.endA(), counters), counters, ArpSettings.DEFAULTS, transport);
    }

    /** Release the link and the counters. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        counters.close();
        link.close();
    }

    /**
     * Every check {@code NetworkLayer.onFrame} makes on a TCP frame, both checksums included.
     *
     * @param blackhole receives the drop reason and the folded fields.
     */
    @Benchmark
    public void validate(final Blackhole blackhole)
    {
        parse(blackhole, true);
    }

    /**
     * {@link #validate} without the TCP checksum over pseudo-header, header and payload.
     *
     * @param blackhole receives the drop reason and the folded fields.
     */
    @Benchmark
    public void validateWithoutTcpChecksum(final Blackhole blackhole)
    {
        parse(blackhole, false);
    }

    /**
     * The frame through {@code NetworkLayer.onFrame}, counters and all, to a transport that
     * folds the same fields.
     *
     * @param blackhole receives the folded fields.
     */
    @Benchmark
    public void networkLayer(final Blackhole blackhole)
    {
        layer.onFrame(frame, 0, frameLength, 0L);
        blackhole.consume(transport.folded);
    }

    /**
     * How many segments reached the transport through {@link #networkLayer}; for checks.
     *
     * @return the count.
     */
    public long segmentsDelivered()
    {
        return counters.get(StackCounter.TCP_SEGMENTS_IN);
    }

    /**
     * How many frames {@link #networkLayer} dropped; for checks.
     *
     * @return the count.
     */
    public long framesDropped()
    {
        return counters.totalDropped();
    }

    private void parse(final Blackhole blackhole, final boolean tcpChecksum)
    {
        blackhole.consume(check(tcpChecksum));
        blackhole.consume(fold(tcp, tcpOptions));
    }

    /**
     * The checks of {@code NetworkLayer.onFrame}, {@code onIpv4} and {@code onTcp}, in their
     * order, without the counters.
     */
    DropReason check(final boolean tcpChecksum)
    {
        final DropReason ethernetResult = ethernet.wrap(frame, 0, frameLength);
        if (ethernetResult != DropReason.NONE)
        {
            return ethernetResult;
        }
        final long destination = ethernet.destination();
        if (destination != ourMac && destination != Mac.BROADCAST)
        {
            return DropReason.ETH_NOT_FOR_US;
        }
        if (ethernet.vlanCount() != 0 || ethernet.etherType() != EthernetHeader.ETHERTYPE_IPV4)
        {
            return DropReason.ETH_UNSUPPORTED_ETHERTYPE;
        }

        final DropReason ipResult = ipv4.wrap(frame, ethernet.payloadOffset(), ethernet.payloadLength());
        if (ipResult != DropReason.NONE)
        {
            return ipResult;
        }
        if (!ipv4.checksumValid())
        {
            return DropReason.IPV4_BAD_CHECKSUM;
        }
        if (ipv4.destination() != ourAddress)
        {
            return DropReason.IPV4_NOT_FOR_US;
        }
        final int source = ipv4.source();
        final int hostMask = ~Ip4.mask(prefixLength);
        if (Ip4.isMulticast(source) || Ip4.isLimitedBroadcast(source) || Ip4.isUnspecified(source)
            || (prefixLength <= 30 && (source & hostMask) == hostMask && Ip4.sameSubnet(source, ourAddress, prefixLength)))
        {
            return DropReason.IPV4_BAD_SOURCE;
        }
        if (ipv4.fragmentOffsetBytes() != 0)
        {
            return DropReason.IPV4_NON_FIRST_FRAGMENT;
        }
        if (ipv4.moreFragments())
        {
            return DropReason.IPV4_FRAGMENT;
        }
        if (ipv4.protocol() != Ipv4Header.PROTOCOL_TCP)
        {
            return DropReason.IPV4_UNSUPPORTED_PROTOCOL;
        }

        final DropReason tcpResult = tcp.wrap(frame, ipv4.payloadOffset(), ipv4.payloadLength());
        if (tcpResult != DropReason.NONE)
        {
            return tcpResult;
        }
        if (tcpChecksum && !tcp.checksumValid(ipv4.source(), ipv4.destination()))
        {
            return DropReason.TCP_BAD_CHECKSUM;
        }
        return tcpOptions.parse(frame, tcp.optionsOffset(), tcp.optionsLength());
    }

    /** The fields a TCP engine reads from a data segment with SACK, folded into one value. */
    static long fold(final TcpHeader tcp, final TcpOptions options)
    {
        long sum = (long)tcp.sourcePort() << 48 ^ (long)tcp.destinationPort() << 32 ^ tcp.sequenceNumber();
        sum = sum * 31 + tcp.ackNumber();
        sum = sum * 31 + (tcp.flags() << 16 | tcp.window());
        sum = sum * 31 + (tcp.payloadOffset() << 16 | tcp.payloadLength());
        sum = sum * 31 + options.tsVal();
        sum = sum * 31 + options.tsEcr();
        final int blocks = options.sackBlockCount();
        for (int i = 0; i < blocks; i++)
        {
            sum = sum * 31 + options.sackLeft(i);
            sum = sum * 31 + options.sackRight(i);
        }
        return sum;
    }

    /** A transport that reads what {@link #fold} reads and takes the segment. */
    static final class FoldingTransport implements TransportHandler
    {
        long folded;

        @Override
        public DropReason onTcpSegment(final Ipv4Header ip, final TcpHeader tcp, final TcpOptions options, final long now)
        {
            folded = fold(tcp, options);
            return DropReason.NONE;
        }
    }
}
