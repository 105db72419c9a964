package io.jmtcp.tcp.cc;

/**
 * The congestion window of one connection (RFC 5681 §3): a pluggable algorithm that decides
 * {@code cwnd} and {@code ssthresh} from the events the sender reports. Loss <em>detection</em>
 * and <em>recovery</em> (fast retransmit, RFC 6582 NewReno partial ACKs, RFC 6675 SACK pipe) are
 * the sender's; an algorithm only says how large the window is after each event.
 *
 * <p>Units are bytes and nanoseconds; time is passed in. Implementations allocate nothing after
 * construction and are owned by their connection's thread. {@link #reset} readies an instance
 * for a new connection so that it can live in a pooled connection.
 */
public interface CongestionControl
{
    /**
     * Start of a connection, once the MSS is known (after the handshake): cwnd becomes the initial
     * window of RFC 6928 §2, min(10*MSS, max(2*MSS, 14600)), ssthresh "arbitrarily high" (RFC
     * 5681 §3.1).
     *
     * @param mss the sender maximum segment size (SMSS), in bytes.
     * @param now the connection's time.
     */
    void reset(int mss, long now);

    /**
     * A change of SMSS (path MTU discovery): scale what depends on it.
     *
     * @param mss the new SMSS.
     */
    void onMssChange(int mss);

    /**
     * @return the congestion window in bytes.
     */
    int cwnd();

    /**
     * @return the slow-start threshold in bytes.
     */
    int ssthresh();

    /**
     * An ACK that advanced SND.UNA outside loss recovery: grow the window (slow start or
     * congestion avoidance).
     *
     * @param bytesAcked     how many new bytes it acknowledged.
     * @param flightSizeBefore bytes in flight before the ACK (to avoid growing an unused window,
     *                       RFC 7661 spirit: an application-limited sender does not grow cwnd).
     * @param srttNanos      the smoothed RTT, or 0 before the first sample.
     * @param now            the connection's time.
     */
    void onAck(int bytesAcked, int flightSizeBefore, long srttNanos, long now);

    /**
     * Loss detected by duplicate ACKs or SACK: set ssthresh (and the algorithm's own state) for
     * the recovery that starts, and cwnd to the value recovery starts from (RFC 5681 §3.2 step
     * 2–3 without the 3*SMSS inflation, which the sender applies for NewReno itself).
     *
     * @param flightSize bytes outstanding when the loss was detected.
     * @param now        the connection's time.
     */
    void onFastRecovery(int flightSize, long now);

    /**
     * Loss recovery ended with a full ACK (RFC 6582 §3.2 step 3): deflate cwnd.
     *
     * @param flightSize bytes outstanding after the full ACK.
     * @param now        the connection's time.
     */
    void onRecoveryExit(int flightSize, long now);

    /**
     * The retransmission timer expired (RFC 5681 §3.1, eq. 4): ssthresh as the algorithm
     * reduces it (NewReno from the flight size, CUBIC from cwnd), cwnd to the loss window of one SMSS.
     *
     * @param flightSize bytes outstanding when the timer fired.
     * @param now        the connection's time.
     */
    void onRetransmitTimeout(int flightSize, long now);

    /**
     * The sender was idle for more than an RTO (RFC 5681 §4.1): cwnd to the restart window,
     * min(initial window, cwnd).
     *
     * @param now the connection's time.
     */
    void onIdleRestart(long now);

    /**
     * Set cwnd directly; the sender's loss recovery uses it for RFC 6582 inflation and partial-ACK
     * deflation. Values below one SMSS are raised to one SMSS.
     *
     * @param cwnd the new window in bytes.
     */
    void cwnd(int cwnd);
}
