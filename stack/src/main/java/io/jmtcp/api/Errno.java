package io.jmtcp.api;

import io.jmtcp.tcp.TcpError;

/**
 * POSIX error numbers (Linux values) as the socket API reports them: a call returns -1 and its
 * context's {@link MtcpContext#errno()} holds one of these. {@link #name(int)} and
 * {@link #message(int)} give the symbol and the strerror text. The errors the TCP engine reports
 * are {@link TcpError}'s own constants, so an engine error reaches the caller unchanged.
 */
public final class Errno
{
    /** No error. */
    public static final int NONE = 0;
    /** Operation not permitted (epoll: the target cannot be watched). */
    public static final int EPERM = 1;
    /** No such entry (epoll_ctl MOD or DEL of an fd not registered). */
    public static final int ENOENT = 2;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable (would block, or a full queue: retry). */
    public static final int EAGAIN = 11;
    /** Permission denied (the context is not valid for the call). */
    public static final int EACCES = 13;
    /** Bad address (a null or out-of-range buffer). */
    public static final int EFAULT = 14;
    /** File exists (epoll_ctl ADD of an fd already registered). */
    public static final int EEXIST = 17;
    /** Invalid argument. */
    public static final int EINVAL = TcpError.EINVAL;
    /** Too many open files (the context's socket table is full). */
    public static final int EMFILE = 24;
    /** Inappropriate ioctl for device. */
    public static final int ENOTTY = 25;
    /** Broken pipe. */
    public static final int EPIPE = TcpError.EPIPE;
    /** Socket operation on non-socket. */
    public static final int ENOTSOCK = 88;
    /** Protocol not available (an unknown socket option). */
    public static final int ENOPROTOOPT = 92;
    /** Protocol not supported. */
    public static final int EPROTONOSUPPORT = 93;
    /** Socket type not supported. */
    public static final int ESOCKTNOSUPPORT = 94;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Address family not supported by protocol. */
    public static final int EAFNOSUPPORT = 97;
    /** Address already in use. */
    public static final int EADDRINUSE = TcpError.EADDRINUSE;
    /** Cannot assign requested address. */
    public static final int EADDRNOTAVAIL = TcpError.EADDRNOTAVAIL;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** Software caused connection abort. */
    public static final int ECONNABORTED = TcpError.ECONNABORTED;
    /** Connection reset by peer. */
    public static final int ECONNRESET = TcpError.ECONNRESET;
    /** No buffer space available. */
    public static final int ENOBUFS = TcpError.ENOBUFS;
    /** Transport endpoint is already connected. */
    public static final int EISCONN = 106;
    /** Transport endpoint is not connected. */
    public static final int ENOTCONN = TcpError.ENOTCONN;
    /** Connection timed out. */
    public static final int ETIMEDOUT = TcpError.ETIMEDOUT;
    /** Connection refused. */
    public static final int ECONNREFUSED = TcpError.ECONNREFUSED;
    /** No route to host. */
    public static final int EHOSTUNREACH = TcpError.EHOSTUNREACH;
    /** Operation already in progress. */
    public static final int EALREADY = 114;
    /** Operation now in progress. */
    public static final int EINPROGRESS = 115;

    private Errno()
    {
    }

    /**
     * @param errno an error number.
     * @return its symbol ("EBADF"), or "E" and the number if unknown.
     */
    public static String name(final int errno)
    {
        final String[] entry = entry(errno);
        return entry == null ? "E" + errno : entry[0];
    }

    /**
     * @param errno an error number.
     * @return its strerror text, or "Unknown error N".
     */
    public static String message(final int errno)
    {
        final String[] entry = entry(errno);
        return entry == null ? "Unknown error " + errno : entry[1];
    }

    private static String[] entry(final int errno)
    {
        switch (errno)
        {
            case NONE: return new String[] {"OK", "Success"};
            case EPERM: return new String[] {"EPERM", "Operation not permitted"};
            case ENOENT: return new String[] {"ENOENT", "No such file or directory"};
            case EBADF: return new String[] {"EBADF", "Bad file descriptor"};
            case EAGAIN: return new String[] {"EAGAIN", "Resource temporarily unavailable"};
            case EACCES: return new String[] {"EACCES", "Permission denied"};
            case EFAULT: return new String[] {"EFAULT", "Bad address"};
            case EEXIST: return new String[] {"EEXIST", "File exists"};
            case EINVAL: return new String[] {"EINVAL", "Invalid argument"};
            case EMFILE: return new String[] {"EMFILE", "Too many open files"};
            case ENOTTY: return new String[] {"ENOTTY", "Inappropriate ioctl for device"};
            case EPIPE: return new String[] {"EPIPE", "Broken pipe"};
            case ENOTSOCK: return new String[] {"ENOTSOCK", "Socket operation on non-socket"};
            case ENOPROTOOPT: return new String[] {"ENOPROTOOPT", "Protocol not available"};
            case EPROTONOSUPPORT: return new String[] {"EPROTONOSUPPORT", "Protocol not supported"};
            case ESOCKTNOSUPPORT: return new String[] {"ESOCKTNOSUPPORT", "Socket type not supported"};
            case EOPNOTSUPP: return new String[] {"EOPNOTSUPP", "Operation not supported"};
            case EAFNOSUPPORT: return new String[] {"EAFNOSUPPORT", "Address family not supported by protocol"};
            case EADDRINUSE: return new String[] {"EADDRINUSE", "Address already in use"};
            case EADDRNOTAVAIL: return new String[] {"EADDRNOTAVAIL", "Cannot assign requested address"};
            case ENETUNREACH: return new String[] {"ENETUNREACH", "Network is unreachable"};
            case ECONNABORTED: return new String[] {"ECONNABORTED", "Software caused connection abort"};
            case ECONNRESET: return new String[] {"ECONNRESET", "Connection reset by peer"};
            case ENOBUFS: return new String[] {"ENOBUFS", "No buffer space available"};
            case EISCONN: return new String[] {"EISCONN", "Transport endpoint is already connected"};
            case ENOTCONN: return new String[] {"ENOTCONN", "Transport endpoint is not connected"};
            case ETIMEDOUT: return new String[] {"ETIMEDOUT", "Connection timed out"};
            case ECONNREFUSED: return new String[] {"ECONNREFUSED", "Connection refused"};
            case EHOSTUNREACH: return new String[] {"EHOSTUNREACH", "No route to host"};
            case EALREADY: return new String[] {"EALREADY", "Operation already in progress"};
            case EINPROGRESS: return new String[] {"EINPROGRESS", "Operation now in progress"};
            default: return null;
        }
    }
}
