package io.jmtcp.bench;

import io.jmtcp.wire.InternetChecksum;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The RFC 1071 Internet checksum ({@link InternetChecksum#checksum}) over a 64-byte and a
 * 1500-byte run of seeded random bytes in a cache-line aligned direct {@link UnsafeBuffer}: the
 * cost of verifying or computing an IPv4 header (20 bytes), a small segment or a full-MTU TCP
 * segment. Reported as ns per checksum; bytes per ns is {@code length / score}.
 *
 * <p>Run, with allocation per call:
 * <pre>
 * java -jar bench/target/benchmarks.jar ChecksumBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChecksumBenchmark
{
    /** Bytes summed. */
    @Param({"64", "1500"})
    public int length;

    private UnsafeBuffer buffer;

    /** Fill the buffer; the same bytes on every run. */
    @Setup
    public void setUp()
    {
        buffer = BenchFrames.randomBytes(length);
    }

    /**
     * One checksum; JMH consumes the returned value.
     *
     * @return the checksum.
     */
    @Benchmark
    public int checksum()
    {
        return InternetChecksum.checksum(buffer, 0, length);
    }
}
