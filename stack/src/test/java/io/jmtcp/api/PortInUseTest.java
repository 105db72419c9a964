package io.jmtcp.api;

import io.jmtcp.core.PortSpace;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.time.VirtualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_REUSEADDR;
import static io.jmtcp.api.Mtcp.SO_REUSEPORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A port that connections the stack opened use, seen from the socket API: bind and listen of it
 * fail with EADDRINUSE unless both sockets set SO_REUSEADDR or both SO_REUSEPORT (Linux's
 * {@code inet_csk_bind_conflict}, the matrix measured on a 6.18 kernel); listen checks again; a
 * listener let in shares the port with the connection; TIME_WAIT keeps the port until it
 * expires, for ephemeral and bound ports; a listen without bind takes a port nothing uses; on
 * several contexts, one context's connection keeps the others' binds out; and the port space's
 * count always equals the connections and TIME_WAIT records of the stack, back to 0 at the end
 * and when the stack is closed with connections open.
 *
 * <p>Virtual clock, one thread. The randomised test prints its seed and names it in any failure;
 * {@code -Djmtcp.seed=N} replays it.
 */
class PortInUseTest
{
    private static final long SECOND = ApiWorld.SECOND;
    private static final long TIME_WAIT = 2 * SECOND;
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    /** A socket's options by their sharing bits: {@link TcpEngine#REUSE_ADDRESS} 1, {@link TcpEngine#REUSE_PORT} 2. */
    private static final String[] OPTIONS = {"neither", "SO_REUSEADDR", "SO_REUSEPORT", "both"};

    private static ApiWorld world()
    {
        return world(ApiFixture.smallTcp());
    }

    private static ApiWorld world(final TcpConfig tcp)
    {
        return new ApiWorld(tcp.timeWaitNanos(TIME_WAIT));
    }

    private static void setOptions(final MtcpContext ctx, final int s, final int sharing)
    {
        assertEquals(0, Mtcp.setsockopt(ctx, s, SOL_SOCKET, SO_REUSEADDR, (sharing & TcpEngine.REUSE_ADDRESS) != 0 ?
            1 : 0));
        assertEquals(0, Mtcp.setsockopt(ctx, s, SOL_SOCKET, SO_REUSEPORT, (sharing & TcpEngine.REUSE_PORT) != 0 ?
            1 : 0));
    }

    /** A client on A with these options, connected to B's listener: {client, server}. */
    private static int[] connected(final ApiWorld w, final int sharing)
    {
        final int listener = w.peerListener();
        final int client = w.stream();
        setOptions(w.a, client, sharing);
        assertEquals(-1, Mtcp.connect(w.a, client, ApiFixture.B, ApiWorld.PORT));
        assertEquals(Errno.EINPROGRESS, w.a.errno(), () -> ApiWorld.errno(w.a));
        final int[] server = {-1};
        final SockAddr peer = new SockAddr();
        assertTrue(w.f.runUntil(() -> (server[0] >= 0 || (server[0] = Mtcp.accept(w.b, listener, null)) >= 0) &&
            Mtcp.getpeername(w.a, client, peer) == 0, SECOND), "connection established");
        w.track(w.b, server[0]);
        return new int[] {client, server[0]};
    }

    private static int localPort(final MtcpContext ctx, final int s)
    {
        final SockAddr name = new SockAddr();
        assertEquals(0, Mtcp.getsockname(ctx, s, name));
        return name.port();
    }

    /**
     * A new socket on A with these options bound to the port: its id, or -1 with A's errno (the
     * socket is closed then).
     */
    private static int bindNew(final ApiWorld w, final int port, final int sharing)
    {
        final int s = w.stream();
        setOptions(w.a, s, sharing);
        if (Mtcp.bind(w.a, s, 0, port) == 0)
        {
            return s;
        }
        final int errno = w.a.errno();
        assertEquals(0, Mtcp.close(w.a, s));
        return w.a.fail(errno);
    }

    /** A closes first, B answers with its own close: A's end is in TIME_WAIT. */
    private static void closeIntoTimeWait(final ApiWorld w, final int[] pair)
    {
        assertEquals(0, Mtcp.close(w.a, pair[0]));
        assertTrue(w.f.runUntil(() -> ApiWorld.slot(w.b, pair[1]).peerFin, SECOND), "our FIN arrived");
        assertEquals(0, Mtcp.close(w.b, pair[1]));
        assertTrue(w.f.runUntil(() -> w.f.contextA().tcp().timeWaitCount() == 1, SECOND), "TIME_WAIT");
    }

