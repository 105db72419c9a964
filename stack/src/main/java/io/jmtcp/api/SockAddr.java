package io.jmtcp.api;

import io.jmtcp.wire.Ip4;

/**
 * An IPv4 socket address that the API fills (getsockname, getpeername, accept): reusable, so
 * those calls allocate nothing.
 */
public final class SockAddr
{
    private int ip;
    private int port;

    /** @return the IPv4 address, host order. */
    public int ip()
    {
        return ip;
    }

    /** @return the port, 0..65535. */
    public int port()
    {
        return port;
    }

    void set(final int address, final int portNumber)
    {
        this.ip = address;
        this.port = portNumber;
    }

    @Override
    public String toString()
    {
        return Ip4.format(ip) + ":" + port;
    }
}
