package io.jmtcp.api;

import io.jmtcp.tcp.TcpState;
import io.jmtcp.wire.Ip4;
import org.jctools.queues.SpmcArrayQueue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The mTCP-style socket API: static calls on a {@link MtcpContext}, with mTCP's names and
 * semantics and POSIX errno results. A call returns -1 on failure and leaves the reason in
 * {@link MtcpContext#errno()}; an expected failure never throws.
 *
 * <h2>Ids</h2>
 * A socket id (also an epoll instance's and a pipe end's) is a non-negative int that carries the
 * index of its context and a generation: a stale id (of a closed socket) is EBADF, not another
 * socket (the generation has 10 bits and free slots are reused first-in first-out, so an id comes
 * back only after 1,024 reuses of its slot). Every call that takes an id can fail with:
 * <ul>
 * <li>EACCES: the context handle is destroyed, or the id belongs to another context;</li>
 * <li>ENOTSOCK: the id cannot name a socket (negative, or beyond the socket table);</li>
 * <li>EBADF: the id is not open: closed (stale), or never handed out.</li>
 * </ul>
 * Each call's own errors are listed in its Javadoc.
 *
 * <h2>Threads</h2>
 * From an application thread, calls that need the TCP engine queue a request for the context
 * (a lock-free queue; the send and receive paths are single-producer single-consumer byte rings,
 * DESIGN.md §3). From the context's own thread (run-to-completion: code run by the context's duty
 * cycle) the same calls act at once and never block: a call that would block fails with EAGAIN,
 * and epoll_wait does not wait. Blocking sockets (the default; {@code SOCK_NONBLOCK} or
 * {@code ioctl(FIONBIO)} change it) block in {@link #accept}, {@link #connect}, {@link #read},
 * {@link #write} and their variants.
 *
 * <h2>Deviations from Linux, on purpose</h2>
 * <ul>
 * <li>{@link #close} never blocks: a SO_LINGER time above 0 bounds how long the stack keeps
 *     trying to deliver queued data after close returns, then resets.</li>
 * <li>A non-blocking connect reports errors found by the context (no ephemeral port, no
 *     connection object) through SO_ERROR and EPOLLERR, as for a refused connection, unless the
 *     context answered before connect returned.</li>
 * <li>SO_LINGER is an int option here: the linger time in seconds, or {@link #LINGER_OFF}.</li>
 * <li>An epoll instance cannot watch another epoll instance (EPERM).</li>
 * </ul>
 */
public final class Mtcp
{
    /** Address family: IPv4. */
    public static final int AF_INET = 2;
    /** Socket type: a byte stream (TCP). */
    public static final int SOCK_STREAM = 1;
    /** Flag for {@link #socket}'s type: make the socket non-blocking. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** Protocol: TCP. */
    public static final int IPPROTO_TCP = 6;
    /** Option level of socket options. */
    public static final int SOL_SOCKET = 1;

    /**
     * Socket option: a bind or listen may take a port that connections the stack opened still use
     * (TIME_WAIT included) if those connections' sockets set it too (as on Linux; see
     * {@link #bind}).
     */
    public static final int SO_REUSEADDR = 2;
    /** Socket option (get): SOCK_STREAM. */
    public static final int SO_TYPE = 3;
    /** Socket option (get): the pending error, cleared by the read. */
    public static final int SO_ERROR = 4;
    /** Socket option: the send ring's size in bytes. */
    public static final int SO_SNDBUF = 7;
    /** Socket option: the receive ring's size in bytes. */
    public static final int SO_RCVBUF = 8;
    /** Socket option: keepalive probes on idle connections. */
    public static final int SO_KEEPALIVE = 9;
    /** Socket option: linger time in seconds on close, or {@link #LINGER_OFF}; 0 resets on close. */
    public static final int SO_LINGER = 13;
    /** Socket option: several sockets (of any contexts) may bind and listen on one port. */
    public static final int SO_REUSEPORT = 15;
    /** SO_LINGER value: off. */
    public static final int LINGER_OFF = -1;

    /** TCP option: no Nagle. */
    public static final int TCP_NODELAY = 1;
    /** TCP option: cap on the segments we send. */
    public static final int TCP_MAXSEG = 2;
    /** TCP option: idle seconds before keepalive probes. */
    public static final int TCP_KEEPIDLE = 4;
    /** TCP option: seconds between keepalive probes. */
    public static final int TCP_KEEPINTVL = 5;
    /** TCP option: unanswered probes before the connection times out. */
    public static final int TCP_KEEPCNT = 6;
    /** TCP option (get, into a {@link TcpInfo}): the connection's vital signs. */
    public static final int TCP_INFO = 11;

    /** shutdown: no more receptions. */
    public static final int SHUT_RD = 0;
    /** shutdown: no more transmissions (FIN after the queued data). */
    public static final int SHUT_WR = 1;
    /** shutdown: both. */
    public static final int SHUT_RDWR = 2;

    /** recv flag: leave the bytes queued. */
    public static final int MSG_PEEK = 0x2;
    /** recv flag: do not block this once. */
    public static final int MSG_DONTWAIT = 0x40;

    /** ioctl: bytes ready to read. */
    public static final int FIONREAD = 0x541B;
    /** ioctl: set (arg != 0) or clear non-blocking mode. */
    public static final int FIONBIO = 0x5421;

    /** epoll: readable (or a connection to accept, or EOF). */
    public static final int EPOLLIN = 0x001;
    /** epoll: writable. */
    public static final int EPOLLOUT = 0x004;
    /** epoll: error pending (always reported). */
    public static final int EPOLLERR = 0x008;
    /** epoll: hung up: both directions done, or reset (always reported). */
    public static final int EPOLLHUP = 0x010;
    /** epoll: the peer closed its sending side. */
    public static final int EPOLLRDHUP = 0x2000;
    /** epoll: report once, then disarm until EPOLL_CTL_MOD. */
    public static final int EPOLLONESHOT = 1 << 30;
    /** epoll: edge-triggered: report once per readiness change. */
    public static final int EPOLLET = 1 << 31;
    /** epoll_ctl: add. */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl: remove. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll_ctl: change events and data (re-arms ONESHOT). */
    public static final int EPOLL_CTL_MOD = 3;

    private static final int IOV_MAX = 1024;
    private static final int TCP_MIN_MSS = 88;
    private static final int DEFAULT_MSS = 536;
    private static final int MIN_BUFFER = 1024;
    private static final int SPINS = 200;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final int WAIT_READ = 0;
    private static final int WAIT_WRITE = 1;
    private static final int WAIT_CONNECT = 2;
    private static final int WAIT_ACCEPT = 3;
    private static final int WAIT_DONE = 4;
    /**
     * {@link #receive} flag of {@link #readv}'s later buffers: bytes were read, so a failure is
     * left pending for the next call (outside the flags {@link #recv} accepts).
     */
    private static final int KEEP_ERROR = 1 << 30;
    /** {@link #streamWriteRefused}: the stream is connecting and the caller may block for it. */
    private static final int WAITED = -1;

    private Mtcp()
    {
    }

    // ---------------------------------------------------------------------------------------------
    // socket, bind, listen, accept, connect
    // ---------------------------------------------------------------------------------------------

    /**
     * Make a TCP socket.
     *
     * @param ctx      the context.
     * @param domain   {@link #AF_INET}.
     * @param type     {@link #SOCK_STREAM}, optionally with {@link #SOCK_NONBLOCK}.
     * @param protocol 0 or {@link #IPPROTO_TCP}.
     * @return the id, or -1: EACCES (context destroyed), EAFNOSUPPORT (domain), ESOCKTNOSUPPORT
     *         (type), EPROTONOSUPPORT (protocol), EMFILE (the socket table is full).
     */
    public static int socket(final MtcpContext ctx, final int domain, final int type, final int protocol)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (domain != AF_INET)
        {
            return ctx.fail(Errno.EAFNOSUPPORT);
        }
        if ((type & ~SOCK_NONBLOCK) != SOCK_STREAM)
        {
            return ctx.fail(Errno.ESOCKTNOSUPPORT);
        }
        if (protocol != 0 && protocol != IPPROTO_TCP)
        {
            return ctx.fail(Errno.EPROTONOSUPPORT);
        }
        final SocketSlot slot = ctx.table().allocate(SocketSlot.STREAM);
        if (slot == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        slot.nonBlocking = (type & SOCK_NONBLOCK) != 0;
        return slot.openId;
    }

    /**
     * Give a socket its local address. Port 0 leaves the choice to {@link #connect} (a port that
     * lands on this context) or {@link #listen} (an ephemeral port).
     *
     * <p>A port is in use while a socket of any context of the stack is bound to it or listens
     * on it, and while a connection the stack opened with {@link #connect} from it lives: from the
     * connect until the connection is closed, reset, timed out or aborted, or, when it ends in
     * TIME_WAIT, until that record expires (2&times;MSL, {@code TcpConfig.timeWaitNanos}). Linux's
     * rule decides who may share it ({@code inet_csk_bind_conflict}): a bound or listening socket
     * only with sockets that all set SO_REUSEPORT; a connection only with a socket for which both
     * set SO_REUSEADDR, or both SO_REUSEPORT; SO_REUSEADDR on the binding socket alone is not
     * enough. A socket bound that way may listen: the listener and the connections then share the
     * port (each connection keeps its 4-tuple's segments). Two deviations from Linux: connections
     * a listener accepted do not hold its port (its close frees it at once, while Linux keeps
     * them, and their TIME_WAIT, on it), and SO_REUSEADDR does not let two bound sockets share a
     * port (Linux allows it while neither listens). Details: {@code io.jmtcp.core.PortSpace}.
     *
     * @param ctx    the context.
     * @param sockid a socket made by {@link #socket}.
     * @param ip     0 (any) or the stack's own address.
     * @param port   0..65535.
     * @return 0, or -1: EINVAL (already bound, listening or connected, or port outside
     *         0..65535), ENOTSOCK (not a TCP socket), EADDRNOTAVAIL (not our address),
     *         EADDRINUSE (the port is in use and the rule above does not let this socket share
     *         it).
     */
    public static int bind(final MtcpContext ctx, final int sockid, final int ip, final int port)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.bound || slot.phase != SocketSlot.NEW || port < 0 || port > 0xFFFF)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (ip != 0 && ip != localIp(ctx))
        {
            return ctx.fail(Errno.EADDRNOTAVAIL);
        }
        if (port != 0)
        {
            final int error = ctx.ports().bind(port, slot.sharing());
            if (error != 0)
            {
                return ctx.fail(error);
            }
            slot.claimedPort = port;
        }
        slot.localIp = localIp(ctx);
        slot.localPort = port;
        slot.bound = true;
        return 0;
    }

    /**
     * Listen for connections. Several sockets, of this or other contexts, may listen on one port
     * when all set SO_REUSEPORT; each context takes the flows that hash to it, with its own
     * accept queue (mTCP's model). An unbound socket gets an ephemeral port that no socket or
     * connection uses.
     *
     * @param ctx     the context.
     * @param sockid  a socket.
     * @param backlog the accept queue's length, clamped to 1..{@link SocketConfig#MAX_BACKLOG};
     *                on a listener, 0 and the backlog stays.
     * @return 0, or -1: ENOTSOCK (not a TCP socket), EINVAL (connecting or connected),
     *         EADDRINUSE (no ephemeral port free, or this context already listens on the port, or
     *         a connection of the stack uses the port and {@link #bind}'s rule, checked again here
     *         as Linux's listen does, keeps this socket out), EAGAIN (the context's request queue
     *         is full; nothing changed, retry).
     */
    public static int listen(final MtcpContext ctx, final int sockid, final int backlog)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return 0;
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.phase != SocketSlot.NEW)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final boolean claimedHere = slot.claimedPort == 0;
        if (claimedHere && !claimEphemeral(ctx, slot))
        {
            return ctx.fail(Errno.EADDRINUSE);
        }
        slot.localIp = localIp(ctx);
        slot.bound = true;
        slot.backlog = Math.max(1, Math.min(SocketConfig.MAX_BACKLOG, backlog));
        slot.type = SocketSlot.LISTENER;
        slot.phase = SocketSlot.LISTENING;
        final int error = request(ctx, slot, SocketSlot.REQ_LISTEN);
        if (error != 0)
        {
            slot.type = SocketSlot.STREAM;
            slot.phase = SocketSlot.NEW;
            if (claimedHere)
            {
                ctx.ports().release(slot.claimedPort);
                slot.claimedPort = 0;
                slot.localPort = 0;
                slot.bound = false;
            }
            return ctx.fail(error);
        }
        return 0;
    }

    private static boolean claimEphemeral(final MtcpContext ctx, final SocketSlot slot)
    {
        final int first = ctx.ports().ephemeralFirst();
        final int span = ctx.ports().ephemeralLast() - first + 1;
        final int start = (int)((System.nanoTime() ^ slot.index * 0x9E3779B9L) & 0x7FFFFFFF) % span;
        for (int i = 0; i < span; i++)
        {
            final int port = first + (start + i) % span;
            // Linux's automatic bind takes only a port no socket uses, whatever the options.
            if (ctx.ports().bindUnused(port, slot.sharing()) == 0)
            {
                slot.claimedPort = port;
                slot.localPort = port;
                return true;
            }
        }
        return false;
    }

    /**
     * Take an established connection from a listener's accept queue. The new socket has the
     * listener's options (not its non-blocking mode); its local address is the listener's port.
     *
     * @param ctx    the context.
     * @param sockid a listener.
     * @param peer   filled with the peer's address, or null.
     * @return the new socket's id, or -1: EINVAL (not listening), ENOTSOCK (not a TCP socket),
     *         EAGAIN (none waiting on a non-blocking listener, or on the context's thread),
     *         EBADF (the listener was closed while a blocking accept waited).
     */
    public static int accept(final MtcpContext ctx, final int sockid, final SockAddr peer)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.STREAM)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        while (true)
        {
            // Null once a close on another thread freed the listener: await then reports EBADF.
            final SpmcArrayQueue<SocketSlot> queue = slot.acceptQueue;
            final SocketSlot accepted = queue != null ? queue.poll() : null;
            if (accepted != null)
            {
                accepted.openId = ctx.table().idOf(accepted);
                // Room in the accept queue: the context may move more from the engine.
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                if (peer != null)
                {
                    peer.set(accepted.remoteIp, accepted.remotePort);
                }
                return accepted.openId;
            }
            if (slot.nonBlocking || ctx.inline())
            {
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_ACCEPT, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    /**
     * Open a connection. The source port, unless bound, is chosen so that the flow hashes to
     * this context, from the stack's one ephemeral space.
     *
     * @param ctx    the context.
     * @param sockid a socket.
     * @param ip     the peer's IPv4 address.
     * @param port   the peer's port, 1..65535.
     * @return 0 once established (blocking), or -1: EINPROGRESS (non-blocking, or on the
     *         context's thread: wait for EPOLLOUT, then read SO_ERROR), EALREADY (a connect is under
     *         way), EISCONN (connected, or a listener), ENOTSOCK (not a TCP socket), EINVAL (port
     *         outside 1..65535 or address 0), ENETUNREACH (multicast or broadcast address),
     *         EAGAIN (the context's request queue is full; retry), and for a blocking connect the
     *         reason it failed: ECONNREFUSED (RST, or ICMP port or protocol unreachable),
     *         ETIMEDOUT (the SYN retransmissions ran out unanswered), EHOSTUNREACH (they ran out
     *         after an ICMP destination unreachable, or with the next hop never answering ARP,
     *         as on Linux), EADDRNOTAVAIL (no port left for that peer, or the bound port hashes
     *         to another context), EADDRINUSE (the bound port has a
     *         connection to that peer), ENOBUFS (no connection object left). The last three are
     *         found before the SYN is sent: on the context's thread connect returns them at once,
     *         and a non-blocking connect returns them if the context has answered already.
     */
    public static int connect(final MtcpContext ctx, final int sockid, final int ip, final int port)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.EISCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        switch (slot.phase)
        {
            case SocketSlot.CONNECTING:
                return ctx.fail(Errno.EALREADY);
            case SocketSlot.NEW:
                break;
            default:
                return ctx.fail(Errno.EISCONN);
        }
        if (port <= 0 || port > 0xFFFF || ip == 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (Ip4.isMulticast(ip) || Ip4.isLimitedBroadcast(ip))
        {
            return ctx.fail(Errno.ENETUNREACH);
        }
        slot.remoteIp = ip;
        slot.remotePort = port;
        slot.error = 0;
        slot.phase = SocketSlot.CONNECTING;
        if (!submit(ctx, slot, SocketSlot.REQ_CONNECT))
        {
            slot.phase = SocketSlot.NEW;
            return ctx.fail(Errno.EAGAIN);
        }
        if (slot.nonBlocking || ctx.inline())
        {
            if (slot.phase == SocketSlot.NEW && slot.error != 0)
            {
                return ctx.fail(takeError(slot));
            }
            return ctx.fail(Errno.EINPROGRESS);
        }
        await(slot, sockid, WAIT_CONNECT, 0);
        if (slot.phase == SocketSlot.CONNECTED)
        {
            return 0;
        }
        final int error = takeError(slot);
        return ctx.fail(error != 0 ? error : Errno.ECONNREFUSED);
    }

    // ---------------------------------------------------------------------------------------------
    // read, readv, recv
    // ---------------------------------------------------------------------------------------------

    /**
     * Read bytes: {@link #recv} without flags.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's read end.
     * @param dst    where to.
     * @param off    first index.
     * @param len    most bytes.
     * @return as {@link #recv}.
     */
    public static int read(final MtcpContext ctx, final int sockid, final byte[] dst, final int off, final int len)
    {
        return recv(ctx, sockid, dst, off, len, 0);
    }

    /**
     * Read bytes into a buffer's remaining space, advancing its position.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's read end.
     * @param dst    where to.
     * @return as {@link #recv}.
     */
    public static int read(final MtcpContext ctx, final int sockid, final ByteBuffer dst)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (dst == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return receive(ctx, slot, sockid, null, 0, dst.remaining(), dst, 0);
    }

    /**
     * Scatter read: fill the buffers in order, blocking (on a blocking socket) only until the
     * first byte.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's read end.
     * @param dsts   the buffers (at most 1024).
     * @return bytes read in all, 0 at end of stream, or -1 as {@link #recv}; EINVAL for more
     *         than 1024 buffers, EFAULT for a null array or element. A failure found after some
     *         bytes were read is reported by the next call.
     */
    public static long readv(final MtcpContext ctx, final int sockid, final ByteBuffer[] dsts)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (dsts == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (dsts.length > IOV_MAX)
        {
            return ctx.fail(Errno.EINVAL);
        }
        for (final ByteBuffer dst : dsts)
        {
            if (dst == null)
            {
                return ctx.fail(Errno.EFAULT);
            }
        }
        long total = 0;
        for (final ByteBuffer dst : dsts)
        {
            if (!dst.hasRemaining())
            {
                continue;
            }
            final int read = receive(ctx, slot, sockid, null, 0, dst.remaining(), dst,
                total == 0 ? 0 : MSG_DONTWAIT | KEEP_ERROR);
            if (read < 0)
            {
                return total > 0 && ctx.errno() == Errno.EAGAIN ? total : (total > 0 ? total : -1);
            }
            total += read;
            if (read == 0 || dst.hasRemaining())
            {
                break;
            }
        }
        return total;
    }

    /**
     * Receive bytes.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's read end.
     * @param dst    where to.
     * @param off    first index.
     * @param len    most bytes.
     * @param flags  0, {@link #MSG_PEEK} (leave the bytes queued), {@link #MSG_DONTWAIT}.
     * @return bytes read (only in-order bytes; never more than {@code len}), 0 at end of stream
     *         (after the peer's FIN, after SHUT_RD, or once the reset was reported), or -1:
     *         EFAULT (null or out-of-range buffer), EINVAL (unknown flags; an epoll instance),
     *         ENOTCONN (not connected; a listener), EBADF (a pipe's write end; or closed while a
     *         blocking read waited), EAGAIN (nothing yet, not blocking), ECONNRESET, ETIMEDOUT or
     *         EHOSTUNREACH (the connection failed: reset; retransmissions, zero-window or keepalive
     *         probes unanswered; the same after an ICMP destination unreachable; reported once),
     *         or the error of a failed connect.
     */
    public static int recv(final MtcpContext ctx, final int sockid, final byte[] dst, final int off, final int len,
        final int flags)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (dst == null || off < 0 || len < 0 || off > dst.length - len)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if ((flags & ~(MSG_PEEK | MSG_DONTWAIT)) != 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        return receive(ctx, slot, sockid, dst, off, len, null, flags);
    }

    private static int receive(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final int flags)
    {
        final boolean peek = (flags & MSG_PEEK) != 0;
        final boolean noWait = (flags & MSG_DONTWAIT) != 0 || slot.nonBlocking || ctx.inline();
        switch (slot.type)
        {
            case SocketSlot.STREAM:
                break;
            case SocketSlot.PIPE_READ:
                return pipeRead(ctx, slot, sockid, array, off, len, buffer, peek, noWait);
            case SocketSlot.PIPE_WRITE:
                return ctx.fail(Errno.EBADF);
            case SocketSlot.LISTENER:
                return ctx.fail(Errno.ENOTCONN);
            default:
                return ctx.fail(Errno.EINVAL);
        }
        while (true)
        {
            final int phase = slot.phase;
            if (phase == SocketSlot.NEW)
            {
                return ctx.fail(slot.error != 0 ? takeError(slot) : Errno.ENOTCONN);
            }
            if (phase == SocketSlot.CONNECTING)
            {
                if (noWait)
                {
                    return ctx.fail(Errno.EAGAIN);
                }
                await(slot, sockid, WAIT_CONNECT, 0);
                continue;
            }
            if (slot.readShut)
            {
                return 0;
            }
            final ByteRing ring = slot.receiveRing;
            final int available = ring.available();
            if (available > 0)
            {
                if (len == 0)
                {
                    return 0;
                }
                final int freeBefore = ring.free();
                final int read = array != null ? ring.read(array, off, len, peek) : ring.read(buffer, peek);
                if (!peek && freeBefore < ring.limit() / 2)
                {
                    // The context stops filling a full ring; tell it there is room (hysteresis:
                    // only once the ring had filled past half, so most reads cost no wake-up).
                    requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
                }
                return read;
            }
            if (slot.peerFin && ring.available() == 0)
            {
                return 0;
            }
            if (slot.drained && ring.available() == 0)
            {
                // A failed connection reports its error once, after every byte it received.
                final int error = (flags & KEEP_ERROR) != 0 ? slot.error : takeError(slot);
                return error != 0 ? ctx.fail(error) : 0;
            }
            if (phase != SocketSlot.CONNECTED)
            {
                // Ended while bytes still waited in the engine: the ring has room now.
                requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
            }
            if (noWait)
            {
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_READ, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // write, writev
    // ---------------------------------------------------------------------------------------------

    /**
     * Queue bytes for sending. A blocking socket returns once every byte is queued; a
     * non-blocking one queues what fits.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's write end.
     * @param src    bytes.
     * @param off    first index.
     * @param len    bytes to send.
     * @return bytes queued, or -1: EFAULT (null or out-of-range buffer), ENOTCONN (not connected;
     *         a listener), EPIPE (our side shut or closed, the connection ended, or a pipe with no
     *         reader), ECONNRESET, ETIMEDOUT or EHOSTUNREACH (the connection failed, as for
     *         {@link #recv}; reported once), or the error of a failed connect, EAGAIN (no room, not
     *         blocking), EBADF (a pipe's read end; or closed while a blocking write waited),
     *         EINVAL (an epoll instance). A blocking write that queued some bytes before it failed
     *         returns their count; the next call reports the error.
     */
    public static int write(final MtcpContext ctx, final int sockid, final byte[] src, final int off, final int len)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (src == null || off < 0 || len < 0 || off > src.length - len)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return send(ctx, slot, sockid, src, off, len, null, false);
    }

    /**
     * Queue a buffer's remaining bytes, advancing its position; as {@link #write}.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's write end.
     * @param src    bytes.
     * @return as {@link #write}.
     */
    public static int write(final MtcpContext ctx, final int sockid, final ByteBuffer src)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (src == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        return send(ctx, slot, sockid, null, 0, src.remaining(), src, false);
    }

    /**
     * Gather write: queue the buffers in order; as {@link #write}.
     *
     * @param ctx    the context.
     * @param sockid a connected socket or a pipe's write end.
     * @param srcs   the buffers (at most 1024).
     * @return bytes queued in all, or -1 as {@link #write}; EINVAL for more than 1024 buffers,
     *         EFAULT for a null array or element.
     */
    public static long writev(final MtcpContext ctx, final int sockid, final ByteBuffer[] srcs)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (srcs == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (srcs.length > IOV_MAX)
        {
            return ctx.fail(Errno.EINVAL);
        }
        for (final ByteBuffer src : srcs)
        {
            if (src == null)
            {
                return ctx.fail(Errno.EFAULT);
            }
        }
        long total = 0;
        for (final ByteBuffer src : srcs)
        {
            if (!src.hasRemaining())
            {
                continue;
            }
            final int want = src.remaining();
            final int sent = send(ctx, slot, sockid, null, 0, want, src, total > 0);
            if (sent < 0)
            {
                return total > 0 ? total : -1;
            }
            total += sent;
            if (sent < want)
            {
                break;
            }
        }
        return total;
    }

    private static int send(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final boolean partialOk)
    {
        final boolean noWait = slot.nonBlocking || ctx.inline() || partialOk;
        switch (slot.type)
        {
            case SocketSlot.STREAM:
            case SocketSlot.PIPE_WRITE:
                break;
            case SocketSlot.PIPE_READ:
                return ctx.fail(Errno.EBADF);
            case SocketSlot.LISTENER:
                return ctx.fail(Errno.ENOTCONN);
            default:
                return ctx.fail(Errno.EINVAL);
        }
        final boolean pipe = slot.type == SocketSlot.PIPE_WRITE;
        int total = 0;
        while (true)
        {
            final int refused = pipe ? (slot.peerClosed ? Errno.EPIPE : 0)
                : streamWriteRefused(slot, noWait, total > 0 || partialOk);
            if (refused == WAITED)
            {
                await(slot, sockid, WAIT_CONNECT, 0);
                continue;
            }
            if (refused != 0)
            {
                return total > 0 ? total : ctx.fail(refused);
            }
            if (len == total)
            {
                return total;
            }
            final ByteRing ring = slot.sendRing;
            final int put = array != null ? ring.write(array, off + total, len - total) : ring.write(buffer);
            if (put > 0)
            {
                total += put;
                if (pipe)
                {
                    slot.pipePeer.signal();
                }
                else
                {
                    requestData(ctx, slot, SocketSlot.REQ_SEND);
                }
                if (total == len)
                {
                    return total;
                }
            }
            if (noWait)
            {
                return total > 0 ? total : ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_WRITE, 0))
            {
                return total > 0 ? total : ctx.fail(Errno.EBADF);
            }
        }
    }

    /**
     * Why a stream takes no bytes now: 0 if it does, {@link #WAITED} if the caller should wait
     * for the connect to finish, else the errno (the pending error once, then EPIPE). A write that
     * has queued bytes returns their count and leaves the pending error for the next call
     * ({@code keepError}), as Linux does.
     */
    private static int streamWriteRefused(final SocketSlot slot, final boolean noWait, final boolean keepError)
    {
        final int phase = slot.phase;
        switch (phase)
        {
            case SocketSlot.NEW:
                return slot.error != 0 ? takeError(slot) : Errno.ENOTCONN;
            case SocketSlot.CONNECTING:
                return noWait ? Errno.EAGAIN : WAITED;
            case SocketSlot.TERMINATED:
            {
                final int error = keepError ? slot.error : takeError(slot);
                return error != 0 ? error : Errno.EPIPE;
            }
            default:
                return slot.writeShut || phase == SocketSlot.ENDED ? Errno.EPIPE : 0;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // close, abort, shutdown
    // ---------------------------------------------------------------------------------------------

    /**
     * Close an id (mOS's {@code mtcp_close}). On success the id is freed, exactly once; on
     * failure nothing changed. Never blocks.
     * <ul>
     * <li>A stream: FIN after every queued byte (the context finishes the exchange, FIN_WAIT_2
     *     and TIME_WAIT included); RST instead if received bytes are unread or SO_LINGER is 0.</li>
     * <li>A listener: it stops listening before the context's next request, connections waiting
     *     in its accept queue are reset, and its port is free when close returns.</li>
     * <li>An epoll instance or a pipe end: released; a thread waiting on it wakes (epoll_wait
     *     returns -1 EBADF; a pipe's other end sees EOF or EPIPE).</li>
     * </ul>
     *
     * @param ctx    the context.
     * @param sockid the id.
     * @return 0, or -1 with:
     *         EACCES (the context is destroyed, or the id belongs to another context);
     *         EAGAIN (the context's request queue is full: retry);
     *         EBADF (not open: closed already, a stale id);
     *         EINVAL (a socket held by a {@link TcpChannel}: close the channel);
     *         ENOTCONN (the connection was already terminated by a reset or a timeout: SO_ERROR
     *         says why; {@link #abort} releases the socket);
     *         ENOTSOCK (the id cannot name a socket: negative or beyond the table).
     */
    public static int close(final MtcpContext ctx, final int sockid)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.channelOwned)
        {
            return ctx.fail(Errno.EINVAL);
        }
        switch (slot.type)
        {
            case SocketSlot.STREAM:
                if (slot.phase == SocketSlot.TERMINATED)
                {
                    return ctx.fail(Errno.ENOTCONN);
                }
                return release(ctx, slot, sockid, SocketSlot.REQ_CLOSE);
            case SocketSlot.LISTENER:
                return closeListener(ctx, slot, sockid);
            case SocketSlot.EPOLL:
                return closeEpoll(ctx, slot, sockid);
            case SocketSlot.PIPE_READ:
            case SocketSlot.PIPE_WRITE:
                return closePipe(ctx, slot, sockid);
            default:
                return ctx.fail(Errno.EBADF);
        }
    }

    /**
     * Abort a stream: RST if the connection is open (RFC 9293 §3.10.5), discard what is queued,
     * free the id. Also releases a socket whose connection already terminated.
     *
     * @param ctx    the context.
     * @param sockid a stream socket.
     * @return 0, or -1: ENOTSOCK (not a stream: a listener, epoll or pipe), EINVAL (held by a
     *         {@link TcpChannel}), EAGAIN (the request queue is full; retry).
     */
    public static int abort(final MtcpContext ctx, final int sockid)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.channelOwned)
        {
            return ctx.fail(Errno.EINVAL);
        }
        return release(ctx, slot, sockid, SocketSlot.REQ_ABORT);
    }

    private static int release(final MtcpContext ctx, final SocketSlot slot, final int sockid, final int request)
    {
        final SocketSlot.Registration[] watchers = slot.registrations;
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        if (slot.phase == SocketSlot.NEW)
        {
            // Never connected, or its connect failed: nothing of it lives in the context.
            forget(watchers);
            freeHere(ctx, slot);
            return 0;
        }
        if (!submit(ctx, slot, request))
        {
            slot.restoreId(sockid);
            return ctx.fail(Errno.EAGAIN);
        }
        forget(watchers);
        return 0;
    }

    private static int closeListener(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        final SocketSlot.Registration[] watchers = slot.registrations;
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        final int port = slot.claimedPort;
        final boolean freeHere = port != 0 && !ctx.inline();
        if (freeHere)
        {
            // This thread frees the port (below), so the context must not: clear the claim before
            // the request is visible, or both could release it and drop a later bind's claim.
            slot.claimedPort = 0;
        }
        if (!submit(ctx, slot, SocketSlot.REQ_CLOSE))
        {
            slot.claimedPort = port;
            slot.restoreId(sockid);
            return ctx.fail(Errno.EAGAIN);
        }
        if (freeHere)
        {
            // Free the port now, so a bind right after close succeeds; the context's own
            // listener goes before any later request of this context (one FIFO queue).
            ctx.ports().release(port);
        }
        forget(watchers);
        return 0;
    }

    private static int closeEpoll(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        forget(slot.registrations);
        final EpollInstance epoll = slot.epoll;
        epoll.removeAll();
        epoll.close();
        freeHere(ctx, slot);
        return 0;
    }

    private static int closePipe(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        forget(slot.registrations);
        final SocketSlot other = slot.pipePeer;
        final ByteRing ring = slot.type == SocketSlot.PIPE_READ ? slot.receiveRing : slot.sendRing;
        final boolean last;
        synchronized (ring)
        {
            // Pipe ends may close on different threads; the ring goes back with the last one, and
            // only the first touches the other end (the last one's other end is freed already).
            last = slot.peerClosed;
            if (!last)
            {
                other.peerClosed = true;
                other.signal();
            }
        }
        slot.receiveRing = null;
        slot.sendRing = null;
        if (last)
        {
            ctx.table().returnRing(ring);
        }
        slot.pipePeer = null;
        ctx.table().release(slot);
        return 0;
    }

    /**
     * Shut down one or both directions of a connection.
     *
     * @param ctx    the context.
     * @param sockid a connected socket.
     * @param how    {@link #SHUT_RD} (reads return 0, arriving bytes are dropped),
     *               {@link #SHUT_WR} (FIN after the queued bytes), {@link #SHUT_RDWR}.
     * @return 0, or -1: EINVAL (bad {@code how}), ENOTSOCK (not a stream), ENOTCONN (not
     *         connected, a listener, or the connection terminated), EAGAIN (the request queue is
     *         full; retry).
     */
    public static int shutdown(final MtcpContext ctx, final int sockid, final int how)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (how < SHUT_RD || how > SHUT_RDWR)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        final int phase = slot.phase;
        if (phase != SocketSlot.CONNECTED && phase != SocketSlot.ENDED)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (how != SHUT_RD && !slot.writeShut)
        {
            slot.writeShut = true;
            if (!submit(ctx, slot, SocketSlot.REQ_SHUT_WR))
            {
                slot.writeShut = false;
                return ctx.fail(Errno.EAGAIN);
            }
        }
        if (how != SHUT_WR && !slot.readShut)
        {
            slot.readShut = true;
            slot.receiveRing.discard();
            requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
        }
        slot.signal();
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // getsockname, getpeername, options, ioctl
    // ---------------------------------------------------------------------------------------------

    /**
     * Our address of a socket: the stack's address and the bound port (0 until chosen); an
     * accepted socket's is the listener's port.
     *
     * @param ctx    the context.
     * @param sockid a socket.
     * @param addr   filled.
     * @return 0, or -1: EFAULT (null address), ENOTSOCK (an epoll instance or a pipe).
     */
    public static int getsockname(final MtcpContext ctx, final int sockid, final SockAddr addr)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (addr == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (slot.type != SocketSlot.STREAM && slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        addr.set(slot.bound || slot.phase != SocketSlot.NEW ? localIp(ctx) : 0, slot.localPort);
        return 0;
    }

    /**
     * The peer's address of a connection.
     *
     * @param ctx    the context.
     * @param sockid a socket.
     * @param addr   filled.
     * @return 0, or -1: EFAULT (null address), ENOTCONN (not connected; a listener), ENOTSOCK
     *         (an epoll instance or a pipe).
     */
    public static int getpeername(final MtcpContext ctx, final int sockid, final SockAddr addr)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (addr == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        final int phase = slot.phase;
        if (phase != SocketSlot.CONNECTED && phase != SocketSlot.ENDED && phase != SocketSlot.TERMINATED)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        addr.set(slot.remoteIp, slot.remotePort);
        return 0;
    }

    /**
     * Set an int socket option. Booleans are 0 or not 0.
     * <ul>
     * <li>SOL_SOCKET: SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_LINGER (seconds, or
     *     {@link #LINGER_OFF}), SO_SNDBUF and SO_RCVBUF (bytes, clamped to 1 KiB..the ring size);</li>
     * <li>IPPROTO_TCP: TCP_NODELAY, TCP_MAXSEG (88..65535), TCP_KEEPIDLE and TCP_KEEPINTVL
     *     (1..32767 s), TCP_KEEPCNT (1..127).</li>
     * </ul>
     *
     * @param ctx     the context.
     * @param sockid  a stream or listener.
     * @param level   {@link #SOL_SOCKET} or {@link #IPPROTO_TCP}.
     * @param optname the option.
     * @param value   its value.
     * @return 0, or -1: ENOPROTOOPT (unknown level or option, or read-only: SO_ERROR, SO_TYPE,
     *         TCP_INFO), EINVAL (value out of range), ENOTSOCK (an epoll instance or a pipe),
     *         EAGAIN (the request queue is full; the option is unchanged, retry).
     */
    public static int setsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final int value)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.STREAM && slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_REUSEADDR:
                    slot.reuseAddress = value != 0;
                    return 0;
                case SO_REUSEPORT:
                    slot.reusePort = value != 0;
                    return 0;
                case SO_LINGER:
                    if (value < LINGER_OFF)
                    {
                        return ctx.fail(Errno.EINVAL);
                    }
                    slot.lingerSeconds = value;
                    return 0;
                case SO_KEEPALIVE:
                    return setLive(ctx, slot, level, optname, value != 0 ? 1 : 0);
                case SO_SNDBUF:
                case SO_RCVBUF:
                    if (value <= 0)
                    {
                        return ctx.fail(Errno.EINVAL);
                    }
                    return setLive(ctx, slot, level, optname,
                        Math.max(MIN_BUFFER, Math.min(ctx.table().ringBytes(), value)));
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        if (level == IPPROTO_TCP)
        {
            switch (optname)
            {
                case TCP_NODELAY:
                    return setLive(ctx, slot, level, optname, value != 0 ? 1 : 0);
                case TCP_MAXSEG:
                    return value < TCP_MIN_MSS || value > 0xFFFF ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                case TCP_KEEPIDLE:
                case TCP_KEEPINTVL:
                    return value < 1 || value > 32767 ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                case TCP_KEEPCNT:
                    return value < 1 || value > 127 ? ctx.fail(Errno.EINVAL)
                        : setLive(ctx, slot, level, optname, value);
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        return ctx.fail(Errno.ENOPROTOOPT);
    }

    /**
     * Set an option the live connection must learn: store it, tell the context, and put the old
     * value back if the request queue is full (a failed call changes nothing). No allocation:
     * crr-style loops set TCP_NODELAY on every connection.
     */
    private static int setLive(final MtcpContext ctx, final SocketSlot slot, final int level, final int optname,
        final int value)
    {
        final int old = putOption(slot, level, optname, value);
        final int phase = slot.phase;
        if (slot.type != SocketSlot.STREAM || (phase != SocketSlot.CONNECTING && phase != SocketSlot.CONNECTED))
        {
            return 0;
        }
        if (!submit(ctx, slot, SocketSlot.REQ_OPTIONS))
        {
            putOption(slot, level, optname, old);
            return ctx.fail(Errno.EAGAIN);
        }
        return 0;
    }

    /** Store one of {@link #setLive}'s options; returns the value it replaced. */
    private static int putOption(final SocketSlot slot, final int level, final int optname, final int value)
    {
        final int old;
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_KEEPALIVE:
                    old = slot.keepAlive ? 1 : 0;
                    slot.keepAlive = value != 0;
                    return old;
                case SO_SNDBUF:
                    old = slot.sendBufferBytes;
                    slot.sendBufferBytes = value;
                    return old;
                default:
                    old = slot.receiveBufferBytes;
                    slot.receiveBufferBytes = value;
                    return old;
            }
        }
        switch (optname)
        {
            case TCP_NODELAY:
                old = slot.noDelay ? 1 : 0;
                slot.noDelay = value != 0;
                return old;
            case TCP_MAXSEG:
                old = slot.maxSegment;
                slot.maxSegment = value;
                return old;
            case TCP_KEEPIDLE:
                old = slot.keepIdleSeconds;
                slot.keepIdleSeconds = value;
                return old;
            case TCP_KEEPINTVL:
                old = slot.keepIntervalSeconds;
                slot.keepIntervalSeconds = value;
                return old;
            default:
                old = slot.keepCount;
                slot.keepCount = value;
                return old;
        }
    }

    /**
     * Read an int socket option into {@code value[0]}: the options {@link #setsockopt} sets, and
     * SO_ERROR (the pending error, cleared) and SO_TYPE. TCP_MAXSEG is the MSS in use once
     * connected (536 before, as Linux says); SO_SNDBUF and SO_RCVBUF the ring sizes in use.
     *
     * @param ctx     the context.
     * @param sockid  a stream or listener.
     * @param level   {@link #SOL_SOCKET} or {@link #IPPROTO_TCP}.
     * @param optname the option.
     * @param value   an array of at least one element.
     * @return 0, or -1: EFAULT (null or empty array), ENOPROTOOPT (unknown level or option;
     *         TCP_INFO takes a {@link TcpInfo}), ENOTSOCK (an epoll instance or a pipe), EAGAIN
     *         (TCP_MAXSEG of a connection while the request queue is full).
     */
    public static int getsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final int[] value)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (value == null || value.length == 0)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (slot.type != SocketSlot.STREAM && slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (level == SOL_SOCKET)
        {
            switch (optname)
            {
                case SO_REUSEADDR:
                    value[0] = slot.reuseAddress ? 1 : 0;
                    return 0;
                case SO_REUSEPORT:
                    value[0] = slot.reusePort ? 1 : 0;
                    return 0;
                case SO_TYPE:
                    value[0] = SOCK_STREAM;
                    return 0;
                case SO_ERROR:
                    value[0] = takeError(slot);
                    return 0;
                case SO_LINGER:
                    value[0] = slot.lingerSeconds;
                    return 0;
                case SO_KEEPALIVE:
                    value[0] = slot.keepAlive ? 1 : 0;
                    return 0;
                case SO_SNDBUF:
                    value[0] = slot.sendBufferBytes > 0 ? slot.sendBufferBytes : ctx.table().ringBytes();
                    return 0;
                case SO_RCVBUF:
                    value[0] = slot.receiveBufferBytes > 0 ? slot.receiveBufferBytes : ctx.table().ringBytes();
                    return 0;
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        if (level == IPPROTO_TCP)
        {
            switch (optname)
            {
                case TCP_NODELAY:
                    value[0] = slot.noDelay ? 1 : 0;
                    return 0;
                case TCP_MAXSEG:
                    return maxSegment(ctx, slot, value);
                case TCP_KEEPIDLE:
                    value[0] = slot.keepIdleSeconds > 0 ? slot.keepIdleSeconds
                        : (int)TimeUnit.NANOSECONDS.toSeconds(ctx.context().tcp().config().keepAliveIdleNanos());
                    return 0;
                case TCP_KEEPINTVL:
                    value[0] = slot.keepIntervalSeconds > 0 ? slot.keepIntervalSeconds
                        : (int)TimeUnit.NANOSECONDS.toSeconds(ctx.context().tcp().config().keepAliveIntervalNanos());
                    return 0;
                case TCP_KEEPCNT:
                    value[0] = slot.keepCount > 0 ? slot.keepCount : ctx.context().tcp().config().keepAliveProbes();
                    return 0;
                default:
                    return ctx.fail(Errno.ENOPROTOOPT);
            }
        }
        return ctx.fail(Errno.ENOPROTOOPT);
    }

    private static int maxSegment(final MtcpContext ctx, final SocketSlot slot, final int[] value)
    {
        if (slot.type != SocketSlot.STREAM || slot.phase != SocketSlot.CONNECTED)
        {
            value[0] = slot.maxSegment > 0 ? slot.maxSegment : DEFAULT_MSS;
            return 0;
        }
        final int error = request(ctx, slot, SocketSlot.REQ_INFO);
        if (error != 0)
        {
            return ctx.fail(error);
        }
        value[0] = slot.info.sendMss();
        return 0;
    }

    /**
     * Read TCP_INFO: the connection's state, RTT, RTO, MSS, congestion window and more, as the
     * context sees them now (it answers a request; this call waits for it, or acts at once on the
     * context's thread).
     *
     * @param ctx     the context.
     * @param sockid  a stream or listener.
     * @param level   {@link #IPPROTO_TCP}.
     * @param optname {@link #TCP_INFO}.
     * @param info    filled.
     * @return 0, or -1: EFAULT (null info), ENOPROTOOPT (another level or option), ENOTSOCK (an
     *         epoll instance or a pipe), EAGAIN (the request queue is full; retry).
     */
    public static int getsockopt(final MtcpContext ctx, final int sockid, final int level, final int optname,
        final TcpInfo info)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (info == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (slot.type != SocketSlot.STREAM && slot.type != SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (level != IPPROTO_TCP || optname != TCP_INFO)
        {
            return ctx.fail(Errno.ENOPROTOOPT);
        }
        final int phase = slot.phase;
        if (slot.type == SocketSlot.LISTENER)
        {
            info.clear(TcpState.LISTEN);
            return 0;
        }
        if (phase == SocketSlot.NEW)
        {
            info.clear(TcpState.CLOSED);
            return 0;
        }
        final int error = request(ctx, slot, SocketSlot.REQ_INFO);
        if (error != 0)
        {
            return ctx.fail(error);
        }
        info.copyFrom(slot.info);
        return 0;
    }

    /**
     * Device control: {@link #FIONREAD} (bytes ready to read into {@code arg[0]}) and
     * {@link #FIONBIO} (non-blocking mode from {@code arg[0]}).
     *
     * @param ctx     the context.
     * @param sockid  an id.
     * @param request the request.
     * @param arg     an array of at least one element.
     * @return 0, or -1: EFAULT (null or empty array), ENOTTY (unknown request, or FIONREAD on an
     *         epoll instance or pipe write end), EINVAL (FIONREAD on a listener).
     */
    public static int ioctl(final MtcpContext ctx, final int sockid, final int request, final int[] arg)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (arg == null || arg.length == 0)
        {
            return ctx.fail(Errno.EFAULT);
        }
        switch (request)
        {
            case FIONBIO:
                slot.nonBlocking = arg[0] != 0;
                return 0;
            case FIONREAD:
                switch (slot.type)
                {
                    case SocketSlot.STREAM:
                    case SocketSlot.PIPE_READ:
                    {
                        final ByteRing ring = slot.receiveRing;
                        arg[0] = ring == null || slot.readShut ? 0 : ring.available();
                        return 0;
                    }
                    case SocketSlot.LISTENER:
                        return ctx.fail(Errno.EINVAL);
                    default:
                        return ctx.fail(Errno.ENOTTY);
                }
            default:
                return ctx.fail(Errno.ENOTTY);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // pipe
    // ---------------------------------------------------------------------------------------------

    /**
     * Make a pipe: {@code fds[0]} the read end, {@code fds[1]} the write end, both watchable by
     * epoll (mTCP uses pipes to wake an epoll loop from another thread). One thread may write
     * while another reads.
     *
     * @param ctx the context.
     * @param fds an array of at least two elements.
     * @return 0, or -1: EACCES (context destroyed), EFAULT (array too short), EMFILE (table full).
     */
    public static int pipe(final MtcpContext ctx, final int[] fds)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (fds == null || fds.length < 2)
        {
            return ctx.fail(Errno.EFAULT);
        }
        final SocketSlot reader = ctx.table().allocate(SocketSlot.PIPE_READ);
        if (reader == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        final SocketSlot writer = ctx.table().allocate(SocketSlot.PIPE_WRITE);
        if (writer == null)
        {
            reader.openId = SocketSlot.NO_ID;
            ctx.table().release(reader);
            return ctx.fail(Errno.EMFILE);
        }
        reader.receiveRing = ctx.table().ring();
        // Both ends hold the ring: either may be closed and its slot reused before the other.
        writer.sendRing = reader.receiveRing;
        reader.pipePeer = writer;
        writer.pipePeer = reader;
        fds[0] = reader.openId;
        fds[1] = writer.openId;
        return 0;
    }

    private static int pipeRead(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final boolean peek, final boolean noWait)
    {
        final ByteRing ring = slot.receiveRing;
        while (true)
        {
            if (ring.available() > 0)
            {
                final int read = array != null ? ring.read(array, off, len, peek) : ring.read(buffer, peek);
                final SocketSlot writer = slot.pipePeer;
                if (!peek && !slot.peerClosed)
                {
                    writer.signal();
                }
                return read;
            }
            if (slot.peerClosed && ring.available() == 0)
            {
                return 0;
            }
            if (noWait)
            {
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_READ, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // epoll
    // ---------------------------------------------------------------------------------------------

    /**
     * Make an epoll instance; a context may have many.
     *
     * @param ctx  the context.
     * @param size a hint, > 0 (as epoll_create(2)).
     * @return its id, or -1: EACCES (context destroyed), EINVAL (size not above 0), EMFILE (table
     *         full).
     */
    public static int epollCreate(final MtcpContext ctx, final int size)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (size <= 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final SocketSlot slot = ctx.table().allocate(SocketSlot.EPOLL);
        if (slot == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        slot.epoll = new EpollInstance(ctx.table().capacity());
        return slot.openId;
    }

    /**
     * Add, change or remove a watched id. {@code data} comes back with each event (use the id).
     *
     * @param ctx    the context.
     * @param epid   an epoll instance.
     * @param op     {@link #EPOLL_CTL_ADD}, {@link #EPOLL_CTL_MOD} or {@link #EPOLL_CTL_DEL}.
     * @param sockid the id to watch: a stream, listener or pipe end.
     * @param events EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLET, EPOLLONESHOT (EPOLLERR and EPOLLHUP
     *               are always reported).
     * @param data   returned with the events.
     * @return 0, or -1: the id errors (EACCES, ENOTSOCK, EBADF) of either id, EINVAL ({@code epid}
     *         is not an epoll instance, {@code sockid} equals it, or bad {@code op}), EPERM
     *         ({@code sockid} is an epoll instance), EEXIST (ADD of a watched id), ENOENT (MOD or
     *         DEL of an id not watched).
     */
    public static int epollCtl(final MtcpContext ctx, final int epid, final int op, final int sockid,
        final int events, final long data)
    {
        final SocketSlot slot = resolve(ctx, epid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final SocketSlot target = resolve(ctx, sockid);
        if (target == null)
        {
            return -1;
        }
        if (target == slot)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (target.type == SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EPERM);
        }
        final EpollInstance epoll = slot.epoll;
        final SocketSlot.Registration existing = epoll.find(target.index);
        switch (op)
        {
            case EPOLL_CTL_ADD:
                if (existing != null)
                {
                    return ctx.fail(Errno.EEXIST);
                }
                epoll.add(new SocketSlot.Registration(epoll, target, events, data));
                return 0;
            case EPOLL_CTL_MOD:
                if (existing == null)
                {
                    return ctx.fail(Errno.ENOENT);
                }
                epoll.modify(existing, events, data);
                return 0;
            case EPOLL_CTL_DEL:
                if (existing == null)
                {
                    return ctx.fail(Errno.ENOENT);
                }
                epoll.remove(existing);
                return 0;
            default:
                return ctx.fail(Errno.EINVAL);
        }
    }

    /**
     * Wait for events. Level-triggered ids are reported while ready; EPOLLET ones once per change;
     * EPOLLONESHOT ones once, until EPOLL_CTL_MOD.
     *
     * @param ctx       the context.
     * @param epid      an epoll instance.
     * @param events    where events go.
     * @param maxEvents most events, 1..{@code events.capacity()}.
     * @param timeoutMillis -1 waits for an event, 0 returns at once, above 0 waits at most that
     *                  long; on the context's own thread it never waits.
     * @return events written (0 after the timeout), or -1: EINVAL (not an epoll instance, or bad
     *         {@code maxEvents}), EFAULT (null events), EBADF (closed while waiting).
     */
    public static int epollWait(final MtcpContext ctx, final int epid, final EpollEvents events, final int maxEvents,
        final int timeoutMillis)
    {
        final SocketSlot slot = resolve(ctx, epid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (events == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (maxEvents <= 0 || maxEvents > events.capacity())
        {
            return ctx.fail(Errno.EINVAL);
        }
        final long timeout = ctx.inline() ? 0
            : timeoutMillis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final int count = slot.epoll.await(events, maxEvents, timeout);
        return count < 0 ? ctx.fail(Errno.EBADF) : count;
    }

    // ---------------------------------------------------------------------------------------------
    // The Java layer's hold on an id
    // ---------------------------------------------------------------------------------------------

    /**
     * Mark a socket as held by a channel: {@link #close} and {@link #abort} refuse it (EINVAL)
     * until {@link #disown}.
     */
    static int own(final MtcpContext ctx, final int sockid, final boolean owned)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        slot.channelOwned = owned;
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Shared steps
    // ---------------------------------------------------------------------------------------------

    private static SocketSlot resolve(final MtcpContext ctx, final int sockid)
    {
        if (ctx.destroyed())
        {
            ctx.fail(Errno.EACCES);
            return null;
        }
        if (sockid < 0)
        {
            ctx.fail(Errno.ENOTSOCK);
            return null;
        }
        if (SocketTable.contextOf(sockid) != ctx.index())
        {
            ctx.fail(Errno.EACCES);
            return null;
        }
        final SocketSlot slot = ctx.table().slot(SocketTable.indexOf(sockid));
        if (slot == null)
        {
            ctx.fail(Errno.ENOTSOCK);
            return null;
        }
        if (slot.openId != sockid)
        {
            ctx.fail(Errno.EBADF);
            return null;
        }
        return slot;
    }

    private static int localIp(final MtcpContext ctx)
    {
        return ctx.context().config().iface().address();
    }

    private static int takeError(final SocketSlot slot)
    {
        final int error = slot.error;
        slot.error = 0;
        return error;
    }

    private static void forget(final SocketSlot.Registration[] watchers)
    {
        for (final SocketSlot.Registration registration : watchers)
        {
            registration.epoll.forget(registration);
        }
    }

    private static void freeHere(final MtcpContext ctx, final SocketSlot slot)
    {
        if (slot.claimedPort != 0)
        {
            ctx.ports().release(slot.claimedPort);
            slot.claimedPort = 0;
        }
        ctx.table().release(slot);
    }

    /** Queue a control request, or carry it out now on the context's thread. */
    private static boolean submit(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        if (ctx.inline())
        {
            ctx.service().handle(slot, request);
            return true;
        }
        return ctx.service().submitControl(slot, request);
    }

    private static void requestData(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        if (ctx.inline())
        {
            ctx.service().handle(slot, request);
        }
        else
        {
            ctx.service().submitData(slot, request);
        }
    }

    /** A request whose answer the caller needs: wait for the context's reply. */
    private static int request(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        final int target = slot.done + 1;
        if (!submit(ctx, slot, request))
        {
            return Errno.EAGAIN;
        }
        await(slot, slot.openId, WAIT_DONE, target);
        return slot.result;
    }

    private static boolean met(final SocketSlot slot, final int what, final int arg)
    {
        // Another thread may close the id meanwhile and the context free the slot: a ring or
        // queue gone null means "stop waiting", and await then sees the id is no longer open.
        switch (what)
        {
            case WAIT_READ:
            {
                final ByteRing ring = slot.receiveRing;
                if (ring == null)
                {
                    return true;
                }
                if (slot.type == SocketSlot.PIPE_READ)
                {
                    return ring.available() > 0 || slot.peerClosed;
                }
                return slot.phase == SocketSlot.NEW || slot.peerFin || slot.readShut || slot.drained ||
                    ring.available() > 0;
            }
            case WAIT_WRITE:
            {
                final ByteRing ring = slot.sendRing;
                if (ring == null)
                {
                    return true;
                }
                if (slot.type == SocketSlot.PIPE_WRITE)
                {
                    return slot.peerClosed || ring.free() > 0;
                }
                return slot.phase != SocketSlot.CONNECTED || slot.writeShut || slot.error != 0 || ring.free() > 0;
            }
            case WAIT_CONNECT:
                return slot.phase != SocketSlot.CONNECTING;
            case WAIT_ACCEPT:
            {
                final SpmcArrayQueue<SocketSlot> queue = slot.acceptQueue;
                return queue == null || !queue.isEmpty();
            }
            default:
                return slot.done - arg >= 0;
        }
    }

    /**
     * Block until the condition holds; false if the id was closed meanwhile. The waiter is
     * announced before the condition is looked at again, and the context signals after it
     * changed the state: one of the two sees the other (no lost wake-up).
     */
    private static boolean await(final SocketSlot slot, final int sockid, final int what, final int arg)
    {
        int spins = 0;
        slot.waiter = Thread.currentThread();
        try
        {
            while (!met(slot, what, arg))
            {
                if (what != WAIT_DONE && slot.openId != sockid)
                {
                    return false;
                }
                if (spins < SPINS)
                {
                    spins++;
                    Thread.onSpinWait();
                }
                else
                {
                    LockSupport.parkNanos(slot, PARK_NANOS);
                }
            }
            return what == WAIT_DONE || slot.openId == sockid;
        }
        finally
        {
            slot.waiter = null;
        }
    }
}
