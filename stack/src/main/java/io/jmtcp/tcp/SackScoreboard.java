package io.jmtcp.tcp;

import java.util.Objects;

/**
 * The sender's SACK scoreboard of RFC 6675 §3-§4: which octets between SND.UNA and SND.NXT the
 * receiver has selectively acknowledged (RFC 2018), and from that the routines loss recovery is
 * built on: {@link #isLost IsLost}, {@link #nextSeg NextSeg} and {@link #pipe SetPipe}.
 *
 * <pre>
 *   SND.UNA                                                                 SND.NXT
 *      |                                                                       |
 *   ---+---------+#########+-----+#####+------------+##########+---------------+---
 *      |  hole   | SACKed  | hole|     |    hole    |  SACKed  |  not SACKed   |
 *   ---+---------+#########+-----+#####+------------+##########+---------------+---
 *                                                              ^ highestSacked()
 * </pre>
 *
 * <p>The scoreboard holds SACKed ranges only, as half-open sequence ranges [left, right), sorted,
 * disjoint and not adjacent (blocks that overlap or touch merge). Everything else in
 * [SND.UNA, SND.NXT) is unSACKed; what has been retransmitted is summed up by the caller's
 * HighRxt, which the routines take as a parameter, as RFC 6675 §4 does. Ranges are stored as
 * sequence numbers and every computation works on their offsets from SND.UNA (the scoreboard's
 * own, or the caller's where a method takes one): every held edge lies within SND.UNA plus a
 * window under 2<sup>31</sup>, so offsets are non-negative {@code int}s whose signed order is
 * the order of RFC 9293 §3.4 across the wrap of sequence numbers; arriving blocks, which may be
 * anything, are compared with {@link SequenceNumbers} before they become offsets.
 *
 * <p>Octet-exact: IsLost, NextSeg and SetPipe are answered per octet, as RFC 6675 §4 words them,
 * not per segment; because IsLost(S) can only turn from true to false as S grows (fewer SACKed
 * octets and ranges lie above a higher S), each routine finds the one boundary below which
 * unSACKed octets are lost and then works over ranges, in O(ranges).
 *
 * <p>Bound: at most {@code maxRanges} ranges are held, in arrays allocated by the constructor; no
 * other method allocates. A block that needs a range of its own when all are in use makes the
 * scoreboard forget the highest range (or the block itself, when it would be the highest), counted
 * in {@link #droppedRanges()}. Forgetting is the conservative direction: octets are reported
 * unSACKed that were SACKed, so they count in pipe (the sender sends less), are less likely to be
 * deemed lost, and at worst are retransmitted needlessly; merging ranges instead would claim
 * octets SACKed that may be lost, leaving holes no rule retransmits until the RTO. The lowest
 * ranges are kept because the holes next to SND.UNA are the ones NextSeg fills first.
 *
 * <p>D-SACK (RFC 2883): a first block that lies below the ACK's cumulative acknowledgment, or
 * inside the second block, reports a duplicate, not new data (RFC 2883 §4); it is counted in
 * {@link #dsackBlocks()} and never marks octets SACKed. Detecting spurious retransmissions from
 * it (RFC 3708) is left to the caller.
 *
 * <p>Reneging (RFC 2018 §8) is not detected: SACKed ranges leave only when the cumulative ACK
 * passes them or on {@link #reset(int)}, which the caller does on a retransmission timeout.
 *
 * <p>Conventions: {@code highRxt} is exclusive, the sequence number just past the highest octet
 * retransmitted in the current recovery ({@code sndUna} when none has been), so "S &lt;= HighRxt"
 * of RFC 6675 §4 is {@code S < highRxt} here and "S &gt; HighRxt" is {@code S >= highRxt}.
 * {@code sndNxt} is the highest sequence number sent plus one (RFC 6675's HighData plus one);
 * a caller that pulls SND.NXT back after a timeout passes the highest ever sent, or SACK blocks
 * above its SND.NXT are counted invalid. Owned by one context thread; reusable through
 * {@link #reset(int)} and {@link #resetCounters()}.
 */
