package io.jmtcp.port;

import org.agrona.DirectBuffer;

/**
 * A source and sink of Ethernet frames: a live interface (pcap), one end of an in-memory link,
 * or a wrapper of one of those. One thread uses a port at a time (the context that owns it).
 *
 * <p>Receive is batched and push-style: {@link #receive(FrameHandler, int)} hands at most
 * {@code limit} frames to the handler from buffers the port owns, so the steady state allocates
 * nothing. Transmit copies the frame into the port's own buffers; {@link #flush()} pushes what
 * is queued onto the medium. A port never throws on an I/O failure in the packet path: it
 * refuses the frame and counts it.
 */
public interface PacketPort extends AutoCloseable
{
    /**
     * Deliver up to {@code limit} received frames to {@code handler}.
     *
     * @param handler called once per frame.
     * @param limit   the most frames to deliver in this call (the context's batch size).
     * @return the number of frames delivered, 0 when none were waiting.
     */
    int receive(FrameHandler handler, int limit);

    /**
     * Queue a frame for transmission; the bytes are copied before this returns.
     *
     * @param buffer holding the frame, from its Ethernet header.
     * @param offset of the frame in the buffer.
     * @param length of the frame in bytes.
     * @return true if queued (or sent), false if the port refused it (queue full, frame longer
     *         than {@link #maxFrameLength()}, I/O error).
     */
    boolean send(DirectBuffer buffer, int offset, int length);

    /**
     * Push queued frames onto the medium.
     *
     * @return the number of frames pushed by this call.
     */
    int flush();

    /**
     * The longest frame this port carries, Ethernet header included (no FCS).
     *
     * @return the maximum frame length in bytes.
     */
    int maxFrameLength();

    /**
     * A short name for logs and counters labels, for example the interface name.
     *
     * @return the port's name.
     */
    String name();

    /**
     * Sleep until frames may be waiting, {@link #wakeUp()} is called or {@code maxNanos} pass,
     * whichever comes first; for the owner's idle strategy. A port that cannot wait for its
     * medium (the default) returns false at once and the caller sleeps its own way.
     *
     * @param maxNanos the longest wait.
     * @return true if this port waited (or a wake-up was already pending), false if it cannot wait.
     */
    default boolean awaitFrames(final long maxNanos)
    {
        return false;
    }

    /**
     * End a running or the next {@link #awaitFrames} at once. Any thread; after close, nothing.
     *
     * @return true if this port can wait (the wake-up was delivered), false if it cannot (the
     *         default): the waiter then sleeps its own way and must be woken its own way.
     */
    default boolean wakeUp()
    {
        return false;
    }

    /** Release the port's resources. Idempotent. */
    @Override
    void close();
}
