package io.jmtcp.api;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpState;

/**
 * A connection's vital signs, read with {@code getsockopt(IPPROTO_TCP, TCP_INFO)}: a subset of
 * Linux's {@code struct tcp_info} with the same meanings. Reusable; filled on the context thread.
 */
public final class TcpInfo
{
    private volatile TcpState state = TcpState.CLOSED;
    private volatile long rttMicros;
    private volatile long rtoMicros;
    private volatile int sendMss;
    private volatile int congestionWindow;
    private volatile int sendWindow;
    private volatile long retransmits;
    private volatile int unacknowledged;
    private volatile int sendWindowScale;
    private volatile int receiveWindowScale;
    private volatile boolean timestamps;
    private volatile boolean sack;

    void fill(final TcpConnection c)
    {
        state = c.state();
        rttMicros = c.srttNanos() / 1000;
        rtoMicros = c.rtoNanos() / 1000;
        sendMss = c.sendMss();
        congestionWindow = c.cwnd();
        sendWindow = c.sendWindow();
        retransmits = c.retransmits();
        unacknowledged = c.unacknowledged();
        sendWindowScale = c.sendWindowShift();
        receiveWindowScale = c.receiveWindowShift();
        timestamps = c.timestampsEnabled();
        sack = c.sackEnabled();
    }

    void clear(final TcpState socketState)
    {
        state = socketState;
        rttMicros = 0;
        rtoMicros = 0;
        sendMss = 0;
        congestionWindow = 0;
        sendWindow = 0;
        retransmits = 0;
        unacknowledged = 0;
        sendWindowScale = 0;
        receiveWindowScale = 0;
        timestamps = false;
        sack = false;
    }

    void copyFrom(final TcpInfo other)
    {
        state = other.state;
        rttMicros = other.rttMicros;
        rtoMicros = other.rtoMicros;
        sendMss = other.sendMss;
        congestionWindow = other.congestionWindow;
        sendWindow = other.sendWindow;
        retransmits = other.retransmits;
        unacknowledged = other.unacknowledged;
        sendWindowScale = other.sendWindowScale;
        receiveWindowScale = other.receiveWindowScale;
        timestamps = other.timestamps;
        sack = other.sack;
    }

    /** @return the TCP state (tcpi_state). */
    public TcpState state()
    {
        return state;
    }

    /** @return smoothed RTT in microseconds (tcpi_rtt). */
    public long rttMicros()
    {
        return rttMicros;
    }

    /** @return retransmission timeout in microseconds (tcpi_rto). */
    public long rtoMicros()
    {
        return rtoMicros;
    }

    /** @return the MSS we send with (tcpi_snd_mss). */
    public int sendMss()
    {
        return sendMss;
    }

    /** @return the congestion window in bytes (tcpi_snd_cwnd times the MSS). */
    public int congestionWindow()
    {
        return congestionWindow;
    }

    /** @return the peer's advertised window in bytes (tcpi_snd_wnd). */
    public int sendWindow()
    {
        return sendWindow;
    }

    /** @return segments retransmitted (tcpi_total_retrans). */
    public long retransmits()
    {
        return retransmits;
    }

    /** @return bytes sent and not yet acknowledged, plus bytes queued in the engine. */
    public int unacknowledged()
    {
        return unacknowledged;
    }

    /** @return the peer's window scale (tcpi_snd_wscale). */
    public int sendWindowScale()
    {
        return sendWindowScale;
    }

    /** @return our window scale (tcpi_rcv_wscale). */
    public int receiveWindowScale()
    {
        return receiveWindowScale;
    }

    /** @return whether RFC 7323 timestamps are on. */
    public boolean timestamps()
    {
        return timestamps;
    }

    /** @return whether SACK is on. */
    public boolean sack()
    {
        return sack;
    }

    @Override
    public String toString()
    {
        return "TcpInfo{state=" + state + ", rtt=" + rttMicros + "us, rto=" + rtoMicros + "us, mss=" + sendMss +
            ", cwnd=" + congestionWindow + ", snd_wnd=" + sendWindow + ", retrans=" + retransmits +
            ", wscale=" + sendWindowScale + "/" + receiveWindowScale + ", ts=" + timestamps + ", sack=" + sack + "}";
    }
}