public final class SackScoreboard
{
    /** Returned by {@link #nextSeg} and {@link #rescueSeg} when no segment is to be retransmitted. */
    public static final long NO_SEGMENT = -1L;

    /** DupThresh of RFC 6675 §2: SACKed ranges above an octet that mark it lost (RFC 5681 §3.2). */
    public static final int DUP_THRESH = 3;

    private final int maxRanges;

    /** Range edges as sequence numbers, sorted by offset from {@link #una}. */
    private final int[] lefts;
    private final int[] rights;
    private int count;
    /** SND.UNA as far as the scoreboard knows: every range lies above it. */
    private int una;
    private int sackedBytes;

    private long dsackBlocks;
    private long invalidBlocks;
    private long droppedRanges;

    /**
     * @param maxRanges SACKed ranges held at most, 1 or more: a few times the 3 or 4 blocks an ACK
     *                  carries (RFC 2018 §3), e.g. 32.
     * @throws IllegalArgumentException if {@code maxRanges} is less than 1.
     */
    public SackScoreboard(final int maxRanges)
    {
        if (maxRanges < 1)
        {
            throw new IllegalArgumentException("maxRanges must be at least 1: " + maxRanges);
        }
        this.maxRanges = maxRanges;
        this.lefts = new int[maxRanges];
        this.rights = new int[maxRanges];
    }

    /**
     * Empty the scoreboard, for a new connection or after a retransmission timeout. After a
     * timeout a sender SHOULD clear its SACK information, since the receiver may have reneged
     * (RFC 2018 §5 and §8); RFC 6675 §5.1 keeps that rule and asks that the SACK information
     * arriving in the recovery after the timeout be used, which the following {@link #onAck}
     * calls build up again. The counters are kept, so that they never go backwards;
     * {@link #resetCounters()} zeroes them.
     *
     * @param sndUna SND.UNA: the scoreboard's octets start here.
     */
    public void reset(final int sndUna)
    {
        una = sndUna;
        count = 0;
        sackedBytes = 0;
    }

    /**
     * Zero {@link #dsackBlocks()}, {@link #invalidBlocks()} and {@link #droppedRanges()}, for a
     * pooled scoreboard's next connection.
     */
    public void resetCounters()
    {
        dsackBlocks = 0;
        invalidBlocks = 0;
        droppedRanges = 0;
    }

