package io.jmtcp.examples;

import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.cc.CongestionControlFactory;
import io.jmtcp.tcp.cc.CongestionControls;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The TCP options the TCP commands share; everything else is {@link TcpConfig}'s defaults.
 */
final class TcpOptions
{
    @Option(names = "--cc", paramLabel = "newreno|cubic", defaultValue = "cubic",
        converter = CongestionControlConverter.class,
        description = "Congestion control of the stack's connections (default: ${DEFAULT-VALUE}).")
    CongestionControlFactory congestionControl;

    @Option(names = "--nodelay", description = "Turn Nagle's algorithm off: send small segments at once.")
    boolean noDelay;

    /**
     * @return the engine's tunables with these options applied.
     */
    TcpConfig toConfig()
    {
        return new TcpConfig().congestionControl(congestionControl).noDelay(noDelay);
    }

    /** Reads {@code --cc} by {@link CongestionControls#byName}, whose message names the accepted values. */
    static final class CongestionControlConverter implements ITypeConverter<CongestionControlFactory>
    {
        @Override
        public CongestionControlFactory convert(final String value)
        {
            return CongestionControls.byName(value);
        }
    }
}
