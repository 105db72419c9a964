package io.jmtcp.api;

import io.jmtcp.core.FlowHash;
import org.jctools.queues.MpmcArrayQueue;

/**
 * A context's socket table: the slots, the free list, the ring pool, and the id layout.
 *
 * <p>An id is a non-negative int: {@code generation(9 bits) | context(6) | index(16)}, the
 * context wide enough for {@link FlowHash#MAX_CONTEXTS} contexts. The
 * generation moves on every time a slot is freed, and the free list is first-in first-out, so a
 * stale id is refused as EBADF instead of reaching the socket that reuses its slot (a slot comes
 * back only after every other free slot was used, and then with another generation). The
 * generation has 9 bits: an id repeats after 512 reuses of its slot, so a stale id kept across
 * at least 512 × (table size) closes could name a live socket again.
 *
 * <p>Slots and rings are taken and given back by both the application threads and the context
 * thread, through lock-free multi-producer multi-consumer queues; rings are allocated once, on
 * first need, and pooled after (DESIGN.md §3: steady state allocates nothing).
 */
final class SocketTable
{
    /** Largest slot index an id can carry. */
    static final int MAX_INDEX = 0xFFFF;
    /** Largest context index an id can carry. */
    static final int MAX_CONTEXT = FlowHash.MAX_CONTEXTS - 1;
    private static final int INDEX_BITS = 16;
    private static final int CONTEXT_BITS = Integer.SIZE - Integer.numberOfLeadingZeros(MAX_CONTEXT);
    /** What is left of 31 bits (ids stay non-negative) after the context and the index. */
    private static final int GENERATION_MASK = (1 << (Integer.SIZE - 1 - CONTEXT_BITS - INDEX_BITS)) - 1;

    private final SocketSlot[] slots;
    private final MpmcArrayQueue<SocketSlot> free;
    private final MpmcArrayQueue<ByteRing> rings;
    private final int contextIndex;
    private final int ringBytes;

    SocketTable(final int contextIndex, final int maxSockets, final int ringBytes)
    {
        this.contextIndex = contextIndex;
        this.ringBytes = ringBytes;
        this.slots = new SocketSlot[maxSockets];
        this.free = new MpmcArrayQueue<>(Math.max(2, maxSockets));
        this.rings = new MpmcArrayQueue<>(Math.max(2, 2 * maxSockets));
        for (int i = 0; i < maxSockets; i++)
        {
            slots[i] = new SocketSlot(i);
            free.offer(slots[i]);
        }
    }

    static int indexOf(final int id)
    {
        return id & MAX_INDEX;
    }

    static int contextOf(final int id)
    {
        return (id >>> INDEX_BITS) & MAX_CONTEXT;
    }

    int idOf(final SocketSlot slot)
    {
        return (slot.generation & GENERATION_MASK) << (INDEX_BITS + CONTEXT_BITS) | contextIndex << INDEX_BITS |
            slot.index;
    }

    int ringBytes()
    {
        return ringBytes;
    }

    int capacity()
    {
        return slots.length;
    }

    /**
     * @param index a slot index.
     * @return the slot, or null if the index is outside the table.
     */
    SocketSlot slot(final int index)
    {
        return index < slots.length ? slots[index] : null;
    }

    /**
     * Take a free slot and open it as {@code type}.
     *
     * @param type a {@link SocketSlot} type.
     * @return the slot, or null if the table is full.
     */
    SocketSlot allocate(final int type)
    {
        final SocketSlot slot = free.poll();
        if (slot == null)
        {
            return null;
        }
        slot.type = type;
        slot.openId = idOf(slot);
        return slot;
    }

    /** Give a slot back; it must be closed and its rings returned. */
    void release(final SocketSlot slot)
    {
        slot.resetForReuse();
        free.offer(slot);
    }

    /** @return a cleared ring of the configured size. */
    ByteRing ring()
    {
        final ByteRing ring = rings.poll();
        return ring != null ? ring : new ByteRing(ringBytes);
    }

    /** @param ring a ring no side uses any more. */
    void returnRing(final ByteRing ring)
    {
        if (ring != null)
        {
            ring.clear();
            rings.offer(ring);
        }
    }

    /** @return slots in use. */
    int inUse()
    {
        return slots.length - free.size();
    }
}