    /**
     * Process one arriving ACK: drop what its cumulative acknowledgment covers, then take in its
     * SACK blocks (RFC 6675 §4 Update()). Call it for every acceptable ACK, with
     * {@code count} 0 when the ACK carries no SACK option, so that the ranges follow SND.UNA.
     *
     * <p>The cumulative acknowledgment counts when SND.UNA &lt; SEG.ACK =&lt; SND.NXT (RFC 9293
     * §3.10.7.4); an older one moves nothing, but its blocks are still used (an ACK reordered in
     * the network still tells what arrived). A segment whose ACK acknowledges data never sent is
     * the engine's to drop (RFC 9293 §3.10.7.4) before it gets here: its SEG.ACK would make a
     * valid first block look like a D-SACK.
     *
     * <p>The first block is a D-SACK (RFC 2883 §4) when it starts below {@code ackNumber} or lies
     * inside the second block; it is counted in {@link #dsackBlocks()} (or, beyond
     * {@code sndNxt}, in {@link #invalidBlocks()}) and not used. Any other block must satisfy
     * {@code sndUna =< left < right =< sndNxt}: a receiver reports only data it received and
     * queued beyond its cumulative acknowledgment (RFC 2018 §4); one that does not is counted in
     * {@link #invalidBlocks()} and ignored. The part of a block at or below the new cumulative
     * acknowledgment is trimmed.
     *
     * @param ackNumber the segment's cumulative acknowledgment (SEG.ACK).
     * @param sndUna    SND.UNA before this ACK is applied.
     * @param sndNxt    the highest sequence number sent plus one.
     * @param lefts     the blocks' left edges, as received.
     * @param rights    the blocks' right edges, as received.
     * @param count     blocks in the arrays, 0 or more.
     * @return true if the ACK marked octets SACKed that the scoreboard did not hold: the
     *         "SACKs new data" of RFC 6675 §2's DupAck definition. A block refused because all
     *         ranges were in use (see the class comment) does not count.
     * @throws IllegalArgumentException if {@code count} is negative or longer than either array,
     *                                  or {@code sndNxt} is before {@code sndUna}.
     */
    public boolean onAck(final int ackNumber, final int sndUna, final int sndNxt, final int[] lefts,
        final int[] rights, final int count)
    {
        if (count < 0 || count > lefts.length || count > rights.length)
        {
            throw new IllegalArgumentException("count must be in 0..array length: " + count);
        }
        checkWindow(sndUna, sndNxt);
        advance(SequenceNumbers.lt(sndUna, ackNumber) && SequenceNumbers.le(ackNumber, sndNxt) ? ackNumber : sndUna);

        int first = 0;
        if (count > 0 && isDsack(ackNumber, lefts, rights, count))
        {
            first = 1;
            if (SequenceNumbers.le(rights[0], sndNxt))
            {
                dsackBlocks++;
            }
            else
            {
                invalidBlocks++;
            }
        }
        boolean sackedNew = false;
        for (int i = first; i < count; i++)
        {
            final int left = lefts[i];
            final int right = rights[i];
            if (!SequenceNumbers.le(sndUna, left) || !SequenceNumbers.lt(left, right)
                || !SequenceNumbers.le(right, sndNxt))
            {
                invalidBlocks++;
            }
            else if (SequenceNumbers.lt(una, right))
            {
                sackedNew |= insert(SequenceNumbers.max(left, una) - una, right - una);
            }
        }
        return sackedNew;
    }

    /**
     * @param seq a sequence number.
     * @return true if the octet {@code seq} is SACKed.
     */
    public boolean isSacked(final int seq)
    {
        final int offset = seq - una;
        for (int i = 0; i < count; i++)
        {
            if (offset < rights[i] - una)
            {
                return offset >= lefts[i] - una;
            }
        }
        return false;
    }

    /**
     * RFC 6675 §4 IsLost(SeqNum): true when {@link #DUP_THRESH} discontiguous SACKed ranges lie
     * above {@code seq} (starting after it), or more than (DupThresh - 1) * SMSS SACKed octets do.
     * A SACKed octet arrived and is never lost, nor is one the scoreboard does not hold (below
     * its SND.UNA).
     *
     * @param seq the octet's sequence number.
     * @param mss SMSS, in bytes, at least 1.
     * @return true if the octet is deemed lost.
     * @throws IllegalArgumentException if {@code mss} is less than 1.
     */
    public boolean isLost(final int seq, final int mss)
    {
        checkMss(mss);
        final int offset = seq - una;
        return offset >= 0 && !isSacked(seq) && offset < lossBoundary(una, Integer.MAX_VALUE, mss);
    }

    /**
     * RFC 6675 §4 NextSeg() with rule (2), new data, left to the caller: the start of the next
     * segment to retransmit, by rule (1), else by rule (3).
     *
     * <p>RFC 6675 §4 puts rule (2) between the two: a caller that may send new data (data is
     * waiting and the receiver's window allows) MUST do so before a rule (3) retransmission.
     * Such a caller uses {@link #nextSeg(int, int, int, int, boolean)}, or sends new data when the
     * answer here is not {@link #isLost lost}. This form is the one for a sender with nothing new
     * to send.
     *
     * @param sndUna  SND.UNA.
     * @param sndNxt  the highest sequence number sent plus one.
     * @param highRxt one past the highest octet retransmitted in this recovery ({@code sndUna}
     *                when none has been).
     * @param mss     SMSS, in bytes, at least 1.
     * @return the sequence number, as a non-negative {@code long}, where the segment starts; send
     *         {@link #nextSegLength} octets from it. {@link #NO_SEGMENT} when neither rule applies.
     * @throws IllegalArgumentException if {@code mss} is less than 1, or {@code sndNxt} is before
     *                                  {@code sndUna}.
     */
    public long nextSeg(final int sndUna, final int sndNxt, final int highRxt, final int mss)
    {
        return nextSeg(sndUna, sndNxt, highRxt, mss, false);
    }

