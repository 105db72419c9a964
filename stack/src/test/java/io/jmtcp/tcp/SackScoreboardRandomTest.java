package io.jmtcp.tcp;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of random ACKs from a simulated receiver, each with up to four SACK blocks: the
 * receiver's out-of-order runs in random order, some only partly reported, plus D-SACKs of both
 * RFC 2883 §4 forms, malformed blocks, blocks outside the window, old ACKs and timeouts; sequence
 * numbers often wrap. The scoreboard is checked after every ACK against a reference model that
 * keeps one bit per octet and applies the definitions of RFC 6675 §4 octet by octet: SACKed
 * octets, SACKed bytes, ranges, IsLost, SetPipe, NextSeg, the rescue segment and the counters.
 * With a small bound on ranges, the scoreboard must instead never claim an octet SACKed that the
 * model does not.
 *
 * <p>Each run draws a seed, reported in any failure; {@code -Djmtcp.seed=N} replays it.
 */
final class SackScoreboardRandomTest
{
    private static final int ACKS = 5_000;
    private static final int MAX_WINDOW = 400;
    private static final int MAX_BLOCKS = 4;
    private static final long NONE = SackScoreboard.NO_SEGMENT;

    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
    private final Random random = new Random(seed);

    @Test
    void matchesTheReferenceModel()
    {
        replayable(() -> new Simulation(MAX_WINDOW).run(true));
    }

    @Test
    void boundedScoreboardNeverClaimsMoreThanWasSacked()
    {
        replayable(() -> new Simulation(1 + random.nextInt(4)).run(false));
    }

    private void replayable(final Runnable run)
    {
        try
        {
            run.run();
        }
        catch (final AssertionError e)
        {
            throw new AssertionError("seed " + seed + " (replay with -Djmtcp.seed=" + seed + "): " + e.getMessage(), e);
        }
    }

    /** A sender, its receiver and the model; offsets count octets from {@link #first}, never wrapping. */
    private final class Simulation
    {
        private final SackScoreboard board;
        private final int first = random.nextBoolean() ? -1 - random.nextInt(100_000) : random.nextInt();
        private final int mss = 8 + random.nextInt(60);
        private final BitSet received = new BitSet();
        private final BitSet sacked = new BitSet();
        private final int[] lefts = new int[MAX_BLOCKS + 2];
        private final int[] rights = new int[MAX_BLOCKS + 2];
        private final int[] runLefts = new int[MAX_WINDOW];
        private final int[] runRights = new int[MAX_WINDOW];
        private final boolean[] lost = new boolean[MAX_WINDOW];
        private int una;
        private int nxt;
        private long dsackBlocks;
        private long invalidBlocks;

        Simulation(final int maxRanges)
        {
            board = new SackScoreboard(maxRanges);
            board.reset(first);
        }

        void run(final boolean exact)
        {
            for (int step = 0; step < ACKS; step++)
            {
                sendAndReceive();
                final int ack = ackNumber();
                final int count = blocks(ack);
                final boolean sackedNew = applyToModel(ack, count);
                final boolean answer = board.onAck(first + ack, first + una, first + nxt, lefts, rights, count);
                if (una < ack && ack <= nxt)
                {
                    una = ack;
                }
                final String where = "ACK " + step + " of " + ack + " with " + count + " blocks, now una " + una
                    + ", nxt " + nxt + ", mss " + mss;
                assertEquals(dsackBlocks, board.dsackBlocks(), where + ": D-SACK blocks");
                assertEquals(invalidBlocks, board.invalidBlocks(), where + ": invalid blocks");
                checkRanges(where);
                if (exact)
                {
                    assertEquals(sackedNew, answer, where + ": onAck's return");
                    checkAgainstModel(where);
                }
                else
                {
                    checkConservative(where);
                }
                if (random.nextInt(100) == 0)
                {
                    // A retransmission timeout: RFC 6675 §5.1, SACK information is discarded.
                    board.reset(first + una);
                    sacked.clear();
                }
            }
        }

        private void sendAndReceive()
        {
            nxt = Math.min(una + MAX_WINDOW, nxt + random.nextInt(3 * mss));
            if (nxt == una)
            {
                return;
            }
            final int arrivals = random.nextInt(4);
            for (int i = 0; i < arrivals; i++)
            {
                final int from = una + random.nextInt(nxt - una);
                received.set(from, Math.min(nxt, from + 1 + random.nextInt(mss)));
            }
            if (random.nextInt(3) == 0)
            {
                // A retransmission from SND.UNA arrives, so the cumulative ACK moves on.
                received.set(una, Math.min(nxt, una + mss));
            }
        }

