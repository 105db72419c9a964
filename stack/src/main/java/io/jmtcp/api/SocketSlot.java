package io.jmtcp.api;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpListener;
import org.jctools.queues.SpmcArrayQueue;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * One entry of a context's socket table: a stream, a listener, an epoll instance or a pipe end.
 *
 * <p>Two threads meet here. The application thread owns the open id and the option fields and
 * writes the send ring; the context thread owns the engine objects ({@link #connection},
 * {@link #listener}) and writes the receive ring. Fields the other side reads are volatile;
 * requests travel as bits in {@link #requests} plus one entry in a context queue.
 */
final class SocketSlot
{
    static final int FREE = 0;
    static final int STREAM = 1;
    static final int LISTENER = 2;
    static final int EPOLL = 3;
    static final int PIPE_READ = 4;
    static final int PIPE_WRITE = 5;

    /** Stream made by socket(), not connecting. */
    static final int NEW = 0;
    /** Active open under way. */
    static final int CONNECTING = 1;
    /** Established (also after the peer's FIN: reads see EOF, writes still go). */
    static final int CONNECTED = 2;
    /** Ended in order: both FINs exchanged, or we closed our side and the engine finished. */
    static final int ENDED = 3;
    /** Ended abnormally after it was established: reset, timed out or aborted ({@link #error} holds why until reported). */
    static final int TERMINATED = 4;
    /** A listener. */
    static final int LISTENING = 5;

    /** Request bits: control. */
    static final int REQ_CONNECT = 1;
    static final int REQ_LISTEN = 1 << 1;
    static final int REQ_SHUT_WR = 1 << 2;
    static final int REQ_CLOSE = 1 << 3;
    static final int REQ_ABORT = 1 << 4;
    static final int REQ_OPTIONS = 1 << 5;
    static final int REQ_INFO = 1 << 6;
    static final int CONTROL_REQUESTS = REQ_CONNECT | REQ_LISTEN | REQ_SHUT_WR | REQ_CLOSE | REQ_ABORT | REQ_OPTIONS |
        REQ_INFO;
    /** Request bits: data (the send ring has bytes; the receive ring or accept queue has room). */
    static final int REQ_SEND = 1 << 8;
    static final int REQ_RECEIVE = 1 << 9;

    static final int NO_ID = -1;

    private static final AtomicIntegerFieldUpdater<SocketSlot> OPEN_ID =
        AtomicIntegerFieldUpdater.newUpdater(SocketSlot.class, "openId");
    private static final SocketSlot.Registration[] NO_REGISTRATIONS = new Registration[0];

    final int index;
    int generation;

    /** The id the application holds, or {@link #NO_ID} once closing or free. */
    volatile int openId = NO_ID;
    volatile int type = FREE;
    volatile int phase = NEW;
    /** Pending SO_ERROR: reported once by SO_ERROR or by the next read or write. */
    volatile int error;
    /** Why a {@link #TERMINATED} stream ended (sticky). */
    /** The peer's FIN arrived and every byte before it is in the receive ring. */
    volatile boolean peerFin;
    /** The connection failed and every byte it had received is in the receive ring. */
    volatile boolean drained;
    /** Our side sent, or will send, its FIN: writes fail with EPIPE. */
    volatile boolean writeShut;
    /** SHUT_RD: reads return 0, arriving bytes are discarded. */
    volatile boolean readShut;
    volatile boolean nonBlocking;
    /** Held by a {@link TcpChannel} (or its server): only the channel may close it. */
    volatile boolean channelOwned;

    volatile boolean bound;
    volatile int localIp;
    volatile int localPort;
    /** The port this socket holds a {@code PortSpace} claim on, or 0. */
    int claimedPort;
    volatile int remoteIp;
    volatile int remotePort;

    volatile boolean reuseAddress;
    volatile boolean reusePort;
    volatile boolean keepAlive;
    volatile boolean noDelay;
    /** SO_LINGER seconds, or -1 when off. */
    volatile int lingerSeconds = -1;
    volatile int keepIdleSeconds;
    volatile int keepIntervalSeconds;
    volatile int keepCount;
    volatile int maxSegment;
    volatile int sendBufferBytes;
    volatile int receiveBufferBytes;
    volatile int backlog;

    /** Send ring (application to context) of a stream; a pipe's ring, on its write end. */
    ByteRing sendRing;
    /** Receive ring (context to application) of a stream; a pipe's ring, on its read end. */
    ByteRing receiveRing;
    /** The other end of a pipe. */
    SocketSlot pipePeer;
    /** A pipe end whose other end is closed. */
    volatile boolean peerClosed;

    /** Context side: the engine's connection of a stream. */
    TcpConnection connection;
    /** Context side: the engine's listener. */
    TcpListener listener;
    /** Established connections the application may accept (context produces). */
    SpmcArrayQueue<SocketSlot> acceptQueue;
    /** The epoll instance this slot is, when {@link #EPOLL}. */
    EpollInstance epoll;
    /** Context side: the application closed the stream; FIN once the send ring drains. */
    boolean closeRequested;
    /** Context side: SHUT_WR asked; FIN once the send ring drains. */
    boolean shutdownRequested;
    /** Context side: when a lingering close gives up and resets (context time), or 0. */
    long lingerDeadline;

    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger controlQueued = new AtomicInteger();
    final AtomicInteger dataQueued = new AtomicInteger();
    /** Synchronous requests: the application waits until the context moves this past its mark. */
    volatile int done;
    volatile int result;
    final TcpInfo info = new TcpInfo();

    volatile Registration[] registrations = NO_REGISTRATIONS;
    volatile Thread waiter;

    SocketSlot(final int index)
    {
        this.index = index;
    }

    boolean claimClose(final int id)
    {
        return OPEN_ID.compareAndSet(this, id, NO_ID);
    }

    void restoreId(final int id)
    {
        openId = id;
    }

    /**
     * Readiness as epoll reports it (Linux's tcp_poll, pipe_poll): read by any thread.
     *
     * @return EPOLL* bits.
     */
    int readiness()
    {
        switch (type)
        {
            case STREAM:
                return streamReadiness();
            case LISTENER:
                return acceptQueue != null && !acceptQueue.isEmpty() ? Mtcp.EPOLLIN : 0;
            case PIPE_READ:
            {
                int mask = receiveRing.available() > 0 ? Mtcp.EPOLLIN : 0;
                if (peerClosed)
                {
                    mask |= Mtcp.EPOLLIN | Mtcp.EPOLLHUP;
                }
                return mask;
            }
            case PIPE_WRITE:
                if (peerClosed)
                {
                    return Mtcp.EPOLLERR | Mtcp.EPOLLOUT;
                }
                return sendRing.free() > 0 ? Mtcp.EPOLLOUT : 0;
            default:
                return 0;
        }
    }

    private int streamReadiness()
    {
        final int p = phase;
        int mask = 0;
        if (error != 0)
        {
            mask |= Mtcp.EPOLLERR;
        }
        switch (p)
        {
            case NEW:
                // An unconnected TCP socket is "hung up" and writable to poll (Linux tcp_poll).
                return mask | Mtcp.EPOLLOUT | Mtcp.EPOLLHUP;
            case CONNECTING:
                return mask;
            default:
                break;
        }
        final boolean readDone = peerFin || readShut || drained;
        if (receiveRing != null && receiveRing.available() > 0 || readDone)
        {
            mask |= Mtcp.EPOLLIN;
        }
        if (readDone)
        {
            mask |= Mtcp.EPOLLRDHUP;
        }
        final boolean writeDone = writeShut || p == TERMINATED || p == ENDED;
        if (writeDone)
        {
            mask |= Mtcp.EPOLLOUT;
        }
        else if (sendRing != null && writable(sendRing))
        {
            mask |= Mtcp.EPOLLOUT;
        }
        if (readDone && writeDone || p == TERMINATED)
        {
            mask |= Mtcp.EPOLLHUP;
        }
        return mask;
    }

    /**
     * Writable as Linux's sk_stream_is_writeable: free space at least half of what is queued,
     * so a writer woken by EPOLLOUT can add a useful amount.
     */
    static boolean writable(final ByteRing ring)
    {
        final int free = ring.free();
        return free > 0 && free >= ring.available() / 2;
    }

    /** Tell every epoll watching this socket, and a blocked caller, that readiness may have changed. */
    void signal()
    {
        // The change was published with ordered (not volatile) stores, such as a ring's tail; a
        // full fence keeps the read of the waiter below from passing them (StoreLoad), or a
        // waiter that just looked at the old state would not be unparked.
        VarHandle.fullFence();
        final Registration[] watchers = registrations;
        for (final Registration registration : watchers)
        {
            registration.notifyChange();
        }
        final Thread blocked = waiter;
        if (blocked != null)
        {
            LockSupport.unpark(blocked);
        }
    }

    void addRegistration(final Registration registration)
    {
        final Registration[] old = registrations;
        final Registration[] more = java.util.Arrays.copyOf(old, old.length + 1);
        more[old.length] = registration;
        registrations = more;
    }

    void removeRegistration(final Registration registration)
    {
        final Registration[] old = registrations;
        int found = -1;
        for (int i = 0; i < old.length; i++)
        {
            if (old[i] == registration)
            {
                found = i;
            }
        }
        if (found < 0)
        {
            return;
        }
        final Registration[] fewer = new Registration[old.length - 1];
        System.arraycopy(old, 0, fewer, 0, found);
        System.arraycopy(old, found + 1, fewer, found, old.length - found - 1);
        registrations = fewer.length == 0 ? NO_REGISTRATIONS : fewer;
    }

    /** @return SO_REUSEADDR and SO_REUSEPORT as the engine's and the port space's sharing bits. */
    int sharing()
    {
        return (reuseAddress ? TcpEngine.REUSE_ADDRESS : 0) | (reusePort ? TcpEngine.REUSE_PORT : 0);
    }

    /** Forget everything of the socket that was here; the id generation moves on. */
    void resetForReuse()
    {
        generation++;
        type = FREE;
        phase = NEW;
        error = 0;
        peerFin = false;
        drained = false;
        writeShut = false;
        readShut = false;
        nonBlocking = false;
        channelOwned = false;
        bound = false;
        localIp = 0;
        localPort = 0;
        claimedPort = 0;
        remoteIp = 0;
        remotePort = 0;
        reuseAddress = false;
        reusePort = false;
        keepAlive = false;
        noDelay = false;
        lingerSeconds = -1;
        keepIdleSeconds = 0;
        keepIntervalSeconds = 0;
        keepCount = 0;
        maxSegment = 0;
        sendBufferBytes = 0;
        receiveBufferBytes = 0;
        backlog = 0;
        sendRing = null;
        receiveRing = null;
        pipePeer = null;
        peerClosed = false;
        connection = null;
        listener = null;
        acceptQueue = null;
        epoll = null;
        closeRequested = false;
        shutdownRequested = false;
        lingerDeadline = 0;
        requests.set(0);
        registrations = NO_REGISTRATIONS;
        waiter = null;
    }

    /**
     * One socket watched by one epoll instance (EPOLL_CTL_ADD makes it).
     */
    static final class Registration
    {
        final EpollInstance epoll;
        final SocketSlot target;
        volatile int events;
        volatile long data;
        /** Disarmed by EPOLLONESHOT after a report, until EPOLL_CTL_MOD. */
        volatile boolean armed = true;
        /** In the epoll's change queue. */
        final AtomicInteger queued = new AtomicInteger();
        /** On the epoll's ready list (the waiting thread's own). */
        boolean onReadyList;
        /** Removed by EPOLL_CTL_DEL or the target's close. */
        volatile boolean removed;

        Registration(final EpollInstance epoll, final SocketSlot target, final int events, final long data)
        {
            this.epoll = epoll;
            this.target = target;
            this.events = events;
            this.data = data;
        }

        void notifyChange()
        {
            if (!removed && queued.compareAndSet(0, 1))
            {
                epoll.enqueue(this);
            }
        }
    }
}
