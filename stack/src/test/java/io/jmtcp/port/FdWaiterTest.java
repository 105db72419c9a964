package io.jmtcp.port;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The eventfd-and-ppoll wait under a pcap port's idle sleep, on a pipe standing for the frame
 * descriptor. Each wait that must end early is given a minute and checked within 20 s: a wait
 * that misses its wake-up fails the test instead of passing slowly.
 */
class FdWaiterTest
{
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    /** libc calls to make and fill the pipe. */
    interface Libc extends Library
    {
        int pipe(int[] fds);

        long write(int fd, byte[] buf, long count);

        long read(int fd, byte[] buf, long count);

        int close(int fd);
    }

    private static final Libc LIBC = Native.load("c", Libc.class);

    private final int[] pipe = new int[2];
    private FdWaiter waiter;

    @BeforeEach
    void open() throws PortException
    {
        assertEquals(0, LIBC.pipe(pipe));
        waiter = new FdWaiter(pipe[0]);
    }

    @AfterEach
    void closeAll()
    {
        waiter.close();
        LIBC.close(pipe[0]);
        LIBC.close(pipe[1]);
    }

    @Test
    void nothingHappensAndTheWaitTimesOut()
    {
        assertEquals(FdWaiter.Outcome.TIMEOUT, waiter.await(TimeUnit.MILLISECONDS.toNanos(5)));
        assertEquals(FdWaiter.Outcome.TIMEOUT, waiter.await(0));
    }

    @Test
    void aWakeUpBeforeTheWaitIsNotLostAndCountsOnce() throws Exception
    {
        waiter.wakeUp();
        waiter.wakeUp();
        assertEquals(FdWaiter.Outcome.WOKEN, within20s(() -> waiter.await(MINUTE)));
        assertEquals(FdWaiter.Outcome.TIMEOUT, waiter.await(TimeUnit.MILLISECONDS.toNanos(5)),
            "the wake-ups were consumed by the first wait");
    }

    @Test
    void aWakeUpFromAnotherThreadEndsTheWait() throws Exception
    {
        final CompletableFuture<FdWaiter.Outcome> wait = CompletableFuture.supplyAsync(() -> waiter.await(MINUTE));
        Thread.sleep(50);
        waiter.wakeUp();
        assertEquals(FdWaiter.Outcome.WOKEN, wait.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aReadableFrameDescriptorEndsTheWait() throws Exception
    {
        final CompletableFuture<FdWaiter.Outcome> wait = CompletableFuture.supplyAsync(() -> waiter.await(MINUTE));
        Thread.sleep(50);
        assertEquals(1, LIBC.write(pipe[1], new byte[] {1}, 1));
        assertEquals(FdWaiter.Outcome.FRAMES, wait.get(20, TimeUnit.SECONDS));
        assertEquals(FdWaiter.Outcome.FRAMES, waiter.await(MINUTE), "still readable: level-triggered");
    }

    @Test
    void framesWinOverAWakeUpAndTheWakeUpIsConsumed() throws Exception
    {
        assertEquals(1, LIBC.write(pipe[1], new byte[] {1}, 1));
        waiter.wakeUp();
        assertEquals(FdWaiter.Outcome.FRAMES, within20s(() -> waiter.await(MINUTE)));
        assertEquals(1, LIBC.read(pipe[0], new byte[1], 1));
        assertEquals(FdWaiter.Outcome.TIMEOUT, waiter.await(TimeUnit.MILLISECONDS.toNanos(5)),
            "the wake-up seen beside the frames was consumed too");
    }

    @Test
    void afterCloseWaitsEndAtOnceAndWakeUpsAreIgnored() throws Exception
    {
        waiter.close();
        waiter.wakeUp();
        assertEquals(FdWaiter.Outcome.WOKEN, within20s(() -> waiter.await(MINUTE)));
        waiter.close();
    }

    private static FdWaiter.Outcome within20s(final Supplier<FdWaiter.Outcome> wait)
        throws Exception
    {
        return CompletableFuture.supplyAsync(wait).get(20, TimeUnit.SECONDS);
    }
}
