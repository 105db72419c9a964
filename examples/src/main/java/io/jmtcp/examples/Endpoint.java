package io.jmtcp.examples;

import io.jmtcp.wire.Ip4;

/**
 * A peer given as {@code HOST:PORT} on the command line: an IPv4 address (no name lookup) and a
 * port.
 *
 * @param ip   the address.
 * @param port the port, 1..65535.
 */
record Endpoint(int ip, int port)
{
    /**
     * @param text {@code A.B.C.D:PORT}.
     * @return the endpoint.
     * @throws IllegalArgumentException naming what is wrong with it.
     */
    static Endpoint parse(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("--connect must be HOST:PORT: " + text);
        }
        final int ip = Ip4.parse(text.substring(0, colon));
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a port: " + text.substring(colon + 1), ex);
        }
        if (port < 1 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("the port must be 1..65535: " + port);
        }
        return new Endpoint(ip, port);
    }
}
