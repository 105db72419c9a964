package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A random stream of about 1 MB through each buffer, cut into random, overlapping segments that
 * arrive reordered, duplicated, lost and partly outside the window, with application reads and
 * writes interleaved and small rings that wrap many times; what comes out must hash (SHA-256) to
 * what went in, and the buffers' invariants are checked after every step.
 *
 * <p>Each run draws a seed, reported in any failure; {@code -Djmtcp.seed=N} replays it.
 */
final class BufferStreamRandomTest
{
    private static final int STREAM_LENGTH = 1 << 20;
    private static final int MAX_ROUNDS = 10_000_000;

    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);

    @Test
    void receiveBufferReassemblesReorderedDuplicatedStream()
    {
        replayable(this::receiveStream);
    }

    @Test
    void sendBufferRetransmitsUntilAcknowledged()
    {
        replayable(this::sendStream);
    }

    private void receiveStream()
    {
        final byte[] input = randomStream();
        final UnsafeBuffer source = new UnsafeBuffer(input);
        final int capacity = 1 << (8 + random.nextInt(6));
        final ReceiveBuffer receiver = new ReceiveBuffer(capacity, 1 + random.nextInt(8));
        final int first = firstSequence();
        receiver.startSequence(first);
        final Reader reader = new Reader(receiver, input, first, capacity);

        final int mss = 1 + random.nextInt(600);
        final int[] offsets = new int[4 * capacity + 64];
        final int[] lengths = new int[offsets.length];
        int rounds = 0;
        while (reader.delivered < STREAM_LENGTH)
        {
            assertTrue(++rounds < MAX_ROUNDS, "no progress");
            // A flight from a little before RCV.NXT (old bytes) to a little past the window.
            final int rcvNxt = receiver.rcvNxt() - first;
            final int from = Math.max(0, rcvNxt - random.nextInt(64));
            final int to = Math.min(STREAM_LENGTH, rcvNxt + receiver.window() + random.nextInt(capacity / 2 + 1));
            int count = 0;
            int at = from;
            while (at < to && count < offsets.length)
            {
                final int length = Math.min(1 + random.nextInt(mss), to - at);
                offsets[count] = at;
                lengths[count] = length;
                count++;
                // Sometimes the next segment overlaps this one, as a repacketized retransmission does.
                at += random.nextInt(4) == 0 ? Math.max(1, length - random.nextInt(length + 1)) : length;
            }
            count = duplicate(offsets, lengths, count);
            shuffle(offsets, lengths, count);

            for (int i = 0; i < count; i++)
            {
                if (random.nextInt(10) == 0)
                {
                    continue;
                }
                final int before = receiver.rcvNxt();
                final long dropped = receiver.droppedSegments();
                final int inFrom = Math.max(offsets[i], before - first);
                final int inTo = Math.min(offsets[i] + lengths[i], before - first + receiver.window());
                final int advanced = receiver.receive(first + offsets[i], source, offsets[i], lengths[i]);
                assertEquals(advanced, receiver.rcvNxt() - before, "return value is RCV.NXT's advance");
                checkInvariants(receiver, reader);
                if (advanced == 0 && inFrom < inTo && receiver.droppedSegments() == dropped)
                {
                    // RFC 2018 §4: the first block holds the segment that triggered this ACK.
                    assertTrue(first + inFrom - reader.lefts[0] >= 0 && reader.rights[0] - (first + inTo) >= 0,
                        "first SACK block holds the latest out-of-order segment");
                }
                if (random.nextInt(4) == 0)
                {
                    reader.read(random.nextInt(capacity + 1));
                    checkInvariants(receiver, reader);
                }
            }
            reader.read(random.nextInt(2 * capacity));
        }
        assertArrayEquals(sha256(input), reader.digest(), "SHA-256 of what was read");
    }

    private void sendStream()
    {
        final byte[] input = randomStream();
        final UnsafeBuffer source = new UnsafeBuffer(input);
        final int capacity = 1 << (8 + random.nextInt(6));
        final SendBuffer sender = new SendBuffer(capacity);
        final ReceiveBuffer receiver = new ReceiveBuffer(capacity, 1 + random.nextInt(8));
        final int first = firstSequence();
        sender.startSequence(first);
        receiver.startSequence(first);
        final Reader reader = new Reader(receiver, input, first, capacity);
        final UnsafeBuffer segment = new UnsafeBuffer(new byte[2 * capacity]);
        final int mss = 1 + random.nextInt(600);

        int written = 0;
        int rounds = 0;
        while (reader.delivered < STREAM_LENGTH)
        {
            assertTrue(++rounds < MAX_ROUNDS, "no progress");
            final int offered = Math.min(random.nextInt(2 * capacity), STREAM_LENGTH - written);
            final int free = sender.free();
            final int accepted = sender.write(source, written, offered);
            assertEquals(Math.min(offered, free), accepted, "write accepts what fits");
            written += accepted;
            assertEquals(first + written, sender.endSequence());

            final int segments = random.nextInt(8);
            for (int i = 0; i < segments; i++)
            {
                // Mostly from SND.UNA (a retransmission) or anywhere held; sometimes outside.
                final int seq = random.nextInt(3) == 0 ? sender.startSequence()
                    : sender.startSequence() - 16 + random.nextInt(sender.length() + 32);
                final int maxLen = random.nextInt(mss + 1);
                final int copied = sender.copyOut(seq, segment, 0, maxLen);
                final int offset = seq - sender.startSequence();
                final int expected = offset < 0 || offset >= sender.length() ? 0 : Math.min(maxLen, sender.length() - offset);
                assertEquals(expected, copied, "copyOut at offset " + offset);
                final int streamOffset = seq - first;
                for (int b = 0; b < copied; b++)
                {
                    if (segment.getByte(b) != input[streamOffset + b])
                    {
                        fail("copyOut byte " + (streamOffset + b) + " differs");
                    }
                }
                if (random.nextInt(10) != 0)
                {
                    receiver.receive(seq, segment, 0, copied);
                }
            }
            reader.read(random.nextInt(2 * capacity));

            acknowledge(sender, receiver.rcvNxt());
            assertEquals(sender.startSequence(), receiver.rcvNxt(), "acknowledged up to RCV.NXT");
            assertEquals(capacity, sender.length() + sender.free());
        }
        assertEquals(STREAM_LENGTH, written);
        assertEquals(0, sender.length(), "all acknowledged");
        assertArrayEquals(sha256(input), reader.digest(), "SHA-256 of what was read");
    }

    private void acknowledge(final SendBuffer sender, final int ack)
    {
        final int start = sender.startSequence();
        final int end = sender.endSequence();
        final int old = start - random.nextInt(1000);
        assertEquals(0, sender.acknowledge(old), "an old ack releases nothing");
        assertEquals(SendBuffer.ACK_OF_UNSENT_DATA, sender.acknowledge(end + 1 + random.nextInt(1000)));
        assertEquals(start, sender.startSequence(), "neither moved SND.UNA");
        assertEquals(ack - start, sender.acknowledge(ack), "released what the ack covers");
    }

    private static void checkInvariants(final ReceiveBuffer receiver, final Reader reader)
    {
        assertEquals(receiver.capacity(), receiver.readable() + receiver.window());
        assertEquals(reader.delivered + receiver.readable(), receiver.rcvNxt() - reader.first);
        final int count = receiver.sackBlocks(reader.lefts, reader.rights, receiver.maxIntervals());
        assertEquals(receiver.intervalCount(), count);
        reader.checkNoReneging(count);
        assertEquals(count > 0, receiver.hasOutOfOrder());
        final int rightEdge = receiver.rcvNxt() + receiver.window();
        for (int i = 0; i < count; i++)
        {
            final int left = reader.lefts[i];
            final int right = reader.rights[i];
            assertTrue(left - receiver.rcvNxt() > 0, "block above RCV.NXT");
            assertTrue(right - left > 0, "block not empty");
            assertTrue(rightEdge - right >= 0, "block inside the window");
            for (int j = 0; j < i; j++)
            {
                assertTrue(right - reader.lefts[j] < 0 || reader.rights[j] - left < 0, "blocks disjoint, not adjacent");
            }
        }
    }

    private int duplicate(final int[] offsets, final int[] lengths, final int count)
    {
        int total = count;
        for (int i = 0; i < count && total < offsets.length; i++)
        {
            if (random.nextInt(5) == 0)
            {
                offsets[total] = offsets[i];
                lengths[total] = lengths[i];
                total++;
            }
        }
        return total;
    }

    private void shuffle(final int[] offsets, final int[] lengths, final int count)
    {
        // Mostly local reordering, as a network does, with some segments thrown far.
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(8) == 0 ? random.nextInt(i + 1) : Math.max(0, i - random.nextInt(4));
            final int offset = offsets[i];
            final int length = lengths[i];
            offsets[i] = offsets[j];
            lengths[i] = lengths[j];
            offsets[j] = offset;
            lengths[j] = length;
        }
    }

    private byte[] randomStream()
    {
        final byte[] input = new byte[STREAM_LENGTH];
        random.nextBytes(input);
        return input;
    }

    private int firstSequence()
    {
        // Half the runs start just below 2^32, so sequence numbers wrap early in the stream.
        return random.nextBoolean() ? -1 - random.nextInt(STREAM_LENGTH / 2) : random.nextInt();
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

    private static byte[] sha256(final byte[] bytes)
    {
        final MessageDigest digest = sha256();
        digest.update(bytes);
        return digest.digest();
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /** The application: reads in-order bytes, checks each against the input, hashes them. */
    private static final class Reader
    {
        private final ReceiveBuffer receiver;
        private final byte[] input;
        private final int first;
        private final UnsafeBuffer scratch;
        private final byte[] bytes;
        private final MessageDigest digest = sha256();
        private final int[] lefts;
        private final int[] rights;
        private final int[] previousLefts;
        private final int[] previousRights;
        private int previousCount;
        private int delivered;

        Reader(final ReceiveBuffer receiver, final byte[] input, final int first, final int capacity)
        {
            this.receiver = receiver;
            this.input = input;
            this.first = first;
            this.bytes = new byte[capacity];
            this.scratch = new UnsafeBuffer(bytes);
            this.lefts = new int[receiver.maxIntervals()];
            this.rights = new int[receiver.maxIntervals()];
            this.previousLefts = new int[receiver.maxIntervals()];
            this.previousRights = new int[receiver.maxIntervals()];
        }

        /**
         * Bytes once reported in a SACK block stay reported until RCV.NXT passes them: this buffer
         * never reneges (RFC 2018 §8 permits it; we do not need it).
         */
        void checkNoReneging(final int count)
        {
            for (int p = 0; p < previousCount; p++)
            {
                final int left = previousLefts[p];
                final int right = previousRights[p];
                boolean covered = right - receiver.rcvNxt() <= 0;
                for (int i = 0; i < count && !covered; i++)
                {
                    covered = left - lefts[i] >= 0 && rights[i] - right >= 0;
                }
                if (!covered)
                {
                    fail("block [" + (left - first) + ", " + (right - first) + ") reneged");
                }
            }
            System.arraycopy(lefts, 0, previousLefts, 0, count);
            System.arraycopy(rights, 0, previousRights, 0, count);
            previousCount = count;
        }

        void read(final int maxLen)
        {
            final int count = receiver.read(scratch, 0, Math.min(maxLen, bytes.length));
            if (!Arrays.equals(bytes, 0, count, input, delivered, delivered + count))
            {
                fail("bytes read at stream offset " + delivered + ".." + (delivered + count) + " differ from the input");
            }
            digest.update(bytes, 0, count);
            delivered += count;
        }

        byte[] digest()
        {
            return digest.digest();
        }
    }
}
