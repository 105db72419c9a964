package io.jmtcp.tcp;

import io.jmtcp.tcp.cc.CongestionControlFactory;
import io.jmtcp.tcp.cc.CongestionControls;

import java.util.concurrent.TimeUnit;

/**
 * The TCP engine's tunables, validated in one place ({@link #validate()}). Setters return this
 * for chaining; an engine copies nothing, so do not change a config once an engine uses it.
 *
 * <p>Defaults follow Linux where the RFCs leave a choice, and say so.
 */
public final class TcpConfig
{
    /** Smallest send MSS accepted from a peer; a smaller advertisement is raised to it (Linux's TCP_MIN_MSS). */
    public static final int DEFAULT_MIN_SEND_MSS = 88;
    /** RFC 9293 §3.7.1: the MSS assumed when the peer sends no MSS option. */
    public static final int DEFAULT_PEER_MSS = 536;

    private int sendBufferBytes = 256 * 1024;
    private int receiveBufferBytes = 256 * 1024;
    private int maxOutOfOrderIntervals = 16;
    private int maxConnections = 4096;
    private int minSendMss = DEFAULT_MIN_SEND_MSS;
    private boolean windowScaling = true;
    private boolean timestamps = true;
    private boolean sack = true;
    private boolean noDelay;
    private long initialRtoNanos = RttEstimator.DEFAULT_INITIAL_RTO_NANOS;
    private long minRtoNanos = RttEstimator.DEFAULT_MIN_RTO_NANOS;
    private long maxRtoNanos = RttEstimator.DEFAULT_MAX_RTO_NANOS;
    private long delayedAckNanos = TimeUnit.MILLISECONDS.toNanos(40);
    private int synRetries = 6;
    private int synAckRetries = 5;
    private int dataRetries = 15;
    private boolean keepAlive;
    private long keepAliveIdleNanos = TimeUnit.HOURS.toNanos(2);
    private long keepAliveIntervalNanos = TimeUnit.SECONDS.toNanos(75);
    private int keepAliveProbes = 9;
    private long finWait2TimeoutNanos = TimeUnit.SECONDS.toNanos(60);
    private long timeWaitNanos = TimeUnit.SECONDS.toNanos(60);
    private int timeWaitCapacity = 8192;
    private int synQueueCapacity = 256;
    private boolean synCookies = true;
    private int challengeAcksPerSecond = 1000;
    private int ephemeralPortFirst = 49152;
    private int ephemeralPortLast = 65535;
    private CongestionControlFactory congestionControl = CongestionControls.CUBIC;
    private boolean hasSecret;
    private long secret0;
    private long secret1;

    /**
     * @return validated this.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public TcpConfig validate()
    {
        requirePowerOfTwo("sendBufferBytes", sendBufferBytes);
        requirePowerOfTwo("receiveBufferBytes", receiveBufferBytes);
        require(maxOutOfOrderIntervals >= 0, "maxOutOfOrderIntervals must be >= 0: " + maxOutOfOrderIntervals);
        require(maxConnections > 0, "maxConnections must be > 0: " + maxConnections);
        require(minSendMss >= 64 && minSendMss <= 1460, "minSendMss must be in 64..1460: " + minSendMss);
        require(minRtoNanos > 0 && minRtoNanos <= initialRtoNanos && initialRtoNanos <= maxRtoNanos,
            "need 0 < minRto <= initialRto <= maxRto");
        require(maxRtoNanos >= RttEstimator.LEAST_MAX_RTO_NANOS, "maxRto must be at least 60 s (RFC 6298 §2.5)");
        // RFC 9293 §3.8.6.3: the ACK delay MUST be less than 0.5 s.
        require(delayedAckNanos >= 0 && delayedAckNanos < TimeUnit.MILLISECONDS.toNanos(500),
            "delayedAck must be in 0..500 ms (RFC 9293 §3.8.6.3)");
        require(synRetries > 0 && synAckRetries > 0 && dataRetries > 0, "retry counts must be > 0");
        require(keepAliveIdleNanos > 0 && keepAliveIntervalNanos > 0 && keepAliveProbes > 0,
            "keepalive idle, interval and probes must be > 0");
        require(finWait2TimeoutNanos > 0, "finWait2Timeout must be > 0");
        require(timeWaitNanos >= 0, "timeWait must be >= 0");
        require(timeWaitCapacity > 0, "timeWaitCapacity must be > 0");
        require(synQueueCapacity > 0, "synQueueCapacity must be > 0");
        require(challengeAcksPerSecond > 0, "challengeAcksPerSecond must be > 0");
        require(ephemeralPortFirst >= 1024 && ephemeralPortFirst <= ephemeralPortLast && ephemeralPortLast <= 65535,
            "ephemeral ports must be 1024 <= first <= last <= 65535");
        require(congestionControl != null, "congestionControl must be set");
        return this;
    }

    private static void requirePowerOfTwo(final String name, final int value)
    {
        require(value >= 1024 && value <= SendBuffer.MAX_CAPACITY && Integer.bitCount(value) == 1,
            name + " must be a power of two in 1024.." + SendBuffer.MAX_CAPACITY + ": " + value);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /** @return bytes of each connection's send buffer (a power of two). */
    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /** @param bytes a power of two, 1 KiB to 1 GiB. @return this. */
    public TcpConfig sendBufferBytes(final int bytes)
    {
        this.sendBufferBytes = bytes;
        return this;
    }

