package io.jmtcp.tcp.sim;

import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpState;
import io.jmtcp.tcp.cc.CongestionControls;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded simulation (DESIGN.md §5): two stacks over the in-memory link on virtual time, for
 * {@value #DEFAULT_SEEDS} seeds across eight impairment profiles (loss 0, 1 and 5 %, reordering,
 * duplication, corruption, delay with jitter, and all at once), each moving 1–10 MB each way
 * with a half-close. Every transfer must end byte-exact (SHA-256 of both streams), with both
 * connections in CLOSED or TIME_WAIT, no error, and no connection object left.
 *
 * <p>A failure names its seed; replay it alone with {@code -Dsim.seed=N}. {@code -Dsim.seeds=N}
 * runs more seeds (the soak does), {@code -Dsim.maxBytes=N} caps the stream size.
 */
class SeededSimulationTest
{
    private static final int DEFAULT_SEEDS = 200;
    private static final long MB = 1 << 20;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final String[] PROFILE_NAMES = {
        "clean", "loss 1%", "loss 5%", "reorder 3% + loss 1%", "duplicate 3%", "corrupt 1%", "delay 20ms jitter 5ms",
        "everything"
    };

    static LinkImpairments profile(final int index)
    {
        final LinkImpairments base = LinkImpairments.NONE.withDelayNanos(2 * MS).withRateBitsPerSecond(200_000_000L);
        switch (index)
        {
            case 0: return base;
            case 1: return base.withLossRate(0.01);
            case 2: return base.withLossRate(0.05);
            case 3: return base.withReorderRate(0.03).withLossRate(0.01);
            case 4: return base.withDuplicateRate(0.03);
            case 5: return base.withCorruptRate(0.01);
            case 6: return base.withDelayNanos(20 * MS).withJitterNanos(5 * MS);
            default: return base.withLossRate(0.01).withReorderRate(0.02).withDuplicateRate(0.01).withCorruptRate(0.005)
                .withJitterNanos(MS);
        }
    }

    @TestFactory
    Stream<DynamicTest> transfersEndByteExactAndClosed()
    {
        final Long only = Long.getLong("sim.seed");
        final int seeds = Integer.getInteger("sim.seeds", DEFAULT_SEEDS);
        final LongStream chosen = only != null ? LongStream.of(only) : LongStream.range(1, seeds + 1);
        return chosen.mapToObj(seed ->
        {
            final int profile = (int)(seed % PROFILE_NAMES.length);
            return DynamicTest.dynamicTest("seed " + seed + " (" + PROFILE_NAMES[profile] + ")", () -> runSeed(seed));
        });
    }

    private static void runSeed(final long seed)
    {
        final int profile = (int)(seed % PROFILE_NAMES.length);
        final SplittableRandom random = new SplittableRandom(seed);
        final long maxBytes = Long.getLong("sim.maxBytes", 10 * MB);
        final long aToB = Math.min(maxBytes, MB + random.nextLong(9 * MB + 1));
        final long bToA = Math.min(maxBytes, MB + random.nextLong(9 * MB + 1));
        final boolean cubic = random.nextBoolean();
        final boolean sack = random.nextInt(4) != 0;
        final boolean timestamps = random.nextInt(4) != 0;
        final Supplier<TcpConfig> config = () -> new TcpConfig()
            .congestionControl(cubic ? CongestionControls.CUBIC : CongestionControls.NEW_RENO)
            .sack(sack)
            .timestamps(timestamps)
            .timeWaitNanos(TimeUnit.SECONDS.toNanos(2));
        final LinkImpairments impairments = profile(profile);
        final Transfer transfer = new Transfer(seed, aToB, bToA)
            .run(impairments, impairments, config, 1500, TimeUnit.SECONDS.toNanos(900));
        final String context = "seed " + seed + " (replay: -Dsim.seed=" + seed + "), " + PROFILE_NAMES[profile] +
            ", " + aToB + " B a->b, " + bToA + " B b->a, " + (cubic ? "cubic" : "newreno") + ", sack " + sack +
            ", timestamps " + timestamps + ": ";
        assertTrue(transfer.finished, context + "did not finish in 900 s of virtual time; " + transfer.diagnosis);
        assertTrue(transfer.intact, context + "streams differ; " + transfer.diagnosis);
        assertTrue(ended(transfer.stateA) && ended(transfer.stateB),
            context + "states " + transfer.stateA + "/" + transfer.stateB);
        assertEquals(0, transfer.errorA, context + "client error");
        assertEquals(0, transfer.errorB, context + "server error");
        assertEquals(0, transfer.leakedA + transfer.leakedB, context + "connections left; " + transfer.diagnosis);
    }

    private static boolean ended(final TcpState state)
    {
        return state == TcpState.CLOSED || state == TcpState.TIME_WAIT;
    }
}
