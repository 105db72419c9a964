package io.jmtcp.core;

import io.jmtcp.net.NeighbourTable;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * What the contexts of one {@link ContextGroup} share, and nothing else: the port space, the
 * neighbour table context 0 publishes, and one mailbox per context through which context 0
 * passes on the ICMP errors that quote another context's flow. Each mailbox has one producer
 * (context 0) and one consumer (its context), so an Agrona {@link OneToOneRingBuffer} is enough:
 * lock-free and allocation-free both ways.
 */
final class ContextShares
{
    /** Bytes of each ICMP mailbox: a few hundred errors of a quoted header each. */
    private static final int MAILBOX_BYTES = 64 * 1024;

    private final PortSpace portSpace;
    private final NeighbourTable neighbours;
    private final OneToOneRingBuffer[] mailboxes;
    private final StackContext[] contexts;

    /**
     * @param contexts        how many contexts.
     * @param portSpace       the stack's ports.
     * @param neighbourSlots  capacity of the neighbour table (context 0's ARP cache size).
     */
    ContextShares(final int contexts, final PortSpace portSpace, final int neighbourSlots)
    {
        this.portSpace = portSpace;
        this.neighbours = new NeighbourTable(2 * neighbourSlots);
        this.mailboxes = new OneToOneRingBuffer[contexts];
        this.contexts = new StackContext[contexts];
        for (int i = 0; i < contexts; i++)
        {
            mailboxes[i] = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(MAILBOX_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
        }
    }

    PortSpace portSpace()
    {
        return portSpace;
    }

    NeighbourTable neighbours()
    {
        return neighbours;
    }

    OneToOneRingBuffer mailbox(final int index)
    {
        return mailboxes[index];
    }

    StackContext context(final int index)
    {
        return contexts[index];
    }

    void register(final StackContext context)
    {
        contexts[context.config().index()] = context;
    }
}