        private int ackNumber()
        {
            final int rcvNxt = Math.min(received.nextClearBit(una), nxt);
            // Sometimes an older ACK, reordered in the network.
            return random.nextInt(10) == 0 ? una - random.nextInt(50) : rcvNxt;
        }

        /** The receiver's SACK blocks for an ACK of {@code ack}, with D-SACKs and garbage mixed in. */
        private int blocks(final int ack)
        {
            int runs = 0;
            int at = received.nextSetBit(Math.max(ack, una));
            while (at >= 0 && at < nxt)
            {
                final int end = Math.min(received.nextClearBit(at), nxt);
                runLefts[runs] = at;
                runRights[runs] = end;
                runs++;
                at = received.nextSetBit(end);
            }
            int count = 0;
            if (random.nextInt(8) == 0)
            {
                // RFC 2883 §4 D-SACK, first form: a first block starting below the ACK.
                final int left = ack - 1 - random.nextInt(100);
                addBlock(count++, left, left + 1 + random.nextInt(150));
            }
            while (count < MAX_BLOCKS && runs > 0)
            {
                final int pick = random.nextInt(runs);
                int left = runLefts[pick];
                int right = runRights[pick];
                runLefts[pick] = runLefts[runs - 1];
                runRights[pick] = runRights[runs - 1];
                runs--;
                if (count == 0 && random.nextInt(8) == 0)
                {
                    // RFC 2883 §4 D-SACK, second form: a first block inside the second.
                    final int inside = left + random.nextInt(right - left);
                    addBlock(count++, inside, inside + 1 + random.nextInt(right - inside));
                }
                if (random.nextInt(4) == 0)
                {
                    // An older, partial report of the run.
                    left += random.nextInt(right - left);
                    right -= random.nextInt(right - left);
                }
                addBlock(count++, left, right);
            }
            if (count < MAX_BLOCKS + 2 && random.nextInt(6) == 0)
            {
                // Garbage: anywhere near the window, possibly empty or reversed.
                final int span = nxt - una + 200;
                addBlock(count++, una - 100 + random.nextInt(span), una - 100 + random.nextInt(span));
            }
            return count;
        }

        private void addBlock(final int index, final int left, final int right)
        {
            lefts[index] = first + left;
            rights[index] = first + right;
        }

        /** The rules of the scoreboard's contract, on offsets that never wrap; returns "SACKed new octets". */
        private boolean applyToModel(final int ack, final int count)
        {
            final int newUna = una < ack && ack <= nxt ? ack : una;
            sacked.clear(0, newUna);
            int from = 0;
            if (count > 0)
            {
                final int left = lefts[0] - first;
                final int right = rights[0] - first;
                final boolean contained = count > 1 && lefts[1] - first <= left && right <= rights[1] - first;
                if (left < right && (left < ack || contained))
                {
                    from = 1;
                    if (right <= nxt)
                    {
                        dsackBlocks++;
                    }
                    else
                    {
                        invalidBlocks++;
                    }
                }
            }
            boolean sackedNew = false;
            for (int i = from; i < count; i++)
            {
                final int left = lefts[i] - first;
                final int right = rights[i] - first;
                if (left < una || left >= right || right > nxt)
                {
                    invalidBlocks++;
                    continue;
                }
                for (int octet = Math.max(left, newUna); octet < right; octet++)
                {
                    sackedNew |= !sacked.get(octet);
                    sacked.set(octet);
                }
            }
            return sackedNew;
        }

        private void checkRanges(final String where)
        {
            int octets = 0;
            for (int i = 0; i < board.rangeCount(); i++)
            {
                final int left = board.rangeLeft(i) - first;
                final int right = board.rangeRight(i) - first;
                assertTrue(una <= left && left < right && right <= nxt, where + ": range " + i + " inside the window");
                if (i > 0)
                {
                    assertTrue(board.rangeRight(i - 1) - first < left, where + ": ranges sorted, not adjacent");
                }
                octets += right - left;
            }
            assertTrue(board.rangeCount() <= board.maxRanges(), where + ": the bound");
            assertEquals(octets, board.sackedBytes(), where + ": SACKed bytes over the ranges");
        }

