package io.jmtcp.api;

import io.jmtcp.core.ContextService;
import io.jmtcp.core.PortSpace;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.TcpState;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The context's half of the socket API: it carries out the application's requests on the TCP
 * engine, moves bytes between the sockets' rings and the engine, and turns the engine's events
 * into socket state and epoll readiness. Runs only on the context thread (a
 * {@link ContextService} of the context, and the {@link TcpHandler} of every connection the API
 * made).
 */
final class SocketService implements ContextService, TcpHandler
{
    private static final int BATCH = 256;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final MtcpContext ctx;
    private final SocketTable table;
    private final PortSpace ports;
    private final MpscArrayQueue<SocketSlot> control;
    private final MpscArrayQueue<SocketSlot> data;
    private final ArrayList<SocketSlot> lingering = new ArrayList<>();
    private final UnsafeBuffer discard = new UnsafeBuffer(new byte[16 * 1024]);
    private TcpEngine engine;
    private long now;

    SocketService(final MtcpContext ctx, final SocketTable table, final PortSpace ports, final int requestCapacity)
    {
        this.ctx = ctx;
        this.table = table;
        this.ports = ports;
        this.control = new MpscArrayQueue<>(requestCapacity);
        this.data = new MpscArrayQueue<>(Math.max(2, table.capacity()));
    }

    void engine(final TcpEngine tcpEngine)
    {
        this.engine = tcpEngine;
    }

    // ---------------------------------------------------------------------------------------------
    // Requests from application threads
    // ---------------------------------------------------------------------------------------------

    /**
     * Queue a control request (never blocks).
     *
     * @return false if the request queue is full; nothing changed then.
     */
    boolean submitControl(final SocketSlot slot, final int request)
    {
        orBits(slot.requests, request);
        if (slot.controlQueued.compareAndSet(0, 1))
        {
            if (!control.offer(slot))
            {
                slot.controlQueued.set(0);
                andBits(slot.requests, ~request);
                return false;
            }
        }
        ctx.context().wake();
        return true;
    }

    /** Tell the context a ring has bytes for it or room from it; cannot fail (one entry per slot). */
    void submitData(final SocketSlot slot, final int request)
    {
        // The CAS in orBits is also the fence that orders the ring's tail before the reads below.
        orBits(slot.requests, request);
        // A plain read first: while the slot is queued (every write of a busy stream), the CAS
        // would fail anyway and only take the cache line from the context.
        if (slot.dataQueued.get() == 0 && slot.dataQueued.compareAndSet(0, 1))
        {
            data.offer(slot);
            ctx.context().wake();
        }
    }

    @Override
    public boolean hasPendingWork()
    {
        return !control.isEmpty() || !data.isEmpty();
    }

    @Override
    public int doWork(final long nowNanos)
    {
        this.now = nowNanos;
        int work = 0;
        SocketSlot slot;
        while (work < BATCH && (slot = control.poll()) != null)
        {
            slot.controlQueued.set(0);
            final int bits = andBits(slot.requests, ~SocketSlot.CONTROL_REQUESTS) & SocketSlot.CONTROL_REQUESTS;
            handle(slot, bits);
            work++;
        }
        int moved = 0;
        while (moved < BATCH && (slot = data.poll()) != null)
        {
            slot.dataQueued.set(0);
            final int bits = andBits(slot.requests, ~(SocketSlot.REQ_SEND | SocketSlot.REQ_RECEIVE)) &
                (SocketSlot.REQ_SEND | SocketSlot.REQ_RECEIVE);
            handle(slot, bits);
            moved++;
        }
        if (!lingering.isEmpty())
        {
            work += checkLingering();
        }
        return work + moved;
    }

    /**
     * Carry out requests; on the context thread (from the queues, or directly when the
     * application runs on the context thread).
     */
    void handle(final SocketSlot slot, final int bits)
    {
        if ((bits & SocketSlot.REQ_OPTIONS) != 0 && slot.connection != null)
        {
            applyOptions(slot, slot.connection);
        }
        if ((bits & SocketSlot.REQ_CONNECT) != 0)
        {
            connect(slot);
        }
        if ((bits & SocketSlot.REQ_LISTEN) != 0)
        {
            listen(slot);
        }
        if ((bits & SocketSlot.REQ_INFO) != 0)
        {
            if (slot.connection != null)
            {
                slot.info.fill(slot.connection);
            }
            complete(slot, 0);
        }
        if ((bits & SocketSlot.REQ_SEND) != 0)
        {
            pumpSend(slot);
        }
        if ((bits & SocketSlot.REQ_RECEIVE) != 0)
        {
            if (slot.type == SocketSlot.LISTENER)
            {
                pumpAccepts(slot);
            }
            else
            {
                pumpReceive(slot);
            }
        }
        if ((bits & SocketSlot.REQ_SHUT_WR) != 0)
        {
            slot.shutdownRequested = true;
            pumpSend(slot);
        }
        if ((bits & SocketSlot.REQ_ABORT) != 0)
        {
            abort(slot);
        }
        else if ((bits & SocketSlot.REQ_CLOSE) != 0)
        {
            close(slot);
        }
    }

