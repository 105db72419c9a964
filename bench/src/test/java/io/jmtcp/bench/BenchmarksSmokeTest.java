package io.jmtcp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmtcp.bed.KernelBed;
import io.jmtcp.port.PortException;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.InternetChecksum;
import io.jmtcp.wire.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.List;

/**
 * Every benchmark's setup, one operation and teardown, called directly without JMH, so that a
 * change in the stack that breaks a benchmark (or makes it measure a drop path instead of the
 * real one) fails {@code mvn verify} instead of rotting until the next benchmark run.
 */
class BenchmarksSmokeTest
{
    private static final Blackhole BLACKHOLE =
        new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    private static final IterationParams MEASUREMENT =
        new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1);
    private static final long RECEIVE_DEADLINE_NANOS = 2_000_000_000L;

    @Test
    void checksumOfBothSizes()
    {
        for (final int length : new int[] {64, 1500})
        {
            final ChecksumBenchmark benchmark = new ChecksumBenchmark();
            benchmark.length = length;
            benchmark.setUp();

            final int checksum = benchmark.checksum();

            final UnsafeBuffer same = BenchFrames.randomBytes(length);
            assertEquals(InternetChecksum.checksum(same, 0, length), checksum, "deterministic bytes");
            assertTrue(checksum >= 0 && checksum <= 0xFFFF);
        }
    }

    @Test
    void parseTakesTheWholeValidPathAndTheNetworkLayerDeliversTheSegment()
    {
        for (final int payload : new int[] {64, 1420})
        {
            final TcpReceiveParseBenchmark benchmark = new TcpReceiveParseBenchmark();
            benchmark.payloadLength = payload;
            benchmark.setUp();
            try
            {
                assertEquals(DropReason.NONE, benchmark.check(true), "the frame must pass every check, checksums included");
                assertEquals(DropReason.NONE, benchmark.check(false));
                benchmark.validate(BLACKHOLE);
                benchmark.validateWithoutTcpChecksum(BLACKHOLE);
                benchmark.networkLayer(BLACKHOLE);
                assertEquals(1, benchmark.segmentsDelivered(), "the network layer handed the segment to TCP");
                assertEquals(0, benchmark.framesDropped());
            }
            finally
            {
                benchmark.tearDown();
            }
        }
        final UnsafeBuffer full = BenchFrames.tcpAckWithSack(1420);
        assertEquals(1514, full.capacity());
        assertEquals(60, BenchFrames.TCP_HEADER_LENGTH);
        assertEquals(TcpHeader.MAX_HEADER_LENGTH, BenchFrames.TCP_HEADER_LENGTH);
    }

    @Test
    void memoryLinkOneThreadDeliversTheWholeBatchInOrder()
    {
        for (final int length : new int[] {64, 1514})
        {
            final MemoryLinkBenchmark benchmark = new MemoryLinkBenchmark();
            final MemoryLinkBenchmark.OneThread state = new MemoryLinkBenchmark.OneThread();
            state.frameLength = length;
            state.setUp();
            try
            {
                assertEquals(MemoryLinkBenchmark.BATCH, benchmark.oneThread(state));
                assertEquals(MemoryLinkBenchmark.BATCH, benchmark.oneThread(state));
                assertEquals(2L * MemoryLinkBenchmark.BATCH, state.checker.frames());
                assertEquals(2L * MemoryLinkBenchmark.BATCH, state.checker.expected());
                assertEquals(0, state.checker.missing() + state.checker.late() + state.checker.foreign() + state.refused);
                assertEquals(2L * MemoryLinkBenchmark.BATCH * length, state.checker.bytes());
            }
            finally
            {
                state.tearDown();
            }
        }
    }

    @Test
    void memoryLinkTwoThreadsStepByStep()
    {
        final MemoryLinkBenchmark benchmark = new MemoryLinkBenchmark();
        final MemoryLinkBenchmark.Pair pair = new MemoryLinkBenchmark.Pair();
        pair.frameLength = 1514;
        pair.cpus = ThreadAffinity.NONE;
        final MemoryLinkBenchmark.SenderCounters sender = new MemoryLinkBenchmark.SenderCounters();
        final MemoryLinkBenchmark.ReceiverCounters receiver = new MemoryLinkBenchmark.ReceiverCounters();
        pair.setUp();
        try
        {
            sender.start(pair, MEASUREMENT);
            receiver.start(pair, MEASUREMENT);
            assertTrue(benchmark.send(pair, sender));
            assertTrue(benchmark.send(pair, sender));
            assertEquals(2, benchmark.receive(pair, receiver));
            assertEquals(0, benchmark.receive(pair, receiver));
            sender.stop(pair);
            receiver.stop(pair);
            assertEquals(2, sender.framesSent);
            assertEquals(2, receiver.framesReceived);
            assertEquals(1, receiver.emptyPolls);
            assertEquals(0, pair.checker.missing());
        }
        finally
        {
            pair.tearDown();
        }
    }

    @Test
    void threadAffinityParameter()
    {
        assertEquals(0, ThreadAffinity.cpuOf("0:1", 0));
        assertEquals(1, ThreadAffinity.cpuOf("0:1", 1));
        assertEquals(-1, ThreadAffinity.cpuOf(ThreadAffinity.NONE, 1));
        assertFalse(ThreadAffinity.pinCurrentThread(-1));
    }

    @Test
    @KernelBed
    void pcapOverVethSendAloneAndThePair() throws PortException
    {
        final PcapVethBenchmark benchmark = new PcapVethBenchmark();

        final PcapVethBenchmark.Sender alone = new PcapVethBenchmark.Sender();
        alone.frameLength = 64;
        alone.setUp();
        try
        {
            assertTrue(benchmark.sendAlone(alone));
            assertEquals(1, alone.a.txFrames());
        }
        finally
        {
            alone.tearDown();
        }
        assertTrue(alone.veth.isClosed());

        final PcapVethBenchmark.Pair pair = new PcapVethBenchmark.Pair();
        pair.frameLength = 1514;
        pair.cpus = ThreadAffinity.NONE;
        final PcapVethBenchmark.SenderCounters sender = new PcapVethBenchmark.SenderCounters();
        final PcapVethBenchmark.ReceiverCounters receiver = new PcapVethBenchmark.ReceiverCounters();
        pair.setUp();
        try
        {
            sender.start(pair, MEASUREMENT);
            receiver.start(pair, MEASUREMENT);
            for (int i = 0; i < 10; i++)
            {
                assertTrue(benchmark.send(pair, sender));
            }
            final long deadline = System.nanoTime() + RECEIVE_DEADLINE_NANOS;
            while (receiver.framesReceived < 10 && System.nanoTime() - deadline < 0)
            {
                benchmark.receive(pair, receiver);
            }
            sender.stop(pair);
            receiver.stop(pair);
            assertEquals(10, receiver.framesReceived);
            assertEquals(10, pair.checker.expected());
            assertEquals(0, pair.checker.missing() + pair.checker.late() + pair.checker.foreign());
            assertEquals(10L * 1514, pair.checker.bytes());
        }
        finally
        {
            pair.tearDown();
        }
        assertTrue(pair.veth.isClosed());
    }

    @Test
    void tcpBulkOverTheMemoryLinkDeliversWholeMebibytes()
    {
        for (final int mtu : new int[] {1500, 9000})
        {
            final TcpMemoryLinkBenchmark.Bulk state = new TcpMemoryLinkBenchmark.Bulk();
            state.mtu = mtu;
            state.setUp();
            try
            {
                final TcpMemoryLinkBenchmark benchmark = new TcpMemoryLinkBenchmark();
                final long first = benchmark.bulk(state);
                final long second = benchmark.bulk(state);
                assertTrue(second - first >= TcpMemoryLinkBenchmark.MIB, "a whole MiB per operation at MTU " + mtu);
            }
            finally
            {
                state.tearDown();
            }
        }
    }

    @Test
    @KernelBed
    void tcpOverVethAgainstTheKernelEveryModeBriefly() throws Exception
    {
        // Small enough for a few seconds in all, large enough that every mode moves real data.
        final TcpVethComparison.Options options = new TcpVethComparison.Options(20_000_000, 5, 300, 100, 64, 1, 0, 1,
            1 << 20);

        final List<TcpVethComparison.Repetition> reps = TcpVethComparison.run(options, System.out);

        assertEquals(1, reps.size());
        final TcpVethComparison.Repetition rep = reps.get(0);
        for (final TcpVethComparison.Bulk bulk : List.of(rep.kernelToJmtcp(), rep.jmtcpToKernel(), rep.kernelToKernel(),
            rep.kernelToKernelOffload()))
        {
            assertEquals(20_000_000, bulk.bytes(), "a whole transfer well within its time bound");
            assertTrue(bulk.gbps() > 0);
        }
        for (final TcpVethComparison.RoundTrips rr : List.of(rep.jmtcpEcho(), rep.kernelEcho()))
        {
            assertEquals(300, rr.count());
            assertTrue(rr.p50() > 0 && rr.p50() <= rr.p99() && rr.p99() <= rr.max());
        }
    }

    /**
     * ConnectionsComparison's in-memory cells (no root needed), briefly: every cell makes short
     * connections and measures round trips, the echo checked byte for byte by the client.
     */
    @Test
    void connectionsInMemoryEveryCellBriefly() throws Exception
    {
        final ConnectionsComparison.Options options = ConnectionsComparison.Options.parse("--memory-only", "true",
            "--seconds", "1", "--warmup", "50", "--connections", "500", "--round-trips", "200");

        final List<ConnectionsComparison.Cell> cells = ConnectionsComparison.run(options, System.out);

        assertEquals(2, cells.size(), "1 and 2 server contexts");
        for (final ConnectionsComparison.Cell cell : cells)
        {
            assertEquals("memory", cell.link());
            assertTrue(cell.connections() > 0, cell::toString);
            assertTrue(cell.rr().count() > 0, cell::toString);
            assertTrue(cell.rr().p50() > 0 && cell.rr().p50() <= cell.rr().p99(), cell::toString);
        }
    }

    @Test
    void tcpOverVethOptions()
    {
        final TcpVethComparison.Options options = TcpVethComparison.Options.parse("--bytes", "1000", "--cpus", "1:0",
            "--repeat", "3");
        assertEquals(1000, options.bytes());
        assertEquals(1, options.stackCpu());
        assertEquals(0, options.peerCpu());
        assertEquals(3, options.repeat());
        assertEquals(TcpVethComparison.Options.DEFAULT.roundTrips(), options.roundTrips());
        assertThrows(IllegalArgumentException.class, () -> TcpVethComparison.Options.parse("--bytes", "0"));
        assertThrows(IllegalArgumentException.class, () -> TcpVethComparison.Options.parse("--buffer", "1000"));
        assertThrows(IllegalArgumentException.class, () -> TcpVethComparison.Options.parse("--seconds"));
        assertThrows(IllegalArgumentException.class, () -> TcpVethComparison.Options.parse("--nope", "1"));
    }
}
