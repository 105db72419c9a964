package io.jmtcp.tcp.cc;

import java.util.Locale;

/**
 * The congestion-control algorithms of this package, as factories for a stack's configuration.
 */
public final class CongestionControls
{
    /** {@link NewReno}: RFC 5681 with RFC 3465, RFC 6582 and RFC 6928. */
    public static final CongestionControlFactory NEW_RENO = NewReno::new;
    /** {@link Cubic}: RFC 9438. */
    public static final CongestionControlFactory CUBIC = Cubic::new;

    private CongestionControls()
    {
    }

    /**
     * The factory for an algorithm's name, as a configuration file or a command line gives it.
     *
     * @param name "newreno" or "cubic", in any case.
     * @return {@link #NEW_RENO} or {@link #CUBIC}.
     * @throws IllegalArgumentException naming the accepted values, for any other name.
     */
    public static CongestionControlFactory byName(final String name)
    {
        switch (name == null ? "" : name.toLowerCase(Locale.ROOT))
        {
            case "newreno":
                return NEW_RENO;
            case "cubic":
                return CUBIC;
            default:
                throw new IllegalArgumentException(
                    "unknown congestion control " + name + ": expected newreno or cubic");
        }
    }
}