    /**
     * RFC 6675 §4 NextSeg(), rules (1) to (3) in their order:
     * <ol>
     *   <li>the lowest unSACKed octet S2 with S2 &gt; HighRxt ({@code S2 >= highRxt}), S2 below the
     *       highest SACKed octet, and IsLost(S2);</li>
     *   <li>else, when {@code newDataSendable}, {@link #NO_SEGMENT}: the caller sends new data;</li>
     *   <li>else the lowest unSACKed octet S3 meeting (1.a) and (1.b) without (1.c).</li>
     * </ol>
     * Rule (4), the rescue retransmission, is {@link #rescueSeg}.
     *
     * @param sndUna          SND.UNA.
     * @param sndNxt          the highest sequence number sent plus one.
     * @param highRxt         one past the highest octet retransmitted in this recovery
     *                        ({@code sndUna} when none has been).
     * @param mss             SMSS, in bytes, at least 1.
     * @param newDataSendable whether unsent data is waiting and the receiver's window allows
     *                        sending it (rule (2)).
     * @return the sequence number, as a non-negative {@code long}, where the segment to
     *         retransmit starts; send {@link #nextSegLength} octets from it. {@link #NO_SEGMENT}
     *         when rule (2) applies or no rule does.
     * @throws IllegalArgumentException if {@code mss} is less than 1, or {@code sndNxt} is before
     *                                  {@code sndUna}.
     */
    public long nextSeg(final int sndUna, final int sndNxt, final int highRxt, final int mss,
        final boolean newDataSendable)
    {
        checkMss(mss);
        final int window = checkWindow(sndUna, sndNxt);
        // RFC 6675 §4 (1.a) and (1.b): the lowest unSACKed octet from HighRxt on, in a hole below
        // a SACKed range. IsLost only turns false as octets get higher, so if this one is not
        // lost no higher one is, and it is also the lowest candidate of rule (3).
        final int hole = firstHole(sndUna, window, retransmitted(sndUna, highRxt, window));
        if (hole < 0)
        {
            return NO_SEGMENT;
        }
        if (hole < lossBoundary(sndUna, window, mss))
        {
            // RFC 6675 §4 rule (1): (1.c) IsLost(S2) holds too.
            return Integer.toUnsignedLong(sndUna + hole);
        }
        // RFC 6675 §4 rule (2) comes before rule (3): new data, when it may be sent, is the caller's.
        return newDataSendable ? NO_SEGMENT : Integer.toUnsignedLong(sndUna + hole);
    }

