package io.jmtcp.net;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The neighbours one context (context 0, which receives every ARP frame) has resolved, published
 * for the other contexts of the stack: a single writer, any number of lock-free readers, and no
 * allocation on either side.
 *
 * <p>A set-associative table: an address hashes to a bucket of {@link #WAYS} slots; the writer
 * puts it in the slot that already holds it, else a free or expired one, else the one that
 * expires first. Each slot is a seqlock of four longs, {@code [version, address, mac, expiresAt]}:
 * the writer makes the version odd, writes, makes it even again; a reader that sees an odd or
 * changed version treats the slot as a miss (it may send its own ARP request, and the answer
 * comes through the writer soon). Volatile reads and writes on an {@link AtomicLongArray} give
 * the ordering the seqlock needs under the Java memory model.
 */
public final class NeighbourTable
{
    /** Slots per bucket. */
    public static final int WAYS = 8;

    private static final int FIELDS = 4;
    private static final int VERSION = 0;
    private static final int ADDRESS = 1;
    private static final int MAC = 2;
    private static final int EXPIRES_AT = 3;
    /** Marks a slot that never held an address (0.0.0.0 is never a neighbour). */
    private static final long EMPTY = 1L << 32;

    private final AtomicLongArray slots;
    private final int bucketMask;
    private final AtomicLong publications = new AtomicLong();

    /**
     * @param capacity at least the neighbours the writer's cache holds; rounded up to a power of
     *                 two of at least {@link #WAYS}.
     */
    public NeighbourTable(final int capacity)
    {
        int size = WAYS;
        while (size < capacity)
        {
            size <<= 1;
        }
        slots = new AtomicLongArray(size * FIELDS);
        bucketMask = size / WAYS - 1;
        for (int slot = 0; slot < size; slot++)
        {
            slots.set(slot * FIELDS + ADDRESS, EMPTY);
        }
    }

    /**
     * Publish a resolution; writer thread only.
     *
     * @param address   the neighbour's IPv4 address.
     * @param mac       its MAC.
     * @param expiresAt when the entry stops being valid, by the stack's clock.
     */
    public void publish(final int address, final long mac, final long expiresAt)
    {
        final int at = slotFor(address & 0xFFFF_FFFFL, bucket(address));
        final long version = slots.get(at + VERSION);
        slots.set(at + VERSION, version + 1);
        slots.set(at + ADDRESS, address & 0xFFFF_FFFFL);
        slots.set(at + MAC, mac);
        slots.set(at + EXPIRES_AT, expiresAt);
        slots.set(at + VERSION, version + 2);
        publications.incrementAndGet();
    }

    /**
     * Look a neighbour up; any thread.
     *
     * @param address the neighbour's address.
     * @param now     the reader's time, by the same clock as the writer's.
     * @return its MAC, or {@link ArpResolver#UNRESOLVED} if unknown, expired or being rewritten.
     */
    public long lookup(final int address, final long now)
    {
        return read(address, now, MAC, ArpResolver.UNRESOLVED);
    }

    /**
     * @param address the neighbour's address.
     * @param now     the reader's time.
     * @return when its published entry expires, or {@code now} if there is none.
     */
    public long expiresAt(final int address, final long now)
    {
        return read(address, now, EXPIRES_AT, now);
    }

    /**
     * @return how many resolutions were ever published: a reader with resolutions of its own in
     *         progress looks again only when this moved.
     */
    public long publications()
    {
        return publications.get();
    }

    /** The slot holding the address, else an empty one, else the one expiring first. */
    private int slotFor(final long key, final int base)
    {
        int victim = -1;
        for (int way = 0; way < WAYS; way++)
        {
            final int at = (base + way) * FIELDS;
            final long held = slots.get(at + ADDRESS);
            if (held == key)
            {
                return at;
            }
            if (held == EMPTY)
            {
                if (victim < 0 || slots.get(victim + ADDRESS) != EMPTY)
                {
                    victim = at;
                }
            }
            else if (victim < 0 ||
                slots.get(victim + ADDRESS) != EMPTY && slots.get(at + EXPIRES_AT) - slots.get(victim + EXPIRES_AT) < 0)
            {
                victim = at;
            }
        }
        return victim;
    }

    private long read(final int address, final long now, final int field, final long missing)
    {
        final long key = address & 0xFFFF_FFFFL;
        final int base = bucket(address);
        for (int way = 0; way < WAYS; way++)
        {
            final int at = (base + way) * FIELDS;
            final long version = slots.get(at + VERSION);
            if ((version & 1) != 0 || slots.get(at + ADDRESS) != key)
            {
                continue;
            }
            final long expiresAt = slots.get(at + EXPIRES_AT);
            final long value = slots.get(at + field);
            if (slots.get(at + VERSION) == version && expiresAt - now > 0)
            {
                return value;
            }
        }
        return missing;
    }

    private int bucket(final int address)
    {
        // Fibonacci hashing: neighbours on one subnet differ in the low bits only.
        return ((address * 0x9E3779B9) >>> 16 & bucketMask) * WAYS;
    }
}
