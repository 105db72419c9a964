package io.jmtcp.api;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.tcp.TcpConfig;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

import static io.jmtcp.api.ErrnoRow.row;
import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.FIONBIO;
import static io.jmtcp.api.Mtcp.MSG_DONTWAIT;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_SNDBUF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The errnos an application thread sees and the context's own thread does not
 * ({@link SocketCallErrnoTest} runs every call inline): a blocking connect returns the reason its
 * connection failed, a non-blocking socket on an application thread says EAGAIN or EINPROGRESS
 * for its own reason (inline, every call would), and a blocked read or write is woken by the
 * connection's failure or by its id's close. Each row is a threaded world (the contexts on their
 * own threads, the test thread the application); the timeouts are short on the real clock. A
 * call that should have been woken and was not would block for ever: each row runs on a thread of
 * its own, which the time limit gives up on.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ApplicationThreadErrnoTest
{
    private static final byte[] HELLO = {1, 2, 3};
    private static final byte[] CHUNK = new byte[4096];

    private static ErrnoRow threaded(final String condition, final int errno, final ToLongFunction<ApiWorld> call)
    {
        return row(condition, errno, () -> ApiWorld.threaded(ApiWorld.timeoutsOnTheRealClock()), call);
    }

    private static ErrnoRow threaded(final String condition, final int errno, final TcpConfig tcp,
        final ToLongFunction<ApiWorld> call)
    {
        return row(condition, errno, () -> ApiWorld.threaded(tcp), call);
    }

    /** @return {client on A, server on B}, established by a blocking connect and accept. */
    private static int[] connected(final ApiWorld w)
    {
        final int listener = w.peerListener();
        final int client = w.stream();
        assertEquals(0, Mtcp.connect(w.a, client, ApiFixture.B, ApiWorld.PORT), () -> ApiWorld.errno(w.a));
        final int server = Mtcp.accept(w.b, listener, null);
        assertTrue(server >= 0, () -> ApiWorld.errno(w.b));
        return new int[] {client, w.track(w.b, server)};
    }

    /**
     * Fill a connected blocking stream's send ring and its connection's send buffer (writing in
     * non-blocking mode), so that the next write blocks. No acknowledgment may make room again:
     * the path is cut ({@link PathFault.Mode#BLACKHOLE}), or B reads nothing and its window shuts.
     */
    private static int fillSendRing(final ApiWorld w, final int s)
    {
        final SocketSlot slot = ApiWorld.slot(w.a, s);
        return fillUntil(w, s, () -> slot.sendRing.free() == 0 && slot.connection.writable() == 0,
            "the ring and the send buffer fill");
    }

    /**
     * Write until B's receive buffer and ring are full and B says so: A's ring and send buffer
     * full and a send window of 0. A full send buffer alone may be bytes in flight that B still
     * has room for; B's acknowledgement then drains it and no window shuts.
     */
    private static int fillPeerWindow(final ApiWorld w, final int s)
    {
        final SocketSlot slot = ApiWorld.slot(w.a, s);
        return fillUntil(w, s, () -> slot.sendRing.free() == 0 && slot.connection.writable() == 0 &&
            slot.connection.sendWindow() == 0, "B's window shuts");
    }

    private static int fillUntil(final ApiWorld w, final int s, final BooleanSupplier full, final String what)
    {
        assertEquals(0, Mtcp.ioctl(w.a, s, FIONBIO, new int[] {1}));
        final long[] queued = {0};
        assertTrue(w.f.runUntil(() ->
        {
            int n;
            while ((n = Mtcp.write(w.a, s, CHUNK, 0, CHUNK.length)) > 0)
            {
                queued[0] += n;
            }
            return onContextA(w, full);
        }, 5 * ApiWorld.SECOND), () -> what + ": " + queued[0] + " bytes written");
        assertEquals(0, Mtcp.ioctl(w.a, s, FIONBIO, new int[] {0}));
        return s;
    }

    /**
     * Ask A's context thread: it moves bytes from the ring into the send buffer, so only it sees
     * the two at rest (from another thread, a move half done shows both full).
     */
    private static boolean onContextA(final ApiWorld w, final BooleanSupplier question)
    {
        final CompletableFuture<Boolean> answer = new CompletableFuture<>();
        assertTrue(w.f.contextA().submit(ctx -> answer.complete(question.getAsBoolean())));
        try
        {
            return answer.get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("A's context did not answer", ex);
        }
    }

    /**
     * Run {@code action} on another thread once the calling thread waits in a call on {@code id}
     * of A, so that the action happens while the call is blocked. The action makes only calls that
     * succeed: it never writes the errno the test thread reads.
     */
    private static CompletableFuture<Void> whenBlocked(final ApiWorld w, final int id, final Runnable action)
    {
        final SocketSlot slot = ApiWorld.slot(w.a, id);
        final Thread caller = Thread.currentThread();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Thread helper = new Thread(() ->
        {
            try
            {
                final long deadline = System.nanoTime() + 5 * ApiWorld.SECOND;
                while (slot.waiter != caller)
                {
                    if (System.nanoTime() - deadline > 0)
                    {
                        throw new AssertionError("the call did not block");
                    }
                    Thread.onSpinWait();
                }
                action.run();
                done.complete(null);
            }
            catch (final Throwable ex)
            {
                done.completeExceptionally(ex);
            }
        }, "when-blocked");
        helper.setDaemon(true);
        helper.start();
        return done;
    }

    /** The call's result, after checking that {@code blocked} ran while it waited; its errno kept. */
    private static long whileBlocked(final ApiWorld w, final CompletableFuture<Void> blocked, final long result)
    {
        final int errno = w.a.errno();
        try
        {
            blocked.get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("the call was not blocked when the action ran", ex);
        }
        w.a.fail(errno);
        return result;
    }

    // ---------------------------------------------------------------------------------------------
    // A blocking connect: the reason the connection failed
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> blockingConnectRows()
    {
        return List.of(
            threaded("the peer's TCP vanished: the SYN retransmissions run out", Errno.ETIMEDOUT, w ->
            {
                w.peerListener();
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                final long result = Mtcp.connect(w.a, w.stream(), ApiFixture.B, ApiWorld.PORT);
                assertEquals(ApiWorld.SYN_RETRIES + 1, w.f.pathToB().synsDropped(), "every SYN went unanswered");
                return result;
            }),
            threaded("a router answers each SYN with ICMP host unreachable", Errno.EHOSTUNREACH, w ->
            {
                w.peerListener();
                w.f.pathToB().mode(PathFault.Mode.UNREACHABLE);
                return Mtcp.connect(w.a, w.stream(), ApiFixture.B, ApiWorld.PORT);
            }),
            threaded("nobody listens on the port", Errno.ECONNREFUSED,
                w -> Mtcp.connect(w.a, w.stream(), ApiFixture.B, ApiWorld.PORT)),
            threaded("no ephemeral port left for that peer", Errno.EADDRNOTAVAIL,
                ApiFixture.smallTcp().ephemeralPorts(60000, 60000), w ->
                {
                    connected(w);
                    return Mtcp.connect(w.a, w.stream(), ApiFixture.B, ApiWorld.PORT);
                }),
            threaded("the bound port already has a flow to that peer", Errno.EADDRINUSE, w ->
            {
                w.peerListener();
                assertEquals(0, Mtcp.connect(w.a, w.reusePortBound(40000), ApiFixture.B, ApiWorld.PORT),
                    () -> ApiWorld.errno(w.a));
                return Mtcp.connect(w.a, w.reusePortBound(40000), ApiFixture.B, ApiWorld.PORT);
            }),
            threaded("no connection object left", Errno.ENOBUFS, ApiFixture.smallTcp().maxConnections(1), w ->
            {
                final int first = w.track(w.a, Mtcp.socket(w.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
                assertEquals(-1, Mtcp.connect(w.a, first, ApiWorld.NOBODY, ApiWorld.PORT));
                assertEquals(Errno.name(Errno.EINPROGRESS), ApiWorld.errno(w.a));
                return Mtcp.connect(w.a, w.stream(), ApiWorld.NOBODY, ApiWorld.PORT);
            }),
            threaded("connected", Errno.NONE, w -> connected(w)[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockingConnectRows")
    void blockingConnectFailsWithTheReason(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // Non-blocking on an application thread; calls the context must answer
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> nonBlockingRows()
    {
        return List.of(
            threaded("connect: SOCK_NONBLOCK", Errno.EINPROGRESS, w ->
            {
                w.peerListener();
                final int s = w.track(w.a, Mtcp.socket(w.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
                return Mtcp.connect(w.a, s, ApiFixture.B, ApiWorld.PORT);
            }),
            threaded("connect: FIONBIO", Errno.EINPROGRESS, w ->
            {
                w.peerListener();
                final int s = w.stream();
                assertEquals(0, Mtcp.ioctl(w.a, s, FIONBIO, new int[] {1}));
                return Mtcp.connect(w.a, s, ApiFixture.B, ApiWorld.PORT);
            }),
            threaded("accept: a non-blocking listener, none waiting", Errno.EAGAIN, w ->
            {
                final int l = w.listener(8081);
                assertEquals(0, Mtcp.ioctl(w.a, l, FIONBIO, new int[] {1}));
                return Mtcp.accept(w.a, l, null);
            }),
            threaded("read: non-blocking, nothing yet", Errno.EAGAIN, w ->
            {
                final int s = connected(w)[0];
                assertEquals(0, Mtcp.ioctl(w.a, s, FIONBIO, new int[] {1}));
                return Mtcp.read(w.a, s, new byte[1], 0, 1);
            }),
            threaded("recv: MSG_DONTWAIT on a blocking socket, nothing yet", Errno.EAGAIN,
                w -> Mtcp.recv(w.a, connected(w)[0], new byte[1], 0, 1, MSG_DONTWAIT)),
            threaded("write: non-blocking, the send ring full", Errno.EAGAIN, w ->
            {
                final int s = connected(w)[0];
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                fillSendRing(w, s);
                assertEquals(0, Mtcp.ioctl(w.a, s, FIONBIO, new int[] {1}));
                return Mtcp.write(w.a, s, CHUNK, 0, 1);
            }),
            threaded("listen: this context already listens on the port (the context's answer)", Errno.EADDRINUSE, w ->
            {
                assertEquals(0, Mtcp.listen(w.a, w.reusePortBound(8081), 4), () -> ApiWorld.errno(w.a));
                final int s = w.reusePortBound(8081);
                final long result = Mtcp.listen(w.a, s, 4);
                final int errno = w.a.errno();
                assertEquals(SocketSlot.STREAM, ApiWorld.slot(w.a, s).type, "a failed listen leaves a stream");
                assertEquals(2, w.a.ports().holders(8081), "both sockets still hold the port");
                w.a.fail(errno);
                return result;
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonBlockingRows")
    void nonBlockingCallFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // A blocked read or write, woken
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> blockedRows()
    {
        return List.of(
            threaded("read: the peer vanishes, the retransmissions run out", Errno.ETIMEDOUT, w ->
            {
                final int s = connected(w)[0];
                final CompletableFuture<Void> blocked = whenBlocked(w, s, () ->
                {
                    w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                    assertEquals(HELLO.length, Mtcp.write(w.a, s, HELLO, 0, HELLO.length));
                });
                return whileBlocked(w, blocked, Mtcp.read(w.a, s, new byte[1], 0, 1));
            }),
            threaded("read: the peer resets", Errno.ECONNRESET, w ->
            {
                final int[] pair = connected(w);
                final CompletableFuture<Void> blocked = whenBlocked(w, pair[0],
                    () -> assertEquals(0, Mtcp.abort(w.b, pair[1])));
                return whileBlocked(w, blocked, Mtcp.read(w.a, pair[0], new byte[1], 0, 1));
            }),
            threaded("write: the peer vanishes, the retransmissions run out", Errno.ETIMEDOUT, w ->
            {
                final int s = connected(w)[0];
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                // The window stays open, so the bytes go out and are retransmitted, unanswered,
                // from the first write on; the blocking write below waits for the give-up.
                fillSendRing(w, s);
                final CompletableFuture<Void> blocked = whenBlocked(w, s, () -> { });
                return whileBlocked(w, blocked, Mtcp.write(w.a, s, CHUNK, 0, CHUNK.length));
            }),
            threaded("write: the peer's window is shut and it vanishes, the window probes run out", Errno.ETIMEDOUT,
                w ->
                {
                    final int s = fillPeerWindow(w, connected(w)[0]);
                    final StackCounters counters = w.a.context().counters();
                    assertTrue(w.f.runUntil(() -> counters.get(StackCounter.TCP_ZERO_WINDOW_PROBES) > 0,
                        5 * ApiWorld.SECOND), "A probes B's shut window (and B answers)");
                    w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                    final long probes = counters.get(StackCounter.TCP_ZERO_WINDOW_PROBES);
                    final long timeouts = counters.get(StackCounter.TCP_RETRANSMIT_TIMEOUTS);
                    final long giveUps = counters.get(StackCounter.TCP_RETRANSMIT_GIVE_UPS);
                    // The answered probes took bytes: fill again, for good now.
                    fillSendRing(w, s);
                    final CompletableFuture<Void> blocked = whenBlocked(w, s, () -> { });
                    final long result = whileBlocked(w, blocked, Mtcp.write(w.a, s, CHUNK, 0, CHUNK.length));
                    // The probe sent as the path was cut may or may not have been answered: the
                    // exact count is the engine's test (ZeroWindowTest) and the virtual row's.
                    assertTrue(counters.get(StackCounter.TCP_ZERO_WINDOW_PROBES) > probes, "probes went unanswered");
                    assertEquals(timeouts, counters.get(StackCounter.TCP_RETRANSMIT_TIMEOUTS), "no data was in flight");
                    assertEquals(giveUps + 1, counters.get(StackCounter.TCP_RETRANSMIT_GIVE_UPS), "the probing gave up");
                    return result;
                }),
            threaded("write: some bytes queued, then the retransmissions ran out: the count, the error next",
                Errno.ETIMEDOUT, w ->
                {
                    final int s = connected(w)[0];
                    w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                    assertEquals(0, Mtcp.setsockopt(w.a, s, SOL_SOCKET, SO_SNDBUF, CHUNK.length));
                    fillSendRing(w, s);
                    // Room for one chunk, not for two: the write queues one, blocks, and fails.
                    assertEquals(0, Mtcp.setsockopt(w.a, s, SOL_SOCKET, SO_SNDBUF, 2 * CHUNK.length));
                    final byte[] two = new byte[2 * CHUNK.length];
                    final CompletableFuture<Void> blocked = whenBlocked(w, s, () -> { });
                    assertEquals(CHUNK.length, whileBlocked(w, blocked, Mtcp.write(w.a, s, two, 0, two.length)),
                        "the bytes queued");
                    return Mtcp.write(w.a, s, two, 0, two.length);
                }),
            threaded("write: another thread closes the socket", Errno.EBADF, ApiFixture.smallTcp(), w ->
            {
                final int s = connected(w)[0];
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                fillSendRing(w, s);
                final CompletableFuture<Void> blocked = whenBlocked(w, s, () -> assertEquals(0, Mtcp.close(w.a, s)));
                final long result = whileBlocked(w, blocked, Mtcp.write(w.a, s, CHUNK, 0, CHUNK.length));
                // The path back, so that the closed stream can finish and free its slot.
                w.f.pathToB().mode(PathFault.Mode.OPEN);
                return result;
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockedRows")
    void blockedCallIsWokenWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }
}
