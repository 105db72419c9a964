package io.jmtcp.api;

import java.nio.ByteBuffer;

/**
 * The mTCP-style socket API: static calls on a {@link MtcpContext}, with mTCP's names and
 * semantics and POSIX errno results. A call returns -1 on failure and leaves the reason in
 * {@link MtcpContext#errno()}; an expected failure never throws.
 *
 * <h2>Ids</h2>
 * A socket id (also an epoll instance's and a pipe end's) is a non-negative int that carries the
 * index of its context and a generation: a stale id (of a closed socket) is EBADF, not another
 * socket (the generation has 10 bits and free slots are reused first-in first-out, so an id comes
 * back only after 512 reuses of its slot). Every call that takes an id can fail with:
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
        return OpenCalls.socket(ctx, domain, type, protocol);
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
        return OpenCalls.bind(ctx, sockid, ip, port);
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
        return OpenCalls.listen(ctx, sockid, backlog);
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
        return OpenCalls.accept(ctx, sockid, peer);
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
        return OpenCalls.connect(ctx, sockid, ip, port);
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
        return ReadWriteCalls.read(ctx, sockid, dst);
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
        return ReadWriteCalls.readv(ctx, sockid, dsts);
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
        return ReadWriteCalls.recv(ctx, sockid, dst, off, len, flags);
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
        return ReadWriteCalls.write(ctx, sockid, src, off, len);
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
        return ReadWriteCalls.write(ctx, sockid, src);
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
        return ReadWriteCalls.writev(ctx, sockid, srcs);
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
        return CloseCalls.close(ctx, sockid);
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
        return CloseCalls.abort(ctx, sockid);
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
        return CloseCalls.shutdown(ctx, sockid, how);
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
        return OptionCalls.getsockname(ctx, sockid, addr);
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
        return OptionCalls.getpeername(ctx, sockid, addr);
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
        return OptionCalls.setsockopt(ctx, sockid, level, optname, value);
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
        return OptionCalls.getsockopt(ctx, sockid, level, optname, value);
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
        return OptionCalls.getsockopt(ctx, sockid, level, optname, info);
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
        return OptionCalls.ioctl(ctx, sockid, request, arg);
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
        return PipeCalls.pipe(ctx, fds);
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
        return EpollCalls.epollCreate(ctx, size);
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
        return EpollCalls.epollCtl(ctx, epid, op, sockid, events, data);
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
        return EpollCalls.epollWait(ctx, epid, events, maxEvents, timeoutMillis);
    }
}
