package io.jmtcp.api;

import org.jctools.queues.SpmcArrayQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The steps every {@link Mtcp} call shares: resolving an id to its slot (the id errors listed in
 * {@link Mtcp}'s class Javadoc), handing a request to the context or carrying it out at once on
 * the context's own thread, blocking an application thread until a condition holds, and the small
 * error and release helpers. Apart so that each call class holds only its own rules, and the
 * waiting protocol (spin, then park; the context's {@link SocketSlot#signal} wakes the waiter)
 * lives in one place.
 */
final class CallSupport
{
    private static final int SPINS = 200;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    // What await waits for: the calls name the first four; WAIT_DONE is request's answer.
    static final int WAIT_READ = 0;
    static final int WAIT_WRITE = 1;
    static final int WAIT_CONNECT = 2;
    static final int WAIT_ACCEPT = 3;
    private static final int WAIT_DONE = 4;

    private CallSupport()
    {
    }

    static SocketSlot resolve(final MtcpContext ctx, final int sockid)
    {
        if (ctx.destroyed())
        {
            ctx.fail(Errno.EACCES);
            return null;
        }
        if (sockid < 0)
        {
            ctx.fail(Errno.ENOTSOCK);
            return null;
        }
        if (SocketTable.contextOf(sockid) != ctx.index())
        {
            ctx.fail(Errno.EACCES);
            return null;
        }
        final SocketSlot slot = ctx.table().slot(SocketTable.indexOf(sockid));
        if (slot == null)
        {
            ctx.fail(Errno.ENOTSOCK);
            return null;
        }
        if (slot.openId != sockid)
        {
            ctx.fail(Errno.EBADF);
            return null;
        }
        return slot;
    }

    static int localIp(final MtcpContext ctx)
    {
        return ctx.context().config().iface().address();
    }

    static int takeError(final SocketSlot slot)
    {
        final int error = slot.error;
        slot.error = 0;
        return error;
    }

    static void forget(final SocketSlot.Registration[] watchers)
    {
        for (final SocketSlot.Registration registration : watchers)
        {
            registration.epoll.forget(registration);
        }
    }

    static void freeHere(final MtcpContext ctx, final SocketSlot slot)
    {
        if (slot.claimedPort != 0)
        {
            ctx.ports().release(slot.claimedPort);
            slot.claimedPort = 0;
        }
        ctx.table().release(slot);
    }

    /** Queue a control request, or carry it out now on the context's thread. */
    static boolean submit(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        if (ctx.inline())
        {
            ctx.service().handle(slot, request);
            return true;
        }
        return ctx.service().submitControl(slot, request);
    }

    static void requestData(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        if (ctx.inline())
        {
            ctx.service().handle(slot, request);
        }
        else
        {
            ctx.service().submitData(slot, request);
        }
    }

    /** A request whose answer the caller needs: wait for the context's reply. */
    static int request(final MtcpContext ctx, final SocketSlot slot, final int request)
    {
        final int target = slot.done + 1;
        if (!submit(ctx, slot, request))
        {
            return Errno.EAGAIN;
        }
        await(slot, slot.openId, WAIT_DONE, target);
        return slot.result;
    }

    private static boolean met(final SocketSlot slot, final int what, final int arg)
    {
        // Another thread may close the id meanwhile and the context free the slot: a ring or
        // queue gone null means "stop waiting", and await then sees the id is no longer open.
        switch (what)
        {
            case WAIT_READ:
            {
                final ByteRing ring = slot.receiveRing;
                if (ring == null)
                {
                    return true;
                }
                if (slot.type == SocketSlot.PIPE_READ)
                {
                    return ring.available() > 0 || slot.peerClosed;
                }
                return slot.phase == SocketSlot.NEW || slot.peerFin || slot.readShut || slot.drained ||
                    ring.available() > 0;
            }
            case WAIT_WRITE:
            {
                final ByteRing ring = slot.sendRing;
                if (ring == null)
                {
                    return true;
                }
                if (slot.type == SocketSlot.PIPE_WRITE)
                {
                    return slot.peerClosed || ring.free() > 0;
                }
                return slot.phase != SocketSlot.CONNECTED || slot.writeShut || slot.error != 0 || ring.free() > 0;
            }
            case WAIT_CONNECT:
                return slot.phase != SocketSlot.CONNECTING;
            case WAIT_ACCEPT:
            {
                final SpmcArrayQueue<SocketSlot> queue = slot.acceptQueue;
                return queue == null || !queue.isEmpty();
            }
            default:
                return slot.done - arg >= 0;
        }
    }

    /**
     * Block until the condition holds; false if the id was closed meanwhile. The waiter is
     * announced before the condition is looked at again, and the context signals after it
     * changed the state: one of the two sees the other (no lost wake-up).
     */
    static boolean await(final SocketSlot slot, final int sockid, final int what, final int arg)
    {
        int spins = 0;
        slot.waiter = Thread.currentThread();
        try
        {
            while (!met(slot, what, arg))
            {
                if (what != WAIT_DONE && slot.openId != sockid)
                {
                    return false;
                }
                if (spins < SPINS)
                {
                    spins++;
                    Thread.onSpinWait();
                }
                else
                {
                    LockSupport.parkNanos(slot, PARK_NANOS);
                }
            }
            return what == WAIT_DONE || slot.openId == sockid;
        }
        finally
        {
            slot.waiter = null;
        }
    }
}
