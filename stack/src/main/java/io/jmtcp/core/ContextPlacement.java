package io.jmtcp.core;

import io.jmtcp.tcp.TcpEngine;

/**
 * A context's place among those sharing an interface, as its TCP engine sees it: it owns the
 * flows {@link FlowHash} gives its index, and its connections' ports are counted in the stack's
 * {@link PortSpace}, whose rules keep its active opens off ports that binds and listens hold, and
 * binds and listens off ports its connections use.
 */
public final class ContextPlacement implements TcpEngine.Placement
{
    private final int index;
    private final int contexts;
    private final PortSpace portSpace;

    /**
     * @param index     the context's index.
     * @param contexts  how many contexts share the interface.
     * @param portSpace the stack's ports, shared by its contexts.
     * @throws IllegalArgumentException if index or contexts are out of range.
     */
    public ContextPlacement(final int index, final int contexts, final PortSpace portSpace)
    {
        FlowHash.checkPlacement(index, contexts);
        this.index = index;
        this.contexts = contexts;
        this.portSpace = portSpace;
    }

    @Override
    public boolean owns(final int localIp, final int localPort, final int remoteIp, final int remotePort)
    {
        return contexts == 1 || FlowHash.contextOf(localIp, localPort, remoteIp, remotePort, contexts) == index;
    }

    @Override
    public boolean useEphemeralPort(final int port, final int sharing)
    {
        return portSpace.addEphemeralConnection(port, sharing);
    }

    @Override
    public boolean usePort(final int port, final int sharing)
    {
        return portSpace.addConnection(port, sharing);
    }

    @Override
    public void releasePort(final int port, final int sharing)
    {
        portSpace.removeConnection(port, sharing);
    }

    @Override
    public boolean mayListen(final int port, final int sharing)
    {
        return portSpace.connectionsAllow(port, sharing);
    }

    @Override
    public int ephemeralFirst()
    {
        return portSpace.ephemeralFirst();
    }

    @Override
    public int ephemeralLast()
    {
        return portSpace.ephemeralLast();
    }

    /**
     * @return the context's index.
     */
    public int index()
    {
        return index;
    }

    /**
     * @return how many contexts share the interface.
     */
    public int contexts()
    {
        return contexts;
    }

    /**
     * @return the stack's ports.
     */
    public PortSpace portSpace()
    {
        return portSpace;
    }
}
