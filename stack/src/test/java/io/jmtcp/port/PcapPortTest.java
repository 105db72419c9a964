package io.jmtcp.port;

import io.jmtcp.bed.HostTools;
import io.jmtcp.testing.ChildJvm;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PcapPort without a test bed: library loading, configuration, the error paths, and a short
 * exchange on the loopback interface (frames with the IEEE local experimental EtherType 0x88B5,
 * which the kernel drops, so nothing but the two handles ever sees them). The round trip over a
 * veth pair belongs to the kernel-peer bed.
 */
class PcapPortTest
{
    private static final int CAP_NET_RAW = 13;
    private static final int EXPERIMENTAL_ETHERTYPE = 0x88B5;

    @TempDir
    Path dir;

    /** Whether this process may open packet sockets: CAP_NET_RAW in its effective set. */
    static boolean hasCapNetRaw()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("CapEff:"))
                {
                    return new BigInteger(line.substring("CapEff:".length()).trim(), 16).testBit(CAP_NET_RAW);
                }
            }
        }
        catch (final IOException e)
        {
            return false;
        }
        return false;
    }

    private static String libpcapOrSkip()
    {
        // As root a fresh machine gets libpcap installed, as the kernel bed does; a failed
        // install fails the test rather than skipping it, so a root CI cannot pass silently.
        if (HostTools.isRoot())
        {
            HostTools.ensure(HostTools.Requirement.LIBPCAP).orThrow();
        }
        try
        {
            return PcapLibrary.ensureLoaded();
        }
        catch (final PortException e)
        {
            assumeTrue(false, "libpcap is not installed here (" + e.getMessage() + ")");
            return null;
        }
    }

    @Test
    void libpcapLoadsAndIsVersion110() throws PortException
    {
        final String version = libpcapOrSkip();
        assertTrue(version.matches("libpcap version 1\\.10\\.\\d+.*"), version);
        assertEquals(version, PcapLibrary.ensureLoaded(), "idempotent");
        assertNotNull(System.getProperty(PcapLibrary.LIBRARY_PROPERTY), "the chosen library is recorded for pcap4j");
    }

    @Test
    void findPrefersTheUnversionedNameThenKnownVersionsThenAnyVersion() throws IOException
    {
        final Path a = Files.createDirectories(dir.resolve("a"));
        final Path b = Files.createDirectories(dir.resolve("b"));
        final Path c = Files.createDirectories(dir.resolve("c"));
        assertNull(PcapLibrary.find(List.of(a, b, c, dir.resolve("missing"))));

        Files.createFile(c.resolve("libpcap.so.1.10.3"));
        assertEquals(c.resolve("libpcap.so.1.10.3"), PcapLibrary.find(List.of(a, b, c)));

        Files.createFile(b.resolve("libpcap.so.0.8"));
        assertEquals(b.resolve("libpcap.so.0.8"), PcapLibrary.find(List.of(a, b, c)), "directory order first");

        Files.createFile(b.resolve("libpcap.so"));
        assertEquals(b.resolve("libpcap.so"), PcapLibrary.find(List.of(a, b, c)), "libpcap-dev's name first");

        Files.createSymbolicLink(a.resolve("libpcap.so"), a.resolve("dangling"));
        assertEquals(b.resolve("libpcap.so"), PcapLibrary.find(List.of(a, b, c)), "a dangling link is no library");
    }

    @Test
    void searchDirectoriesStartWithThisArchitecturesMultiarchDirectories()
    {
        assertEquals("x86_64-linux-gnu", PcapLibrary.multiarchTriplet("amd64"));
        assertEquals("aarch64-linux-gnu", PcapLibrary.multiarchTriplet("aarch64"));
        assertNull(PcapLibrary.multiarchTriplet("sparc"));
        final List<Path> dirs = PcapLibrary.searchDirectories();
        if (null != PcapLibrary.multiarchTriplet(System.getProperty("os.arch")))
        {
            assertEquals(Path.of("/usr/lib", PcapLibrary.multiarchTriplet(System.getProperty("os.arch"))), dirs.get(0));
        }
        assertTrue(dirs.contains(Path.of("/usr/lib")));
    }

    @Test
    void configDefaultsAndValidation()
    {
        final PcapPortConfig config = PcapPortConfig.builder("veth0").build();
        assertEquals("veth0", config.interfaceName());
        assertEquals(2048, config.snaplen());
        assertEquals(1514, config.maxFrameLength());
        assertEquals(32 * 1024 * 1024, config.bufferSize());
        assertFalse(config.promiscuous());
        assertNull(config.filter());
        assertEquals(PcapPortConfig.Direction.IN, config.direction());

        assertInvalid("interfaceName", PcapPortConfig.builder(""));
        assertInvalid("interfaceName", PcapPortConfig.builder("a name"));
        assertInvalid("interfaceName", PcapPortConfig.builder("much-too-long-name0"));
        assertInvalid("snaplen 1500 must be at least maxFrameLength 1514", PcapPortConfig.builder("eth0").snaplen(1500));
        assertInvalid("maxFrameLength", PcapPortConfig.builder("eth0").maxFrameLength(10));
        assertInvalid("bufferSize", PcapPortConfig.builder("eth0").bufferSize(1024));
        assertInvalid("filter", PcapPortConfig.builder("eth0").filter("  "));
        assertTrue(PcapPortConfig.builder("eth0").filter("tcp").direction(PcapPortConfig.Direction.INOUT).build()
            .toString().contains("filter='tcp'"));
    }

    private static void assertInvalid(final String expected, final PcapPortConfig.Builder builder)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aMissingInterfaceIsNamedWithTheFix()
    {
        libpcapOrSkip();
        final PortException e = assertThrows(PortException.class,
            () -> PcapPort.open(PcapPortConfig.builder("jmtcp-nosuch0").build()));
        assertTrue(e.getMessage().contains("interface 'jmtcp-nosuch0' does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("ip link"), e.getMessage());
        assertTrue(e.getMessage().contains("lo"), "lists the interfaces there are: " + e.getMessage());
    }

    @Test
    void withoutCapNetRawTheMessageSaysSo() throws Exception
    {
        libpcapOrSkip();
        final String message;
        if (hasCapNetRaw())
        {
            // As root, take the capability away from a child JVM: for uid 0 the permitted set
            // after exec is the bounding set, so dropping it there is enough (setpriv(1)).
            final List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_raw",
                "--inh-caps=-net_raw"));
            command.addAll(ChildJvm.command(List.of(), PcapOpenProbe.class, "lo"));
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "probe JVM did not finish");
            assertEquals(0, process.exitValue(), output);
            final String last = output.lines().reduce((first, second) -> second).orElse("");
            assertTrue(last.startsWith("failed\t"), "without CAP_NET_RAW the open must fail: " + output);
            message = last.substring("failed\t".length());
        }
        else
        {
            message = assertThrows(PortException.class,
                () -> PcapPort.open(PcapPortConfig.builder("lo").build())).getMessage();
        }
        assertTrue(message.contains("no permission to capture on interface 'lo'"), message);
        assertTrue(message.contains("CAP_NET_RAW"), message);
    }

    @Test
    void aFilterThatDoesNotCompileIsNamed()
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        final PortException e = assertThrows(PortException.class,
            () -> PcapPort.open(PcapPortConfig.builder("lo").filter("tcp and and").build()));
        assertTrue(e.getMessage().contains("BPF filter 'tcp and and' for interface 'lo' does not compile"), e.getMessage());
    }

    @Test
    void receiveNeverBlocksAndSendRefusalsAreCounted() throws PortException
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        final PcapPort port = PcapPort.open(PcapPortConfig.builder("lo")
            .filter("ether proto " + EXPERIMENTAL_ETHERTYPE + " and ether[14:4] = 0xdeadbeef")
            .bufferSize(1024 * 1024)
            .build());
        try
        {
            assertEquals("lo", port.name());
            assertEquals(1514, port.maxFrameLength());
            final long start = System.nanoTime();
            for (int i = 0; i < 100; i++)
            {
                assertEquals(0, port.receive((b, o, l) -> { }, 16));
            }
            final long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis < 1_000, "100 empty receives took " + elapsedMillis + " ms");
            assertEquals(0, port.receive((b, o, l) -> { }, 0));

            assertFalse(port.send(new UnsafeBuffer(new byte[1515]), 0, 1515));
            assertFalse(port.send(new UnsafeBuffer(new byte[10]), 0, 0));
            assertEquals(2, port.txErrors());
            assertEquals(0, port.flush());

            final PcapPort.LibpcapStats stats = port.libpcapStats();
            assertTrue(stats.dropped() >= 0 && stats.received() >= 0, stats.toString());
        }
        finally
        {
            port.close();
            port.close();
        }
        assertFalse(port.send(new UnsafeBuffer(new byte[64]), 0, 64), "closed");
        assertEquals(3, port.txErrors());
        assertEquals(0, port.receive((b, o, l) -> { }, 16));
        assertThrows(PortException.class, port::libpcapStats);
    }

    @Test
    void framesCrossTheLoopbackBetweenTwoHandles() throws PortException
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        final int frames = 100;
        final int nonce = ThreadLocalRandom.current().nextInt();
        final String filter = String.format("ether proto %d and ether[14:4] = 0x%08x", EXPERIMENTAL_ETHERTYPE, nonce);
        try (PcapPort sender = PcapPort.open(PcapPortConfig.builder("lo").filter(filter).bufferSize(1024 * 1024).build());
             PcapPort receiver = PcapPort.open(PcapPortConfig.builder("lo").filter(filter).bufferSize(1024 * 1024).build()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[60 + frames]);
            frame.putShort(12, (short)EXPERIMENTAL_ETHERTYPE, ByteOrder.BIG_ENDIAN);
            frame.putInt(14, nonce, ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < frames; i++)
            {
                frame.putInt(18, i);
                assertTrue(sender.send(frame, 0, 60 + i), "frame " + i + ": " + sender);
            }
            assertEquals(frames, sender.txFrames());

            final boolean[] seen = new boolean[frames];
            final int[] count = {0};
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (count[0] < frames && System.nanoTime() - deadline < 0)
            {
                receiver.receive((b, o, l) ->
                {
                    final int i = b.getInt(o + 18);
                    assertEquals(60 + i, l, "frame " + i + " arrives whole");
                    seen[i] = true;
                    count[0]++;
                }, 32);
            }
            assertEquals(frames, count[0], receiver.toString());
            for (int i = 0; i < frames; i++)
            {
                assertTrue(seen[i], "frame " + i);
            }
            assertEquals(frames, receiver.rxFrames());
            assertEquals(0, receiver.rxErrors());
            assertEquals(0, receiver.libpcapStats().dropped());
        }
    }

    @Test
    void aThrowingHandlerIsRethrownAfterTheBatch() throws PortException
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        final int nonce = ThreadLocalRandom.current().nextInt();
        final String filter = String.format("ether proto %d and ether[14:4] = 0x%08x", EXPERIMENTAL_ETHERTYPE, nonce);
        try (PcapPort port = PcapPort.open(PcapPortConfig.builder("lo").filter(filter).bufferSize(1024 * 1024).build()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            frame.putShort(12, (short)EXPERIMENTAL_ETHERTYPE, ByteOrder.BIG_ENDIAN);
            frame.putInt(14, nonce, ByteOrder.BIG_ENDIAN);
            assertTrue(port.send(frame, 0, 64));
            assertTrue(port.send(frame, 0, 64));
            final int[] calls = {0};
            final long deadline = System.nanoTime() + 5_000_000_000L;
            IllegalStateException thrown = null;
            while (null == thrown && System.nanoTime() - deadline < 0)
            {
                try
                {
                    port.receive((b, o, l) ->
                    {
                        calls[0]++;
                        throw new IllegalStateException("handler bug");
                    }, 32);
                }
                catch (final IllegalStateException e)
                {
                    thrown = e;
                }
            }
            assertNotNull(thrown, "the handler's exception reaches the caller instead of pcap4j's log");
            assertTrue(calls[0] >= 1);
            assertEquals(calls[0], port.rxFrames(), "frames the handler saw are counted even when it throws");
        }
    }

    @Test
    void anErrorFromTheHandlerEndsTheBatchAndReachesTheCaller() throws PortException
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            loop.send(5);
            final int[] calls = {0};
            final AssertionError thrown = loop.awaitThrow(AssertionError.class, (b, o, l) ->
            {
                calls[0]++;
                throw new AssertionError("handler assertion");
            });
            assertEquals("handler assertion", thrown.getMessage(), "not swallowed by JNA's callback handler");
            assertEquals(1, calls[0], "an Error stops the batch (pcap_breakloop)");
        }
    }

    @Test
    void closingFromInsideTheHandlerClosesAfterTheBatch() throws PortException
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            loop.send(3);
            final int[] calls = {0};
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (calls[0] == 0 && System.nanoTime() - deadline < 0)
            {
                loop.port.receive((b, o, l) ->
                {
                    calls[0]++;
                    loop.port.close();
                }, 32);
            }
            assertTrue(calls[0] >= 1, "a frame arrived");
            assertEquals(0, loop.port.receive((b, o, l) -> calls[0]++, 32), "closed after the batch");
        }
    }

    @Test
    void closingFromAnotherThreadWaitsForTheRunningBatch() throws Exception
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            loop.send(1);
            final Thread closer = new Thread(loop.port::close, "closer");
            final boolean[] closerFinishedDuringBatch = {false};
            final int[] calls = {0};
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (calls[0] == 0 && System.nanoTime() - deadline < 0)
            {
                loop.port.receive((b, o, l) ->
                {
                    calls[0]++;
                    closer.start();
                    try
                    {
                        closer.join(300);
                    }
                    catch (final InterruptedException e)
                    {
                        Thread.currentThread().interrupt();
                    }
                    closerFinishedDuringBatch[0] = !closer.isAlive();
                    // The frame view is still readable: libpcap's ring was not freed under us.
                    assertEquals(EXPERIMENTAL_ETHERTYPE, b.getShort(o + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF);
                }, 32);
            }
            closer.join(5_000);
            assertEquals(1, calls[0]);
            assertFalse(closerFinishedDuringBatch[0], "close waited for the batch");
            assertFalse(closer.isAlive(), "close finished after the batch");
            assertEquals(0, loop.port.receive((b, o, l) -> calls[0]++, 32));
        }
    }

    /**
     * An idle owner sleeps in {@code awaitFrames} and a frame ends the sleep: given a minute, the
     * wait must end within 20 s of the frame (a timed park would sleep the whole minute).
     */
    @Test
    void aFrameEndsAnIdleWait() throws Exception
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            final CompletableFuture<Boolean> wait = loop.idleWait();
            loop.send(1);
            assertTrue(wait.get(20, TimeUnit.SECONDS), "a pcap port can wait");
            assertEquals(1, loop.port.receive((b, o, l) -> { }, 32));
        }
    }

    @Test
    void aWakeUpEndsAnIdleWaitAndIsNotLostBeforeIt() throws Exception
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            final CompletableFuture<Boolean> wait = loop.idleWait();
            assertTrue(loop.port.wakeUp());
            assertTrue(wait.get(20, TimeUnit.SECONDS));
            assertTrue(loop.port.wakeUp(), "before the wait");
            assertTrue(loop.idleWait().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingFromAnotherThreadEndsAnIdleWait() throws Exception
    {
        libpcapOrSkip();
        assumeTrue(hasCapNetRaw(), "needs root or CAP_NET_RAW to open an interface");
        try (Loopback loop = new Loopback())
        {
            final CompletableFuture<Boolean> wait = loop.idleWait();
            CompletableFuture.runAsync(loop.port::close).get(20, TimeUnit.SECONDS);
            assertTrue(wait.get(20, TimeUnit.SECONDS));
            assertFalse(loop.idleWait().get(20, TimeUnit.SECONDS), "closed: the caller must park on its own");
        }
    }

    /** A pcap port on lo that sees only the frames it sends (a nonce in a filter), for handler tests. */
    private static final class Loopback implements AutoCloseable
    {
        final int nonce = ThreadLocalRandom.current().nextInt();
        final PcapPort port;

        Loopback() throws PortException
        {
            final String filter = String.format("ether proto %d and ether[14:4] = 0x%08x", EXPERIMENTAL_ETHERTYPE, nonce);
            port = PcapPort.open(PcapPortConfig.builder("lo").filter(filter).bufferSize(1024 * 1024).build());
        }

        /**
         * Start a wait of up to a minute on another thread, and give it 50 ms to begin sleeping.
         * Its future's get with a 20 s limit fails a wait that missed what should end it.
         */
        CompletableFuture<Boolean> idleWait() throws InterruptedException
        {
            final CompletableFuture<Boolean> wait =
                CompletableFuture.supplyAsync(() -> port.awaitFrames(TimeUnit.MINUTES.toNanos(1)));
            Thread.sleep(50);
            return wait;
        }

        void send(final int frames)
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            frame.putShort(12, (short)EXPERIMENTAL_ETHERTYPE, ByteOrder.BIG_ENDIAN);
            frame.putInt(14, nonce, ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < frames; i++)
            {
                assertTrue(port.send(frame, 0, 64));
            }
        }

        <T extends Throwable> T awaitThrow(final Class<T> type, final FrameHandler handler)
        {
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() - deadline < 0)
            {
                try
                {
                    port.receive(handler, 32);
                }
                catch (final Throwable t)
                {
                    if (type.isInstance(t))
                    {
                        return type.cast(t);
                    }
                    throw t;
                }
            }
            throw new AssertionError("no " + type.getSimpleName() + " from receive within 5 s");
        }

        @Override
        public void close()
        {
            port.close();
        }
    }
}
