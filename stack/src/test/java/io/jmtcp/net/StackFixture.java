package io.jmtcp.net;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.StackContext;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One context on a {@link ScriptedPort} and a {@link VirtualClock}: the stack at 198.18.0.1/24,
 * a scripted peer at 198.18.0.2.
 */
final class StackFixture
{
    static final long STACK_MAC = Mac.parse("02:00:00:00:00:01");
    static final int STACK_IP = Ip4.parse("198.18.0.1");
    static final long PEER_MAC = Mac.parse("02:00:00:00:00:02");
    static final int PEER_IP = Ip4.parse("198.18.0.2");

    final VirtualClock clock = new VirtualClock(1_000_000_000L);
    final ScriptedPort port = new ScriptedPort(1514);
    final Frames frames = new Frames(STACK_MAC, STACK_IP, PEER_MAC, PEER_IP);
    final StackContext context;

    StackFixture()
    {
        this(ArpSettings.DEFAULTS);
    }

    StackFixture(final ArpSettings arp)
    {
        this(arp, TransportHandler.NONE, Ip4.parse("198.18.0.254"));
    }

    private StackFixture(final ArpSettings arp, final TransportHandler transport, final int gateway)
    {
        final ContextConfig config = new ContextConfig()
            .iface(new InterfaceConfig(STACK_MAC, STACK_IP, 24, gateway, 1500))
            .arp(arp);
        context = new StackContext(config, port, clock, transport);
        context.doWork();
        // Past both RFC 5227 announcements, so tests see only what they cause.
        clock.advance(TimeUnit.SECONDS.toNanos(2));
        context.doWork();
        port.takeSent();
    }

    static StackFixture withTransport(final TransportHandler transport)
    {
        return new StackFixture(ArpSettings.DEFAULTS, transport, Ip4.parse("198.18.0.254"));
    }

    static StackFixture withoutGateway()
    {
        return new StackFixture(ArpSettings.DEFAULTS, TransportHandler.NONE, InterfaceConfig.NO_GATEWAY);
    }

    /** Inject frames, run one duty cycle, return what the stack sent. */
    List<byte[]> exchange(final byte[]... inbound)
    {
        for (final byte[] frame : inbound)
        {
            port.inject(frame);
        }
        context.doWork();
        return port.takeSent();
    }

    /** Make the peer known to the stack's ARP cache, as a real peer's first request would. */
    void learnPeer()
    {
        exchange(frames.arpRequestForStack());
    }

    long count(final StackCounter counter)
    {
        return context.counters().get(counter);
    }

    long dropped(final DropReason reason)
    {
        return context.counters().dropped(reason);
    }
}
