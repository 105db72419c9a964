package io.jmtcp.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names and factories of the algorithms.
 */
final class CongestionControlsTest
{
    @Test
    void byNameIsCaseInsensitive()
    {
        assertSame(CongestionControls.NEW_RENO, CongestionControls.byName("newreno"));
        assertSame(CongestionControls.NEW_RENO, CongestionControls.byName("NewReno"));
        assertSame(CongestionControls.CUBIC, CongestionControls.byName("cubic"));
        assertSame(CongestionControls.CUBIC, CongestionControls.byName("CUBIC"));
    }

    @Test
    void byNameRejectsOtherNamesNamingAcceptedValues()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> CongestionControls.byName("bbr"));
        assertTrue(e.getMessage().contains("bbr"), e.getMessage());
        assertTrue(e.getMessage().contains("newreno"), e.getMessage());
        assertTrue(e.getMessage().contains("cubic"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CongestionControls.byName(""));
        assertThrows(IllegalArgumentException.class, () -> CongestionControls.byName(null));
    }

    @Test
    void factoriesMakeOneInstancePerConnection()
    {
        final CongestionControl reno = CongestionControls.NEW_RENO.newInstance();
        assertInstanceOf(NewReno.class, reno);
        assertNotSame(reno, CongestionControls.NEW_RENO.newInstance());
        final CongestionControl cubic = CongestionControls.CUBIC.newInstance();
        assertInstanceOf(Cubic.class, cubic);
        assertNotSame(cubic, CongestionControls.CUBIC.newInstance());
    }
}
