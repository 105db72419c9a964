package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * 200 MB each way between our stack and the Linux kernel's TCP over the bed's veth, byte-exact
 * (SHA-256 of both directions), with a half-close, in both roles.
 */
@KernelBed
class KernelTransferTest
{
    /** The size: 200 MB each way. */
    private static final long BYTES = 200_000_000L;
    private static final Duration PEER_LIMIT = Duration.ofSeconds(100);

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void kernelClientToOurServerTwoHundredMegabytesEachWay(final NetnsBed bed) throws Exception
    {
        Transfers.kernelClientToOurServer(bed, UnaryOperator.identity(), BYTES, PEER_LIMIT);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void ourClientToKernelServerTwoHundredMegabytesEachWay(final NetnsBed bed) throws Exception
    {
        Transfers.ourClientToKernelServer(bed, UnaryOperator.identity(), BYTES, PEER_LIMIT);
    }
}
