package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Mac} and {@link Ip4}: text forms, wire forms, masks and address classes. */
final class AddressTest
{
    @Test
    void macTextRoundTrip()
    {
        final Random random = new Random(1);
        for (int i = 0; i < 1000; i++)
        {
            final long mac = random.nextLong() & Mac.MASK;
            assertEquals(mac, Mac.parse(Mac.format(mac)));
        }
        assertEquals("00:1b:21:3a:4f:5e", Mac.format(0x001B_213A_4F5EL));
        assertEquals("ff:ff:ff:ff:ff:ff", Mac.format(Mac.BROADCAST));
        assertEquals(0x001B_213A_4F5EL, Mac.parse("00:1B:21:3a:4F:5e"));
    }

    @Test
    void macParseRejectsAndNamesBadInput()
    {
        for (final String bad : new String[] {"", "00:1b:21:3a:4f", "00:1b:21:3a:4f:5e:00", "00-1b-21-3a-4f-5e",
            "0:1b:21:3a:4f:5e0", "00:1b:21:3a:4f:5g", " 00:1b:21:3a:4f:5", "001b213a4f5e", "+0:1b:21:3a:4f:5e"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Mac.parse(bad), bad);
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Mac.parse(null));
    }

    @Test
    void macWireFormIsFirstByteMostSignificant()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[9]);
        Mac.write(buffer, 3, Mac.parse("01:02:03:04:05:06"));
        for (int i = 0; i < 6; i++)
        {
            assertEquals(i + 1, buffer.getByte(3 + i));
        }
        assertEquals(0x0102_0304_0506L, Mac.read(buffer, 3));
        assertTrue(Mac.isGroup(Mac.parse("01:00:5e:00:00:16")));
        assertTrue(Mac.isGroup(Mac.BROADCAST));
        assertFalse(Mac.isGroup(Mac.parse("00:50:56:01:12:70")));
    }

    @Test
    void ip4TextRoundTrip()
    {
        final Random random = new Random(2);
        for (int i = 0; i < 1000; i++)
        {
            final int address = random.nextInt();
            assertEquals(address, Ip4.parse(Ip4.format(address)));
        }
        assertEquals(0xC612_0001, Ip4.parse("198.18.0.1"));
        assertEquals("198.18.0.1", Ip4.format(0xC612_0001));
        assertEquals("255.255.255.255", Ip4.format(-1));
        assertEquals("0.0.0.0", Ip4.format(0));
    }

    @Test
    void ip4ParseIsStrictAndNamesBadInput()
    {
        for (final String bad : new String[] {"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "01.2.3.4",
            "1.2.3.04", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "-1.2.3.4", "1.2.3.a",
            "1234.1.1.1", "0x1.2.3.4", "1.2.3.4/24", "１.2.3.4"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Ip4.parse(bad), bad);
            assertTrue(ex.getMessage().contains(bad), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Ip4.parse(null));
        assertEquals(0, Ip4.parse("0.0.0.0"));
        assertEquals(0x0A00_0001, Ip4.parse("10.0.0.1"));
    }

    @Test
    void masksAndSubnets()
    {
        assertEquals(0, Ip4.mask(0));
        assertEquals(0x8000_0000, Ip4.mask(1));
        assertEquals(0xFFFF_FF00, Ip4.mask(24));
        assertEquals(0xFFFE_0000, Ip4.mask(15));
        assertEquals(-1, Ip4.mask(32));
        assertThrows(IllegalArgumentException.class, () -> Ip4.mask(-1));
        assertThrows(IllegalArgumentException.class, () -> Ip4.mask(33));

        assertTrue(Ip4.sameSubnet(Ip4.parse("198.18.0.1"), Ip4.parse("198.19.255.254"), 15));
        assertFalse(Ip4.sameSubnet(Ip4.parse("198.18.0.1"), Ip4.parse("198.20.0.1"), 15));
        assertTrue(Ip4.sameSubnet(Ip4.parse("1.2.3.4"), Ip4.parse("200.2.3.4"), 0));
        assertFalse(Ip4.sameSubnet(Ip4.parse("1.2.3.4"), Ip4.parse("1.2.3.5"), 32));
    }

    @Test
    void addressClasses()
    {
        assertTrue(Ip4.isMulticast(Ip4.parse("224.0.0.1")));
        assertTrue(Ip4.isMulticast(Ip4.parse("239.255.255.255")));
        assertFalse(Ip4.isMulticast(Ip4.parse("223.255.255.255")));
        assertFalse(Ip4.isMulticast(Ip4.parse("240.0.0.0")));
        assertTrue(Ip4.isLimitedBroadcast(Ip4.parse("255.255.255.255")));
        assertFalse(Ip4.isLimitedBroadcast(Ip4.parse("198.18.255.255")));
        assertTrue(Ip4.isUnspecified(Ip4.parse("0.0.0.0")));
        assertFalse(Ip4.isUnspecified(Ip4.parse("0.0.0.1")));
        assertTrue(Ip4.isLoopback(Ip4.parse("127.0.0.1")));
        assertTrue(Ip4.isLoopback(Ip4.parse("127.255.255.255")));
        assertFalse(Ip4.isLoopback(Ip4.parse("128.0.0.1")));
    }
}
