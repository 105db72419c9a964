package io.jmtcp.api;

import io.jmtcp.core.FlowHash;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.time.VirtualClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket API on several contexts sharing one in-memory link end (a {@link MtcpStack} in
 * manual mode: the test thread drives every duty cycle on a virtual clock, so calls run inline),
 * against a one-context peer: listeners on every context share a port, active opens choose ports
 * that hash to the caller, a bound port that hashes elsewhere is refused, and ids stay with their
 * context.
 */
class MultiContextApiTest
{
    private static final int PORT = 8000;

    private final VirtualClock clock = new VirtualClock();

    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {1, 2, 4})
    void sharedPortListenersAcceptOnTheOwnerAndActiveOpensLandOnTheCaller(final int contexts)
    {
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(contexts).capacity(4096).build();
            MultiContextBed bed = new MultiContextBed(link, clock, contexts, ApiFixture.smallTcp()))
        {
            final int[] listeners = new int[contexts];
            for (int c = 0; c < contexts; c++)
            {
                final MtcpContext ctx = bed.stack.context(c);
                listeners[c] = Mtcp.socket(ctx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                assertEquals(0, Mtcp.setsockopt(ctx, listeners[c], Mtcp.SOL_SOCKET, Mtcp.SO_REUSEPORT, 1));
                assertEquals(0, Mtcp.bind(ctx, listeners[c], 0, PORT), () -> Errno.name(ctx.errno()));
                assertEquals(0, Mtcp.listen(ctx, listeners[c], 128), () -> Errno.name(ctx.errno()));
            }
            final int clients = 32;
            final int[] peerSockets = new int[clients];
            for (int i = 0; i < clients; i++)
            {
                peerSockets[i] = Mtcp.socket(bed.peer, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                assertEquals(-1, Mtcp.connect(bed.peer, peerSockets[i], ApiFixture.A, PORT));
                assertEquals(Errno.EINPROGRESS, bed.peer.errno());
            }
            final int[] accepted = new int[contexts];
            final SockAddr local = new SockAddr();
            final SockAddr remote = new SockAddr();
            assertTrue(bed.runUntil(() ->
            {
                for (int c = 0; c < contexts; c++)
                {
                    final MtcpContext ctx = bed.stack.context(c);
                    int id;
                    while ((id = Mtcp.accept(ctx, listeners[c], remote)) >= 0)
                    {
                        assertEquals(0, Mtcp.getsockname(ctx, id, local));
                        assertEquals(PORT, local.port(), "an accepted socket's name is the listener's port");
                        assertEquals(c, FlowHash.contextOf(ApiFixture.A, PORT, remote.ip(), remote.port(), contexts));
                        accepted[c]++;
                        assertEquals(0, Mtcp.close(ctx, id));
                    }
                }
                return sum(accepted) == clients;
            }));
            for (int c = 0; c < contexts; c++)
            {
                assertTrue(contexts == 1 || accepted[c] > 0, "every context accepts some of 32 flows");
            }
            final int peerListener = Mtcp.socket(bed.peer, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(0, Mtcp.bind(bed.peer, peerListener, 0, PORT + 1));
            assertEquals(0, Mtcp.listen(bed.peer, peerListener, 128));
            for (int c = 0; c < contexts; c++)
            {
                final MtcpContext ctx = bed.stack.context(c);
                for (int i = 0; i < 4; i++)
                {
                    final int s = Mtcp.socket(ctx, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                    assertEquals(-1, Mtcp.connect(ctx, s, ApiFixture.B, PORT + 1));
                    assertEquals(Errno.EINPROGRESS, ctx.errno());
                    final int id = s;
                    assertTrue(bed.runUntil(() -> Mtcp.getpeername(ctx, id, remote) == 0));
                    assertEquals(0, Mtcp.getsockname(ctx, s, local));
                    assertEquals(c, FlowHash.contextOf(ApiFixture.A, local.port(), ApiFixture.B, PORT + 1, contexts),
                        "the ephemeral port hashes back to the calling context");
                    assertEquals(0, Mtcp.close(ctx, s));
                }
            }
            for (int i = 0; i < clients; i++)
            {
                Mtcp.close(bed.peer, peerSockets[i]);
            }
            int id;
            while ((id = Mtcp.accept(bed.peer, peerListener, null)) >= 0)
            {
                Mtcp.close(bed.peer, id);
            }
            assertTrue(bed.runUntil(() ->
            {
                int otherId;
                while ((otherId = Mtcp.accept(bed.peer, peerListener, null)) >= 0)
                {
                    Mtcp.close(bed.peer, otherId);
                }
                return bed.stack.context(0).socketsInUse() == 1;
            }));
            for (int c = 0; c < contexts; c++)
            {
                assertEquals(0, Mtcp.close(bed.stack.context(c), listeners[c]));
                assertEquals(0, bed.stack.stackContext(c).counters().get(StackCounter.TCP_MISROUTED));
            }
            Mtcp.close(bed.peer, peerListener);
            bed.runUntil(() -> false, TimeUnit.SECONDS.toNanos(5));
            for (int c = 0; c < contexts; c++)
            {
                assertEquals(0, bed.stack.context(c).socketsInUse(), "context " + c + " socket slots");
            }
            assertEquals(0, bed.stack.group().portSpace().holders(PORT));
            // Both kinds closed first and are in TIME_WAIT; the 4 active opens per context keep
            // their ports, the accepted connections do not (they are the listeners' port).
            int timeWaitRecords = 0;
            for (int c = 0; c < contexts; c++)
            {
                timeWaitRecords += bed.stack.stackContext(c).tcp().timeWaitCount();
            }
            assertEquals(clients + 4 * contexts, timeWaitRecords);
            assertEquals(4 * contexts, bed.stack.group().portSpace().connectionsOnAllPorts());
            bed.stack.close();
            assertEquals(0, bed.stack.group().portSpace().connectionsOnAllPorts(), "none once the stack is closed");
        }
    }

    @Test
    void boundPortHashingToAnotherContextIsRefusedAndIdsStayWithTheirContext()
    {
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(9).capacity(1024).build();
            MultiContextBed bed = new MultiContextBed(link, clock, 2, ApiFixture.smallTcp()))
        {
            final MtcpContext ctx0 = bed.stack.context(0);
            final MtcpContext ctx1 = bed.stack.context(1);
            int port = 20000;
            while (FlowHash.contextOf(ApiFixture.A, port, ApiFixture.B, PORT, 2) != 1)
            {
                port++;
            }
            final int s = Mtcp.socket(ctx0, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(0, Mtcp.bind(ctx0, s, 0, port));
            assertEquals(-1, Mtcp.connect(ctx0, s, ApiFixture.B, PORT));
            assertEquals(Errno.EADDRNOTAVAIL, ctx0.errno(), "the flow would hash to context 1");
            final int t = Mtcp.socket(ctx1, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(-1, Mtcp.bind(ctx1, t, 0, port));
            assertEquals(Errno.EADDRINUSE, ctx1.errno(), "one port space for all contexts");
            assertEquals(-1, Mtcp.close(ctx1, s));
            assertEquals(Errno.EACCES, ctx1.errno(), "an id of context 0 is not context 1's");
            assertEquals(0, Mtcp.close(ctx0, s));
            assertEquals(0, Mtcp.bind(ctx1, t, 0, port));
            assertEquals(0, Mtcp.close(ctx1, t));
            assertEquals(0, bed.stack.group().portSpace().holders(port));
        }
    }

    private static int sum(final int[] values)
    {
        int total = 0;
        for (final int v : values)
        {
            total += v;
        }
        return total;
    }
}