    private void complete(final SocketSlot slot, final int errno)
    {
        slot.result = errno;
        slot.done = slot.done + 1;
        slot.signal();
    }

    private void connect(final SocketSlot slot)
    {
        final TcpConnection c = engine.connect(slot.remoteIp, slot.remotePort, slot.localPort, slot.sharing(), this,
            engine.now());
        if (c == null)
        {
            slot.error = engine.lastError();
            slot.phase = SocketSlot.NEW;
            slot.signal();
            return;
        }
        slot.connection = c;
        c.attachment(slot);
        slot.localIp = c.localIp();
        slot.localPort = c.localPort();
        attachRings(slot);
        applyOptions(slot, c);
    }

    private void listen(final SocketSlot slot)
    {
        if (slot.listener != null)
        {
            complete(slot, 0);
            return;
        }
        final TcpListener listener = engine.listen(slot.localPort, slot.backlog, slot.sharing(), this);
        if (listener == null)
        {
            complete(slot, engine.lastError());
            return;
        }
        listener.attachment(slot);
        slot.listener = listener;
        slot.acceptQueue = new SpmcArrayQueue<>(Math.max(2, slot.backlog));
        complete(slot, 0);
    }

    private void attachRings(final SocketSlot slot)
    {
        final ByteRing send = table.ring();
        final ByteRing receive = table.ring();
        if (slot.sendBufferBytes > 0)
        {
            send.limit(slot.sendBufferBytes);
        }
        if (slot.receiveBufferBytes > 0)
        {
            receive.limit(slot.receiveBufferBytes);
        }
        slot.sendRing = send;
        slot.receiveRing = receive;
    }