        private void checkAgainstModel(final String where)
        {
            assertEquals(0, board.droppedRanges(), where + ": the bound is never reached");
            assertEquals(sacked.cardinality(), board.sackedBytes(), where + ": SACKed bytes");
            int runs = 0;
            for (int at = sacked.nextSetBit(una); at >= 0; at = sacked.nextSetBit(sacked.nextClearBit(at)))
            {
                runs++;
            }
            assertEquals(runs, board.rangeCount(), where + ": ranges");
            final int highest = sacked.isEmpty() ? una : sacked.length();
            assertEquals(first + highest, board.highestSacked(), where + ": highest SACKed");

            modelLost();
            for (int octet = una - 3; octet < nxt + 3; octet++)
            {
                assertEquals(sacked.get(Math.max(octet, 0)) && octet >= 0, board.isSacked(first + octet),
                    where + ": isSacked(" + octet + ")");
                assertEquals(octet >= una && octet < nxt && lost[octet - una], board.isLost(first + octet, mss),
                    where + ": isLost(" + octet + ")");
            }

            final int highRxt = una - 5 + random.nextInt(nxt - una + 10);
            final String rxt = where + ", highRxt " + highRxt;
            assertEquals(modelPipe(highRxt), board.pipe(first + una, first + nxt, first + highRxt, mss),
                rxt + ": pipe");
            final long next = board.nextSeg(first + una, first + nxt, first + highRxt, mss);
            assertEquals(modelNextSeg(highRxt, false), next, rxt + ": nextSeg");
            assertEquals(modelNextSeg(highRxt, true),
                board.nextSeg(first + una, first + nxt, first + highRxt, mss, true), rxt + ": nextSeg, new data");
            assertEquals(modelRescueSeg(), board.rescueSeg(first + una, first + nxt, mss), where + ": rescueSeg");

            final int probe = next == NONE ? una - 2 + random.nextInt(nxt - una + 4) : (int)next - first;
            assertEquals(modelNextSegLength(probe), board.nextSegLength(first + probe, mss, first + nxt),
                where + ": nextSegLength(" + probe + ")");
        }

        private void checkConservative(final String where)
        {
            int octets = 0;
            for (int octet = una; octet < nxt; octet++)
            {
                if (board.isSacked(first + octet))
                {
                    assertTrue(sacked.get(octet), where + ": octet " + octet + " claimed SACKed");
                    octets++;
                }
            }
            assertEquals(octets, board.sackedBytes(), where + ": SACKed bytes");
        }

        /** RFC 6675 §4 IsLost for each octet of [una, nxt), counting from the top down. */
        private void modelLost()
        {
            int octetsAbove = 0;
            int rangesAbove = 0;
            for (int octet = nxt - 1; octet >= una; octet--)
            {
                final boolean isSacked = sacked.get(octet);
                lost[octet - una] = !isSacked && (rangesAbove >= SackScoreboard.DUP_THRESH
                    || octetsAbove > (SackScoreboard.DUP_THRESH - 1) * mss);
                if (isSacked)
                {
                    octetsAbove++;
                    if (octet == 0 || !sacked.get(octet - 1))
                    {
                        rangesAbove++;
                    }
                }
            }
        }

        private int modelPipe(final int highRxt)
        {
            int pipe = 0;
            for (int octet = una; octet < nxt; octet++)
            {
                if (!sacked.get(octet))
                {
                    pipe += (lost[octet - una] ? 0 : 1) + (octet < highRxt ? 1 : 0);
                }
            }
            return pipe;
        }

        private long modelNextSeg(final int highRxt, final boolean newDataSendable)
        {
            final int highestSacked = sacked.length() - 1;
            for (int octet = Math.max(una, highRxt); octet < highestSacked; octet++)
            {
                if (!sacked.get(octet))
                {
                    if (lost[octet - una])
                    {
                        return Integer.toUnsignedLong(first + octet);
                    }
                    return newDataSendable ? NONE : Integer.toUnsignedLong(first + octet);
                }
            }
            return NONE;
        }

        private long modelRescueSeg()
        {
            for (int octet = nxt - 1; octet >= una; octet--)
            {
                if (!sacked.get(octet))
                {
                    final int floor = Math.max(una, sacked.previousSetBit(octet) + 1);
                    return Integer.toUnsignedLong(first + Math.max(floor, octet + 1 - mss));
                }
            }
            return NONE;
        }

        private int modelNextSegLength(final int octet)
        {
            if (octet < una || octet >= nxt || sacked.get(octet))
            {
                return 0;
            }
            final int nextSacked = sacked.nextSetBit(octet);
            final int end = nextSacked < 0 ? nxt : Math.min(nextSacked, nxt);
            return Math.min(mss, end - octet);
        }
    }
}
