package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import io.jmtcp.wire.TcpOptionsWriter;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@link TcpEngine} for 198.18.0.1 on a virtual clock, talking to a scripted peer at
 * 198.18.0.2: tests build the peer's segments by hand ({@link #peer()}), inject them through
 * {@link TcpEngine#onTcpSegment} and look at every segment the engine sent ({@link #sent()}),
 * parsed back from the wire bytes whose checksum is verified on capture.
 *
 * <p>The fixture tracks the two sequence spaces so that the common segments need no numbers:
 * {@link #peerNxt} (the peer's next sequence number, advanced by segments sent with the default
 * sequence number) and {@link #localNxt} (the highest sequence number the engine sent, plus one).
 * With {@link #peerTimestamps} on, every peer segment carries a timestamp option whose TSval
 * grows by one per segment and whose TSecr echoes the engine's last TSval.
 */
final class EngineFixture
{
    static final int LOCAL_IP = Ip4.parse("198.18.0.1");
    static final int PEER_IP = Ip4.parse("198.18.0.2");
    static final int LOCAL_PORT = 80;
    static final int PEER_PORT = 40_000;
    static final int MTU = 1500;
    static final long KEY0 = 0x0123_4567_89AB_CDEFL;
    static final long KEY1 = 0xFEDC_BA98_7654_3210L;
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** The peer's initial sequence number; near the wrap so that modulo arithmetic is exercised. */
    static final int PEER_ISS = 0xFFFF_FF00;

    final TcpConfig config;
    final StackCounters counters = new StackCounters("t");
    final TcpEngine engine;
    final Events events = new Events();
    private final List<Sent> sent = new ArrayList<>();
    private final UnsafeBuffer outBuffer = new UnsafeBuffer(new byte[MTU + 64]);
    private final UnsafeBuffer inBuffer = new UnsafeBuffer(new byte[MTU + 128]);
    private final Ipv4Header ipIn = new Ipv4Header();
    private final TcpHeader tcpIn = new TcpHeader();
    private final TcpOptions optionsIn = new TcpOptions();
    private final int mtu;

    /** The virtual clock; starts far from 0. */
    long now = 1_000 * SECOND;

    // The peer's profile: what its SYN offers.
    int peerMss = 1460;
    int peerWindowScale = 7;
    boolean peerSackPermitted = true;
    boolean peerTimestamps = true;
    /** The window the peer advertises by default (scaled by its shift after the SYN). */
    int peerWindow = 65_535;

    // The two sequence spaces.
    int peerNxt = PEER_ISS;
    int localIss;
    int localNxt;
    int peerTsVal = 5_000;
    int lastLocalTsVal;

    /** The peer's port of the segments it sends (a test may open several connections). */
    int peerPort = PEER_PORT;
    /** Our port of the segments the peer sends ({@link #LOCAL_PORT}, or an active open's ephemeral port). */
    int localPort = LOCAL_PORT;

    TcpListener listener;

    EngineFixture()
    {
        this(new TcpConfig());
    }

    EngineFixture(final TcpConfig config)
    {
        this(config, MTU);
    }

    EngineFixture(final TcpConfig config, final int mtu)
    {
        this(config, mtu, null);
    }

    /** The engine of a context of a stack, which shares its ports through {@code placement}. */
    EngineFixture(final TcpConfig config, final TcpEngine.Placement placement)
    {
        this(config, MTU, placement);
    }

    private EngineFixture(final TcpConfig config, final int mtu, final TcpEngine.Placement placement)
    {
        this.config = config.secret(KEY0, KEY1);
        this.mtu = mtu;
        this.engine = placement == null
            ? new TcpEngine(config, LOCAL_IP, new CapturingOutput(), counters, new IsnGenerator(KEY0, KEY1),
                new SynCookies(KEY0, KEY1), now)
            : new TcpEngine(config, LOCAL_IP, new CapturingOutput(), counters, new IsnGenerator(KEY0, KEY1),
                new SynCookies(KEY0, KEY1), now, placement);
    }

    // ---------------------------------------------------------------------------------------------
    // Time
    // ---------------------------------------------------------------------------------------------

    /** Let {@code nanos} pass in 1 ms steps, running timers and delivering events at each. */
    void advance(final long nanos)
    {
        final long end = now + nanos;
        while (now - end < 0)
        {
            now = Math.min(end, now + MS);
            engine.onTimers(now);
            engine.dispatchEvents();
        }
    }

    /** Move the clock without running timers (for idle periods nothing is armed in). */
    void jump(final long nanos)
    {
        now += nanos;
    }

    void dispatch()
    {
        engine.dispatchEvents();
    }

    // ---------------------------------------------------------------------------------------------
    // Opening
    // ---------------------------------------------------------------------------------------------

    TcpListener listen()
    {
        return listen(16);
    }

    TcpListener listen(final int backlog)
    {
        listener = engine.listen(LOCAL_PORT, backlog, events);
        assertNotNull(listener);
        return listener;
    }

    /** The peer's SYN with its profile's options. */
    Segment peerSyn()
    {
        final Segment syn = peer().flags(TcpHeader.SYN).seq(PEER_ISS).ack(0).window(peerWindow);
        syn.mss(peerMss);
        if (peerWindowScale >= 0)
        {
            syn.windowScale(peerWindowScale);
        }
        if (peerSackPermitted)
        {
            syn.sackPermitted();
        }
        if (peerTimestamps)
        {
            syn.timestamps(peerTsVal++, 0);
        }
        else
        {
            syn.noTimestamps();
        }
        peerNxt = PEER_ISS + 1;
        return syn;
    }

    /** LISTEN, SYN, SYN-ACK, ACK: the accepted connection, ESTABLISHED, with the capture cleared. */
    TcpConnection establishPassive()
    {
        if (listener == null)
        {
            listen();
        }
        peerSyn().send();
        final Sent synAck = only();
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, synAck.flags(), synAck.toString());
        assertEquals(PEER_ISS + 1, synAck.ack());
        localIss = synAck.seq();
        peerAck().send();
        dispatch();
        final TcpConnection connection = engine.accept(listener);
        assertNotNull(connection, "no connection to accept");
        assertEquals(TcpState.ESTABLISHED, connection.state());
        sent.clear();
        return connection;
    }

    /** connect(), SYN, the peer's SYN-ACK, our ACK: ESTABLISHED, with the capture cleared. */
    TcpConnection establishActive()
    {
        final TcpConnection connection = connect();
        final Sent syn = only();
        assertEquals(TcpHeader.SYN, syn.flags());
        peerSynAck().send();
        dispatch();
        assertEquals(TcpState.ESTABLISHED, connection.state());
        final Sent ack = only();
        assertEquals(TcpHeader.ACK, ack.flags());
        assertEquals(PEER_ISS + 1, ack.ack());
        sent.clear();
        return connection;
    }

    TcpConnection connect()
    {
        final TcpConnection connection = engine.connect(PEER_IP, PEER_PORT, LOCAL_PORT, events, now);
        assertNotNull(connection, "connect failed: " + TcpError.name(engine.lastError()));
        localIss = connection.iss;
        return connection;
    }

    /** The peer's SYN-ACK to our SYN, with its profile's options. */
    Segment peerSynAck()
    {
        final Segment synAck = peerSyn();
        return synAck.flags(TcpHeader.SYN | TcpHeader.ACK).ack(localIss + 1).tsEcr(lastLocalTsVal);
    }

    // ---------------------------------------------------------------------------------------------
    // The peer's segments
    // ---------------------------------------------------------------------------------------------

    /** A segment from the peer: ACK of {@link #localNxt} at {@link #peerNxt} unless set otherwise. */
    Segment peer()
    {
        return new Segment();
    }

    /** A pure ACK of everything the engine sent. */
    Segment peerAck()
    {
        return peer();
    }

    /** Data at {@link #peerNxt}, with ACK. */
    Segment peerData(final byte[] payload)
    {
        return peer().flags(TcpHeader.ACK | TcpHeader.PSH).payload(payload);
    }

    /** FIN at {@link #peerNxt}, with ACK. */
    Segment peerFin()
    {
        return peer().flags(TcpHeader.ACK | TcpHeader.FIN);
    }

    /** A peer segment under construction; {@link #send()} injects it. */
    final class Segment
    {
        private int flags = TcpHeader.ACK;
        private Integer seq;
        private Integer ack;
        private int window = -1;
        private int mss = -1;
        private int windowScale = -1;
        private boolean sackPermitted;
        private final List<int[]> sackBlocks = new ArrayList<>();
        private Boolean timestamps;
        private int tsVal;
        private Integer tsEcr;
        private boolean tsValSet;
        private byte[] payload = new byte[0];

        Segment flags(final int flags)
        {
            this.flags = flags;
            return this;
        }

        Segment seq(final int seq)
        {
            this.seq = seq;
            return this;
        }

        Segment ack(final int ack)
        {
            this.ack = ack;
            return this;
        }

        Segment window(final int window)
        {
            this.window = window;
            return this;
        }

        Segment mss(final int mss)
        {
            this.mss = mss;
            return this;
        }

        Segment windowScale(final int shift)
        {
            this.windowScale = shift;
            return this;
        }

        Segment sackPermitted()
        {
            this.sackPermitted = true;
            return this;
        }

        Segment sack(final int left, final int right)
        {
            sackBlocks.add(new int[] {left, right});
            return this;
        }

        Segment timestamps(final int tsVal, final int tsEcr)
        {
            this.timestamps = true;
            this.tsVal = tsVal;
            this.tsValSet = true;
            this.tsEcr = tsEcr;
            return this;
        }

        Segment tsVal(final int tsVal)
        {
            this.timestamps = true;
            this.tsVal = tsVal;
            this.tsValSet = true;
            return this;
        }

        Segment tsEcr(final int tsEcr)
        {
            this.tsEcr = tsEcr;
            return this;
        }

        Segment noTimestamps()
        {
            this.timestamps = false;
            return this;
        }

        Segment payload(final byte[] bytes)
        {
            this.payload = bytes.clone();
            return this;
        }

        Segment payload(final int length)
        {
            return payload(bytes(length, 0));
        }

        /** Build the IPv4 datagram with correct checksums and hand it to the engine. */
        DropReason send()
        {
            final boolean syn = (flags & TcpHeader.SYN) != 0;
            final int seqNumber = seq != null ? seq : peerNxt;
            final int ackNumber = ack != null ? ack : ((flags & TcpHeader.ACK) != 0 ? localNxt : 0);
            final int win = window >= 0 ? window : peerWindow;
            final boolean ts = timestamps != null ? timestamps : peerTimestamps;
            final int at = Ipv4Header.MIN_HEADER_LENGTH;
            final MutableDirectBuffer b = inBuffer;
            b.setMemory(0, b.capacity(), (byte)0);
            int o = at + TcpHeader.MIN_HEADER_LENGTH;
            if (mss >= 0)
            {
                o += TcpOptionsWriter.writeMss(b, o, mss);
            }
            if (sackPermitted)
            {
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeSackPermitted(b, o);
            }
            if (ts)
            {
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeNop(b, o);
                final int value = tsValSet ? tsVal : peerTsVal++;
                o += TcpOptionsWriter.writeTimestamps(b, o, value, tsEcr != null ? tsEcr : lastLocalTsVal);
            }
            if (windowScale >= 0)
            {
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeWindowScale(b, o, windowScale);
            }
            if (!sackBlocks.isEmpty())
            {
                final int[] lefts = new int[sackBlocks.size()];
                final int[] rights = new int[sackBlocks.size()];
                for (int i = 0; i < lefts.length; i++)
                {
                    lefts[i] = sackBlocks.get(i)[0];
                    rights[i] = sackBlocks.get(i)[1];
                }
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeNop(b, o);
                o += TcpOptionsWriter.writeSackBlocks(b, o, lefts, rights, lefts.length);
            }
            final int optionsLength = TcpOptionsWriter.padToWord(b, at + TcpHeader.MIN_HEADER_LENGTH,
                o - at - TcpHeader.MIN_HEADER_LENGTH);
            final int headerLength = TcpHeader.MIN_HEADER_LENGTH + optionsLength;
            TcpHeader.write(b, at, peerPort, localPort, seqNumber, ackNumber, headerLength, flags, win, 0);
            b.putBytes(at + headerLength, payload);
            final int tcpLength = headerLength + payload.length;
            TcpHeader.writeChecksum(b, at, tcpLength, PEER_IP, LOCAL_IP);
            Ipv4Header.write(b, 0, tcpLength, 1, true, 64, Ipv4Header.PROTOCOL_TCP, PEER_IP, LOCAL_IP);

            assertEquals(DropReason.NONE, ipIn.wrap(b, 0, at + tcpLength));
            assertEquals(DropReason.NONE, tcpIn.wrap(b, at, tcpLength));
            assertTrue(tcpIn.checksumValid(PEER_IP, LOCAL_IP));
            assertEquals(DropReason.NONE, optionsIn.parse(b, tcpIn.optionsOffset(), tcpIn.optionsLength()));
            if (seq == null)
            {
                final int length = payload.length + (syn ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
                if (SequenceNumbers.gt(seqNumber + length, peerNxt))
                {
                    peerNxt = seqNumber + length;
                }
            }
            return engine.onTcpSegment(ipIn, tcpIn, optionsIn, now);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What the engine sent
    // ---------------------------------------------------------------------------------------------

    /** @return every segment captured since the last clear, oldest first. */
    List<Sent> sent()
    {
        return sent;
    }

    /** @return the captured segments, and forget them. */
    List<Sent> take()
    {
        final List<Sent> copy = new ArrayList<>(sent);
        sent.clear();
        return copy;
    }

    void clearSent()
    {
        sent.clear();
    }

    /** @return the one segment captured (failing if there are none or several); the capture is cleared. */
    Sent only()
    {
        if (sent.size() != 1)
        {
            fail("expected one segment, got " + sent);
        }
        return take().get(0);
    }

    void assertNothingSent()
    {
        assertTrue(sent.isEmpty(), () -> "expected no segment, got " + sent);
    }

    /** @return the last segment captured. */
    Sent last()
    {
        assertTrue(!sent.isEmpty(), "nothing sent");
        return sent.get(sent.size() - 1);
    }

    /** A segment the engine sent, parsed back from its bytes. */
    static final class Sent
    {
        final long time;
        final int remoteIp;
        final TcpHeader header = new TcpHeader();
        final TcpOptions options = new TcpOptions();

        Sent(final long time, final int remoteIp, final byte[] bytes)
        {
            this.time = time;
            this.remoteIp = remoteIp;
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            assertEquals(DropReason.NONE, header.wrap(buffer, 0, bytes.length));
            assertTrue(header.checksumValid(LOCAL_IP, remoteIp), "bad checksum");
            assertEquals(DropReason.NONE, options.parse(buffer, header.optionsOffset(), header.optionsLength()));
        }

        int flags()
        {
            return header.flags();
        }

        boolean has(final int flag)
        {
            return (header.flags() & flag) == flag;
        }

        int seq()
        {
            return header.sequenceNumber();
        }

        int ack()
        {
            return header.ackNumber();
        }

        int window()
        {
            return header.window();
        }

        int length()
        {
            return header.payloadLength();
        }

        byte[] payload()
        {
            final byte[] bytes = new byte[header.payloadLength()];
            header.buffer().getBytes(header.payloadOffset(), bytes);
            return bytes;
        }

        /** @return the sequence space it occupies: data, SYN and FIN. */
        int sequenceLength()
        {
            return length() + (has(TcpHeader.SYN) ? 1 : 0) + (has(TcpHeader.FIN) ? 1 : 0);
        }

        TcpOptions options()
        {
            return options;
        }

        @Override
        public String toString()
        {
            final StringBuilder text = new StringBuilder("[");
            final String[] names = {"FIN", "SYN", "RST", "PSH", "ACK"};
            for (int i = 0; i < names.length; i++)
            {
                if ((flags() & (1 << i)) != 0)
                {
                    text.append(text.length() > 1 ? "," : "").append(names[i]);
                }
            }
            text.append("] seq=").append(Integer.toUnsignedString(seq())).append(" ack=")
                .append(Integer.toUnsignedString(ack())).append(" win=").append(window()).append(" len=")
                .append(length());
            if (options.hasTimestamps())
            {
                text.append(" ts=").append(options.tsVal()).append('/').append(options.tsEcr());
            }
            for (int i = 0; i < options.sackBlockCount(); i++)
            {
                text.append(" sack=").append(Integer.toUnsignedString(options.sackLeft(i))).append('-')
                    .append(Integer.toUnsignedString(options.sackRight(i)));
            }
            return text.toString();
        }
    }

    private final class CapturingOutput implements SegmentOutput
    {
        @Override
        public MutableDirectBuffer buffer()
        {
            return outBuffer;
        }

        @Override
        public int offset()
        {
            return 0;
        }

        @Override
        public int maxSegmentLength()
        {
            return mtu - Ipv4Header.MIN_HEADER_LENGTH;
        }

        @Override
        public boolean send(final int remoteIp, final int length, final long time)
        {
            assertTrue(length <= maxSegmentLength(), "segment of " + length + " bytes exceeds the MTU");
            final byte[] bytes = new byte[length];
            outBuffer.getBytes(0, bytes);
            final Sent segment = new Sent(time, remoteIp, bytes);
            sent.add(segment);
            final int end = segment.seq() + segment.sequenceLength();
            if (!segment.has(TcpHeader.RST) && SequenceNumbers.gt(end, localNxt) || localNxt == 0)
            {
                localNxt = end;
            }
            if (segment.options().hasTimestamps())
            {
                lastLocalTsVal = segment.options().tsVal();
            }
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The application
    // ---------------------------------------------------------------------------------------------

    /** Records what the engine tells the application. */
    static final class Events implements TcpHandler
    {
        int acceptable;
        int connected;
        int readable;
        int writable;
        final List<TcpConnection> closed = new ArrayList<>();

        @Override
        public void onAcceptable(final TcpListener listener)
        {
            acceptable++;
        }

        @Override
        public void onConnected(final TcpConnection connection)
        {
            connected++;
        }

        @Override
        public void onReadable(final TcpConnection connection)
        {
            readable++;
        }

        @Override
        public void onWritable(final TcpConnection connection)
        {
            writable++;
        }

        @Override
        public void onClosed(final TcpConnection connection)
        {
            closed.add(connection);
        }
    }

    /** Queue bytes on a connection; all must be accepted. */
    static void write(final TcpConnection connection, final byte[] bytes)
    {
        assertEquals(bytes.length, connection.send(new UnsafeBuffer(bytes), 0, bytes.length));
    }

    /** @return every readable byte. */
    static byte[] read(final TcpConnection connection)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[connection.readable()]);
        final int read = connection.readable() == 0 ? 0 : connection.receive(buffer, 0, buffer.capacity());
        final byte[] bytes = new byte[Math.max(read, 0)];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** @return {@code length} bytes of a recognisable pattern starting at {@code from}. */
    static byte[] bytes(final int length, final int from)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(from + i);
        }
        return bytes;
    }

    long counter(final StackCounter counter)
    {
        return counters.get(counter);
    }
}