    /** @return bytes of each connection's receive buffer (a power of two), which bounds the window. */
    public int receiveBufferBytes()
    {
        return receiveBufferBytes;
    }

    /** @param bytes a power of two, 1 KiB to 1 GiB. @return this. */
    public TcpConfig receiveBufferBytes(final int bytes)
    {
        this.receiveBufferBytes = bytes;
        return this;
    }

    /** @return out-of-order intervals a connection holds at most (its memory bound for reassembly). */
    public int maxOutOfOrderIntervals()
    {
        return maxOutOfOrderIntervals;
    }

    /** @param count at least 0. @return this. */
    public TcpConfig maxOutOfOrderIntervals(final int count)
    {
        this.maxOutOfOrderIntervals = count;
        return this;
    }

    /** @return connections (any state but TIME_WAIT) the engine holds at most. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig maxConnections(final int count)
    {
        this.maxConnections = count;
        return this;
    }

    /** @return the least send MSS, whatever the peer advertises. */
    public int minSendMss()
    {
        return minSendMss;
    }

    /** @param mss 64..1460. @return this. */
    public TcpConfig minSendMss(final int mss)
    {
        this.minSendMss = mss;
        return this;
    }

    /** @return whether window scaling is offered (RFC 7323 §2). */
    public boolean windowScaling()
    {
        return windowScaling;
    }

    /** @param on offer window scaling. @return this. */
    public TcpConfig windowScaling(final boolean on)
    {
        this.windowScaling = on;
        return this;
    }

    /** @return whether timestamps are offered (RFC 7323 §3). */
    public boolean timestamps()
    {
        return timestamps;
    }

    /** @param on offer timestamps. @return this. */
    public TcpConfig timestamps(final boolean on)
    {
        this.timestamps = on;
        return this;
    }

    /** @return whether SACK is offered (RFC 2018). */
    public boolean sack()
    {
        return sack;
    }

    /** @param on offer SACK. @return this. */
    public TcpConfig sack(final boolean on)
    {
        this.sack = on;
        return this;
    }

    /** @return the default of new connections' NODELAY switch (Nagle off when true). */
    public boolean noDelay()
    {
        return noDelay;
    }

    /** @param on disable Nagle's algorithm by default. @return this. */
    public TcpConfig noDelay(final boolean on)
    {
        this.noDelay = on;
        return this;
    }

    /** @return RTO before the first RTT sample (RFC 6298 §2.1). */
    public long initialRtoNanos()
    {
        return initialRtoNanos;
    }

    /** @param nanos the initial RTO. @return this. */
    public TcpConfig initialRtoNanos(final long nanos)
    {
        this.initialRtoNanos = nanos;
        return this;
    }

    /** @return the RTO floor (see {@link RttEstimator} for why 200 ms). */
    public long minRtoNanos()
    {
        return minRtoNanos;
    }

    /** @param nanos the RTO floor. @return this. */
    public TcpConfig minRtoNanos(final long nanos)
    {
        this.minRtoNanos = nanos;
        return this;
    }

    /** @return the RTO ceiling, at least 60 s (RFC 6298 §2.5). */
    public long maxRtoNanos()
    {
        return maxRtoNanos;
    }

    /** @param nanos the RTO ceiling. @return this. */
    public TcpConfig maxRtoNanos(final long nanos)
    {
        this.maxRtoNanos = nanos;
        return this;
    }

    /** @return the longest an ACK is delayed (40 ms, as Linux's minimum; RFC 9293 §3.8.6.3 caps it at 0.5 s). */
    public long delayedAckNanos()
    {
        return delayedAckNanos;
    }

    /** @param nanos 0 (no delayed ACK) .. below 500 ms. @return this. */
    public TcpConfig delayedAckNanos(final long nanos)
    {
        this.delayedAckNanos = nanos;
        return this;
    }

