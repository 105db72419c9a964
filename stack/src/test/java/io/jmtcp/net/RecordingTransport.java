package io.jmtcp.net;

import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.DirectBuffer;

/** A transport that records what the network layer hands it. */
final class RecordingTransport implements TransportHandler
{
    int segments;
    int lastMss;
    int lastWindowScale;
    int icmpErrors;
    int lastIcmpType;
    int lastIcmpCode;
    int lastIcmpMtu;

    @Override
    public DropReason onTcpSegment(final Ipv4Header ip, final TcpHeader tcp, final TcpOptions options, final long now)
    {
        segments++;
        lastMss = options.hasMss() ? options.mss() : -1;
        lastWindowScale = options.hasWindowScale() ? options.windowScale() : -1;
        return DropReason.NONE;
    }

    @Override
    public DropReason onIcmpError(final int type, final int code, final int nextHopMtu, final DirectBuffer quote,
        final int quoteOffset, final int quoteLength, final long now)
    {
        icmpErrors++;
        lastIcmpType = type;
        lastIcmpCode = code;
        lastIcmpMtu = nextHopMtu;
        return DropReason.NONE;
    }
}
