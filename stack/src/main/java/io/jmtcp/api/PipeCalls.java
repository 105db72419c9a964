package io.jmtcp.api;

import java.nio.ByteBuffer;

import static io.jmtcp.api.CallSupport.WAIT_READ;
import static io.jmtcp.api.CallSupport.await;
import static io.jmtcp.api.CallSupport.forget;

/**
 * The implementation of {@link Mtcp#pipe}: making the two ends on one ring, reading the read end
 * and closing an end. Apart because a pipe never involves the context: its ends signal each other
 * directly, and the shared ring goes back only with the last end closed. Writing goes through
 * {@link ReadWriteCalls}, as for a stream.
 */
final class PipeCalls
{
    private PipeCalls()
    {
    }

    static int pipe(final MtcpContext ctx, final int[] fds)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (fds == null || fds.length < 2)
        {
            return ctx.fail(Errno.EFAULT);
        }
        final SocketSlot reader = ctx.table().allocate(SocketSlot.PIPE_READ);
        if (reader == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        final SocketSlot writer = ctx.table().allocate(SocketSlot.PIPE_WRITE);
        if (writer == null)
        {
            reader.openId = SocketSlot.NO_ID;
            ctx.table().release(reader);
            return ctx.fail(Errno.EMFILE);
        }
        reader.receiveRing = ctx.table().ring();
        // Both ends hold the ring: either may be closed and its slot reused before the other.
        writer.sendRing = reader.receiveRing;
        reader.pipePeer = writer;
        writer.pipePeer = reader;
        fds[0] = reader.openId;
        fds[1] = writer.openId;
        return 0;
    }

    static int pipeRead(final MtcpContext ctx, final SocketSlot slot, final int sockid, final byte[] array,
        final int off, final int len, final ByteBuffer buffer, final boolean peek, final boolean noWait)
    {
        final ByteRing ring = slot.receiveRing;
        while (true)
        {
            if (ring.available() > 0)
            {
                final int read = array != null ? ring.read(array, off, len, peek) : ring.read(buffer, peek);
                final SocketSlot writer = slot.pipePeer;
                if (!peek && !slot.peerClosed)
                {
                    writer.signal();
                }
                return read;
            }
            if (slot.peerClosed && ring.available() == 0)
            {
                return 0;
            }
            if (noWait)
            {
                return ctx.fail(Errno.EAGAIN);
            }
            if (!await(slot, sockid, WAIT_READ, 0))
            {
                return ctx.fail(Errno.EBADF);
            }
        }
    }

    static int closePipe(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        forget(slot.registrations);
        final SocketSlot other = slot.pipePeer;
        final ByteRing ring = slot.type == SocketSlot.PIPE_READ ? slot.receiveRing : slot.sendRing;
        final boolean last;
        synchronized (ring)
        {
            // Pipe ends may close on different threads; the ring goes back with the last one, and
            // only the first touches the other end (the last one's other end is freed already).
            last = slot.peerClosed;
            if (!last)
            {
                other.peerClosed = true;
                other.signal();
            }
        }
        slot.receiveRing = null;
        slot.sendRing = null;
        if (last)
        {
            ctx.table().returnRing(ring);
        }
        slot.pipePeer = null;
        ctx.table().release(slot);
        return 0;
    }
}