    /** @return SYN retransmissions before an active open fails with ETIMEDOUT (Linux: 6). */
    public int synRetries()
    {
        return synRetries;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig synRetries(final int count)
    {
        this.synRetries = count;
        return this;
    }

    /** @return SYN-ACK retransmissions before an embryonic connection is dropped (Linux: 5). */
    public int synAckRetries()
    {
        return synAckRetries;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig synAckRetries(final int count)
    {
        this.synAckRetries = count;
        return this;
    }

    /**
     * @return consecutive RTO expiries, or unanswered zero-window probes, before the connection
     *         fails with ETIMEDOUT (RFC 9293 §3.8.3 R2, §3.8.6.1; Linux's tcp_retries2: 15).
     */
    public int dataRetries()
    {
        return dataRetries;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig dataRetries(final int count)
    {
        this.dataRetries = count;
        return this;
    }

    /** @return the default of new connections' keepalive switch (RFC 9293 §3.8.4: off by default). */
    public boolean keepAlive()
    {
        return keepAlive;
    }

    /** @param on send keepalives by default. @return this. */
    public TcpConfig keepAlive(final boolean on)
    {
        this.keepAlive = on;
        return this;
    }

    /** @return idle time before the first keepalive probe (RFC 9293 §3.8.4: at least 2 h by default). */
    public long keepAliveIdleNanos()
    {
        return keepAliveIdleNanos;
    }

    /** @param nanos idle time before probing. @return this. */
    public TcpConfig keepAliveIdleNanos(final long nanos)
    {
        this.keepAliveIdleNanos = nanos;
        return this;
    }

    /** @return time between unanswered keepalive probes. */
    public long keepAliveIntervalNanos()
    {
        return keepAliveIntervalNanos;
    }

    /** @param nanos time between probes. @return this. */
    public TcpConfig keepAliveIntervalNanos(final long nanos)
    {
        this.keepAliveIntervalNanos = nanos;
        return this;
    }

    /** @return unanswered probes before ETIMEDOUT. */
    public int keepAliveProbes()
    {
        return keepAliveProbes;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig keepAliveProbes(final int count)
    {
        this.keepAliveProbes = count;
        return this;
    }

    /** @return how long a connection the application closed waits in FIN_WAIT_2 for the peer's FIN. */
    public long finWait2TimeoutNanos()
    {
        return finWait2TimeoutNanos;
    }

    /** @param nanos the FIN_WAIT_2 timeout. @return this. */
    public TcpConfig finWait2TimeoutNanos(final long nanos)
    {
        this.finWait2TimeoutNanos = nanos;
        return this;
    }

    /** @return the TIME_WAIT length, 2*MSL (RFC 9293 §3.4.2; 60 s as Linux). */
    public long timeWaitNanos()
    {
        return timeWaitNanos;
    }

    /** @param nanos the TIME_WAIT length; 0 skips TIME_WAIT. @return this. */
    public TcpConfig timeWaitNanos(final long nanos)
    {
        this.timeWaitNanos = nanos;
        return this;
    }

    /** @return TIME_WAIT records held at most; the oldest is dropped early beyond it. */
    public int timeWaitCapacity()
    {
        return timeWaitCapacity;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig timeWaitCapacity(final int count)
    {
        this.timeWaitCapacity = count;
        return this;
    }

    /** @return embryonic (SYN_RECEIVED) connections per listener before SYN cookies take over. */
    public int synQueueCapacity()
    {
        return synQueueCapacity;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig synQueueCapacity(final int count)
    {
        this.synQueueCapacity = count;
        return this;
    }

    /** @return whether SYN cookies answer SYNs when a SYN queue is full (else they are dropped). */
    public boolean synCookies()
    {
        return synCookies;
    }

    /** @param on use SYN cookies. @return this. */
    public TcpConfig synCookies(final boolean on)
    {
        this.synCookies = on;
        return this;
    }

    /** @return challenge ACKs the engine sends per second at most (RFC 5961 §7; Linux: 1000). */
    public int challengeAcksPerSecond()
    {
        return challengeAcksPerSecond;
    }

    /** @param count at least 1. @return this. */
    public TcpConfig challengeAcksPerSecond(final int count)
    {
        this.challengeAcksPerSecond = count;
        return this;
    }

    /** @return the first ephemeral port (RFC 6335 §6: 49152). */
    public int ephemeralPortFirst()
    {
        return ephemeralPortFirst;
    }

    /** @return the last ephemeral port. */
    public int ephemeralPortLast()
    {
        return ephemeralPortLast;
    }

    /**
     * @param first the first ephemeral port, at least 1024.
     * @param last  the last, at most 65535.
     * @return this.
     */
    public TcpConfig ephemeralPorts(final int first, final int last)
    {
        this.ephemeralPortFirst = first;
        this.ephemeralPortLast = last;
        return this;
    }

    /**
     * Fix the secret of ISNs and SYN cookies, for reproducible tests and simulations. Without it
     * each context draws a random secret (RFC 6528 §3: the secret must not be guessable), which
     * is what production must use.
     *
     * @param key0 first 64 bits.
     * @param key1 last 64 bits.
     * @return this.
     */
    public TcpConfig secret(final long key0, final long key1)
    {
        this.hasSecret = true;
        this.secret0 = key0;
        this.secret1 = key1;
        return this;
    }

    /** @return whether {@link #secret(long, long)} was set. */
    public boolean hasSecret()
    {
        return hasSecret;
    }

    /** @return the first half of the fixed secret. */
    public long secret0()
    {
        return secret0;
    }

    /** @return the second half of the fixed secret. */
    public long secret1()
    {
        return secret1;
    }

    /** @return the congestion control of new connections (CUBIC, as Linux). */
    public CongestionControlFactory congestionControl()
    {
        return congestionControl;
    }

    /** @param factory e.g. {@link CongestionControls#NEW_RENO}. @return this. */
    public TcpConfig congestionControl(final CongestionControlFactory factory)
    {
        this.congestionControl = factory;
        return this;
    }
}
