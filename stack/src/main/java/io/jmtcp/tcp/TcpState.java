package io.jmtcp.tcp;

/**
 * The connection states of RFC 9293 §3.3.2. TIME_WAIT is a state a connection reaches, but the
 * engine then keeps it as a compact record ({@link TimeWaitTable}) and releases the connection.
 */
public enum TcpState
{
    /** No connection: never opened, or terminated. */
    CLOSED,
    /** Waiting for a SYN (only listeners are in it). */
    LISTEN,
    /** Our SYN sent, waiting for the peer's. */
    SYN_SENT,
    /** SYN received and SYN-ACK sent, waiting for the ACK of ours. */
    SYN_RECEIVED,
    /** Open: data flows both ways. */
    ESTABLISHED,
    /** We closed and sent FIN; waiting for its ACK or the peer's FIN. */
    FIN_WAIT_1,
    /** Our FIN acknowledged; waiting for the peer's FIN. */
    FIN_WAIT_2,
    /** The peer closed; we may still send. */
    CLOSE_WAIT,
    /** Both sent FIN at once; waiting for the ACK of ours. */
    CLOSING,
    /** The peer closed first and so did we; waiting for the ACK of our FIN. */
    LAST_ACK,
    /** Both FINs acknowledged; waiting 2*MSL so that old duplicates die (RFC 9293 §3.4.2). */
    TIME_WAIT;

    /**
     * @return true in the states RFC 9293 §3.3.2 calls synchronized (after the handshake).
     */
    public boolean synchronizedState()
    {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /**
     * @return true where our side may still send data (before our FIN is queued).
     */
    public boolean canSendData()
    {
        return this == ESTABLISHED || this == CLOSE_WAIT || this == SYN_SENT || this == SYN_RECEIVED;
    }
}
