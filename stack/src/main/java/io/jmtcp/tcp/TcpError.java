package io.jmtcp.tcp;

/**
 * Why a connection failed or a call was refused, as POSIX errno numbers (Linux values), so that
 * the socket API above maps them one to one.
 */
public final class TcpError
{
    /** No error. */
    public static final int NONE = 0;
    /** Writing after our side was shut down. */
    public static final int EPIPE = 32;
    /** The local port (or 4-tuple) is taken. */
    public static final int EADDRINUSE = 98;
    /** No ephemeral port left for the destination. */
    public static final int EADDRNOTAVAIL = 99;
    /** Aborted locally. */
    public static final int ECONNABORTED = 103;
    /** The peer reset the connection (RFC 9293 §3.10.7.4, second check). */
    public static final int ECONNRESET = 104;
    /** No connection object left (the configured maximum is reached). */
    public static final int ENOBUFS = 105;
    /** Not connected. */
    public static final int ENOTCONN = 107;
    /** Retransmissions or keepalive probes went unanswered (RFC 9293 §3.8.3, R2). */
    public static final int ETIMEDOUT = 110;
    /** The peer answered our SYN with RST (RFC 9293 §3.10.7.3). */
    public static final int ECONNREFUSED = 111;
    /** An ICMP destination-unreachable (hard error once the connection times out). */
    public static final int EHOSTUNREACH = 113;
    /** A bad argument. */
    public static final int EINVAL = 22;

    private TcpError()
    {
    }

    /**
     * @param errno an errno of this class.
     * @return its symbolic name, or {@code "E<number>"}.
     */
    public static String name(final int errno)
    {
        switch (errno)
        {
            case NONE: return "OK";
            case EPIPE: return "EPIPE";
            case EADDRINUSE: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
            case ECONNABORTED: return "ECONNABORTED";
            case ECONNRESET: return "ECONNRESET";
            case ENOBUFS: return "ENOBUFS";
            case ENOTCONN: return "ENOTCONN";
            case ETIMEDOUT: return "ETIMEDOUT";
            case ECONNREFUSED: return "ECONNREFUSED";
            case EHOSTUNREACH: return "EHOSTUNREACH";
            case EINVAL: return "EINVAL";
            default: return "E" + errno;
        }
    }
}
