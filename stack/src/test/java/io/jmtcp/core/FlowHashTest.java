package io.jmtcp.core;

import io.jmtcp.port.PcapLibrary;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FlowHash}: symmetric, even over sequential ports, and each context's kernel filter,
 * compiled by libpcap and run by its BPF interpreter, picks exactly the frames
 * {@link FlowHash#contextOf} gives the context.
 */
class FlowHashTest
{
    private static final long SEED = Long.getLong("jmtcp.seed", 0x466C6F77L);
    private static final int FRAMES = 3000;
    private static final int[] COUNTS = {2, 3, 4, 7, 8};

    @Test
    void symmetricForEveryTuple()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 100_000; i++)
        {
            final int a = random.nextInt();
            final int b = random.nextInt();
            final int pa = random.nextInt(1 << 16);
            final int pb = random.nextInt(1 << 16);
            final int n = 1 + random.nextInt(FlowHash.MAX_CONTEXTS);
            final int owner = FlowHash.contextOf(a, pa, b, pb, n);
            assertEquals(owner, FlowHash.contextOf(b, pb, a, pa, n));
            assertTrue(owner >= 0 && owner < n);
        }
    }

    @Test
    void portsOfAnyStrideSpreadEvenly()
    {
        final int local = 0xC6120001;
        final int remote = 0xC6120002;
        for (final int stride : new int[]{1, 2, 4})
        {
            for (final int n : COUNTS)
            {
                final int[] hits = new int[n];
                final int ports = 8192;
                for (int i = 0; i < ports; i++)
                {
                    hits[FlowHash.contextOf(local, 32768 + stride * i, remote, 5001, n)]++;
                }
                for (final int hit : hits)
                {
                    // Within 1 % of a fair share: Linux's connect() steps by 2 (even ports first).
                    assertTrue(Math.abs(hit - ports / n) <= ports / n / 100 + 2,
                        () -> "stride " + stride + ", " + n + " contexts: " + java.util.Arrays.toString(hits));
                }
            }
        }
    }

    @Test
    void oneContextTakesEverythingAndBadPlacementsAreRefused()
    {
        assertNull(FlowHash.bpfFilter(0, 1));
        assertEquals(0, FlowHash.contextOf(1, 2, 3, 4, 1));
        assertThrows(IllegalArgumentException.class, () -> FlowHash.bpfFilter(2, 2));
        assertThrows(IllegalArgumentException.class, () -> FlowHash.bpfFilter(0, 0));
        assertThrows(IllegalArgumentException.class, () -> FlowHash.bpfFilter(0, FlowHash.MAX_CONTEXTS + 1));
    }

    @Test
    void kernelFiltersMatchContextOfExactlyOnce() throws Exception
    {
        PcapLibrary.ensureLoaded();
        final Inet4Address netmask = (Inet4Address)InetAddress.getByName("255.255.255.0");
        final SplittableRandom random = new SplittableRandom(SEED);
        for (final int n : COUNTS)
        {
            final BpfProgram[] programs = new BpfProgram[n];
            for (int i = 0; i < n; i++)
            {
                programs[i] = Pcaps.compileFilter(2048, DataLinkType.EN10MB, FlowHash.bpfFilter(i, n),
                    BpfProgram.BpfCompileMode.OPTIMIZE, netmask);
            }
            try
            {
                for (int f = 0; f < FRAMES; f++)
                {
                    final int a = random.nextInt();
                    final int b = random.nextInt();
                    final int pa = random.nextInt(1 << 16);
                    final int pb = random.nextInt(1 << 16);
                    final int optionWords = random.nextInt(3);
                    final int expected = FlowHash.contextOf(a, pa, b, pb, n);
                    assertOwner(programs, tcpFrame(a, pa, b, pb, optionWords, 0), expected, n);
                    assertOwner(programs, tcpFrame(b, pb, a, pa, optionWords, 0), expected, n);
                }
                assertOwner(programs, arpFrame(), 0, n);
                assertOwner(programs, icmpFrame(), 0, n);
                assertOwner(programs, ipv6Frame(), 0, n);
                for (int f = 0; f < 50; f++)
                {
                    assertOwner(programs, tcpFrame(random.nextInt(), 1, random.nextInt(), 2, 0, 1 + random.nextInt(100)),
                        0, n);
                }
            }
            finally
            {
                for (final BpfProgram program : programs)
                {
                    program.free();
                }
            }
        }
    }

    private static void assertOwner(final BpfProgram[] programs, final byte[] frame, final int expected, final int n)
    {
        int matches = 0;
        int matched = -1;
        for (int i = 0; i < programs.length; i++)
        {
            if (programs[i].applyFilter(frame))
            {
                matches++;
                matched = i;
            }
        }
        assertEquals(1, matches, "contexts matching a frame");
        assertEquals(expected, matched, "kernel filter's owner");
        assertEquals(expected, FlowHash.contextOfFrame(new UnsafeBuffer(frame), 0, frame.length, n),
            "contextOfFrame");
    }

    static byte[] tcpFrame(final int source, final int sourcePort, final int destination, final int destinationPort,
        final int optionWords, final int fragmentOffset)
    {
        final int ipLength = 20 + 4 * optionWords;
        final ByteBuffer frame = ByteBuffer.allocate(14 + ipLength + 20);
        frame.put(new byte[]{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)(0x40 | (ipLength / 4))).put((byte)0).putShort((short)(ipLength + 20)).putShort((short)7)
            .putShort((short)fragmentOffset).put((byte)64).put((byte)6).putShort((short)0)
            .putInt(source).putInt(destination);
        for (int i = 0; i < optionWords; i++)
        {
            frame.putInt(0x01010101);
        }
        frame.putShort((short)sourcePort).putShort((short)destinationPort).putInt(1).putInt(0)
            .put((byte)0x50).put((byte)0x02).putShort((short)65535).putInt(0);
        return frame.array();
    }

    private static byte[] arpFrame()
    {
        final ByteBuffer frame = ByteBuffer.allocate(60);
        frame.put(new byte[]{-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0806)
            .putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        return frame.array();
    }

    private static byte[] icmpFrame()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8);
        frame.put(new byte[]{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)28).putInt(0).put((byte)64).put((byte)1)
            .putShort((short)0).putInt(0xC6120002).putInt(0xC6120001).put((byte)8);
        return frame.array();
    }

    private static byte[] ipv6Frame()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 40 + 20);
        frame.put(new byte[]{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x86DD);
        frame.put((byte)0x60).position(14 + 6);
        frame.put((byte)6);
        return frame.array();
    }
}
