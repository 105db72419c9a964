package io.jmtcp.net;

import java.util.concurrent.TimeUnit;

/**
 * Tunables of the ARP resolver, immutable, validated by {@link #validate()}.
 *
 * <p>Defaults follow RFC 1122 §2.3.2.1: cache entries time out (60 s here, about Linux's
 * reachable-plus-stale lifetime), a host sends at most one request per second per destination,
 * and gives up after a few. Frames waiting for resolution are queued in a bounded pool; each
 * neighbour may hold only a share of it, its newest frames (RFC 1122 §2.3.2.2 asks to keep at
 * least the latest; we keep several so a burst of segments survives a peer's first resolution),
 * so that one dead next hop cannot starve the others.
 */
public final class ArpSettings
{
    /** The defaults. */
    public static final ArpSettings DEFAULTS = new ArpSettings(256, TimeUnit.SECONDS.toNanos(60),
        TimeUnit.SECONDS.toNanos(1), 3, 64, 16);

    private final int cacheCapacity;
    private final long entryLifetimeNanos;
    private final long retryIntervalNanos;
    private final int maxRequests;
    private final int pendingCapacity;
    private final int pendingPerNeighbour;

    private ArpSettings(final int cacheCapacity, final long entryLifetimeNanos, final long retryIntervalNanos,
        final int maxRequests, final int pendingCapacity, final int pendingPerNeighbour)
    {
        this.pendingPerNeighbour = pendingPerNeighbour;
        this.cacheCapacity = cacheCapacity;
        this.entryLifetimeNanos = entryLifetimeNanos;
        this.retryIntervalNanos = retryIntervalNanos;
        this.maxRequests = maxRequests;
        this.pendingCapacity = pendingCapacity;
    }

    /**
     * @param capacity how many neighbours the cache holds; the oldest is evicted beyond it.
     * @return a copy with that value.
     */
    public ArpSettings withCacheCapacity(final int capacity)
    {
        return new ArpSettings(capacity, entryLifetimeNanos, retryIntervalNanos, maxRequests, pendingCapacity,
            pendingPerNeighbour);
    }

    /**
     * @param nanos how long a resolved entry is trusted without a fresh ARP packet.
     * @return a copy with that value.
     */
    public ArpSettings withEntryLifetimeNanos(final long nanos)
    {
        return new ArpSettings(cacheCapacity, nanos, retryIntervalNanos, maxRequests, pendingCapacity,
            pendingPerNeighbour);
    }

    /**
     * @param nanos the time between two requests for the same address.
     * @return a copy with that value.
     */
    public ArpSettings withRetryIntervalNanos(final long nanos)
    {
        return new ArpSettings(cacheCapacity, entryLifetimeNanos, nanos, maxRequests, pendingCapacity,
            pendingPerNeighbour);
    }

    /**
     * @param requests how many requests are sent before the resolution fails.
     * @return a copy with that value.
     */
    public ArpSettings withMaxRequests(final int requests)
    {
        return new ArpSettings(cacheCapacity, entryLifetimeNanos, retryIntervalNanos, requests, pendingCapacity,
            pendingPerNeighbour);
    }

    /**
     * @param frames how many frames may wait for resolution, over all destinations.
     * @return a copy with that value.
     */
    public ArpSettings withPendingCapacity(final int frames)
    {
        return new ArpSettings(cacheCapacity, entryLifetimeNanos, retryIntervalNanos, maxRequests, frames,
            Math.min(pendingPerNeighbour, frames));
    }

    /**
     * @param frames how many frames one neighbour may have waiting; its oldest make way beyond it.
     * @return a copy with that value.
     */
    public ArpSettings withPendingPerNeighbour(final int frames)
    {
        return new ArpSettings(cacheCapacity, entryLifetimeNanos, retryIntervalNanos, maxRequests, pendingCapacity,
            frames);
    }

    /**
     * Check every value.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public ArpSettings validate()
    {
        if (cacheCapacity < 1 || cacheCapacity > 1 << 20)
        {
            throw new IllegalArgumentException("ARP cache capacity must be 1..1048576: " + cacheCapacity);
        }
        if (retryIntervalNanos <= 0)
        {
            throw new IllegalArgumentException("ARP retry interval must be positive: " + retryIntervalNanos);
        }
        if (entryLifetimeNanos < 2 * retryIntervalNanos)
        {
            throw new IllegalArgumentException("ARP entry lifetime must be at least two retry intervals: " +
                entryLifetimeNanos);
        }
        if (maxRequests < 1 || maxRequests > 100)
        {
            throw new IllegalArgumentException("ARP max requests must be 1..100: " + maxRequests);
        }
        if (pendingCapacity < 1 || pendingCapacity > 1 << 16)
        {
            throw new IllegalArgumentException("ARP pending capacity must be 1..65536: " + pendingCapacity);
        }
        if (pendingPerNeighbour < 1 || pendingPerNeighbour > pendingCapacity)
        {
            throw new IllegalArgumentException("ARP pending frames per neighbour must be 1..pendingCapacity (" +
                pendingCapacity + "): " + pendingPerNeighbour);
        }
        return this;
    }

    /**
     * @return how many neighbours the cache holds.
     */
    public int cacheCapacity()
    {
        return cacheCapacity;
    }

    /**
     * @return how long a resolved entry is trusted, in nanoseconds.
     */
    public long entryLifetimeNanos()
    {
        return entryLifetimeNanos;
    }

    /**
     * @return the time between two requests for one address, in nanoseconds.
     */
    public long retryIntervalNanos()
    {
        return retryIntervalNanos;
    }

    /**
     * @return requests sent before a resolution fails.
     */
    public int maxRequests()
    {
        return maxRequests;
    }

    /**
     * @return frames that may wait for resolution.
     */
    public int pendingCapacity()
    {
        return pendingCapacity;
    }

    /**
     * @return frames one neighbour may have waiting.
     */
    public int pendingPerNeighbour()
    {
        return pendingPerNeighbour;
    }
}
