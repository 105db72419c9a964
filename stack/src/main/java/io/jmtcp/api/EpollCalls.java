package io.jmtcp.api;

import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.CallSupport.forget;
import static io.jmtcp.api.CallSupport.freeHere;
import static io.jmtcp.api.CallSupport.resolve;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_ADD;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_DEL;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_MOD;

/**
 * The implementation of {@link Mtcp}'s epoll calls: epollCreate, epollCtl and epollWait, and the
 * close of an epoll instance. Apart so that the epoll code is in one place; this class checks ids
 * and arguments and maps results to errnos, while {@link EpollInstance} keeps the interest and
 * ready lists. The contracts and errnos stay on {@link Mtcp}.
 */
final class EpollCalls
{
    private EpollCalls()
    {
    }

    static int epollCreate(final MtcpContext ctx, final int size)
    {
        if (ctx.destroyed())
        {
            return ctx.fail(Errno.EACCES);
        }
        if (size <= 0)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final SocketSlot slot = ctx.table().allocate(SocketSlot.EPOLL);
        if (slot == null)
        {
            return ctx.fail(Errno.EMFILE);
        }
        slot.epoll = new EpollInstance(ctx.table().capacity());
        return slot.openId;
    }

    static int epollCtl(final MtcpContext ctx, final int epid, final int op, final int sockid,
        final int events, final long data)
    {
        final SocketSlot slot = resolve(ctx, epid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EINVAL);
        }
        final SocketSlot target = resolve(ctx, sockid);
        if (target == null)
        {
            return -1;
        }
        if (target == slot)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (target.type == SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EPERM);
        }
        final EpollInstance epoll = slot.epoll;
        final SocketSlot.Registration existing = epoll.find(target.index);
        switch (op)
        {
            case EPOLL_CTL_ADD:
                if (existing != null)
                {
                    return ctx.fail(Errno.EEXIST);
                }
                epoll.add(new SocketSlot.Registration(epoll, target, events, data));
                return 0;
            case EPOLL_CTL_MOD:
                if (existing == null)
                {
                    return ctx.fail(Errno.ENOENT);
                }
                epoll.modify(existing, events, data);
                return 0;
            case EPOLL_CTL_DEL:
                if (existing == null)
                {
                    return ctx.fail(Errno.ENOENT);
                }
                epoll.remove(existing);
                return 0;
            default:
                return ctx.fail(Errno.EINVAL);
        }
    }

    static int epollWait(final MtcpContext ctx, final int epid, final EpollEvents events, final int maxEvents,
        final int timeoutMillis)
    {
        final SocketSlot slot = resolve(ctx, epid);
        if (slot == null)
        {
            return -1;
        }
        if (slot.type != SocketSlot.EPOLL)
        {
            return ctx.fail(Errno.EINVAL);
        }
        if (events == null)
        {
            return ctx.fail(Errno.EFAULT);
        }
        if (maxEvents <= 0 || maxEvents > events.capacity())
        {
            return ctx.fail(Errno.EINVAL);
        }
        final long timeout = ctx.inline() ? 0
            : timeoutMillis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        final int count = slot.epoll.await(events, maxEvents, timeout);
        return count < 0 ? ctx.fail(Errno.EBADF) : count;
    }

    static int closeEpoll(final MtcpContext ctx, final SocketSlot slot, final int sockid)
    {
        if (!slot.claimClose(sockid))
        {
            return ctx.fail(Errno.EBADF);
        }
        forget(slot.registrations);
        final EpollInstance epoll = slot.epoll;
        epoll.removeAll();
        epoll.close();
        freeHere(ctx, slot);
        return 0;
    }
}
