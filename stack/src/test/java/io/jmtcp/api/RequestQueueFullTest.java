package io.jmtcp.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.ToIntFunction;

import static io.jmtcp.api.Mtcp.IPPROTO_TCP;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_KEEPALIVE;
import static io.jmtcp.api.Mtcp.TCP_INFO;
import static io.jmtcp.api.Mtcp.TCP_MAXSEG;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * EAGAIN of a full request queue, for every call that documents it: A's context is held busy
 * and its two-entry queue filled, the call is refused and changes nothing, and once the
 * context runs again the same call succeeds.
 */
class RequestQueueFullTest
{
    /** A call that needs the context, and the state that must not change when it is refused. */
    record Case(String name, ToIntFunction<BusyContext> prepare, Call call, Check unchanged)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    @FunctionalInterface
    interface Call
    {
        long invoke(MtcpContext ctx, int id);
    }

    @FunctionalInterface
    interface Check
    {
        void check(BusyContext busy, int id);
    }

    private static int stream(final BusyContext busy)
    {
        return Mtcp.socket(busy.a, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
    }

    private static int connected(final BusyContext busy)
    {
        return busy.connected()[0];
    }

    private static Check phase(final int phase)
    {
        return (busy, id) -> assertEquals(phase, ApiWorld.slot(busy.a, id).phase, "phase unchanged");
    }

    static List<Case> cases()
    {
        return List.of(
            new Case("connect", RequestQueueFullTest::stream,
                (ctx, id) -> Mtcp.connect(ctx, id, ApiFixture.B, BusyContext.PORT), phase(SocketSlot.NEW)),
            new Case("listen", busy ->
            {
                final int s = stream(busy);
                assertEquals(0, Mtcp.bind(busy.a, s, 0, 9000));
                return s;
            }, (ctx, id) -> Mtcp.listen(ctx, id, 4), (busy, id) ->
            {
                assertEquals(SocketSlot.STREAM, ApiWorld.slot(busy.a, id).type, "still a stream");
                assertEquals(1, busy.a.ports().holders(9000), "still bound");
            }),
            new Case("listen, unbound: the ephemeral port goes back", RequestQueueFullTest::stream,
                (ctx, id) -> Mtcp.listen(ctx, id, 4), (busy, id) ->
                {
                    assertEquals(SocketSlot.STREAM, ApiWorld.slot(busy.a, id).type, "still a stream");
                    assertEquals(0, ApiWorld.slot(busy.a, id).claimedPort, "no port held");
                }),
            new Case("shutdown", RequestQueueFullTest::connected, (ctx, id) -> Mtcp.shutdown(ctx, id, Mtcp.SHUT_WR),
                (busy, id) -> assertEquals(false, ApiWorld.slot(busy.a, id).writeShut, "may still write")),
            new Case("abort", RequestQueueFullTest::connected, (ctx, id) -> Mtcp.abort(ctx, id),
                (busy, id) -> assertEquals(id, ApiWorld.slot(busy.a, id).openId, "the id is still open")),
            new Case("close", RequestQueueFullTest::connected, (ctx, id) -> Mtcp.close(ctx, id),
                (busy, id) -> assertEquals(id, ApiWorld.slot(busy.a, id).openId, "the id is still open")),
            new Case("close of a listener", busy ->
            {
                final int s = stream(busy);
                assertEquals(0, Mtcp.bind(busy.a, s, 0, 9001));
                assertEquals(0, Mtcp.listen(busy.a, s, 4));
                return s;
            }, (ctx, id) -> Mtcp.close(ctx, id), (busy, id) ->
            {
                assertEquals(id, ApiWorld.slot(busy.a, id).openId, "the id is still open");
                assertEquals(1, busy.a.ports().holders(9001), "the port is still held");
            }),
            new Case("setsockopt SO_KEEPALIVE", RequestQueueFullTest::connected,
                (ctx, id) -> Mtcp.setsockopt(ctx, id, SOL_SOCKET, SO_KEEPALIVE, 1), (busy, id) ->
                {
                    final int[] value = new int[1];
                    assertEquals(0, Mtcp.getsockopt(busy.a, id, SOL_SOCKET, SO_KEEPALIVE, value));
                    assertEquals(0, value[0], "the option is unchanged");
                }),
            new Case("getsockopt TCP_MAXSEG", RequestQueueFullTest::connected,
                (ctx, id) -> Mtcp.getsockopt(ctx, id, IPPROTO_TCP, TCP_MAXSEG, new int[1]), phase(SocketSlot.CONNECTED)),
            new Case("getsockopt TCP_INFO", RequestQueueFullTest::connected,
                (ctx, id) -> Mtcp.getsockopt(ctx, id, IPPROTO_TCP, TCP_INFO, new TcpInfo()),
                phase(SocketSlot.CONNECTED)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fullRequestQueueIsEagainThenRetrySucceeds(final Case c) throws Exception
    {
        try (BusyContext busy = new BusyContext())
        {
            final int id = c.prepare().applyAsInt(busy);
            busy.block();
            assertEquals(-1, c.call().invoke(busy.a, id));
            assertEquals(Errno.name(Errno.EAGAIN), Errno.name(busy.a.errno()));
            c.unchanged().check(busy, id);
            busy.unblock();
            final long retry = busy.retry(() -> c.call().invoke(busy.a, id));
            final boolean inProgress = retry == -1 && busy.a.errno() == Errno.EINPROGRESS;
            assertEquals(true, retry >= 0 || inProgress, () -> "retry: " + Errno.name(busy.a.errno()));
            final SocketSlot slot = ApiWorld.slot(busy.a, id);
            if (slot.openId == id)
            {
                if (Mtcp.close(busy.a, id) < 0)
                {
                    assertEquals(0, Mtcp.abort(busy.a, id), () -> Errno.name(busy.a.errno()));
                }
            }
        }
    }
}
