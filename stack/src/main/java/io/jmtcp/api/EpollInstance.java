package io.jmtcp.api;

import org.agrona.collections.Int2ObjectHashMap;
import org.jctools.queues.MpscArrayQueue;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * An epoll instance: an interest list, a queue of readiness changes that the context (and pipe
 * writers) push, and a ready list the waiting thread keeps.
 *
 * <p>Readiness is never stored as an event that could be forgotten: a change only puts the
 * registration on the ready list, and each wait asks the socket for its readiness now. A
 * level-triggered registration stays on the list while the socket is ready, so it is reported
 * until drained; an edge-triggered one leaves the list once reported and comes back with the
 * next change; EPOLLONESHOT disarms it until EPOLL_CTL_MOD (Linux epoll(7)).
 */
final class EpollInstance
{
    /** Events always reported whether asked or not (epoll_ctl(2)). */
    private static final int ALWAYS = Mtcp.EPOLLERR | Mtcp.EPOLLHUP;

    private final Int2ObjectHashMap<SocketSlot.Registration> interest = new Int2ObjectHashMap<>();
    private final MpscArrayQueue<SocketSlot.Registration> changes;
    private final ArrayDeque<SocketSlot.Registration> ready = new ArrayDeque<>();
    private volatile Thread waiter;
    private volatile boolean closed;

    EpollInstance(final int maxRegistrations)
    {
        this.changes = new MpscArrayQueue<>(Math.max(2, maxRegistrations));
    }

    SocketSlot.Registration find(final int targetIndex)
    {
        return interest.get(targetIndex);
    }

    void add(final SocketSlot.Registration registration)
    {
        interest.put(registration.target.index, registration);
        registration.target.addRegistration(registration);
        // Linux checks readiness on ADD: an already readable socket is reported at the next wait.
        registration.notifyChange();
    }

    void modify(final SocketSlot.Registration registration, final int events, final long data)
    {
        registration.events = events;
        registration.data = data;
        registration.armed = true;
        registration.notifyChange();
    }

    void remove(final SocketSlot.Registration registration)
    {
        registration.removed = true;
        interest.remove(registration.target.index);
        registration.target.removeRegistration(registration);
    }

    /** Drop every registration (the instance is closing). */
    void removeAll()
    {
        interest.values().forEach(r ->
        {
            r.removed = true;
            r.target.removeRegistration(r);
        });
        interest.clear();
        ready.clear();
    }

    /** Forget a target that is being closed. */
    void forget(final SocketSlot.Registration registration)
    {
        registration.removed = true;
        interest.remove(registration.target.index);
    }

    void enqueue(final SocketSlot.Registration registration)
    {
        if (!changes.offer(registration))
        {
            // Cannot happen: a registration is queued at most once and the queue holds them all.
            registration.queued.set(0);
        }
        final Thread blocked = waiter;
        if (blocked != null)
        {
            LockSupport.unpark(blocked);
        }
    }

    boolean closed()
    {
        return closed;
    }

    void close()
    {
        closed = true;
        final Thread blocked = waiter;
        if (blocked != null)
        {
            LockSupport.unpark(blocked);
        }
    }

    /**
     * Collect ready events without waiting.
     *
     * @param out       where events go.
     * @param maxEvents most events.
     * @return events written.
     */
    int poll(final EpollEvents out, final int maxEvents)
    {
        SocketSlot.Registration changed;
        while ((changed = changes.relaxedPoll()) != null)
        {
            changed.queued.set(0);
            if (!changed.removed && !changed.onReadyList)
            {
                changed.onReadyList = true;
                ready.addLast(changed);
            }
        }
        int count = 0;
        for (int scanned = ready.size(); scanned > 0 && count < maxEvents; scanned--)
        {
            final SocketSlot.Registration registration = ready.pollFirst();
            final int events = registration.events;
            final int mask = registration.removed || !registration.armed
                ? 0 : registration.target.readiness() & (events | ALWAYS);
            if (mask == 0)
            {
                registration.onReadyList = false;
                continue;
            }
            out.set(count++, mask, registration.data);
            if ((events & Mtcp.EPOLLONESHOT) != 0)
            {
                registration.armed = false;
                registration.onReadyList = false;
            }
            else if ((events & Mtcp.EPOLLET) != 0)
            {
                registration.onReadyList = false;
            }
            else
            {
                ready.addLast(registration);
            }
        }
        return count;
    }

    /**
     * Wait for events.
     *
     * @param out       where events go.
     * @param maxEvents most events.
     * @param timeoutNanos how long to wait; negative waits until an event.
     * @return events written; 0 after the timeout; -1 if the instance was closed meanwhile.
     */
    int await(final EpollEvents out, final int maxEvents, final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true)
        {
            if (closed)
            {
                return -1;
            }
            final int count = poll(out, maxEvents);
            if (count > 0 || timeoutNanos == 0)
            {
                return count;
            }
            final long remaining = deadline - System.nanoTime();
            if (timeoutNanos > 0 && remaining <= 0)
            {
                return 0;
            }
            waiter = Thread.currentThread();
            // Announce, then look again (a notifier reads waiter after its offer): no lost wake-up.
            if (changes.isEmpty() && !closed)
            {
                LockSupport.parkNanos(this, timeoutNanos < 0 ? 100_000_000L : remaining);
            }
            waiter = null;
        }
    }
}
