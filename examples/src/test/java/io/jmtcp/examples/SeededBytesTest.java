package io.jmtcp.examples;

import io.jmtcp.tcp.sim.StreamEndpoint;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SeededBytesTest
{
    @Test
    void isTheStreamOfTheStacksSimulationTests()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++)
        {
            final long seed = random.nextLong();
            final long position = random.nextLong(1L << 40);
            assertEquals(StreamEndpoint.byteAt(seed, position), SeededBytes.byteAt(seed, position),
                "seed " + seed + " position " + position);
        }
    }

    @Test
    void fillWritesTheSameBytesAsByteAtFromAnyPositionAndOffset()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 2_000; i++)
        {
            final long seed = random.nextLong();
            final long position = random.nextLong(1L << 40);
            final int offset = random.nextInt(8);
            final int length = random.nextInt(buffer.capacity() - offset + 1);
            SeededBytes.fill(seed, position, buffer, offset, length);
            for (int k = 0; k < length; k++)
            {
                assertEquals(SeededBytes.byteAt(seed, position + k), buffer.getByte(offset + k),
                    "seed " + seed + " position " + position + " byte " + k);
            }
        }
    }
}