    private void applyOptions(final SocketSlot slot, final TcpConnection c)
    {
        c.noDelay(slot.noDelay);
        if (slot.keepIdleSeconds > 0 || slot.keepIntervalSeconds > 0 || slot.keepCount > 0)
        {
            c.keepAliveTiming(slot.keepIdleSeconds * SECOND, slot.keepIntervalSeconds * SECOND, slot.keepCount);
        }
        c.keepAlive(slot.keepAlive);
        c.maxSegment(slot.maxSegment);
        if (slot.sendRing != null && slot.sendBufferBytes > 0)
        {
            slot.sendRing.limit(slot.sendBufferBytes);
        }
        if (slot.receiveRing != null && slot.receiveBufferBytes > 0)
        {
            slot.receiveRing.limit(slot.receiveBufferBytes);
            pumpReceive(slot);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Bytes between rings and the engine
    // ---------------------------------------------------------------------------------------------

    private void pumpSend(final SocketSlot slot)
    {
        final TcpConnection c = slot.connection;
        final ByteRing ring = slot.sendRing;
        if (c == null || ring == null || slot.type != SocketSlot.STREAM)
        {
            return;
        }
        boolean moved = false;
        int n;
        while ((n = ring.contiguousAvailable()) > 0)
        {
            final int sent = c.send(ring.buffer(), ring.readOffset(), n);
            if (sent == TcpConnection.FAILED)
            {
                ring.discard();
                moved = true;
                break;
            }
            if (sent <= 0)
            {
                break;
            }
            ring.commitRead(sent);
            moved = true;
            if (sent < n)
            {
                break;
            }
        }
        if (ring.available() == 0)
        {
            if (slot.shutdownRequested)
            {
                slot.shutdownRequested = false;
                c.shutdownWrite();
            }
            if (slot.closeRequested)
            {
                finishClose(slot);
                return;
            }
        }
        if (moved)
        {
            slot.signal();
        }
    }

    private void pumpReceive(final SocketSlot slot)
    {
        final TcpConnection c = slot.connection;
        final ByteRing ring = slot.receiveRing;
        if (c == null || ring == null)
        {
            return;
        }
        boolean changed = false;
        if (slot.readShut || slot.closeRequested)
        {
            // SHUT_RD, or closed with the FIN still to send: bytes that arrive are read and dropped
            // so the window stays open (the peer is not stalled by data nobody will read).
            while (c.receive(discard, 0, discard.capacity()) > 0)
            {
                changed = true;
            }
        }
        else
        {
            int free;
            while ((free = ring.contiguousFree()) > 0)
            {
                final int read = c.receive(ring.buffer(), ring.writeOffset(), free);
                if (read > 0)
                {
                    ring.commitWrite(read);
                    changed = true;
                    continue;
                }
                break;
            }
        }
        if (c.readable() == 0)
        {
            if (!slot.peerFin && peerFinished(c))
            {
                slot.peerFin = true;
                changed = true;
            }
            // Only once onClosed has put the error in the slot: the engine delivers a failed
            // connection's READABLE before its CLOSED, and a reader woken in between would find
            // the stream drained with no error to report, and read it as the end of the stream.
            if (!slot.drained && slot.phase == SocketSlot.TERMINATED)
            {
                slot.drained = true;
                changed = true;
            }
        }
        if (changed)
        {
            slot.signal();
        }
    }

    private static boolean peerFinished(final TcpConnection c)
    {
        final TcpState state = c.state();
        return state == TcpState.CLOSE_WAIT || state == TcpState.LAST_ACK || state == TcpState.CLOSING ||
            state == TcpState.TIME_WAIT || (state == TcpState.CLOSED && c.error() == TcpError.NONE);
    }

    private void pumpAccepts(final SocketSlot listenerSlot)
    {
        final TcpListener listener = listenerSlot.listener;
        if (listener == null)
        {
            return;
        }
        boolean queued = false;
        while (listener.pendingAccepts() > 0 && listenerSlot.acceptQueue.size() < listenerSlot.backlog)
        {
            final SocketSlot slot = table.allocate(SocketSlot.STREAM);
            if (slot == null)
            {
                // The table is full: the connection waits in the engine's queue until a socket is
                // freed and accept() asks again (Linux: EMFILE from accept, connection kept).
                break;
            }
            final TcpConnection c = engine.accept(listener);
            slot.openId = SocketSlot.NO_ID;
            slot.phase = SocketSlot.CONNECTED;
            slot.localIp = c.localIp();
            slot.localPort = c.localPort();
            slot.remoteIp = c.remoteIp();
            slot.remotePort = c.remotePort();
            slot.bound = true;
            // Options are inherited from the listener (Linux), O_NONBLOCK is not.
            slot.noDelay = listenerSlot.noDelay;
            slot.keepAlive = listenerSlot.keepAlive;
            slot.keepIdleSeconds = listenerSlot.keepIdleSeconds;
            slot.keepIntervalSeconds = listenerSlot.keepIntervalSeconds;
            slot.keepCount = listenerSlot.keepCount;
            slot.lingerSeconds = listenerSlot.lingerSeconds;
            slot.maxSegment = listenerSlot.maxSegment;
            slot.sendBufferBytes = listenerSlot.sendBufferBytes;
            slot.receiveBufferBytes = listenerSlot.receiveBufferBytes;
            slot.connection = c;
            c.attachment(slot);
            c.handler(this);
            attachRings(slot);
            applyOptions(slot, c);
            pumpReceive(slot);
            if (c.state() == TcpState.CLOSED)
            {
                onClosed(c);
            }
            listenerSlot.acceptQueue.offer(slot);
            queued = true;
        }
        if (queued)
        {
            listenerSlot.signal();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Close, abort
    // ---------------------------------------------------------------------------------------------

    private void close(final SocketSlot slot)
    {
        if (slot.type == SocketSlot.LISTENER)
        {
            closeListener(slot);
            return;
        }
        final TcpConnection c = slot.connection;
        if (c == null)
        {
            release(slot);
            return;
        }
        final boolean unread = slot.receiveRing.available() > 0 || c.readable() > 0;
        if (unread || slot.lingerSeconds == 0)
        {
            // RFC 9293 §3.10.4 and RFC 2525 §2.17: closing with unread data resets; SO_LINGER 0
            // is the application asking for that reset.
            if (unread)
            {
                // Counted as the engine's own close counts it: the unread bytes may be in our
                // ring, where the engine's abort cannot see them.
                ctx.context().counters().increment(StackCounter.TCP_UNREAD_DATA_RESETS);
            }
            abort(slot);
            return;
        }
        slot.closeRequested = true;
        slot.writeShut = true;
        if (slot.lingerSeconds > 0)
        {
            slot.lingerDeadline = now + slot.lingerSeconds * SECOND;
            lingering.add(slot);
        }
        pumpSend(slot);
    }

    /** The send ring is empty: hand the rest of the close to the engine and free the socket. */
    private void finishClose(final SocketSlot slot)
    {
        final TcpConnection c = slot.connection;
        if (slot.lingerDeadline != 0)
        {
            // A lingering close keeps the socket until our FIN is acknowledged (then every byte
            // was) or the linger time runs out (then it resets: checkLingering).
            c.shutdownWrite();
            if (!finAcknowledged(c))
            {
                return;
            }
            lingering.remove(slot);
        }
        detach(slot, c);
        c.close();
        release(slot);
    }

    private static boolean finAcknowledged(final TcpConnection c)
    {
        final TcpState state = c.state();
        return state == TcpState.FIN_WAIT_2 || state == TcpState.TIME_WAIT || state == TcpState.CLOSED;
    }

    private int checkLingering()
    {
        int work = 0;
        for (int i = lingering.size() - 1; i >= 0; i--)
        {
            final SocketSlot slot = lingering.get(i);
            final TcpConnection c = slot.connection;
            if (c != null && slot.sendRing.available() == 0 && finAcknowledged(c))
            {
                lingering.remove(i);
                detach(slot, c);
                c.close();
                release(slot);
                work++;
            }
            else if (now - slot.lingerDeadline >= 0)
            {
                lingering.remove(i);
                abort(slot);
                work++;
            }
        }
        return work;
    }

    private void abort(final SocketSlot slot)
    {
        if (slot.lingerDeadline != 0)
        {
            lingering.remove(slot);
        }
        final TcpConnection c = slot.connection;
        if (c != null)
        {
            detach(slot, c);
            c.abort();
            c.close();
        }
        release(slot);
    }

    private void closeListener(final SocketSlot slot)
    {
        final TcpListener listener = slot.listener;
        if (listener != null)
        {
            listener.attachment(null);
            engine.closeListener(listener);
        }
        final SpmcArrayQueue<SocketSlot> queue = slot.acceptQueue;
        if (queue != null)
        {
            SocketSlot pending;
            while ((pending = queue.poll()) != null)
            {
                // Established but never accepted: reset, as the engine does with its own queue.
                abort(pending);
            }
        }
        release(slot);
    }

    private static void detach(final SocketSlot slot, final TcpConnection c)
    {
        c.attachment(null);
        slot.connection = null;
    }

    private void release(final SocketSlot slot)
    {
        if (slot.claimedPort != 0)
        {
            ports.release(slot.claimedPort);
            slot.claimedPort = 0;
        }
        table.returnRing(slot.sendRing);
        table.returnRing(slot.receiveRing);
        slot.sendRing = null;
        slot.receiveRing = null;
        table.release(slot);
    }

    // ---------------------------------------------------------------------------------------------
    // Engine events (TcpHandler)
    // ---------------------------------------------------------------------------------------------

    @Override
    public void onAcceptable(final TcpListener listener)
    {
        final Object slot = listener.attachment();
        if (slot != null)
        {
            pumpAccepts((SocketSlot)slot);
        }
    }

    @Override
    public void onConnected(final TcpConnection connection)
    {
        final SocketSlot slot = (SocketSlot)connection.attachment();
        if (slot != null)
        {
            slot.phase = SocketSlot.CONNECTED;
            slot.signal();
        }
    }

    @Override
    public void onReadable(final TcpConnection connection)
    {
        final SocketSlot slot = (SocketSlot)connection.attachment();
        if (slot != null)
        {
            pumpReceive(slot);
        }
    }

    @Override
    public void onWritable(final TcpConnection connection)
    {
        final SocketSlot slot = (SocketSlot)connection.attachment();
        if (slot != null)
        {
            pumpSend(slot);
        }
    }

    @Override
    public void onClosed(final TcpConnection connection)
    {
        final SocketSlot slot = (SocketSlot)connection.attachment();
        if (slot == null)
        {
            return;
        }
        final int error = connection.error();
        if (slot.phase == SocketSlot.CONNECTING)
        {
            // The active open failed (refused, timed out, unreachable): the socket may connect
            // again; the reason waits in SO_ERROR.
            detach(slot, connection);
            connection.close();
            final ByteRing send = slot.sendRing;
            final ByteRing receive = slot.receiveRing;
            slot.sendRing = null;
            slot.receiveRing = null;
            table.returnRing(send);
            table.returnRing(receive);
            slot.error = error == TcpError.NONE ? TcpError.ECONNREFUSED : error;
            slot.phase = SocketSlot.NEW;
            slot.signal();
            return;
        }
        if (error != TcpError.NONE)
        {
            slot.error = error;
            slot.phase = SocketSlot.TERMINATED;
        }
        else
        {
            slot.phase = SocketSlot.ENDED;
        }
        // After the phase: the flags that end the stream for readers are set last.
        pumpReceive(slot);
        if (slot.closeRequested)
        {
            if (slot.lingerDeadline != 0)
            {
                lingering.remove(slot);
            }
            detach(slot, connection);
            connection.close();
            release(slot);
            return;
        }
        slot.signal();
    }

    // ---------------------------------------------------------------------------------------------

    private static int orBits(final AtomicInteger bits, final int mask)
    {
        int current;
        do
        {
            current = bits.get();
        }
        while (!bits.compareAndSet(current, current | mask));
        return current;
    }

    private static int andBits(final AtomicInteger bits, final int mask)
    {
        int current;
        do
        {
            current = bits.get();
        }
        while (!bits.compareAndSet(current, current & mask));
        return current;
    }
}
