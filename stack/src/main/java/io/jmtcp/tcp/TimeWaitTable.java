package io.jmtcp.tcp;

import io.jmtcp.wire.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;
import java.util.Arrays;

import static io.jmtcp.tcp.SequenceNumbers.gt;
import static io.jmtcp.tcp.SequenceNumbers.le;
import static io.jmtcp.tcp.SequenceNumbers.lt;
import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Connections in TIME-WAIT (RFC 9293 §3.3.2), kept as compact records rather than whole
 * connections, as Linux does with its {@code tcp_timewait_sock}: after both FINs, all a TCP
 * still needs for 2&times;MSL is enough to re-acknowledge a retransmitted FIN, answer stray
 * segments, and decide whether a new SYN may reopen the 4-tuple. A busy server holds many of
 * them, so they cost 49 bytes each here, plus 8 to 16 of hash buckets, instead of a connection's buffers.
 *
 * <p>One table per context, of a capacity fixed at construction: every array is allocated by
 * the constructor and nothing afterwards.
 *
 * <ul>
 *   <li>Records live in slots, parallel primitive arrays indexed by slot number. A slot number
 *       stays valid until the record is removed, expires or is evicted, so it is good until the
 *       next {@link #add}, {@link #remove} or {@link #expire}.</li>
 *   <li>Lookup is an open-addressing hash of the opaque 64-bit {@code flowKey}, with linear
 *       probing at a load factor of at most 1/2. Deletion shifts later entries of the probe run
 *       back into the hole (Knuth's Algorithm R, TAOCP vol. 3 §6.4) instead of leaving
 *       tombstones, so a lookup never walks over dead entries however long the table has been
 *       churning. The hash is SipHash-2-4 with a secret key, as Linux keys its connection hash:
 *       a peer chooses its port and so part of the key, and with a public hash function could
 *       aim all its connections at one probe run.</li>
 *   <li>Every record gets the same TIME-WAIT length, so deadlines come in the order records are
 *       added. The expiry queue is a FIFO kept as a doubly linked list through the slots, oldest
 *       first. {@link #restart} and a replacing {@link #add} move a record to the tail, where its
 *       new deadline belongs (it is the latest so far); being a list rather than a ring, the move
 *       and {@link #remove} unlink in O(1) and leave no stale entries for {@link #expire} to skip.
 *       This holds as long as {@code now} never goes backwards, which a context's clock does
 *       not; if it did, records would only expire late, never early.</li>
 *   <li>When the table is full, adding a record evicts the oldest one early, counted by
 *       {@link #evictedEarly()}: a shortened TIME-WAIT is a small risk (RFC 9293 §3.3.2 keeps it
 *       to catch old duplicates), refusing to close a connection is not an option.</li>
 *   <li>Each record carries an {@code int} tag of its owner's (the engine's: whether the
 *       connection's local port is counted as used), handed to the {@link RemovalListener} when
 *       the record leaves the table, whichever way it leaves: expired, evicted, removed,
 *       replaced by a record of the same key, or cleared.</li>
 * </ul>
 *
 * <p>Owned by one thread, like everything a context owns.
 */
public final class TimeWaitTable
{
    /** Drop the segment and send nothing. */
    public static final int ACTION_DROP = 0;
    /**
     * Send an ACK from the record (SEQ = sndNxt, ACK = rcvNxt, window rcvWindow, TSecr = tsRecent
     * when it has timestamps) and drop the segment.
     */
    public static final int ACTION_ACK = 1;
    /** Send an ACK as for {@link #ACTION_ACK} and {@link #restart} the record's timer. */
    public static final int ACTION_ACK_RESTART = 2;
    /**
     * The SYN may open a new incarnation of the connection: remove the record and hand the SYN to
     * the listener of the 4-tuple's local port, if any. RFC 1122 §4.2.2.13 asks that the new ISN
     * be above the largest sequence number the previous incarnation used; Linux takes
     * {@code sndNxt + 65535 + 2}.
     */
    public static final int ACTION_ACCEPT_SYN = 3;

    /** Told of every record that leaves the table. */
    @FunctionalInterface
    public interface RemovalListener
    {
        /**
         * A record left the table (a replaced one: its new record is in place). Must not call back
         * into the table.
         *
         * @param flowKey the record's key.
         * @param tag     the tag it was added with.
         */
        void onRemoved(long flowKey, int tag);
    }

    private static final int NONE = -1;
    /** The {@link #older} link of a free slot, to tell it from a record. */
    private static final int FREE = -2;
    private static final int EMPTY = -1;
    private static final int MAX_CAPACITY = 1 << 28;

    private final int capacity;
    private final long timeWaitNanos;
    private final long hashKey0;
    private final long hashKey1;
    private final UnsafeBuffer hashInput = new UnsafeBuffer(new byte[Long.BYTES]);
    private final RemovalListener removalListener;

    /** The hash: a slot number or {@link #EMPTY} per bucket. */
    private final int[] buckets;
    private final int bucketMask;

    private final long[] flowKeys;
    private final int[] tags;
    /** The bucket each record's key hashes to, so that deletion does not hash again. */
    private final int[] homeBuckets;
    private final int[] sndNxts;
    private final int[] rcvNxts;
    private final int[] rcvWindows;
    private final int[] tsRecents;
    private final boolean[] timestamps;
    private final long[] expiries;
    /** The expiry FIFO's links; a free slot has {@link #FREE} here and the next free slot in {@link #newer}. */
    private final int[] older;
    private final int[] newer;

    private int oldest = NONE;
    private int newest = NONE;
    private int freeHead;
    private int size;
    private long evictedEarly;

    /**
     * A table with a fresh secret hash key from {@link SecureRandom}.
     *
     * @param capacity        the most records held, 1 to 2<sup>28</sup>.
     * @param timeWaitNanos   how long a record lives, 2&times;MSL (RFC 9293 §3.3.2), more than 0.
     * @param removalListener told of every record that leaves the table.
     */
    public TimeWaitTable(final int capacity, final long timeWaitNanos, final RemovalListener removalListener)
    {
        this(capacity, timeWaitNanos, new SecureRandom().nextLong(), new SecureRandom().nextLong(), removalListener);
    }

    /**
     * A table with a given hash key, for tests that need to know where keys land.
     *
     * @param capacity        the most records held, 1 to 2<sup>28</sup>.
     * @param timeWaitNanos   how long a record lives, 2&times;MSL (RFC 9293 §3.3.2), more than 0.
     * @param hashKey0        the first 64 bits of the SipHash key.
     * @param hashKey1        the last 64 bits of the SipHash key.
     * @param removalListener told of every record that leaves the table.
     */
    public TimeWaitTable(final int capacity, final long timeWaitNanos, final long hashKey0, final long hashKey1,
        final RemovalListener removalListener)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity " + capacity + " not in 1.." + MAX_CAPACITY);
        }
        if (timeWaitNanos <= 0)
        {
            throw new IllegalArgumentException("timeWaitNanos " + timeWaitNanos + " not positive");
        }
        this.capacity = capacity;
        this.timeWaitNanos = timeWaitNanos;
        this.hashKey0 = hashKey0;
        this.hashKey1 = hashKey1;
        this.removalListener = removalListener;

        // At least two buckets per record: linear probing stays short at a load of 1/2.
        final int bucketCount = Integer.highestOneBit(2 * capacity - 1) << 1;
        buckets = new int[bucketCount];
        bucketMask = bucketCount - 1;
        Arrays.fill(buckets, EMPTY);

        flowKeys = new long[capacity];
        tags = new int[capacity];
        homeBuckets = new int[capacity];
        sndNxts = new int[capacity];
        rcvNxts = new int[capacity];
        rcvWindows = new int[capacity];
        tsRecents = new int[capacity];
        timestamps = new boolean[capacity];
        expiries = new long[capacity];
        older = new int[capacity];
        newer = new int[capacity];
        for (int slot = 0; slot < capacity; slot++)
        {
            older[slot] = FREE;
            newer[slot] = slot + 1 < capacity ? slot + 1 : NONE;
        }
        freeHead = 0;
    }

    /**
     * Adds the record of a connection entering TIME-WAIT, with a deadline {@code timeWaitNanos}
     * from {@code now}. A record of the same key is replaced, tag, fields and deadline (the
     * listener hears of the old one). When the table is full, the oldest record is evicted to make
     * room and counted by {@link #evictedEarly()}.
     *
     * @param flowKey       the connection's key, opaque here.
     * @param tag           the owner's tag, opaque here, given back to the {@link RemovalListener}.
     * @param sndNxt        SND.NXT, our next sequence number, after our FIN.
     * @param rcvNxt        RCV.NXT, the next sequence number expected, after the peer's FIN.
     * @param rcvWindow     the receive window we advertise, already scaled, unsigned.
     * @param hasTimestamps whether the connection negotiated timestamps (RFC 7323 §3.2).
     * @param tsRecent      TS.Recent, the latest TSval from the peer (RFC 7323 §4.3); ignored without timestamps.
     * @param now           the context's time in nanoseconds.
     * @return true if a new record was added, false if a record of the same key was replaced.
     */
    public boolean add(final long flowKey, final int tag, final int sndNxt, final int rcvNxt, final int rcvWindow,
        final boolean hasTimestamps, final int tsRecent, final long now)
    {
        int slot = find(flowKey);
        final boolean added = slot == NONE;
        final int replacedTag = added ? 0 : tags[slot];
        if (added)
        {
            if (size == capacity)
            {
                removeRecord(oldest);
                evictedEarly++;
            }
            slot = freeHead;
            freeHead = newer[slot];
            flowKeys[slot] = flowKey;
            insertIntoHash(slot);
            size++;
        }
        else
        {
            unlink(slot);
        }
        tags[slot] = tag;
        sndNxts[slot] = sndNxt;
        rcvNxts[slot] = rcvNxt;
        rcvWindows[slot] = rcvWindow;
        timestamps[slot] = hasTimestamps;
        tsRecents[slot] = tsRecent;
        expiries[slot] = now + timeWaitNanos;
        appendNewest(slot);
        if (!added)
        {
            removalListener.onRemoved(flowKey, replacedTag);
        }
        return added;
    }

    /**
     * @param flowKey the connection's key.
     * @return the slot of its record, or -1 if there is none.
     */
    public int find(final long flowKey)
    {
        for (int bucket = home(flowKey); ; bucket = (bucket + 1) & bucketMask)
        {
            final int slot = buckets[bucket];
            if (slot == EMPTY)
            {
                return NONE;
            }
            if (flowKeys[slot] == flowKey)
            {
                return slot;
            }
        }
    }

    /**
     * @param slot a record's slot.
     * @return the record's key.
     */
    public long flowKey(final int slot)
    {
        return flowKeys[slot];
    }

    /**
     * @param slot a record's slot.
     * @return SND.NXT, the sequence number of the ACKs we send.
     */
    public int sndNxt(final int slot)
    {
        return sndNxts[slot];
    }

    /**
     * @param slot a record's slot.
     * @return RCV.NXT, the acknowledgment number of the ACKs we send.
     */
    public int rcvNxt(final int slot)
    {
        return rcvNxts[slot];
    }

    /**
     * @param slot a record's slot.
     * @return the window we advertise, already scaled.
     */
    public int rcvWindow(final int slot)
    {
        return rcvWindows[slot];
    }

    /**
     * @param slot a record's slot.
     * @return whether the connection used timestamps, so that our ACKs carry them.
     */
    public boolean hasTimestamps(final int slot)
    {
        return timestamps[slot];
    }

    /**
     * @param slot a record's slot.
     * @return TS.Recent, the TSecr of the ACKs we send (RFC 7323 §4.3).
     */
    public int tsRecent(final int slot)
    {
        return tsRecents[slot];
    }

    /**
     * @param slot a record's slot.
     * @return the record's deadline, in the nanoseconds of {@code now}.
     */
    public long expiry(final int slot)
    {
        return expiries[slot];
    }

    /**
     * Removes a record, as when a SYN reopens its 4-tuple ({@link #ACTION_ACCEPT_SYN}).
     *
     * @param slot a record's slot.
     * @throws IllegalArgumentException if the slot holds no record.
     */
    public void remove(final int slot)
    {
        checkRecord(slot);
        removeRecord(slot);
    }

    /**
     * Restarts a record's timer: RFC 9293 §3.10.7.4, TIME-WAIT, "restart the 2 MSL timeout" when
     * the peer's FIN arrives again (our last ACK was lost, and the peer will resend its FIN until
     * one arrives).
     *
     * @param slot a record's slot.
     * @param now  the context's time in nanoseconds, not before any {@code now} given earlier.
     * @throws IllegalArgumentException if the slot holds no record.
     */
    public void restart(final int slot, final long now)
    {
        checkRecord(slot);
        expiries[slot] = now + timeWaitNanos;
        unlink(slot);
        appendNewest(slot);
    }

    /**
     * Removes the records whose deadline is not after {@code now}. Deadlines are compared by
     * {@code deadline - now <= 0}, which is right across the wrap of a {@code long} as long as
     * the two are less than 2<sup>63</sup> ns (292 years) apart, as {@link System#nanoTime()}
     * requires of its differences.
     *
     * @param now the context's time in nanoseconds.
     * @return the number of records removed.
     */
    public int expire(final long now)
    {
        int expired = 0;
        while (oldest != NONE && expiries[oldest] - now <= 0)
        {
            removeRecord(oldest);
            expired++;
        }
        return expired;
    }

    /**
     * Removes every record, as when the context that owns the table is destroyed.
     *
     * @return the number of records removed.
     */
    public int clear()
    {
        int cleared = 0;
        while (oldest != NONE)
        {
            removeRecord(oldest);
            cleared++;
        }
        return cleared;
    }

    /**
     * @return the earliest deadline, for the context's timer, or {@link Long#MAX_VALUE} when the
     *         table is empty (a real deadline can equal that value too; {@link #size()} tells).
     */
    public long nextExpiry()
    {
        return oldest == NONE ? Long.MAX_VALUE : expiries[oldest];
    }

    /**
     * @return the number of records held.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return the most records the table holds.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return how many records were evicted before their deadline to make room, since construction.
     */
    public long evictedEarly()
    {
        return evictedEarly;
    }

    /**
     * Decides what to do with a segment for the 4-tuple of a TIME-WAIT record. The rules, in the
     * order they are applied:
     *
     * <ol>
     *   <li>RST: {@link #ACTION_DROP}. RFC 9293 §3.10.7.4 ("second, check the RST bit") would
     *       close the record, but an old duplicate RST would then end TIME-WAIT early and let old
     *       duplicates into a new incarnation (RFC 1337 §2, "TIME-WAIT assassination"). Fix F1
     *       of RFC 1337 §3 ignores RST in TIME-WAIT, and so do we (Linux's tcp_rfc1337 = 1).</li>
     *   <li>Timestamps negotiated and the segment has none: {@link #ACTION_DROP}, RFC 7323 §3.2
     *       ("If a non-&lt;RST&gt; segment is received without a TSopt, a TCP SHOULD silently drop
     *       the segment"). A SYN is exempt: it may open a new incarnation, which need not use
     *       timestamps (RFC 6191 §2).</li>
     *   <li>PAWS failure, both using timestamps and SEG.TSval &lt; TS.Recent modulo 2<sup>32</sup>:
     *       {@link #ACTION_ACK}, RFC 7323 §5.3 R1 ("send an acknowledgment in reply ... and drop
     *       the segment"). TS.Recent cannot be older than the 24 days of RFC 7323 §5.5 here, since
     *       a record lives 2&times;MSL.</li>
     *   <li>SYN without ACK that passes RFC 6191 §2: {@link #ACTION_ACCEPT_SYN}. If both the
     *       record and the SYN have timestamps, its TSval must be above TS.Recent, or equal to it
     *       with SEG.SEQ above RCV.NXT; otherwise SEG.SEQ must be above RCV.NXT (the RFC 1122
     *       §4.2.2.13 rule). Timestamps make reuse safe even when the peer's new ISN is below
     *       RCV.NXT, which random ISNs (RFC 6528) often are. This is Linux's rule as well.</li>
     *   <li>Any other SYN: {@link #ACTION_ACK}. RFC 6191 §2 would drop it silently; RFC 9293
     *       §3.10.7.4 ("fourth, check the SYN bit", from RFC 5961 §4) sends a challenge ACK for a
     *       SYN in any synchronized state, which also tells a peer that lost our last ACK where the
     *       old connection stands. Linux ACKs too.</li>
     *   <li>The peer's FIN again, FIN set and SEG.SEQ + SEG.LEN = RCV.NXT (the FIN occupies
     *       RCV.NXT - 1): {@link #ACTION_ACK_RESTART}, RFC 9293 §3.10.7.4, TIME-WAIT under "fifth,
     *       check the ACK field" and "eighth, check the FIN bit": acknowledge it and restart the
     *       2&times;MSL timeout. (The acceptability test of the first check would call this
     *       segment old and only ACK it; the state's own text, BSD and Linux restart the timer.)</li>
     *   <li>An acceptable segment that occupies no sequence space (RFC 9293 §3.10.7.4, first check,
     *       with RCV.WND = {@link #rcvWindow}), such as the peer's ACK of our FIN:
     *       {@link #ACTION_DROP}. Nothing can usefully arrive in TIME-WAIT but a retransmitted FIN
     *       (RFC 9293, fifth check, TIME-WAIT); answering acceptable ACKs with ACKs would make two
     *       ends both in TIME-WAIT (a simultaneous close) ACK each other forever. As RFC 7323 §5.3
     *       R3 and §4.3 require, its TSval becomes TS.Recent when it is not below it and SEG.SEQ is
     *       not above RCV.NXT (our Last.ACK.sent).</li>
     *   <li>Anything else, unacceptable or carrying data or an out-of-place FIN:
     *       {@link #ACTION_ACK}, RFC 9293 §3.10.7.4 first check ("an acknowledgment should be sent
     *       in reply (unless the RST bit is set ...)"), and seventh check for data in TIME-WAIT
     *       (the peer has sent its FIN; the text is ignored).</li>
     * </ol>
     *
     * <p>The segment's acknowledgment number is not examined. Only the rule for acceptable
     * segments changes the record (TS.Recent); the caller sends the ACK, calls {@link #restart} or removes the
     * record as the action says. Answering floods of segments with ACKs should be rate limited by
     * the caller, as Linux does for all out-of-window ACKs.
     *
     * @param slot              the record's slot.
     * @param flags             the segment's control bits, {@link TcpHeader#flags()}.
     * @param seq               SEG.SEQ.
     * @param segmentLength     SEG.LEN: the data length plus one for SYN and one for FIN (RFC 9293 §3.4).
     * @param segHasTimestamps  whether the segment carries a timestamp option.
     * @param segTsVal          its TSval; ignored without one.
     * @return one of {@link #ACTION_DROP}, {@link #ACTION_ACK}, {@link #ACTION_ACK_RESTART},
     *         {@link #ACTION_ACCEPT_SYN}.
     */
    public int onSegment(final int slot, final int flags, final int seq, final int segmentLength,
        final boolean segHasTimestamps, final int segTsVal)
    {
        if ((flags & TcpHeader.RST) != 0)
        {
            return ACTION_DROP;
        }
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        final boolean recordHasTimestamps = timestamps[slot];
        if (recordHasTimestamps && !segHasTimestamps && !syn)
        {
            return ACTION_DROP;
        }
        final boolean bothTimestamps = recordHasTimestamps && segHasTimestamps;
        final int tsRecent = tsRecents[slot];
        if (bothTimestamps && lt(segTsVal, tsRecent))
        {
            return ACTION_ACK;
        }
        final int rcvNxt = rcvNxts[slot];
        if (syn)
        {
            final boolean newer = bothTimestamps ?
                gt(segTsVal, tsRecent) || (segTsVal == tsRecent && gt(seq, rcvNxt)) : gt(seq, rcvNxt);
            return newer && (flags & TcpHeader.ACK) == 0 ? ACTION_ACCEPT_SYN : ACTION_ACK;
        }
        if ((flags & TcpHeader.FIN) != 0 && seq + segmentLength == rcvNxt)
        {
            return ACTION_ACK_RESTART;
        }
        if (segmentLength == 0 && SequenceNumbers.segmentAcceptable(seq, 0, rcvNxt, rcvWindows[slot]))
        {
            if (bothTimestamps && le(seq, rcvNxt))
            {
                tsRecents[slot] = segTsVal;
            }
            return ACTION_DROP;
        }
        return ACTION_ACK;
    }

    /** The bucket a key's probe run starts at. Package-private for tests that make keys collide. */
    int home(final long flowKey)
    {
        hashInput.putLong(0, flowKey, BIG_ENDIAN);
        return (int)SipHash.hash(hashKey0, hashKey1, hashInput, 0, Long.BYTES) & bucketMask;
    }

    /** Package-private for tests. */
    int bucketCount()
    {
        return buckets.length;
    }

    private void checkRecord(final int slot)
    {
        if (slot < 0 || slot >= capacity || older[slot] == FREE)
        {
            throw new IllegalArgumentException("slot " + slot + " holds no record");
        }
    }

    private void insertIntoHash(final int slot)
    {
        final int home = home(flowKeys[slot]);
        homeBuckets[slot] = home;
        int bucket = home;
        while (buckets[bucket] != EMPTY)
        {
            bucket = (bucket + 1) & bucketMask;
        }
        buckets[bucket] = slot;
    }

    private void removeRecord(final int slot)
    {
        removeFromHash(slot);
        unlink(slot);
        older[slot] = FREE;
        newer[slot] = freeHead;
        freeHead = slot;
        size--;
        removalListener.onRemoved(flowKeys[slot], tags[slot]);
    }

    private void removeFromHash(final int slot)
    {
        int hole = homeBuckets[slot];
        while (buckets[hole] != slot)
        {
            hole = (hole + 1) & bucketMask;
        }
        // Backward-shift deletion: walk the rest of the probe run and move back into the hole
        // every entry whose home is not between the hole and where it sits (cyclically), since
        // a lookup for it starts at its home and would otherwise stop at the hole.
        for (int bucket = (hole + 1) & bucketMask; ; bucket = (bucket + 1) & bucketMask)
        {
            final int moving = buckets[bucket];
            if (moving == EMPTY)
            {
                break;
            }
            if (((bucket - homeBuckets[moving]) & bucketMask) >= ((bucket - hole) & bucketMask))
            {
                buckets[hole] = moving;
                hole = bucket;
            }
        }
        buckets[hole] = EMPTY;
    }

    private void unlink(final int slot)
    {
        final int before = older[slot];
        final int after = newer[slot];
        if (before == NONE)
        {
            oldest = after;
        }
        else
        {
            newer[before] = after;
        }
        if (after == NONE)
        {
            newest = before;
        }
        else
        {
            older[after] = before;
        }
    }

    private void appendNewest(final int slot)
    {
        older[slot] = newest;
        newer[slot] = NONE;
        if (newest == NONE)
        {
            oldest = slot;
        }
        else
        {
            newer[newest] = slot;
        }
        newest = slot;
    }
}
