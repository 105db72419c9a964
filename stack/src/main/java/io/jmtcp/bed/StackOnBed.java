package io.jmtcp.bed;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import org.agrona.concurrent.SystemNanoClock;

/**
 * One running context on the stack end of a {@link NetnsBed}: the stack owns the bed's stack
 * address and the veth's own MAC, through a pcap port on that end. Closing it stops the context
 * and closes the port (the bed itself is closed by its owner).
 */
public final class StackOnBed implements AutoCloseable
{
    private final PcapPort port;
    private final StackContext context;
    private final ContextRunner runner;

    private StackOnBed(final PcapPort port, final StackContext context, final ContextRunner runner)
    {
        this.port = port;
        this.context = context;
        this.runner = runner;
    }

    /**
     * Start a context on the bed's stack end.
     *
     * @param bed the bed.
     * @return the running stack.
     * @throws PortException if libpcap is missing or the interface cannot be opened.
     */
    public static StackOnBed start(final NetnsBed bed) throws PortException
    {
        PcapLibrary.ensureLoaded();
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        final PcapPort port = PcapPort.open(PcapPortConfig.builder(bed.stackInterface())
            .maxFrameLength(bed.mtu() + 14)
            .build());
        try
        {
            final StackContext context = new StackContext(new ContextConfig().name("bed").iface(iface), port,
                SystemNanoClock.INSTANCE);
            return new StackOnBed(port, context, ContextRunner.start(context));
        }
        catch (final RuntimeException ex)
        {
            port.close();
            throw ex;
        }
    }

    /**
     * @return the running context (touch its layers only through {@link StackContext#submit}).
     */
    public StackContext context()
    {
        return context;
    }

    /**
     * @return the pcap port the context runs on.
     */
    public PcapPort port()
    {
        return port;
    }

    /** Stop the context's thread, then close the port. Idempotent. */
    @Override
    public void close()
    {
        runner.close();
        port.close();
    }
}
