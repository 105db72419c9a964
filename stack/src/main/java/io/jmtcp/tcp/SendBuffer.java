package io.jmtcp.tcp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The send side's bytes: what the application wrote and the peer has not yet acknowledged, held
 * in a fixed ring so any of it can be (re)transmitted until it is acknowledged.
 *
 * <pre>
 *   startSequence()                                      endSequence()
 *   (SND.UNA once connected)                             (next byte the application writes)
 *        |                                                    |
 *   -----+----------------------------------------------------+--------------------+-----
 *        |   sent, unacknowledged   |   written, not yet sent |        free        |
 *   -----+----------------------------------------------------+--------------------+-----
 *        <---------------------------- length() ------------->  <---- free() ----->
 *        <------------------------------------ capacity() ---------------------------->
 * </pre>
 *
 * <p>The buffer holds data bytes only: SYN and FIN occupy sequence numbers (RFC 9293 §3.4) but
 * no bytes here, so SND.NXT, the FIN and what has been sent are the engine's to track. The byte
 * with sequence number {@code s} lives at ring index {@code s & (capacity - 1)}: the capacity is a
 * power of two and so divides 2<sup>32</sup>, which keeps that mapping valid across the wrap of
 * sequence numbers, and a read or write touches at most two slices of the ring. All sequence
 * arithmetic is modulo 2<sup>32</sup>, by difference ({@code a - b < 0}), which is sound because
 * the capacity is at most 2<sup>30</sup>, well under half the sequence space (RFC 7323 §2.3).
 *
 * <p>The ring is allocated once, in the constructor; no other method allocates. Limits are
 * reported by return values (a full buffer accepts 0 bytes), never by an exception; exceptions
 * are thrown only for arguments no correct caller passes. Owned by one context thread; reusable
 * for a new connection through {@link #startSequence(int)}.
 */
public final class SendBuffer
{
    /**
     * Largest capacity, 2<sup>30</sup>: no window exceeds it (RFC 7323 §2.3 caps a scaled window at
     * 65,535 x 2<sup>14</sup>), and it keeps every distance within the buffer well under
     * 2<sup>31</sup>, as comparison modulo 2<sup>32</sup> requires.
     */
    public static final int MAX_CAPACITY = 1 << 30;

    /** Returned by {@link #acknowledge(int)} for an acknowledgment of bytes the buffer never held. */
    public static final int ACK_OF_UNSENT_DATA = -1;

    private final UnsafeBuffer ring;
    private final int capacity;
    private final int mask;

    private int start;
    private int length;

    /**
     * @param capacity bytes the ring holds: a power of two, at most {@link #MAX_CAPACITY}.
     * @throws IllegalArgumentException if the capacity is not a power of two in range.
     */
    public SendBuffer(final int capacity)
    {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two in 1.." + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.ring = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
    }

    /**
     * Start a connection's stream: empty the buffer and set the sequence number the first byte the
     * application writes will carry. That is ISS + 1, because the SYN occupies ISS (RFC 9293 §3.4);
     * the caller adds the one.
     *
     * @param firstSequence the sequence number of the first data byte.
     */
    public void startSequence(final int firstSequence)
    {
        start = firstSequence;
        length = 0;
    }

    /**
     * @return the sequence number of the first byte held: SND.UNA once connected (and the sequence
     *         number the next written byte will carry when nothing is held).
     */
    public int startSequence()
    {
        return start;
    }

    /**
     * @return the sequence number just past the last byte held: the one the next written byte
     *         gets. With a FIN queued, that is the FIN's sequence number.
     */
    public int endSequence()
    {
        return start + length;
    }

    /**
     * @return bytes held: written by the application and not yet acknowledged.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return bytes the application may still write before the buffer is full.
     */
    public int free()
    {
        return capacity - length;
    }

    /**
     * @return bytes the ring holds when full.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Append application bytes, as many as fit.
     *
     * @param src the bytes.
     * @param off index of the first byte in {@code src}.
     * @param len bytes offered, at least 0.
     * @return bytes accepted, from the start of what was offered: {@code min(len, free())}; 0 when
     *         the buffer is full, which is the application's backpressure.
     * @throws IllegalArgumentException if {@code len} is negative.
     */
    public int write(final DirectBuffer src, final int off, final int len)
    {
        if (len < 0)
        {
            throw new IllegalArgumentException("negative length: " + len);
        }
        final int accepted = Math.min(len, capacity - length);
        if (accepted > 0)
        {
            final int index = (start + length) & mask;
            final int first = Math.min(accepted, capacity - index);
            ring.putBytes(index, src, off, first);
            if (accepted > first)
            {
                ring.putBytes(0, src, off + first, accepted - first);
            }
            length += accepted;
        }
        return accepted;
    }

    /**
     * Copy held bytes starting at any held sequence number, for a first transmission or a
     * retransmission. Nothing is released: only {@link #acknowledge(int)} does that.
     *
     * @param seq    sequence number of the first byte wanted.
     * @param dst    where to copy.
     * @param dstOff index in {@code dst} of the first byte copied.
     * @param maxLen most bytes to copy, at least 0.
     * @return bytes copied: {@code min(maxLen, endSequence() - seq)}, or 0 when {@code seq} is not
     *         a held byte (at or past {@link #endSequence()}, or before {@link #startSequence()},
     *         i.e. already acknowledged).
     * @throws IllegalArgumentException if {@code maxLen} is negative.
     */
    public int copyOut(final int seq, final MutableDirectBuffer dst, final int dstOff, final int maxLen)
    {
        if (maxLen < 0)
        {
            throw new IllegalArgumentException("negative length: " + maxLen);
        }
        final int offset = seq - start;
        if (offset < 0 || offset >= length)
        {
            return 0;
        }
        final int count = Math.min(maxLen, length - offset);
        final int index = seq & mask;
        final int first = Math.min(count, capacity - index);
        dst.putBytes(dstOff, ring, index, first);
        if (count > first)
        {
            dst.putBytes(dstOff + first, ring, 0, count - first);
        }
        return count;
    }

    /**
     * Release the bytes an acknowledgment covers.
     *
     * <p>An acknowledgment at or before {@link #startSequence()} (a duplicate or an old one) is a
     * no-op returning 0; the engine decides what a duplicate means for fast retransmit (RFC 5681
     * §3.2). An acknowledgment past {@link #endSequence()} releases nothing and returns
     * {@link #ACK_OF_UNSENT_DATA}: it acknowledges something that was never sent, and the engine
     * applies RFC 9293 §3.10.7.4 ("If the ACK acks something not yet sent (SEG.ACK > SND.NXT),
     * then send an ACK, drop the segment, and return"). Because the buffer holds data bytes only,
     * an acknowledgment of a FIN (one past the data) also lands here: the engine, which knows it
     * sent the FIN, acknowledges {@link #endSequence()} instead. The engine is also the one to
     * reject acknowledgments beyond SND.NXT that are still within what was written.
     *
     * @param ackSeq the segment's acknowledgment number (SEG.ACK).
     * @return bytes released, 0 for an old or duplicate acknowledgment, or
     *         {@link #ACK_OF_UNSENT_DATA}.
     */
    public int acknowledge(final int ackSeq)
    {
        final int acked = ackSeq - start;
        if (acked <= 0)
        {
            return 0;
        }
        if (acked > length)
        {
            return ACK_OF_UNSENT_DATA;
        }
        start = ackSeq;
        length -= acked;
        return acked;
    }
}