    /**
     * RFC 6675 §4 NextSeg() rule (4), the rescue retransmission: the start of one segment of up
     * to SMSS octets that ends with the highest unSACKed octet below {@code sndNxt}, so that it
     * includes that octet, as the rule requires. The rule's condition is the caller's: only when
     * rules (1) to (3) give nothing, once per entry into recovery (HighACK &gt; RescueRxt, or
     * RescueRxt undefined); the caller then sets RescueRxt to RecoveryPoint and leaves HighRxt as
     * it is.
     *
     * @param sndUna SND.UNA.
     * @param sndNxt the highest sequence number sent plus one.
     * @param mss    SMSS, in bytes, at least 1.
     * @return the sequence number, as a non-negative {@code long}, where the rescue segment
     *         starts; send {@link #nextSegLength} octets from it. {@link #NO_SEGMENT} when every
     *         outstanding octet is SACKed or nothing is outstanding.
     * @throws IllegalArgumentException if {@code mss} is less than 1, or {@code sndNxt} is before
     *                                  {@code sndUna}.
     */
    public long rescueSeg(final int sndUna, final int sndNxt, final int mss)
    {
        checkMss(mss);
        final int window = checkWindow(sndUna, sndNxt);
        // Walk down from SND.NXT over the ranges that reach the top: the highest hole is [floor, end).
        int end = window;
        int floor = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            final int left = clippedLeft(i, sndUna);
            final int right = clippedRight(i, sndUna, window);
            if (left < right)
            {
                if (right < end)
                {
                    floor = right;
                    break;
                }
                end = left;
            }
        }
        if (end <= floor)
        {
            return NO_SEGMENT;
        }
        return Integer.toUnsignedLong(sndUna + Math.max(floor, end - mss));
    }

    /**
     * How many octets to send from a sequence number {@link #nextSeg} or {@link #rescueSeg}
     * returned: up to SMSS, stopping before the next SACKed range and at {@code sndNxt}, so that
     * a retransmission carries no octet the receiver already holds.
     *
     * @param seq    the first octet of the segment.
     * @param mss    SMSS, in bytes, at least 1.
     * @param sndNxt the highest sequence number sent plus one.
     * @return octets to send, 1 to {@code mss}; 0 if {@code seq} is SACKed, below SND.UNA, or not
     *         below {@code sndNxt}.
     * @throws IllegalArgumentException if {@code mss} is less than 1.
     */
    public int nextSegLength(final int seq, final int mss, final int sndNxt)
    {
        checkMss(mss);
        final int offset = seq - una;
        int end = sndNxt - una;
        if (offset < 0 || offset >= end)
        {
            return 0;
        }
        for (int i = 0; i < count; i++)
        {
            if (offset < rights[i] - una)
            {
                final int left = lefts[i] - una;
                if (offset >= left)
                {
                    return 0;
                }
                end = Math.min(end, left);
                break;
            }
        }
        return Math.min(mss, end - offset);
    }

    /**
     * RFC 6675 §4 SetPipe(): the octets estimated in the network. For each unSACKed octet S1 in
     * [SND.UNA, SND.NXT): one if IsLost(S1) is false (it is presumed still in flight), and one
     * more if S1 &lt;= HighRxt ({@code S1 < highRxt} here: its retransmission is in flight).
     * Computed exactly per octet, over the ranges.
     *
     * @param sndUna  SND.UNA.
     * @param sndNxt  the highest sequence number sent plus one.
     * @param highRxt one past the highest octet retransmitted in this recovery ({@code sndUna}
     *                when none has been).
     * @param mss     SMSS, in bytes, at least 1.
     * @return pipe, in bytes; at most {@link Integer#MAX_VALUE}, which only a window of
     *         2<sup>30</sup> entirely retransmitted and not lost would exceed.
     * @throws IllegalArgumentException if {@code mss} is less than 1, or {@code sndNxt} is before
     *                                  {@code sndUna}.
     */
    public int pipe(final int sndUna, final int sndNxt, final int highRxt, final int mss)
    {
        checkMss(mss);
        final int window = checkWindow(sndUna, sndNxt);
        // RFC 6675 §4 SetPipe (a): unSACKed octets from the loss boundary up are not lost.
        final long notLost = unsacked(sndUna, window, Math.min(lossBoundary(sndUna, window, mss), window), window);
        // RFC 6675 §4 SetPipe (b): unSACKed octets below HighRxt were retransmitted.
        final long resent = unsacked(sndUna, window, 0, retransmitted(sndUna, highRxt, window));
        return (int)Math.min(notLost + resent, Integer.MAX_VALUE);
    }

    /**
     * The right edge of the highest SACKed range: one past "the highest octet covered by any
     * received SACK" of RFC 6675 §4 rule (1.b). (RFC 6675 §2 names the cumulative acknowledgment
     * HighACK; this is not it.)
     *
     * @return the highest SACKed sequence number plus one, or SND.UNA when nothing is SACKed.
     */
    public int highestSacked()
    {
        return count == 0 ? una : rights[count - 1];
    }

    /**
     * @return octets SACKed, summed over the ranges held.
     */
    public int sackedBytes()
    {
        return sackedBytes;
    }

    /**
     * @return SACKed ranges held now.
     */
    public int rangeCount()
    {
        return count;
    }

    /**
     * @return SACKed ranges held at most.
     */
    public int maxRanges()
    {
        return maxRanges;
    }

    /**
     * @param index a range, 0 (the lowest) to {@link #rangeCount()} - 1.
     * @return the range's left edge: its first SACKed sequence number.
     * @throws IndexOutOfBoundsException if there is no such range.
     */
    public int rangeLeft(final int index)
    {
        return lefts[Objects.checkIndex(index, count)];
    }

    /**
     * @param index a range, 0 (the lowest) to {@link #rangeCount()} - 1.
     * @return the range's right edge: the sequence number just past its last SACKed octet.
     * @throws IndexOutOfBoundsException if there is no such range.
     */
    public int rangeRight(final int index)
    {
        return rights[Objects.checkIndex(index, count)];
    }

    /**
     * @return D-SACK blocks (RFC 2883) recognised and not used, since construction or
     *         {@link #resetCounters()}.
     */
    public long dsackBlocks()
    {
        return dsackBlocks;
    }

    /**
     * @return SACK blocks ignored as malformed or outside [SND.UNA, SND.NXT], since construction
     *         or {@link #resetCounters()}.
     */
    public long invalidBlocks()
    {
        return invalidBlocks;
    }

    /**
     * @return ranges forgotten, or blocks refused, because {@link #maxRanges()} ranges were held,
     *         since construction or {@link #resetCounters()}. A receiver repeats its blocks, so a
     *         refused block may count once per ACK.
     */
    public long droppedRanges()
    {
        return droppedRanges;
    }

    /**
     * RFC 2883 §4: "If the first SACK block covers sequence numbers below the cumulative
     * acknowledgement, or is a subset of the second SACK block, it is a D-SACK."
     */
    private static boolean isDsack(final int ackNumber, final int[] lefts, final int[] rights, final int count)
    {
        final int left = lefts[0];
        final int right = rights[0];
        if (!SequenceNumbers.lt(left, right))
        {
            return false;
        }
        return SequenceNumbers.lt(left, ackNumber)
            || count > 1 && SequenceNumbers.le(lefts[1], left) && SequenceNumbers.le(right, rights[1]);
    }

    /**
     * Move the scoreboard's SND.UNA up to {@code newUna}, dropping and trimming what it covers;
     * a {@code newUna} at or before the current one changes nothing.
     */
    private void advance(final int newUna)
    {
        if (!SequenceNumbers.gt(newUna, una))
        {
            return;
        }
        final int acked = newUna - una;
        int gone = 0;
        while (gone < count && rights[gone] - una <= acked)
        {
            sackedBytes -= rights[gone] - lefts[gone];
            gone++;
        }
        removeRanges(0, gone);
        if (count > 0 && lefts[0] - una < acked)
        {
            sackedBytes -= acked - (lefts[0] - una);
            lefts[0] = newUna;
        }
        una = newUna;
    }

    /**
     * Mark [una + from, una + to) SACKed, merging with the ranges it overlaps or touches.
     *
     * @return true if octets not SACKed before are now.
     */
    private boolean insert(final int from, final int to)
    {
        // The run [first, last) of ranges the block overlaps or touches: sorted, disjoint and not
        // adjacent, so they are consecutive.
        int first = 0;
        while (first < count && rights[first] - una < from)
        {
            first++;
        }
        int last = first;
        int covered = 0;
        while (last < count && lefts[last] - una <= to)
        {
            covered += Math.max(0, Math.min(to, rights[last] - una) - Math.max(from, lefts[last] - una));
            last++;
        }

        if (first == last)
        {
            if (count == maxRanges)
            {
                // The bound: forget the highest range, or this block when it would be the highest.
                droppedRanges++;
                if (first == count)
                {
                    return false;
                }
                count--;
                sackedBytes -= rights[count] - lefts[count];
            }
            final int tail = count - first;
            System.arraycopy(lefts, first, lefts, first + 1, tail);
            System.arraycopy(rights, first, rights, first + 1, tail);
            count++;
            lefts[first] = una + from;
            rights[first] = una + to;
        }
        else
        {
            final int mergedFrom = Math.min(from, lefts[first] - una);
            final int mergedTo = Math.max(to, rights[last - 1] - una);
            removeRanges(first + 1, last);
            lefts[first] = una + mergedFrom;
            rights[first] = una + mergedTo;
        }
        final int added = to - from - covered;
        sackedBytes += added;
        return added > 0;
    }

    private void removeRanges(final int from, final int to)
    {
        final int removed = to - from;
        if (removed > 0)
        {
            final int tail = count - to;
            System.arraycopy(lefts, to, lefts, from, tail);
            System.arraycopy(rights, to, rights, from, tail);
            count -= removed;
        }
    }

    /**
     * The RFC 6675 §4 IsLost boundary, as an offset from {@code origin}: an unSACKed octet at
     * offset S within [0, window) is lost exactly when S is below it (0: none is lost). Walking
     * the ranges down from the highest, the first place where either test of IsLost holds is the
     * highest such S, and every lower octet passes the same test.
     */
    private int lossBoundary(final int origin, final int window, final int mss)
    {
        final long limit = (long)(DUP_THRESH - 1) * mss;
        long above = 0;
        int ranges = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            final int left = clippedLeft(i, origin);
            final int right = clippedRight(i, origin, window);
            if (left < right)
            {
                if (above + (right - left) > limit)
                {
                    // More than (DupThresh - 1) * SMSS SACKed octets above S exactly when S is
                    // below this octet of the range.
                    return (int)(right - 1 - (limit - above));
                }
                if (++ranges == DUP_THRESH)
                {
                    // DupThresh discontiguous ranges start above S exactly when S is below this one.
                    return left;
                }
                above += right - left;
            }
        }
        return 0;
    }

    /**
     * @return the lowest unSACKed offset at or above {@code from} that lies below a SACKed range
     *         (RFC 6675 §4 (1.b)), or -1.
     */
    private int firstHole(final int origin, final int window, final int from)
    {
        int at = from;
        for (int i = 0; i < count; i++)
        {
            final int left = clippedLeft(i, origin);
            final int right = clippedRight(i, origin, window);
            if (left < right)
            {
                if (at < left)
                {
                    return at;
                }
                at = Math.max(at, right);
            }
        }
        return -1;
    }

    /**
     * @return unSACKed octets in offsets [from, to) from {@code origin}, 0 when the span is empty.
     */
    private long unsacked(final int origin, final int window, final int from, final int to)
    {
        if (from >= to)
        {
            return 0;
        }
        long octets = to - from;
        for (int i = 0; i < count; i++)
        {
            final int left = Math.max(clippedLeft(i, origin), from);
            final int right = Math.min(clippedRight(i, origin, window), to);
            if (left < right)
            {
                octets -= right - left;
            }
        }
        return octets;
    }

    /** @return range {@code i}'s left edge as an offset from {@code origin}, raised to 0. */
    private int clippedLeft(final int i, final int origin)
    {
        return Math.max(lefts[i] - origin, 0);
    }

    /** @return range {@code i}'s right edge as an offset from {@code origin}, lowered to the window. */
    private int clippedRight(final int i, final int origin, final int window)
    {
        return Math.min(rights[i] - origin, window);
    }

    /** @return HighRxt as an offset from SND.UNA, within [0, window]. */
    private static int retransmitted(final int sndUna, final int highRxt, final int window)
    {
        return SequenceNumbers.lt(highRxt, sndUna) ? 0 : Math.min(highRxt - sndUna, window);
    }

    private static void checkMss(final int mss)
    {
        if (mss < 1)
        {
            throw new IllegalArgumentException("mss must be at least 1: " + mss);
        }
    }

    /** @return the window {@code sndNxt - sndUna}. */
    private static int checkWindow(final int sndUna, final int sndNxt)
    {
        if (SequenceNumbers.lt(sndNxt, sndUna))
        {
            throw new IllegalArgumentException("sndNxt " + Integer.toUnsignedString(sndNxt) + " is before sndUna "
                + Integer.toUnsignedString(sndUna));
        }
        return sndNxt - sndUna;
    }
}