    @ParameterizedTest(name = "connection with {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void bindToAPortAConnectionUsesNeedsTheSameReuseOptionOnBothSockets(final int connection)
    {
        try (ApiWorld w = world())
        {
            final int port = localPort(w.a, connected(w, connection)[0]);
            for (int binder = 0; binder <= OPTIONS.length - 1; binder++)
            {
                final String what = "connection with " + OPTIONS[connection] + ", bind with " + OPTIONS[binder];
                final int s = bindNew(w, port, binder);
                if ((connection & binder) != 0)
                {
                    assertTrue(s >= 0, () -> what + ": " + ApiWorld.errno(w.a));
                    assertEquals(0, Mtcp.close(w.a, s), what);
                }
                else
                {
                    assertEquals(-1, s, what);
                    assertEquals(Errno.name(Errno.EADDRINUSE), ApiWorld.errno(w.a), what);
                }
            }
            assertEquals(1, w.a.ports().connections(port));
        }
    }

    @Test
    void soReuseAddrOnBothLetsAListenerShareThePortWithTheConnection()
    {
        try (ApiWorld w = world())
        {
            final int[] pair = connected(w, TcpEngine.REUSE_ADDRESS);
            final int port = localPort(w.a, pair[0]);
            final int listener = bindNew(w, port, TcpEngine.REUSE_ADDRESS);
            assertTrue(listener >= 0, () -> ApiWorld.errno(w.a));
            assertEquals(0, Mtcp.listen(w.a, listener, 4), () -> ApiWorld.errno(w.a));

            // The connection keeps its 4-tuple's segments.
            assertEquals(HELLO.length, Mtcp.write(w.a, pair[0], HELLO, 0, HELLO.length));
            final byte[] got = new byte[HELLO.length];
            assertTrue(w.f.runUntil(() -> Mtcp.read(w.b, pair[1], got, 0, got.length) == HELLO.length, SECOND));
            assertArrayEquals(HELLO, got);
            // A new flow to the port reaches the listener.
            final int other = w.track(w.b, Mtcp.socket(w.b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
            assertEquals(-1, Mtcp.connect(w.b, other, ApiFixture.A, port));
            final SockAddr name = new SockAddr();
            final int[] accepted = {-1};
            assertTrue(w.f.runUntil(() -> (accepted[0] = Mtcp.accept(w.a, listener, null)) >= 0, SECOND), "accepted");
            w.track(w.a, accepted[0]);
            assertEquals(0, Mtcp.getsockname(w.a, accepted[0], name));
            assertEquals(port, name.port());
            assertEquals(1, w.a.ports().connections(port), "an accepted connection is the listener's port");
            assertEquals(1, w.a.ports().holders(port));

            assertEquals(0, Mtcp.close(w.a, listener));
            assertEquals(0, w.a.ports().holders(port));
            assertEquals(HELLO.length, Mtcp.write(w.b, pair[1], HELLO, 0, HELLO.length));
            assertTrue(w.f.runUntil(() -> Mtcp.read(w.a, pair[0], got, 0, got.length) == HELLO.length, SECOND),
                "the connection outlives the listener");
        }
    }

    @Test
    void listenChecksTheRuleAgainAfterTheBind()
    {
        try (ApiWorld w = world())
        {
            final int port = localPort(w.a, connected(w, TcpEngine.REUSE_ADDRESS)[0]);
            final int s = bindNew(w, port, TcpEngine.REUSE_ADDRESS);
            assertTrue(s >= 0, () -> ApiWorld.errno(w.a));
            setOptions(w.a, s, 0);
            assertEquals(-1, Mtcp.listen(w.a, s, 4));
            assertEquals(Errno.name(Errno.EADDRINUSE), ApiWorld.errno(w.a), "Linux's listen checks again");
            assertEquals(SocketSlot.STREAM, ApiWorld.slot(w.a, s).type, "a failed listen leaves a bound stream");
            assertEquals(1, w.a.ports().holders(port));
            setOptions(w.a, s, TcpEngine.REUSE_ADDRESS);
            assertEquals(0, Mtcp.listen(w.a, s, 4), () -> ApiWorld.errno(w.a));
        }
    }

    @Test
    void timeWaitKeepsAnEphemeralPortInUseUntilItExpires()
    {
        try (ApiWorld w = world())
        {
            final int[] pair = connected(w, 0);
            final int port = localPort(w.a, pair[0]);
            closeIntoTimeWait(w, pair);
            assertEquals(1, w.a.ports().connections(port));
            assertEquals(-1, bindNew(w, port, 0));
            assertEquals(Errno.name(Errno.EADDRINUSE), ApiWorld.errno(w.a));
            assertEquals(-1, bindNew(w, port, TcpEngine.REUSE_ADDRESS), "the closed socket did not set SO_REUSEADDR");
            assertTrue(w.f.runUntil(() -> w.f.contextA().tcp().timeWaitCount() == 0, 2 * TIME_WAIT));
            assertEquals(0, w.a.ports().connectionsOnAllPorts());
            assertTrue(bindNew(w, port, 0) >= 0, () -> "after TIME_WAIT: " + ApiWorld.errno(w.a));
        }
    }

    @Test
    void timeWaitOfASoReuseAddrConnectionLetsASoReuseAddrListenerIn()
    {
        try (ApiWorld w = world())
        {
            final int[] pair = connected(w, TcpEngine.REUSE_ADDRESS);
            final int port = localPort(w.a, pair[0]);
            closeIntoTimeWait(w, pair);
            assertEquals(-1, bindNew(w, port, 0));
            final int s = bindNew(w, port, TcpEngine.REUSE_ADDRESS);
            assertTrue(s >= 0, () -> ApiWorld.errno(w.a));
            assertEquals(0, Mtcp.listen(w.a, s, 4), () -> "the classic server restart: " + ApiWorld.errno(w.a));
        }
    }

    @Test
    void aBoundClientsPortStaysInUseThroughItsTimeWait()
    {
        try (ApiWorld w = world())
        {
            final int port = 40_000;
            final int listener = w.peerListener();
            final int client = bindNew(w, port, 0);
            assertTrue(client >= 0);
            assertEquals(-1, Mtcp.connect(w.a, client, ApiFixture.B, ApiWorld.PORT));
            final int[] server = {-1};
            assertTrue(w.f.runUntil(() -> (server[0] = Mtcp.accept(w.b, listener, null)) >= 0, SECOND));
            w.track(w.b, server[0]);
            assertEquals(1, w.a.ports().holders(port));
            assertEquals(1, w.a.ports().connections(port));
            closeIntoTimeWait(w, new int[] {client, server[0]});
            assertEquals(0, w.a.ports().holders(port), "the socket is gone");
            assertEquals(-1, bindNew(w, port, 0), "its TIME_WAIT is not");
            assertEquals(Errno.name(Errno.EADDRINUSE), ApiWorld.errno(w.a));
            assertTrue(w.f.runUntil(() -> w.f.contextA().tcp().timeWaitCount() == 0, 2 * TIME_WAIT));
            assertTrue(bindNew(w, port, 0) >= 0, () -> ApiWorld.errno(w.a));
        }
    }

    @Test
    void listenWithoutBindTakesAPortNoConnectionUses()
    {
        try (ApiWorld w = world(ApiFixture.smallTcp().ephemeralPorts(50_000, 50_001)))
        {
            final int used = localPort(w.a, connected(w, TcpEngine.REUSE_ADDRESS | TcpEngine.REUSE_PORT)[0]);
            final int first = w.stream();
            setOptions(w.a, first, TcpEngine.REUSE_ADDRESS | TcpEngine.REUSE_PORT);
            assertEquals(0, Mtcp.listen(w.a, first, 4), () -> ApiWorld.errno(w.a));
            assertEquals(used == 50_000 ? 50_001 : 50_000, localPort(w.a, first), "never the connection's port");
            final int second = w.stream();
            setOptions(w.a, second, TcpEngine.REUSE_ADDRESS | TcpEngine.REUSE_PORT);
            assertEquals(-1, Mtcp.listen(w.a, second, 4));
            assertEquals(Errno.name(Errno.EADDRINUSE), ApiWorld.errno(w.a), "no ephemeral port nothing uses");
        }
    }

    @Test
    void refusedResetAndAbortedConnectionsGiveTheirPortsBack()
    {
        try (ApiWorld w = world())
        {
            final PortSpace ports = w.a.ports();
            final int refused = w.refused();
            assertEquals(0, ports.connectionsOnAllPorts(), "a refused connect");
            assertEquals(0, Mtcp.close(w.a, refused));
            final int reset = w.reset();
            assertEquals(0, ports.connectionsOnAllPorts(), "reset by the peer, socket still open");
            assertEquals(0, Mtcp.abort(w.a, reset));
            final int[] pair = connected(w, 0);
            assertEquals(1, ports.connectionsOnAllPorts());
            assertEquals(0, Mtcp.abort(w.a, pair[0]));
            assertEquals(0, ports.connectionsOnAllPorts(), "aborted");
            final int connecting = w.connecting();
            assertEquals(1, ports.connectionsOnAllPorts());
            assertEquals(0, Mtcp.close(w.a, connecting));
            assertEquals(0, ports.connectionsOnAllPorts(), "closed while connecting");
            final int ended = w.ended();
            assertEquals(0, ports.connectionsOnAllPorts(), "the peer closed first: no TIME_WAIT on A");
            assertEquals(0, Mtcp.close(w.a, ended));
        }
    }

    /**
     * Random opens (random options), closes and aborts from either side, and idle time: after
     * every step, the port space counts exactly A's connections and TIME_WAIT records (all of A's
     * connections are active opens), and every port that a connection of neither option uses
     * refuses a bind with both.
     */
    @Test
    void theCountAlwaysMatchesTheConnectionsAndTimeWaitRecords()
    {
        final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
        System.out.println("PortInUseTest seed " + seed + " (-Djmtcp.seed to replay)");
        final SplittableRandom random = new SplittableRandom(seed);
        try (ApiWorld w = world())
        {
            final List<int[]> open = new ArrayList<>();
            final PortSpace ports = w.a.ports();
            for (int step = 0; step < 300; step++)
            {
                final int action = random.nextInt(8);
                if (action < 3 && open.size() < 20)
                {
                    final int sharing = random.nextInt(4);
                    final int[] pair = connected(w, sharing);
                    open.add(new int[] {pair[0], pair[1], localPort(w.a, pair[0]), sharing});
                }
                else if (action < 7 && !open.isEmpty())
                {
                    // One side closes or aborts, the other side closes a little later.
                    final int[] pair = open.remove(random.nextInt(open.size()));
                    final boolean aFirst = random.nextBoolean();
                    final MtcpContext first = aFirst ? w.a : w.b;
                    final int firstId = aFirst ? pair[0] : pair[1];
                    if (random.nextBoolean())
                    {
                        assertEquals(0, Mtcp.close(first, firstId), "seed " + seed);
                    }
                    else
                    {
                        assertEquals(0, Mtcp.abort(first, firstId), "seed " + seed);
                    }
                    w.f.run(random.nextLong(50_000_000L));
                    release(aFirst ? w.b : w.a, aFirst ? pair[1] : pair[0]);
                }
                else
                {
                    w.f.run(random.nextLong(TIME_WAIT));
                }
                w.f.run(random.nextLong(50_000_000L));
                final int stepNow = step;
                assertEquals(w.f.contextA().tcp().flowCount() + w.f.contextA().tcp().timeWaitCount(),
                    ports.connectionsOnAllPorts(), () -> "step " + stepNow + ", seed " + seed);
                for (final int[] pair : open)
                {
                    if (pair[3] == 0 && ports.connections(pair[2]) > 0)
                    {
                        assertEquals(-1, bindNew(w, pair[2], TcpEngine.REUSE_ADDRESS | TcpEngine.REUSE_PORT),
                            () -> "step " + stepNow + ", seed " + seed);
                    }
                }
            }
            for (final int[] pair : open)
            {
                release(w.a, pair[0]);
                release(w.b, pair[1]);
            }
            assertTrue(w.f.runUntil(() -> w.f.contextA().tcp().flowCount() == 0 &&
                w.f.contextA().tcp().timeWaitCount() == 0, 10 * TIME_WAIT), "seed " + seed);
            assertEquals(0, ports.connectionsOnAllPorts(), "seed " + seed);
        }
    }

    /** Close a socket; if its connection was reset, abort releases it. */
    private static void release(final MtcpContext ctx, final int id)
    {
        if (Mtcp.close(ctx, id) < 0)
        {
            assertEquals(Errno.name(Errno.ENOTCONN), Errno.name(ctx.errno()));
            assertEquals(0, Mtcp.abort(ctx, id));
        }
    }

    /**
     * One port space for the contexts of a stack: a connection of context c keeps every other
     * context's bind of its port out, unless both set SO_REUSEADDR; through TIME_WAIT; then the
     * port is free everywhere. Closing the stack with connections open gives their ports back.
     */
    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {2, 4})
    void aConnectionOnOneContextKeepsTheOtherContextsBindsOut(final int contexts)
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(contexts).capacity(4096).build();
            MultiContextBed bed = new MultiContextBed(link, clock, contexts, ApiFixture.smallTcp().timeWaitNanos(TIME_WAIT)))
        {
            final int peerListener = Mtcp.socket(bed.peer, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(0, Mtcp.bind(bed.peer, peerListener, 0, ApiWorld.PORT));
            assertEquals(0, Mtcp.listen(bed.peer, peerListener, 64));
            final int[] clients = new int[contexts];
            final int[] localPorts = new int[contexts];
            for (int c = 0; c < contexts; c++)
            {
                final MtcpContext ctx = bed.stack.context(c);
                clients[c] = Mtcp.socket(ctx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                // Odd contexts' connections set SO_REUSEADDR.
                assertEquals(0, Mtcp.setsockopt(ctx, clients[c], SOL_SOCKET, SO_REUSEADDR, c % 2));
                assertEquals(-1, Mtcp.connect(ctx, clients[c], ApiFixture.B, ApiWorld.PORT));
                final int id = clients[c];
                assertTrue(bed.runUntil(() -> Mtcp.getpeername(ctx, id, new SockAddr()) == 0));
                localPorts[c] = localPort(ctx, clients[c]);
            }
            final PortSpace ports = bed.stack.group().portSpace();
            assertEquals(contexts, ports.connectionsOnAllPorts());
            assertBindsOnOtherContexts(bed, localPorts, true);
            for (int c = 0; c < contexts; c++)
            {
                assertEquals(0, Mtcp.close(bed.stack.context(c), clients[c]));
            }
            assertTrue(bed.runUntil(() -> acceptAndCloseAll(bed, peerListener) && timeWaitRecords(bed) == contexts),
                "every context's connection in TIME_WAIT");
            assertEquals(contexts, ports.connectionsOnAllPorts(), "TIME_WAIT keeps them");
            assertBindsOnOtherContexts(bed, localPorts, true);
            assertTrue(bed.runUntil(() -> timeWaitRecords(bed) == 0));
            assertEquals(0, ports.connectionsOnAllPorts());
            assertBindsOnOtherContexts(bed, localPorts, false);

            for (int c = 0; c < contexts; c++)
            {
                final MtcpContext ctx = bed.stack.context(c);
                final int s = Mtcp.socket(ctx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                assertEquals(-1, Mtcp.connect(ctx, s, ApiFixture.B, ApiWorld.PORT));
                assertTrue(bed.runUntil(() -> Mtcp.getpeername(ctx, s, new SockAddr()) == 0));
            }
            assertEquals(contexts, ports.connectionsOnAllPorts());
            for (int c = 0; c < contexts; c++)
            {
                assertEquals(0, bed.stack.stackContext(c).counters().get(StackCounter.TCP_MISROUTED));
            }
            bed.stack.close();
            assertEquals(0, ports.connectionsOnAllPorts(), "a destroyed context gives its connections' ports back");
        }
    }

    /**
     * Every context but the connection's own tries to bind each connection's port, with no
     * option and with SO_REUSEADDR.
     */
    private static void assertBindsOnOtherContexts(final MultiContextBed bed, final int[] localPorts, final boolean inUse)
    {
        for (int c = 0; c < localPorts.length; c++)
        {
            for (int d = 0; d < localPorts.length; d++)
            {
                if (d == c)
                {
                    continue;
                }
                final MtcpContext ctx = bed.stack.context(d);
                for (int option = 0; option <= 1; option++)
                {
                    final int s = Mtcp.socket(ctx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                    assertEquals(0, Mtcp.setsockopt(ctx, s, SOL_SOCKET, SO_REUSEADDR, option));
                    final boolean allowed = !inUse || (option == 1 && c % 2 == 1);
                    final String what = "context " + d + " binds context " + c + "'s port " + localPorts[c] +
                        (option == 1 ? " with SO_REUSEADDR" : "");
                    assertEquals(allowed ? 0 : -1, Mtcp.bind(ctx, s, 0, localPorts[c]), what);
                    if (!allowed)
                    {
                        assertEquals(Errno.name(Errno.EADDRINUSE), Errno.name(ctx.errno()), what);
                    }
                    assertEquals(0, Mtcp.close(ctx, s));
                }
            }
        }
    }

    private static boolean acceptAndCloseAll(final MultiContextBed bed, final int listener)
    {
        int id;
        while ((id = Mtcp.accept(bed.peer, listener, null)) >= 0)
        {
            Mtcp.close(bed.peer, id);
        }
        return true;
    }

    private static int timeWaitRecords(final MultiContextBed bed)
    {
        int records = 0;
        for (int c = 0; c < bed.stack.size(); c++)
        {
            records += bed.stack.stackContext(c).tcp().timeWaitCount();
        }
        return records;
    }
}
