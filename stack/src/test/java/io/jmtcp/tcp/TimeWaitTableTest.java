package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.jmtcp.tcp.TimeWaitTable.ACTION_ACCEPT_SYN;
import static io.jmtcp.tcp.TimeWaitTable.ACTION_ACK;
import static io.jmtcp.tcp.TimeWaitTable.ACTION_ACK_RESTART;
import static io.jmtcp.tcp.TimeWaitTable.ACTION_DROP;
import static io.jmtcp.wire.TcpHeader.ACK;
import static io.jmtcp.wire.TcpHeader.FIN;
import static io.jmtcp.wire.TcpHeader.PSH;
import static io.jmtcp.wire.TcpHeader.RST;
import static io.jmtcp.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TIME-WAIT records: the table (lookup, replacement, FIFO expiry with restarts, eviction, hash
 * collisions and backward-shift deletion, the removal listener told of every record that leaves,
 * checked against a reference model), and the segment
 * rules of RFC 9293 §3.10.7.4, RFC 1337, RFC 6191 and RFC 7323 one by one.
 *
 * <p>The randomized test draws a seed, prints it and reports it in any failure;
 * {@code -Djmtcp.seed=N} replays it.
 */
final class TimeWaitTableTest
{
    private static final long TIME_WAIT = 60_000_000_000L;
    private static final long KEY0 = 0x0123_4567_89AB_CDEFL;
    private static final long KEY1 = 0xFEDC_BA98_7654_3210L;
    /** An arbitrary time far from 0. */
    private static final long T = 1_234_567_890_123L;
    private static final long FLOW = 0xC612_0002_C000_0050L;
    private static final int SND_NXT = 1_000;
    private static final int RCV_NXT = 5_000;
    private static final int WINDOW = 65_535;
    private static final int TS_RECENT = 100_000;
    /** The owner's tag of most records here. */
    private static final int TAG = 42;

    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);
    /** The records the tables of a test let go, in order: {key, tag}. */
    private final List<long[]> removed = new ArrayList<>();
    private final TimeWaitTable.RemovalListener removals = (key, tag) -> removed.add(new long[] {key, tag});
    private final TimeWaitTable table = new TimeWaitTable(16, TIME_WAIT, KEY0, KEY1, removals);

    private int addRecord(final boolean timestamps)
    {
        table.add(FLOW, TAG, SND_NXT, RCV_NXT, WINDOW, timestamps, TS_RECENT, T);
        return table.find(FLOW);
    }

    @Test
    void addFindRemove()
    {
        assertEquals(-1, table.find(FLOW));
        assertTrue(table.add(FLOW, TAG, SND_NXT, RCV_NXT, WINDOW, true, TS_RECENT, T));
        final int slot = table.find(FLOW);
        assertTrue(slot >= 0);
        assertEquals(FLOW, table.flowKey(slot));
        assertEquals(SND_NXT, table.sndNxt(slot));
        assertEquals(RCV_NXT, table.rcvNxt(slot));
        assertEquals(WINDOW, table.rcvWindow(slot));
        assertTrue(table.hasTimestamps(slot));
        assertEquals(TS_RECENT, table.tsRecent(slot));
        assertEquals(T + TIME_WAIT, table.expiry(slot));
        assertEquals(1, table.size());
        assertEquals(16, table.capacity());
        assertEquals(-1, table.find(FLOW + 1));

        table.remove(slot);
        assertEquals(-1, table.find(FLOW));
        assertEquals(0, table.size());
        assertEquals(Long.MAX_VALUE, table.nextExpiry());
        assertThrows(IllegalArgumentException.class, () -> table.remove(slot), "slot already free");
        assertThrows(IllegalArgumentException.class, () -> table.restart(slot, T), "slot already free");
        assertThrows(IllegalArgumentException.class, () -> table.remove(16));
    }

    @Test
    void addReplacesARecordOfTheSameKey()
    {
        table.add(FLOW, TAG, SND_NXT, RCV_NXT, WINDOW, true, TS_RECENT, T);
        table.add(FLOW + 1, TAG, 1, 2, 3, false, 4, T + 1);
        final int slot = table.find(FLOW);
        assertFalse(table.add(FLOW, TAG, 7, 8, 9, false, 10, T + 2), "replaced, not added");
        assertEquals(2, table.size());
        assertEquals(slot, table.find(FLOW), "same slot");
        assertEquals(7, table.sndNxt(slot));
        assertEquals(8, table.rcvNxt(slot));
        assertEquals(9, table.rcvWindow(slot));
        assertFalse(table.hasTimestamps(slot));
        assertEquals(10, table.tsRecent(slot));
        assertEquals(T + 2 + TIME_WAIT, table.expiry(slot));
        // The replaced record's deadline is now the latest: FLOW + 1 expires first.
        assertEquals(T + 1 + TIME_WAIT, table.nextExpiry());
        assertEquals(1, table.expire(T + 1 + TIME_WAIT));
        assertEquals(slot, table.find(FLOW));
        assertEquals(-1, table.find(FLOW + 1));
    }

    @Test
    void recordsExpireInTheOrderTheyWereAdded()
    {
        for (int i = 0; i < 10; i++)
        {
            table.add(FLOW + i, TAG, i, i, i, false, 0, T + i * 1000L);
        }
        assertEquals(T + TIME_WAIT, table.nextExpiry());
        assertEquals(0, table.expire(T + TIME_WAIT - 1));
        assertEquals(1, table.expire(T + TIME_WAIT), "a deadline equal to now has passed");
        assertEquals(-1, table.find(FLOW));
        assertEquals(T + 1000 + TIME_WAIT, table.nextExpiry());
        assertEquals(3, table.expire(T + 3500 + TIME_WAIT));
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i >= 4, table.find(FLOW + i) >= 0, "key " + i);
        }
        assertEquals(6, table.expire(Long.MAX_VALUE / 2));
        assertEquals(0, table.size());
        assertEquals(Long.MAX_VALUE, table.nextExpiry());
    }

    @Test
    void expireIsOverflowSafeAcrossTheWrapOfLong()
    {
        // The deadline wraps past Long.MAX_VALUE to a negative value: a plain deadline <= now
        // would expire it at once.
        final long now = Long.MAX_VALUE - 10;
        table.add(FLOW, TAG, 1, 2, 3, false, 0, now);
        final int slot = table.find(FLOW);
        assertTrue(table.expiry(slot) < 0, "deadline wrapped");
        assertEquals(0, table.expire(now));
        assertEquals(0, table.expire(Long.MAX_VALUE));
        assertEquals(0, table.expire(now + TIME_WAIT - 1));
        assertEquals(1, table.expire(now + TIME_WAIT));
        assertEquals(0, table.size());
    }

    @Test
    void restartMovesTheDeadlineAndTheFifoPosition()
    {
        table.add(FLOW, TAG, 1, 1, 1, false, 0, T);
        table.add(FLOW + 1, TAG, 2, 2, 2, false, 0, T + 10);
        table.add(FLOW + 2, TAG, 3, 3, 3, false, 0, T + 20);
        final int first = table.find(FLOW);
        table.restart(first, T + 30);
        assertEquals(T + 30 + TIME_WAIT, table.expiry(first));
        assertEquals(first, table.find(FLOW), "restart keeps the slot");
        assertEquals(T + 10 + TIME_WAIT, table.nextExpiry(), "the FIFO head is now the second record");

        assertEquals(0, table.expire(T + TIME_WAIT), "the restarted record is not expired at its old deadline");
        assertEquals(2, table.expire(T + 20 + TIME_WAIT));
        assertEquals(first, table.find(FLOW));
        assertEquals(T + 30 + TIME_WAIT, table.nextExpiry());
        // Restarting the only record, and restarting the newest, keep the list whole.
        table.restart(first, T + 40);
        table.restart(first, T + 50);
        assertEquals(T + 50 + TIME_WAIT, table.nextExpiry());
        assertEquals(0, table.expire(T + 49 + TIME_WAIT));
        assertEquals(1, table.expire(T + 50 + TIME_WAIT));
        assertEquals(0, table.size());
    }

    @Test
    void fullTableEvictsTheOldestRecordEarly()
    {
        final TimeWaitTable small = new TimeWaitTable(4, TIME_WAIT, KEY0, KEY1, removals);
        for (int i = 0; i < 4; i++)
        {
            assertTrue(small.add(FLOW + i, TAG, i, i, i, false, 0, T + i));
        }
        assertEquals(0, small.evictedEarly());
        assertTrue(small.add(FLOW + 4, TAG, 4, 4, 4, false, 0, T + 4));
        assertEquals(1, small.evictedEarly());
        assertEquals(4, small.size());
        assertEquals(-1, small.find(FLOW), "the oldest went");

        // A restart makes a record the newest: the next eviction takes the one after it.
        small.restart(small.find(FLOW + 1), T + 5);
        small.add(FLOW + 5, TAG, 5, 5, 5, false, 0, T + 6);
        assertEquals(2, small.evictedEarly());
        assertTrue(small.find(FLOW + 1) >= 0);
        assertEquals(-1, small.find(FLOW + 2));

        // Replacing a key in a full table evicts nothing.
        assertFalse(small.add(FLOW + 5, TAG, 6, 6, 6, false, 0, T + 7));
        assertEquals(2, small.evictedEarly());
        assertEquals(4, small.size());
    }

    @Test
    void everyWayOutTellsTheListenerOnceWithTheRecordsTag()
    {
        final TimeWaitTable small = new TimeWaitTable(3, TIME_WAIT, KEY0, KEY1, removals);
        small.add(FLOW, 1, 0, 0, 0, false, 0, T);
        small.add(FLOW + 1, 2, 0, 0, 0, false, 0, T + 1);
        small.add(FLOW + 2, 3, 0, 0, 0, false, 0, T + 2);
        assertRemoved(records(), "nothing left yet");
        small.add(FLOW + 3, 4, 0, 0, 0, false, 0, T + 3);
        assertRemoved(records(FLOW, 1), "evicted to make room");
        small.add(FLOW + 1, 5, 0, 0, 0, false, 0, T + 4);
        assertRemoved(records(FLOW + 1, 2), "replaced by a record of the same key");
        small.restart(small.find(FLOW + 3), T + 5);
        assertRemoved(records(), "a restart keeps the record");
        small.remove(small.find(FLOW + 2));
        assertRemoved(records(FLOW + 2, 3), "removed");
        assertEquals(1, small.expire(T + 4 + TIME_WAIT));
        assertRemoved(records(FLOW + 1, 5), "expired");
        assertEquals(1, small.clear());
        assertRemoved(records(FLOW + 3, 4), "cleared");
        assertEquals(0, small.clear());
        assertEquals(0, small.expire(Long.MAX_VALUE / 2));
        assertRemoved(records(), "an empty table tells nothing");
    }

    /** {key, tag} pairs, as the listener should have heard them. */
    private static List<long[]> records(final long... keysAndTags)
    {
        final List<long[]> records = new ArrayList<>();
        for (int i = 0; i < keysAndTags.length; i += 2)
        {
            records.add(new long[] {keysAndTags[i], keysAndTags[i + 1]});
        }
        return records;
    }

    @Test
    void collidingKeysAreAllFoundAndSurviveRemovals()
    {
        // 32 keys on one bucket, 16 on the next, and 16 on the last bucket whose probe run wraps
        // around to bucket 0 and runs into the others.
        final TimeWaitTable colliding = new TimeWaitTable(64, TIME_WAIT, KEY0, KEY1, removals);
        final int buckets = colliding.bucketCount();
        assertEquals(128, buckets, "load factor at most 1/2");
        final List<Long> keys = new ArrayList<>();
        keys.addAll(keysInBucket(colliding, 0, 32));
        keys.addAll(keysInBucket(colliding, 1, 16));
        keys.addAll(keysInBucket(colliding, buckets - 1, 16));
        for (final long key : keys)
        {
            assertTrue(colliding.add(key, TAG, (int)key, 0, 0, false, 0, T));
        }
        assertEquals(64, colliding.size());
        assertEquals(0, colliding.evictedEarly());
        for (final long key : keys)
        {
            final int slot = colliding.find(key);
            assertTrue(slot >= 0);
            assertEquals((int)key, colliding.sndNxt(slot));
        }

        // Remove in a random order; after every removal, every remaining key is still found.
        replayable(() ->
        {
            final List<Long> remaining = new ArrayList<>(keys);
            while (!remaining.isEmpty())
            {
                final long gone = remaining.remove(random.nextInt(remaining.size()));
                colliding.remove(colliding.find(gone));
                assertEquals(-1, colliding.find(gone));
                for (final long key : remaining)
                {
                    assertEquals((int)key, colliding.sndNxt(colliding.find(key)), "key " + key);
                }
            }
            assertEquals(0, colliding.size());
        });
    }

    private static List<Long> keysInBucket(final TimeWaitTable table, final int bucket, final int count)
    {
        final List<Long> keys = new ArrayList<>();
        for (long key = (long)bucket << 40; keys.size() < count; key++)
        {
            if (table.home(key) == bucket)
            {
                keys.add(key);
            }
        }
        return keys;
    }

    @Test
    void constructorRefusesBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(0, TIME_WAIT, removals));
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(1 << 29, TIME_WAIT, removals));
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(4, 0, removals));
        final TimeWaitTable one = new TimeWaitTable(1, TIME_WAIT, removals);
        assertEquals(2, one.bucketCount());
        assertTrue(one.add(1, TAG, 0, 0, 0, false, 0, T));
        assertTrue(one.add(2, TAG, 0, 0, 0, false, 0, T));
        assertEquals(1, one.evictedEarly());
        assertEquals(-1, one.find(1));
        assertEquals(8, new TimeWaitTable(3, TIME_WAIT, removals).bucketCount());
        assertEquals(8, new TimeWaitTable(4, TIME_WAIT, removals).bucketCount());
        assertEquals(16, new TimeWaitTable(5, TIME_WAIT, removals).bucketCount());
    }

    @Test
    void timeWaitRstIgnoredPerRfc1337()
    {
        final int slot = addRecord(true);
        assertEquals(ACTION_DROP, table.onSegment(slot, RST, RCV_NXT, 0, true, TS_RECENT + 1));
        assertEquals(ACTION_DROP, table.onSegment(slot, RST | ACK, RCV_NXT, 0, true, TS_RECENT + 1));
        assertEquals(ACTION_DROP, table.onSegment(slot, RST, RCV_NXT + 100, 0, false, 0), "out of window, no TS");
        assertEquals(ACTION_DROP, table.onSegment(slot, RST, RCV_NXT, 0, true, TS_RECENT - 1), "fails PAWS");
        assertEquals(ACTION_DROP, table.onSegment(slot, RST | SYN, RCV_NXT + 1, 1, true, TS_RECENT + 1));
        assertEquals(slot, table.find(FLOW), "the record stays");
        assertEquals(TS_RECENT, table.tsRecent(slot));
    }

    @Test
    void timeWaitRetransmittedFinReAckedAndTimerRestarted()
    {
        final int slot = addRecord(true);
        // The peer's FIN occupies RCV.NXT - 1: alone, or at the end of retransmitted data.
        assertEquals(ACTION_ACK_RESTART, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, true, TS_RECENT + 5));
        assertEquals(ACTION_ACK_RESTART,
            table.onSegment(slot, FIN | PSH | ACK, RCV_NXT - 101, 101, true, TS_RECENT + 5));
        assertEquals(ACTION_ACK_RESTART, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, true, TS_RECENT));
        table.restart(slot, T + 1_000_000_000L);
        assertEquals(T + 1_000_000_000L + TIME_WAIT, table.expiry(slot));
        assertEquals(0, table.expire(T + TIME_WAIT));

        // A FIN anywhere else is not the peer's FIN: ACK, no restart.
        assertEquals(ACTION_ACK, table.onSegment(slot, FIN | ACK, RCV_NXT, 1, true, TS_RECENT + 5));
        assertEquals(ACTION_ACK, table.onSegment(slot, FIN | ACK, RCV_NXT - 2, 1, true, TS_RECENT + 5));
    }

    @Test
    void timeWaitRetransmittedFinWithoutTimestampsReAcked()
    {
        final int slot = addRecord(false);
        assertEquals(ACTION_ACK_RESTART, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, false, 0));
    }

    @Test
    void timeWaitSynAboveRcvNxtAccepted()
    {
        // RFC 1122 §4.2.2.13 and RFC 6191 §2 without timestamps: SEG.SEQ above RCV.NXT.
        final int slot = addRecord(false);
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT + 1, 1, false, 0));
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT + 1_000_000_000, 1, false, 0));
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT + 1, 1, true, 7), "new one uses TS");
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT, 1, false, 0));
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT - 1, 1, false, 0));

        // With timestamps on both sides: a newer TSval and a higher SEG.SEQ.
        final int tsSlot = addRecord(true);
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(tsSlot, SYN, RCV_NXT + 1, 1, true, TS_RECENT + 1));
    }

    @Test
    void timeWaitSynAboveRcvNxtAcrossTheSequenceWrap()
    {
        table.add(FLOW, TAG, SND_NXT, -10, WINDOW, false, 0, T);
        final int slot = table.find(FLOW);
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, 5, 1, false, 0));
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, -11, 1, false, 0));
    }

    @Test
    void timeWaitSynWithNewerTimestampAcceptedEvenBelowRcvNxt()
    {
        // RFC 6191 §2: with timestamps, the TSval decides, whatever the new random ISN.
        final int slot = addRecord(true);
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT - 1_000_000, 1, true, TS_RECENT + 1));
        // An equal TSval needs a higher sequence number as well.
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT + 1, 1, true, TS_RECENT));
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT, 1, true, TS_RECENT));
    }

    @Test
    void timeWaitSynWithOldTimestampAcked()
    {
        // RFC 6191 §2 and RFC 7323 §5.3: an older TSval is an old duplicate, whatever SEG.SEQ is.
        final int slot = addRecord(true);
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT + 1, 1, true, TS_RECENT - 1));
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT + 1_000_000, 1, true, TS_RECENT - 1_000_000));
        assertEquals(slot, table.find(FLOW));
    }

    @Test
    void timeWaitSynWithoutTimestampsAfterATimestampConnectionUsesTheSequenceRule()
    {
        final int slot = addRecord(true);
        assertEquals(ACTION_ACCEPT_SYN, table.onSegment(slot, SYN, RCV_NXT + 1, 1, false, 0));
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN, RCV_NXT - 1, 1, false, 0));
    }

    @Test
    void timeWaitSynAckIsNotANewConnection()
    {
        final int slot = addRecord(true);
        assertEquals(ACTION_ACK, table.onSegment(slot, SYN | ACK, RCV_NXT + 1, 1, true, TS_RECENT + 1));
        final int plain = addRecord(false);
        assertEquals(ACTION_ACK, table.onSegment(plain, SYN | ACK, RCV_NXT + 1, 1, false, 0));
    }

    @Test
    void timeWaitPawsFailureAcked()
    {
        final int slot = addRecord(true);
        // An acceptable bare ACK, a retransmitted FIN and data, each with an old TSval (RFC 7323 §5.3 R1).
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT, 0, true, TS_RECENT - 1));
        assertEquals(ACTION_ACK, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, true, TS_RECENT - 1));
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT, 100, true, TS_RECENT - 1));
        // Modulo 2^32: a TSval just past the wrap is newer, not older.
        table.add(FLOW, TAG, SND_NXT, RCV_NXT, WINDOW, true, -5, T);
        assertEquals(ACTION_ACK_RESTART, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, true, 3));
        assertEquals(ACTION_ACK, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, true, -6));
        assertEquals(-5, table.tsRecent(slot), "neither changes TS.Recent");
    }

    @Test
    void timeWaitSegmentWithoutTimestampDroppedWhenTheyWereNegotiated()
    {
        // RFC 7323 §3.2: a non-RST segment without TSopt SHOULD be silently dropped.
        final int slot = addRecord(true);
        assertEquals(ACTION_DROP, table.onSegment(slot, FIN | ACK, RCV_NXT - 1, 1, false, 0));
        assertEquals(ACTION_DROP, table.onSegment(slot, ACK, RCV_NXT - 1000, 0, false, 0));
    }

    @Test
    void timeWaitAcceptableBareAckDroppedWithoutReply()
    {
        // Our ACK of the peer's FIN answered by an ACK: answering again would start an ACK war
        // between two ends in TIME-WAIT.
        final int slot = addRecord(true);
        assertEquals(ACTION_DROP, table.onSegment(slot, ACK, RCV_NXT, 0, true, TS_RECENT + 7));
        assertEquals(TS_RECENT + 7, table.tsRecent(slot), "RFC 7323 §5.3 R3: TS.Recent updated");
        assertEquals(ACTION_DROP, table.onSegment(slot, ACK, RCV_NXT + 10, 0, true, TS_RECENT + 9));
        assertEquals(TS_RECENT + 7, table.tsRecent(slot), "SEG.SEQ above Last.ACK.sent: not updated");
        assertEquals(ACTION_DROP, table.onSegment(slot, ACK, RCV_NXT, 0, true, TS_RECENT + 7));
        assertEquals(TS_RECENT + 7, table.tsRecent(slot));

        final int plain = addRecord(false);
        assertEquals(ACTION_DROP, table.onSegment(plain, ACK, RCV_NXT, 0, false, 0));
        assertEquals(TS_RECENT, table.tsRecent(plain), "without timestamps TS.Recent is not touched");
    }

    @Test
    void timeWaitUnacceptableOrDataSegmentAcked()
    {
        final int slot = addRecord(false);
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT - 1000, 0, false, 0), "old");
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT + WINDOW, 0, false, 0), "right of the window");
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK | PSH, RCV_NXT, 100, false, 0), "data after the FIN");
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT - 100, 50, false, 0), "retransmitted data");
        assertEquals(ACTION_ACK, table.onSegment(slot, 0, RCV_NXT - 1, 0, false, 0), "no flags at all");
    }

    @Test
    void timeWaitZeroWindowAcceptsOnlyRcvNxt()
    {
        table.add(FLOW, TAG, SND_NXT, RCV_NXT, 0, false, 0, T);
        final int slot = table.find(FLOW);
        assertEquals(ACTION_DROP, table.onSegment(slot, ACK, RCV_NXT, 0, false, 0));
        assertEquals(ACTION_ACK, table.onSegment(slot, ACK, RCV_NXT + 1, 0, false, 0));
    }

    @Test
    void randomOperationsMatchAReferenceModel()
    {
        replayable(() ->
        {
            final int capacity = 1 + random.nextInt(64);
            final TimeWaitTable subject = new TimeWaitTable(capacity, TIME_WAIT, random.nextLong(), random.nextLong(),
                removals);
            // Insertion-ordered: the first entry is the FIFO head. Moving a record to the tail
            // is remove and put. Every record that leaves it, {key, tag}, goes to leaving: the
            // listener must hear of exactly these, in this order.
            final LinkedHashMap<Long, long[]> model = new LinkedHashMap<>();
            final List<long[]> leaving = new ArrayList<>();
            final int keySpace = capacity * 2 + 1;
            final long keyBase = random.nextLong();
            // About 2,500 TIME-WAITs pass in a run: starting this close to Long.MAX_VALUE, about
            // half the runs cross the wrap of a long.
            long now = Long.MAX_VALUE - random.nextLong(TIME_WAIT * 5_000);
            long evicted = 0;
            for (int step = 0; step < 100_000; step++)
            {
                now += random.nextLong(TIME_WAIT / 20);
                final long key = keyBase + random.nextInt(keySpace);
                final int operation = random.nextInt(10);
                if (operation < 5)
                {
                    final int snd = random.nextInt();
                    final int rcv = random.nextInt();
                    final int window = random.nextInt();
                    final boolean ts = random.nextBoolean();
                    final int tsRecent = random.nextInt();
                    final int tag = random.nextInt();
                    final boolean isNew = !model.containsKey(key);
                    if (isNew && model.size() == capacity)
                    {
                        final Iterator<Map.Entry<Long, long[]>> head = model.entrySet().iterator();
                        final Map.Entry<Long, long[]> oldest = head.next();
                        leaving.add(new long[] {oldest.getKey(), oldest.getValue()[6]});
                        head.remove();
                        evicted++;
                    }
                    final long[] replaced = model.remove(key);
                    if (replaced != null)
                    {
                        leaving.add(new long[] {key, replaced[6]});
                    }
                    model.put(key, new long[] {snd, rcv, window, ts ? 1 : 0, tsRecent, now + TIME_WAIT, tag});
                    assertEquals(isNew, subject.add(key, tag, snd, rcv, window, ts, tsRecent, now), "step " + step);
                }
                else if (operation < 7)
                {
                    final int slot = subject.find(key);
                    assertEquals(model.containsKey(key), slot >= 0, "step " + step);
                    if (slot >= 0)
                    {
                        subject.remove(slot);
                        leaving.add(new long[] {key, model.remove(key)[6]});
                    }
                }
                else if (operation < 9)
                {
                    final int slot = subject.find(key);
                    if (slot >= 0)
                    {
                        subject.restart(slot, now);
                        final long[] fields = model.remove(key);
                        fields[5] = now + TIME_WAIT;
                        model.put(key, fields);
                    }
                }
                else
                {
                    int expired = 0;
                    for (final Iterator<Map.Entry<Long, long[]>> it = model.entrySet().iterator(); it.hasNext(); )
                    {
                        final Map.Entry<Long, long[]> record = it.next();
                        if (record.getValue()[5] - now <= 0)
                        {
                            leaving.add(new long[] {record.getKey(), record.getValue()[6]});
                            it.remove();
                            expired++;
                        }
                    }
                    assertEquals(expired, subject.expire(now), "step " + step);
                }
                assertRemoved(leaving, "step " + step);
                assertEquals(model.size(), subject.size(), "step " + step);
                assertEquals(evicted, subject.evictedEarly());
                assertEquals(model.isEmpty() ? Long.MAX_VALUE : model.values().iterator().next()[5],
                    subject.nextExpiry(), "step " + step);
                if (step % 97 == 0)
                {
                    checkAll(subject, model, keyBase, keySpace);
                }
            }
            checkAll(subject, model, keyBase, keySpace);
            for (final Map.Entry<Long, long[]> record : model.entrySet())
            {
                leaving.add(new long[] {record.getKey(), record.getValue()[6]});
            }
            assertEquals(model.size(), subject.clear());
            assertRemoved(leaving, "clear");
            assertEquals(0, subject.size());
        });
    }

    /** The listener heard of exactly the expected records, in order; both lists are emptied. */
    private void assertRemoved(final List<long[]> expected, final String where)
    {
        assertEquals(expected.size(), removed.size(), where);
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i)[0], removed.get(i)[0], where);
            assertEquals(expected.get(i)[1], removed.get(i)[1], where);
        }
        expected.clear();
        removed.clear();
    }

    private static void checkAll(final TimeWaitTable subject, final Map<Long, long[]> model, final long keyBase,
        final int keySpace)
    {
        for (int i = 0; i < keySpace; i++)
        {
            final long key = keyBase + i;
            final long[] fields = model.get(key);
            final int slot = subject.find(key);
            assertEquals(fields != null, slot >= 0, "key " + i);
            if (fields != null)
            {
                assertEquals((int)fields[0], subject.sndNxt(slot));
                assertEquals((int)fields[1], subject.rcvNxt(slot));
                assertEquals((int)fields[2], subject.rcvWindow(slot));
                assertEquals(fields[3] == 1, subject.hasTimestamps(slot));
                assertEquals((int)fields[4], subject.tsRecent(slot));
                assertEquals(fields[5], subject.expiry(slot));
            }
        }
    }

    @Test
    void steadyStateAllocatesNothing()
    {
        // A new record every millisecond, one in four removed, fills the 256 slots, so adds
        // evict; every 512 rounds time jumps by a TIME-WAIT, so expire empties the table.
        // Restarts, removals and the segment rules run on records in between.
        final long[] state = {T, 0, 0};
        final TimeWaitTable busy = new TimeWaitTable(256, TIME_WAIT, (key, tag) -> state[2] += tag);
        final long bytes = Allocations.leastBytesPerBatch(() ->
        {
            final long key = state[1]++;
            final long now = state[0] += key % 512 == 0 ? TIME_WAIT : 1_000_000L;
            busy.add(key, TAG, 1, 2, 3, true, 4, now);
            final int slot = busy.find(key - 100);
            if (slot >= 0)
            {
                state[2] += busy.onSegment(slot, FIN | ACK, 1, 1, true, 5);
                state[2] += busy.onSegment(slot, ACK, 2, 0, true, 5);
                busy.restart(slot, now);
            }
            final int other = busy.find(key - 50);
            if (other >= 0 && key % 4 == 0)
            {
                busy.remove(other);
            }
            state[2] += busy.expire(now) + busy.nextExpiry();
        }, 50_000, 10_000, 5);
        assertEquals(0, bytes, "fewest bytes allocated by a batch (sink " + state[2] + ")");
        assertTrue(busy.evictedEarly() > 0, "the table filled up");
    }

    private void replayable(final Runnable run)
    {
        System.out.println(getClass().getSimpleName() + " seed " + seed);
        try
        {
            run.run();
        }
        catch (final AssertionError e)
        {
            throw new AssertionError("seed " + seed + " (replay with -Djmtcp.seed=" + seed + "): " + e.getMessage(), e);
        }
    }
}
