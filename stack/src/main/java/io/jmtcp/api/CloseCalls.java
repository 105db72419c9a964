package io.jmtcp.api;

import static io.jmtcp.api.CallSupport.forget;
import static io.jmtcp.api.CallSupport.freeHere;
import static io.jmtcp.api.CallSupport.requestData;
import static io.jmtcp.api.CallSupport.resolve;
import static io.jmtcp.api.CallSupport.submit;
import static io.jmtcp.api.Mtcp.SHUT_RD;
import static io.jmtcp.api.Mtcp.SHUT_RDWR;
import static io.jmtcp.api.Mtcp.SHUT_WR;

/**
 * The implementation of {@link Mtcp}'s calls that end a socket or one of its directions: close
 * (streams and listeners here; an epoll instance in {@link EpollCalls}, a pipe end in
 * {@link PipeCalls}), abort and shutdown, and the Java layer's hold on an id that makes close and
 * abort refuse a socket a channel owns. Apart because freeing an id exactly once, while the
 * context may still finish the connection, is a protocol of its own. The contracts and errnos
 * stay on {@link Mtcp}.
 */
final class CloseCalls
{
    private CloseCalls()
    {
    }

    static int close(final MtcpContext ctx, final int sockid)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.channelOwned)
        {
            return ctx.fail(Errno.EINVAL);
        }
        switch (slot.type)
        {
            case SocketSlot.STREAM:
                if (slot.phase == SocketSlot.TERMINATED)
                {
                    return ctx.fail(Errno.ENOTCONN);
                }
                return release(ctx, slot, sockid, SocketSlot.REQ_CLOSE);
            case SocketSlot.LISTENER:
                return closeListener(ctx, slot, sockid);
            case SocketSlot.EPOLL:
                return EpollCalls.closeEpoll(ctx, slot, sockid);
            case SocketSlot.PIPE_READ:
            case SocketSlot.PIPE_WRITE:
                return PipeCalls.closePipe(ctx, slot, sockid);
            default:
                return ctx.fail(Errno.EBADF);
        }
    }

    static int abort(final MtcpContext ctx, final int sockid)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        if (slot.channelOwned)
        {
            return ctx.fail(Errno.EINVAL);
        }
        return release(ctx, slot, sockid, SocketSlot.REQ_ABORT);
    }

    private static int release(final MtcpContext ctx, final SocketSlot slot, final int sockid, final int request)
    {
        final SocketSlot.Registration[] watchers = slot.registrations;
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        if (slot.phase == SocketSlot.NEW)
        {
            // Never connected, or its connect failed: nothing of it lives in the context.
            forget(watchers);
            freeHere(ctx, slot);
            return 0;
        }
        if (!submit(ctx, slot, request))
        {
            slot.restoreId(sockid);
            return ctx.fail(Errno.EAGAIN);
        }
        forget(watchers);
        return 0;
    }

    private static int closeListener(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        final SocketSlot.Registration[] watchers = slot.registrations;
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        final int port = slot.claimedPort;
        final boolean freeHere = port != 0 && !ctx.inline();
        if (freeHere)
        {
            // This thread frees the port (below), so the context must not: clear the claim before
            // the request is visible, or both could release it and drop a later bind's claim.
            slot.claimedPort = 0;
        }
        if (!submit(ctx, slot, SocketSlot.REQ_CLOSE))
        {
            slot.claimedPort = port;
            slot.restoreId(sockid);
            return ctx.fail(Errno.EAGAIN);
        }
        if (freeHere)
        {
            // Free the port now, so a bind right after close succeeds; the context's own
            // listener goes before any later request of this context (one FIFO queue).
            ctx.ports().release(port);
        }
        forget(watchers);
        return 0;
    }

    static int shutdown(final MtcpContext ctx, final int sockid, final int how)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        if (how < SHUT_RD || how > SHUT_RDWR)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (slot.type == SocketSlot.LISTENER)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (slot.type != SocketSlot.STREAM)
        {
            return ctx.fail(Errno.ENOTSOCK);
        }
        final int phase = slot.phase;
        if (phase != SocketSlot.CONNECTED && phase != SocketSlot.ENDED)
        {
            return ctx.fail(Errno.ENOTCONN);
        }
        if (how != SHUT_RD && !slot.writeShut)
        {
            slot.writeShut = true;
            if (!submit(ctx, slot, SocketSlot.REQ_SHUT_WR))
            {
                slot.writeShut = false;
                return ctx.fail(Errno.EAGAIN);
            }
        }
        if (how != SHUT_WR && !slot.readShut)
        {
            slot.readShut = true;
            slot.receiveRing.discard();
            requestData(ctx, slot, SocketSlot.REQ_RECEIVE);
        }
        slot.signal();
        return 0;
    }

    /**
     * Mark a socket as held by a channel: {@link #close} and {@link #abort} refuse it (EINVAL)
     * until it is unmarked ({@code owned} false).
     */
    static int own(final MtcpContext ctx, final int sockid, final boolean owned)
    {
        final SocketSlot slot = resolve(ctx, sockid);
        if (slot == null)
        {
            return -1;
        }
        slot.channelOwned = owned;
        return 0;
    }
}
