package io.jmtcp.port;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.ThreadMXBean;

import io.jmtcp.port.CaptureFiles.Record;
import io.jmtcp.time.VirtualClock;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.jmtcp.port.CaptureFiles.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TracingPortTest
{
    private static final long EPOCH = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    /** An epoch clock that ticks 1 µs per reading, so that every record has its own time. */
    private static final class TickingClock implements EpochNanoClock
    {
        private long now = EPOCH;

        @Override
        public long nanoTime()
        {
            now += 1_000;
            return now;
        }
    }

    private static UnsafeBuffer frame(final int tag, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(tag + i));
        }
        return buffer;
    }

    @Test
    void tracesBothDirectionsInCallOrder() throws IOException
    {
        final Path file = dir.resolve("trace.pcap");
        final VirtualClock clock = new VirtualClock();
        final MemoryLink link = MemoryLink.builder().clock(clock).maxFrameLength(200).build();
        final TracingPort traced = new TracingPort(
            link.endA(), PcapFileWriter.open(file, PcapLinkType.ETHERNET, 200), new TickingClock());
        assertEquals("memory:a", traced.name());
        assertEquals(200, traced.maxFrameLength());

        for (int i = 0; i < 3; i++)
        {
            assertTrue(traced.send(frame(i, 60 + i), 0, 60 + i));
        }
        assertFalse(traced.send(frame(9, 201), 0, 201), "refused by the link, so not traced");
        assertEquals(0, traced.flush());

        final int[] seenAtB = {0};
        assertEquals(3, link.endB().receive((b, o, l) -> seenAtB[0]++, 10));
        assertTrue(link.endB().send(frame(100, 70), 0, 70));
        assertTrue(link.endB().send(frame(101, 71), 0, 71));

        final int[] lengthsAtA = new int[2];
        final int[] n = {0};
        assertEquals(2, traced.receive((b, o, l) ->
        {
            lengthsAtA[n[0]++] = l;
            b.putByte(o, (byte)0xFF);
        }, 10));
        assertArrayEquals(new int[] {70, 71}, lengthsAtA);
        assertEquals(5, traced.framesTraced());
        assertEquals(0, traced.traceErrors());

        traced.close();
        traced.close();
        assertFalse(link.endA().send(frame(0, 60), 0, 60), "closing the tracer closed the wrapped port");

        final List<Record> records = readAll(file, PcapFileReader.MIN_BUFFER_SIZE, 100);
        assertEquals(5, records.size());
        final int[] tags = {0, 1, 2, 100, 101};
        final int[] lengths = {60, 61, 62, 70, 71};
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(EPOCH + (i + 1) * 1_000L, records.get(i).timestampNanos);
            assertArrayEquals(frame(tags[i], lengths[i]).byteArray(), records.get(i).bytes,
                "record " + i + " holds the frame as it was before the handler changed it");
        }
    }

    @Test
    void aFailingTraceIsCountedAndTheFrameStillFlows() throws IOException
    {
        final Path file = dir.resolve("broken.pcap");
        final VirtualClock clock = new VirtualClock();
        final MemoryLink link = MemoryLink.builder().clock(clock).build();
        final PcapFileWriter writer = PcapFileWriter.open(file);
        final TracingPort traced = new TracingPort(link.endA(), writer, new TickingClock());
        writer.close();

        assertTrue(traced.send(frame(1, 60), 0, 60));
        traced.flushTrace();
        assertEquals(1, link.endB().receive((b, o, l) -> { }, 10));
        assertEquals(0, traced.framesTraced());
        assertEquals(2, traced.traceErrors(), "the write and the flush");
        traced.close();
    }

    /** The packet path of the link and of the tracer (pcap writer included) allocates nothing once warm. */
    @Test
    void idleWaitsAndWakeUpsGoToTheTracedPort() throws IOException
    {
        final MemoryLink link = MemoryLink.builder().clock(new VirtualClock()).build();
        final WaitRecordingPort waitable = new WaitRecordingPort(link.endA());
        try (PcapFileWriter writer = PcapFileWriter.open(dir.resolve("idle.pcap")))
        {
            final TracingPort traced = new TracingPort(waitable, writer, new TickingClock());
            assertTrue(traced.awaitFrames(1234));
            assertEquals(1234, waitable.waitedFor);
            assertTrue(traced.wakeUp());
            assertEquals(1, waitable.wakeUps);
            final TracingPort overMemory = new TracingPort(link.endB(), writer, new TickingClock());
            assertFalse(overMemory.awaitFrames(1234), "the in-memory link cannot be waited on");
            assertFalse(overMemory.wakeUp());
        }
    }

    @Test
    void steadyStateAllocatesNothing() throws IOException
    {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof ThreadMXBean && ((ThreadMXBean)threads).isThreadAllocatedMemoryEnabled(),
            "this JVM cannot measure a thread's allocation");
        final ThreadMXBean allocation = (ThreadMXBean)threads;

        final VirtualClock clock = new VirtualClock();
        final LinkImpairments everything = LinkImpairments.NONE
            .withLossRate(0.01).withDuplicateRate(0.01).withReorderRate(0.01).withCorruptRate(0.01)
            .withDelayNanos(1_000).withJitterNanos(100).withRateBitsPerSecond(10_000_000_000L);
        final MemoryLink link = MemoryLink.builder().clock(clock).aToB(everything).bToA(everything).build();
        final UnsafeBuffer frame = frame(1, 1514);
        final long[] sink = {0};
        final FrameHandler handler = (b, o, l) -> sink[0] += b.getByte(o + 20);
        final List<Long> rounds = new ArrayList<>();
        try (TracingPort traced = TracingPort.open(link.endA(), dir.resolve("steady.pcap")))
        {
            for (int round = 0; round < 30; round++)
            {
                final long before = allocation.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200_000; i += 32)
                {
                    for (int j = 0; j < 32; j++)
                    {
                        traced.send(frame, 0, 64 + j);
                        link.endB().send(frame, 0, 1514 - j);
                    }
                    clock.advance(20_000);
                    int received;
                    do
                    {
                        received = link.endB().receive(handler, 64) + traced.receive(handler, 64);
                    }
                    while (received > 0);
                }
                final long allocated = allocation.getCurrentThreadAllocatedBytes() - before;
                rounds.add(allocated);
                if (round > 0 && allocated < 1024)
                {
                    assertTrue(traced.framesTraced() > 200_000 && link.countersBToA().delivered() > 200_000);
                    return;
                }
            }
        }
        throw new AssertionError("no round of 400,000 frames ran free of allocation once warm: " + rounds);
    }

    @Test
    void openNamesTheFileAndUsesTheSystemClock() throws IOException
    {
        final Path file = dir.resolve("open.pcap");
        final MemoryLink link = MemoryLink.builder().clock(new VirtualClock()).build();
        final long before = System.currentTimeMillis() * 1_000_000L;
        try (TracingPort traced = TracingPort.open(link.endA(), file))
        {
            assertTrue(traced.send(frame(5, 64), 0, 64));
            traced.flushTrace();
        }
        final List<Record> records = readAll(file, PcapFileReader.MIN_BUFFER_SIZE, 10);
        assertEquals(1, records.size());
        assertTrue(records.get(0).timestampNanos >= before - 1_000_000_000L, "a wall-clock time");
    }
}
