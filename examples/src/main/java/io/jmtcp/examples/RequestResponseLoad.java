package io.jmtcp.examples;

import io.jmtcp.api.EpollEvents;
import io.jmtcp.api.Errno;
import io.jmtcp.api.Mtcp;
import io.jmtcp.api.MtcpContext;
import io.jmtcp.api.MtcpStack;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load of {@code crr} and {@code rr} on the socket API: clients that send 64 bytes to an echo
 * server and wait for the same 64 bytes back, either on a new connection each time (connect,
 * send, receive, close: {@code crr}) or on one kept connection ({@code rr}), for a fixed time.
 *
 * <h2>Threads</h2>
 * One application thread per context, as mTCP's applications run (one thread per core, each
 * with its {@code mctx}): it drives its share of the clients as state machines over non-blocking
 * sockets and one epoll instance, blocking in {@code epollWait} with a short timeout. The
 * alternative, run-to-completion inside the context's duty cycle, saves the hand-off between the
 * application thread and the context thread (PACKET-IO-NOTES.md pitfall 8: 25–30 µs per
 * cross-core wake-up here), but puts the client's bookkeeping into the stack's duty cycle and
 * needs a hook into it; the load generator shows the API as an application uses it, and its
 * latency figures include that hand-off, as an application's would.
 *
 * <h2>Bounds</h2>
 * New transactions start until {@code seconds} have passed (or {@link #stop}); transactions
 * under way then get {@link #GRACE_NANOS} to finish, after which they are aborted and counted as
 * errors (ETIMEDOUT). Latencies go to preallocated arrays, {@link #MAX_SAMPLES} in all (split over
 * the threads); transactions beyond that are counted but not sampled. Percentiles are by
 * nearest rank over the sorted samples.
 */
final class RequestResponseLoad
{
    /** The request's and the echo's size. */
    static final int MESSAGE = 64;

    /** Latencies kept at most, over all threads: 8 MiB of longs. */
    static final int MAX_SAMPLES = 1 << 20;

    /** How long transactions under way at the end may take to finish. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * How long an application thread blocks in epollWait at most, so that it sees the clock and
     * stop. Every echo wakes the thread long before this; a lost EPOLLIN wake-up would make each
     * transaction wait the whole timeout, which the kernel-bed test of rr would see in its p50.
     * (An early version polled every 1 ms around such a loss; with the fence in
     * {@code SocketSlot.signal} rr ran 20 k transactions/s at p50 30 µs with 10 and 100 ms.)
     */
    static final int POLL_MILLIS = 100;

    private static final int CONNECTING = 1;
    private static final int WAITING = 2;
    private static final int IDLE = 0;

    /**
     * What a run measured.
     *
     * @param transactions completed transactions (connections for crr).
     * @param errors       failed ones.
     * @param firstError   what the first failure was (an errno's name, or a description), or null.
     * @param seconds      from the start to the end of the last transaction.
     * @param sorted       the latencies sampled, in nanoseconds, ascending.
     */
    record Result(long transactions, long errors, String firstError, double seconds, long[] sorted)
    {
        /**
         * @param fraction 0..1.
         * @return the latency at that rank in microseconds (nearest rank), 0 without samples.
         */
        double percentileMicros(final double fraction)
        {
            if (sorted.length == 0)
            {
                return 0;
            }
            final int rank = (int)Math.ceil(fraction * sorted.length);
            return sorted[Math.max(0, rank - 1)] / 1_000.0;
        }

        /**
         * @param countName {@code connections} or {@code transactions}.
         * @param rateName  {@code cps} or {@code tps}.
         * @param withErrors whether to add {@code errors=E}.
         * @return the result line.
         */
        String line(final String countName, final String rateName, final boolean withErrors)
        {
            return String.format(Locale.ROOT, "%s=%d %s=%.1f p50_us=%.1f p99_us=%.1f", countName, transactions,
                rateName, seconds > 0 ? transactions / seconds : 0.0, percentileMicros(0.50),
                percentileMicros(0.99)) + (withErrors ? " errors=" + errors : "");
        }
    }

    private final Client[] workers;
    private final long startNanos;
    private volatile boolean stopped;

    /**
     * @param stack     the running stack: client i runs on context {@code i % size}.
     * @param peer      the echo server.
     * @param clients   concurrent clients, at least 1.
     * @param reconnect true for a new connection per transaction (crr), false for one kept
     *                  connection per client (rr).
     * @param seconds   how long to start new transactions.
     */
    RequestResponseLoad(final MtcpStack stack, final Endpoint peer, final int clients, final boolean reconnect,
        final int seconds)
    {
        final int threads = Math.min(clients, stack.size());
        workers = new Client[threads];
        startNanos = System.nanoTime();
        final long end = startNanos + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < threads; i++)
        {
            final int share = clients / threads + (i < clients % threads ? 1 : 0);
            workers[i] = new Client(stack.context(i), peer, share, reconnect, end, MAX_SAMPLES / threads);
        }
    }

    /**
     * Run the clients to the end, on one thread per context.
     *
     * @return what they measured.
     * @throws InterruptedException if the calling thread is interrupted while it waits for them.
     */
    Result run() throws InterruptedException
    {
        final Thread[] threads = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            threads[i] = new Thread(workers[i], "load-" + i);
            threads[i].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        long transactions = 0;
        long errors = 0;
        long last = startNanos;
        int samples = 0;
        String firstError = null;
        for (final Client worker : workers)
        {
            transactions += worker.completed;
            errors += worker.errors;
            samples += worker.sampled;
            last = Math.max(last, worker.lastCompletion);
            if (firstError == null)
            {
                firstError = worker.firstError;
            }
        }
        final long[] sorted = new long[samples];
        int at = 0;
        for (final Client worker : workers)
        {
            System.arraycopy(worker.latencies, 0, sorted, at, worker.sampled);
            at += worker.sampled;
        }
        Arrays.sort(sorted);
        return new Result(transactions, errors, firstError, (last - startNanos) / 1e9, sorted);
    }

    /** Start no new transaction from now on (a signal); those under way get the grace period. */
    void stop()
    {
        stopped = true;
    }

    /**
     * One context's clients, on one application thread. Its fields are read by the thread that
     * started it only after {@link Thread#join}.
     */
    private final class Client implements Runnable
    {
        private final MtcpContext ctx;
        private final Endpoint peer;
        private final boolean reconnect;
        private final long endNanos;
        private final int[] sockets;
        private final int[] states;
        private final long[] started;
        private final int[] received;
        private final int[] sequence;
        /** Clients whose crr connection failed, to open again from the loop (not from within the failure). */
        private final boolean[] retry;
        private final byte[] request = new byte[MESSAGE];
        private final byte[] replies;
        private final long[] latencies;
        private final EpollEvents events;
        private int epoll;
        private int active;
        private int retries;
        private long completed;
        private long errors;
        private int sampled;
        private long lastCompletion;
        private String firstError;

        Client(final MtcpContext ctx, final Endpoint peer, final int clients, final boolean reconnect,
            final long endNanos, final int maxSamples)
        {
            this.ctx = ctx;
            this.peer = peer;
            this.reconnect = reconnect;
            this.endNanos = endNanos;
            this.sockets = new int[clients];
            this.states = new int[clients];
            this.started = new long[clients];
            this.received = new int[clients];
            this.sequence = new int[clients];
            this.retry = new boolean[clients];
            this.replies = new byte[clients * MESSAGE];
            this.latencies = new long[maxSamples];
            this.events = new EpollEvents(clients);
            this.lastCompletion = RequestResponseLoad.this.startNanos;
        }

        @Override
        public void run()
        {
            epoll = Mtcp.epollCreate(ctx, sockets.length);
            if (epoll < 0)
            {
                fail(-1, Errno.name(ctx.errno()) + " (epoll_create)");
                return;
            }
            for (int i = 0; i < sockets.length; i++)
            {
                open(i);
            }
            while (active > 0 || retries > 0)
            {
                if (retries > 0)
                {
                    retryFailed();
                }
                if (System.nanoTime() - (endNanos + GRACE_NANOS) > 0)
                {
                    abandon();
                    break;
                }
                final int n = Mtcp.epollWait(ctx, epoll, events, sockets.length, POLL_MILLIS);
                if (n < 0)
                {
                    fail(-1, Errno.name(ctx.errno()) + " (epoll_wait)");
                    abandon();
                    break;
                }
                for (int e = 0; e < n; e++)
                {
                    final int client = (int)events.data(e);
                    if (states[client] == CONNECTING)
                    {
                        connected(client);
                    }
                    else if (states[client] == WAITING)
                    {
                        readable(client);
                    }
                }
            }
            Mtcp.close(ctx, epoll);
        }

        private boolean running()
        {
            return !stopped && System.nanoTime() - endNanos < 0;
        }

        private void open(final int client)
        {
            final int s = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM | Mtcp.SOCK_NONBLOCK, 0);
            if (s < 0)
            {
                fail(-1, Errno.name(ctx.errno()) + " (socket)");
                return;
            }
            sockets[client] = s;
            states[client] = CONNECTING;
            active++;
            // 64-byte requests: send each at once, never held back for an ACK.
            Mtcp.setsockopt(ctx, s, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, 1);
            if (Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_ADD, s, Mtcp.EPOLLOUT, client) < 0)
            {
                fail(client, Errno.name(ctx.errno()) + " (epoll_ctl)");
                return;
            }
            started[client] = System.nanoTime();
            if (Mtcp.connect(ctx, s, peer.ip(), peer.port()) < 0 && ctx.errno() != Errno.EINPROGRESS)
            {
                fail(client, Errno.name(ctx.errno()));
            }
        }

        private void connected(final int client)
        {
            final int s = sockets[client];
            final int[] error = new int[1];
            if (Mtcp.getsockopt(ctx, s, Mtcp.SOL_SOCKET, Mtcp.SO_ERROR, error) < 0)
            {
                fail(client, Errno.name(ctx.errno()) + " (SO_ERROR)");
                return;
            }
            if (error[0] != 0)
            {
                fail(client, Errno.name(error[0]));
                return;
            }
            if (Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_MOD, s, Mtcp.EPOLLIN, client) < 0)
            {
                fail(client, Errno.name(ctx.errno()) + " (epoll_ctl)");
                return;
            }
            send(client);
        }

        private void send(final int client)
        {
            // Different bytes each time, so that a stale or misplaced echo cannot pass.
            final int seq = ++sequence[client];
            for (int i = 0; i < MESSAGE; i++)
            {
                request[i] = (byte)(client * 31 + seq * 7 + i);
            }
            states[client] = WAITING;
            received[client] = 0;
            if (!reconnect)
            {
                started[client] = System.nanoTime();
            }
            // The send ring (64 KiB) is empty here: the previous request was acknowledged by its
            // echo, so it takes all 64 bytes or fails.
            final int written = Mtcp.write(ctx, sockets[client], request, 0, MESSAGE);
            if (written != MESSAGE)
            {
                fail(client, written < 0 ? Errno.name(ctx.errno()) : "short write of " + written + " bytes");
            }
        }

        private void readable(final int client)
        {
            final int s = sockets[client];
            final int offset = client * MESSAGE;
            while (received[client] < MESSAGE)
            {
                final int n = Mtcp.read(ctx, s, replies, offset + received[client], MESSAGE - received[client]);
                if (n > 0)
                {
                    received[client] += n;
                }
                else if (n == 0)
                {
                    fail(client, "EOF after " + received[client] + " of " + MESSAGE + " echoed bytes");
                    return;
                }
                else if (ctx.errno() == Errno.EAGAIN)
                {
                    return;
                }
                else
                {
                    fail(client, Errno.name(ctx.errno()));
                    return;
                }
            }
            final long now = System.nanoTime();
            final int seq = sequence[client];
            for (int i = 0; i < MESSAGE; i++)
            {
                if (replies[offset + i] != (byte)(client * 31 + seq * 7 + i))
                {
                    fail(client, "the echo differs from the request at byte " + i);
                    return;
                }
            }
            completed++;
            lastCompletion = now;
            if (sampled < latencies.length)
            {
                latencies[sampled++] = now - started[client];
            }
            if (reconnect)
            {
                release(client);
                if (running())
                {
                    open(client);
                }
            }
            else if (running())
            {
                send(client);
            }
            else
            {
                release(client);
            }
        }

        /** Count a failure; a crr client starts over while time is left, an rr client ends. */
        private void fail(final int client, final String what)
        {
            errors++;
            if (firstError == null)
            {
                firstError = what;
            }
            if (client >= 0)
            {
                release(client);
                if (reconnect && running())
                {
                    retry[client] = true;
                    retries++;
                }
            }
        }

        /** Open the failed clients' next connections, while time is left. */
        private void retryFailed()
        {
            final boolean running = running();
            for (int client = 0; client < retry.length; client++)
            {
                if (retry[client])
                {
                    retry[client] = false;
                    retries--;
                    if (running)
                    {
                        open(client);
                    }
                }
            }
        }

        /** Close the client's socket: FIN after an orderly exchange, else (reset, failure) release it. */
        private void release(final int client)
        {
            final int s = sockets[client];
            Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_DEL, s, 0, 0);
            // EAGAIN is a full request queue: the context drains it within a duty cycle.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            int result;
            while ((result = Mtcp.close(ctx, s)) < 0 && ctx.errno() == Errno.EAGAIN &&
                System.nanoTime() - deadline < 0)
            {
                Thread.onSpinWait();
            }
            if (result < 0 && ctx.errno() != Errno.EBADF)
            {
                // ENOTCONN: reset or timed out; abort releases it.
                Mtcp.abort(ctx, s);
            }
            states[client] = IDLE;
            active--;
        }

        /** The grace period ran out: abort every transaction still under way, each an error. */
        private void abandon()
        {
            for (int client = 0; client < states.length; client++)
            {
                if (states[client] != IDLE)
                {
                    errors++;
                    if (firstError == null)
                    {
                        firstError = "ETIMEDOUT (no echo within " + TimeUnit.NANOSECONDS.toSeconds(GRACE_NANOS) +
                            " s of the end)";
                    }
                    Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_DEL, sockets[client], 0, 0);
                    Mtcp.abort(ctx, sockets[client]);
                    states[client] = IDLE;
                    active--;
                }
            }
        }
    }
}
