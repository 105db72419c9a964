package io.jmtcp.net;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * ARP for one interface (RFC 826): answers requests for our address, resolves next hops with
 * retries and a timeout, caches neighbours with a lifetime, and holds the frames that wait for a
 * resolution in a bounded pool with a share per neighbour.
 *
 * <p>All storage is allocated up front (a primitive map from address to slot, arrays per slot,
 * a fixed pool of frame buffers linked into one FIFO per neighbour), so the steady state
 * allocates nothing, every operation is linear in what it touches, and the memory bound is set
 * by {@link ArpSettings}. Deadlines are compared by difference ({@code due - now <= 0}), so they
 * hold across a clock that wraps. Owned by one context thread.
 */
public final class ArpResolver
{
    /** Returned by {@link #lookup(int, long)} for an address we have no MAC for (yet). */
    public static final long UNRESOLVED = -1;

    /** Minimum Ethernet frame without FCS: ARP is padded to it as a real host would (IEEE 802.3). */
    private static final int MIN_FRAME_LENGTH = 60;
    /** RFC 5227 §2.3: ANNOUNCE_NUM announcements, ANNOUNCE_INTERVAL apart. */
    private static final int ANNOUNCE_NUM = 2;
    private static final long ANNOUNCE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** RFC 5227 §2.4: at most one defending announcement per DEFEND_INTERVAL. */
    private static final long DEFEND_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final byte STATE_FREE = 0;
    private static final byte STATE_INCOMPLETE = 1;
    private static final byte STATE_RESOLVED = 2;
    private static final int NONE = -1;

    private final InterfaceConfig iface;
    private final FrameOutput output;
    private final StackCounters counters;
    private final ArpSettings settings;
    private final NeighbourTable shared;
    private final boolean publisher;
    private long seenPublications = -1;

    private final Int2IntHashMap slotByAddress;
    private final int[] slotAddress;
    private final long[] slotMac;
    private final byte[] slotState;
    private final long[] slotExpiresAt;
    private final long[] slotNextRequestAt;
    private final int[] slotRequestsSent;
    private final int[] slotPendingHead;
    private final int[] slotPendingTail;
    private final int[] slotPendingCount;
    private final int[] freeSlots;
    private int freeSlotCount;
    private int incompleteCount;

    private final UnsafeBuffer[] pendingFrame;
    private final int[] pendingLength;
    private final int[] pendingNext;
    private final int[] freePending;
    private int freePendingCount;

    private boolean timerArmed;
    private long timerDeadline;
    private int announcementsLeft;
    private long nextAnnouncementAt;
    private boolean defended;
    private long lastDefenceAt;

    private final UnsafeBuffer arpFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(MIN_FRAME_LENGTH));
    private final Unresolvable unresolvable;

    /** Told of each frame dropped because its next hop never answered. */
    @FunctionalInterface
    public interface Unresolvable
    {
        /** Nobody to tell. */
        Unresolvable NONE = (frame, length, now) -> { };

        /**
         * A frame waited for a neighbour that did not answer any request: it is dropped (and
         * counted) after this returns, so the view is valid only during the call.
         *
         * @param frame  the Ethernet frame.
         * @param length its length.
         * @param now    the context's time.
         */
        void onUnresolvable(DirectBuffer frame, int length, long now);
    }

    /**
     * @param iface    our addresses.
     * @param output   where ARP frames and released pending frames go.
     * @param counters where events and drops are counted.
     * @param settings cache and retry tunables (validated here).
     */
    public ArpResolver(final InterfaceConfig iface, final FrameOutput output, final StackCounters counters,
        final ArpSettings settings)
    {
        this(iface, output, counters, settings, null, false, Unresolvable.NONE);
    }

    /**
     * A resolver of one of several contexts sharing an interface. The publisher (context 0)
     * receives every ARP frame, answers for our address, announces it, and publishes what it
     * resolves in {@code shared}; the others receive no ARP at all, so they take resolutions
     * from {@code shared}, and on a miss send their own request (whose reply reaches the
     * publisher, which learns the sender because the reply targets our address) and hold the
     * frames meanwhile as a lone resolver would.
     *
     * @param iface     our addresses.
     * @param output    where ARP frames and released pending frames go.
     * @param counters  where events and drops are counted.
     * @param settings  cache and retry tunables (validated here).
     * @param shared    the stack's published neighbours, or null for a context alone on its port.
     * @param publisher true for the one context that receives ARP and writes {@code shared}.
     * @param unresolvable told of each frame dropped because its neighbour never answered.
     */
    public ArpResolver(final InterfaceConfig iface, final FrameOutput output, final StackCounters counters,
        final ArpSettings settings, final NeighbourTable shared, final boolean publisher,
        final Unresolvable unresolvable)
    {
        this.unresolvable = unresolvable;
        this.iface = iface;
        this.output = output;
        this.counters = counters;
        this.settings = settings.validate();
        this.shared = shared;
        this.publisher = publisher;

        final int capacity = settings.cacheCapacity();
        slotByAddress = new Int2IntHashMap(capacity * 2, 0.65f, NONE);
        slotAddress = new int[capacity];
        slotMac = new long[capacity];
        slotState = new byte[capacity];
        slotExpiresAt = new long[capacity];
        slotNextRequestAt = new long[capacity];
        slotRequestsSent = new int[capacity];
        slotPendingHead = new int[capacity];
        slotPendingTail = new int[capacity];
        slotPendingCount = new int[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeSlotCount = capacity;

        final int pending = settings.pendingCapacity();
        pendingFrame = new UnsafeBuffer[pending];
        pendingLength = new int[pending];
        pendingNext = new int[pending];
        freePending = new int[pending];
        for (int i = 0; i < pending; i++)
        {
            pendingFrame[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(output.maxFrameLength()));
            freePending[i] = pending - 1 - i;
        }
        freePendingCount = pending;
    }

    /**
     * Announce our address with gratuitous ARP requests (sender and target protocol address both
     * ours), now and once more {@code ANNOUNCE_INTERVAL} later (RFC 5227 §2.3), so neighbours with
     * a stale entry for our address update it. The RFC 5227 §2.1 probe is not made: the stack is
     * given its address for a dedicated port, and a probe would delay every start by seconds.
     *
     * @param now the context's time.
     */
    public void start(final long now)
    {
        if (isFollower())
        {
            // The publisher speaks for the interface; two announcers would double every one.
            return;
        }
        announcementsLeft = ANNOUNCE_NUM;
        nextAnnouncementAt = now;
        announceIfDue(now);
    }

    /**
     * Handle a received ARP packet (the RFC 826 "packet reception" algorithm).
     *
     * @param arp a packet that {@link ArpPacket#wrap} accepted.
     * @param now the context's time.
     */
    public void onArp(final ArpPacket arp, final long now)
    {
        final int senderIp = arp.senderIp();
        final long senderMac = arp.senderMac();
        final int op = arp.operation();

        if (senderMac == 0 || Mac.isGroup(senderMac))
        {
            counters.drop(DropReason.ARP_BAD_SENDER);
            return;
        }
        if (senderIp == iface.address())
        {
            // Our own frame looped back, or RFC 5227 §2.4: another host claims our address. A
            // stack on a dedicated port has no one to hand the address to, so it takes option (c):
            // defend it indefinitely, with at most one announcement per DEFEND_INTERVAL, which also
            // points the neighbours the conflicting packet misled back at us.
            if (senderMac != iface.mac())
            {
                counters.increment(StackCounter.ARP_CONFLICTS);
                if (!defended || now - lastDefenceAt >= DEFEND_INTERVAL_NANOS)
                {
                    defended = true;
                    lastDefenceAt = now;
                    sendAnnouncement();
                }
            }
            counters.drop(DropReason.ARP_SENDER_IS_US);
            return;
        }
        if (op == ArpPacket.OP_REQUEST && arp.targetIp() == iface.address())
        {
            counters.increment(StackCounter.ARP_REQUESTS_IN);
        }
        else if (op == ArpPacket.OP_REPLY)
        {
            counters.increment(StackCounter.ARP_REPLIES_IN);
        }

        // RFC 826: if the sender is already in the table, update it whether or not the packet
        // is for us ("merge"), so a host that moved is followed at once and a resolution we are
        // waiting for completes from the peer's own request.
        boolean merged = false;
        if (senderIp != 0)
        {
            final int slot = slotByAddress.get(senderIp);
            if (slot != NONE)
            {
                resolved(slot, senderMac, now);
                merged = true;
            }
        }

        if (arp.targetIp() != iface.address())
        {
            counters.drop(DropReason.ARP_NOT_FOR_US);
            return;
        }

        // RFC 826: we are the target, so the sender will talk to us: learn it. A probe
        // (RFC 5227 §2.1.1, sender address 0.0.0.0) is answered but not learned.
        if (!merged && senderIp != 0 && (freeSlotCount > 0 || incompleteCount < slotState.length))
        {
            // Learning is an optimisation (the sender will be resolved when we first send to
            // it): it never evicts a resolution in progress, so a full cache of those skips it.
            resolved(allocateSlot(senderIp, STATE_RESOLVED, now), senderMac, now);
        }
        if (op == ArpPacket.OP_REQUEST)
        {
            sendArp(ArpPacket.OP_REPLY, senderMac, senderMac, senderIp);
            counters.increment(StackCounter.ARP_REPLIES_OUT);
        }
    }

    /**
     * The MAC of a neighbour, if known and not expired. A lookup late in an entry's life sends a
     * unicast refresh request (RFC 1122 §2.3.2.1), so a busy flow never stalls on expiry.
     *
     * @param address the neighbour's IPv4 address.
     * @param now     the context's time.
     * @return its MAC, or {@link #UNRESOLVED}.
     */
    public long lookup(final int address, final long now)
    {
        final long mac = lookupOwn(address, now);
        if (mac != UNRESOLVED || !isFollower())
        {
            return mac;
        }
        final long published = shared.lookup(address, now);
        if (published != UNRESOLVED)
        {
            adopt(address, published, now);
        }
        return published;
    }

    private boolean isFollower()
    {
        return shared != null && !publisher;
    }

    /**
     * Take the publisher's resolution into our cache, with its expiry: our refresh requests late
     * in its life (whose replies the publisher merges and publishes again) and our expiry then
     * follow the publisher's. Completes a resolution of ours in progress, sending its frames.
     */
    private void adopt(final int address, final long mac, final long now)
    {
        int slot = slotByAddress.get(address);
        if (slot == NONE)
        {
            if (freeSlotCount == 0 && incompleteCount == slotState.length)
            {
                // Never evict a resolution in progress for a cache copy; the table has it.
                return;
            }
            slot = allocateSlot(address, STATE_RESOLVED, now);
        }
        resolved(slot, mac, now);
        slotExpiresAt[slot] = shared.expiresAt(address, now);
    }

    private long lookupOwn(final int address, final long now)
    {
        final int slot = slotByAddress.get(address);
        if (slot == NONE || slotState[slot] != STATE_RESOLVED)
        {
            return UNRESOLVED;
        }
        final long remaining = slotExpiresAt[slot] - now;
        if (remaining <= 0)
        {
            freeSlot(slot);
            return UNRESOLVED;
        }
        if (remaining < settings.entryLifetimeNanos() / 4 && slotNextRequestAt[slot] - now <= 0)
        {
            sendArp(ArpPacket.OP_REQUEST, slotMac[slot], 0L, address);
            counters.increment(StackCounter.ARP_REQUESTS_OUT);
            slotNextRequestAt[slot] = now + settings.retryIntervalNanos();
        }
        return slotMac[slot];
    }

    /**
     * Send a frame to a next hop: at once when its MAC is known, else queue a copy and resolve.
     * The frame's Ethernet destination is written here; its source and type must be set.
     *
     * <p>RFC 1122 §2.3.2.2 asks to keep at least the latest frame for each destination. So a
     * neighbour holds at most {@link ArpSettings#pendingPerNeighbour()} frames, its oldest making
     * way beyond that, and when the pool is full the neighbour holding the most gives up its
     * oldest frame: a new destination always gets its frame queued, and dead next hops cannot
     * take the pool from the others.
     *
     * @param nextHop the on-link address the frame goes to.
     * @param frame   the frame, Ethernet header at offset 0.
     * @param length  the frame length.
     * @param now     the context's time.
     * @return true if sent or queued (an older waiting frame may have been dropped, and counted).
     */
    public boolean send(final int nextHop, final MutableDirectBuffer frame, final int length, final long now)
    {
        final long mac = lookup(nextHop, now);
        if (mac != UNRESOLVED)
        {
            Mac.write(frame, 0, mac);
            return output.transmit(frame, 0, length);
        }

        int slot = slotByAddress.get(nextHop);
        final boolean newResolution = slot == NONE;
        if (newResolution)
        {
            slot = allocateSlot(nextHop, STATE_INCOMPLETE, now);
            slotRequestsSent[slot] = 0;
            slotNextRequestAt[slot] = now;
        }
        if (slotPendingCount[slot] >= settings.pendingPerNeighbour())
        {
            counters.drop(DropReason.ARP_PENDING_QUEUE_FULL);
            freePendingEntry(dequeuePending(slot));
        }
        else if (freePendingCount == 0)
        {
            counters.drop(DropReason.ARP_PENDING_QUEUE_FULL);
            freePendingEntry(dequeuePending(slotHoldingMostPending()));
        }
        final int entry = freePending[--freePendingCount];
        pendingFrame[entry].putBytes(0, frame, 0, length);
        pendingLength[entry] = length;
        enqueuePending(slot, entry);
        if (newResolution)
        {
            requestIfDue(slot, now);
        }
        return true;
    }

    /**
     * Announcements, request retransmissions that are due, and resolutions that ran out of
     * requests.
     *
     * @param now the context's time.
     * @return the number of actions taken (for the duty cycle's work count).
     */
    public int onTimers(final long now)
    {
        int work = announceIfDue(now);
        if (isFollower() && incompleteCount > 0 && shared.publications() != seenPublications)
        {
            work += adoptPublished(now);
        }
        if (!timerArmed || timerDeadline - now > 0)
        {
            return work;
        }
        timerArmed = false;
        for (int slot = 0; slot < slotState.length && incompleteCount > 0; slot++)
        {
            if (slotState[slot] == STATE_INCOMPLETE)
            {
                work += requestIfDue(slot, now);
            }
        }
        return work;
    }

    /** Resolutions in progress that the publisher has completed meanwhile. */
    private int adoptPublished(final long now)
    {
        seenPublications = shared.publications();
        int work = 0;
        for (int slot = 0; slot < slotState.length && incompleteCount > 0; slot++)
        {
            if (slotState[slot] == STATE_INCOMPLETE)
            {
                final long mac = shared.lookup(slotAddress[slot], now);
                if (mac != UNRESOLVED)
                {
                    adopt(slotAddress[slot], mac, now);
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * @return neighbours in the cache, resolved or being resolved.
     */
    public int size()
    {
        return slotState.length - freeSlotCount;
    }

    /**
     * @return frames waiting for a resolution.
     */
    public int pendingFrames()
    {
        return pendingFrame.length - freePendingCount;
    }

    /**
     * For tests and diagnostics: the cache as text, one neighbour per line.
     *
     * @return {@code address mac} or {@code address incomplete} lines.
     */
    public String dump()
    {
        final StringBuilder text = new StringBuilder();
        for (int slot = 0; slot < slotState.length; slot++)
        {
            if (slotState[slot] != STATE_FREE)
            {
                text.append(Ip4.format(slotAddress[slot])).append(' ')
                    .append(slotState[slot] == STATE_RESOLVED ? Mac.format(slotMac[slot]) : "incomplete")
                    .append('\n');
            }
        }
        return text.toString();
    }

    private int announceIfDue(final long now)
    {
        if (announcementsLeft == 0 || nextAnnouncementAt - now > 0)
        {
            return 0;
        }
        sendAnnouncement();
        announcementsLeft--;
        nextAnnouncementAt = now + ANNOUNCE_INTERVAL_NANOS;
        return 1;
    }

    /** A gratuitous request: sender and target protocol address both ours (RFC 5227 §2.3). */
    private void sendAnnouncement()
    {
        sendArp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, iface.address());
        counters.increment(StackCounter.ARP_ANNOUNCEMENTS_OUT);
    }

    private int requestIfDue(final int slot, final long now)
    {
        final long due = slotNextRequestAt[slot];
        if (due - now > 0)
        {
            armTimer(due);
            return 0;
        }
        if (slotRequestsSent[slot] >= settings.maxRequests())
        {
            failPending(slot, now);
            freeSlot(slot);
            return 1;
        }
        sendArp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, slotAddress[slot]);
        counters.increment(StackCounter.ARP_REQUESTS_OUT);
        slotRequestsSent[slot]++;
        slotNextRequestAt[slot] = now + settings.retryIntervalNanos();
        armTimer(slotNextRequestAt[slot]);
        return 1;
    }

    /** Keep the earliest deadline, compared by difference so that a wrapping clock is fine. */
    private void armTimer(final long deadline)
    {
        if (!timerArmed || deadline - timerDeadline < 0)
        {
            timerDeadline = deadline;
            timerArmed = true;
        }
    }

    private void resolved(final int slot, final long mac, final long now)
    {
        final boolean wasIncomplete = slotState[slot] == STATE_INCOMPLETE;
        slotMac[slot] = mac;
        slotState[slot] = STATE_RESOLVED;
        slotExpiresAt[slot] = now + settings.entryLifetimeNanos();
        slotNextRequestAt[slot] = now;
        if (shared != null && publisher)
        {
            shared.publish(slotAddress[slot], mac, slotExpiresAt[slot]);
        }
        if (wasIncomplete)
        {
            incompleteCount--;
            counters.increment(StackCounter.ARP_RESOLVED);
            releasePending(slot, mac);
        }
    }

    /** Send the frames waiting for a slot's neighbour, in the order they were queued. */
    private void releasePending(final int slot, final long mac)
    {
        while (slotPendingCount[slot] > 0)
        {
            final int entry = dequeuePending(slot);
            Mac.write(pendingFrame[entry], 0, mac);
            if (output.transmit(pendingFrame[entry], 0, pendingLength[entry]))
            {
                counters.increment(StackCounter.ARP_PENDING_SENT);
            }
            freePendingEntry(entry);
        }
    }

    /** The neighbour never answered: each waiting frame is unresolvable, then dropped. */
    private void failPending(final int slot, final long now)
    {
        while (slotPendingCount[slot] > 0)
        {
            final int entry = dequeuePending(slot);
            unresolvable.onUnresolvable(pendingFrame[entry], pendingLength[entry], now);
            counters.drop(DropReason.ARP_RESOLUTION_FAILED);
            freePendingEntry(entry);
        }
    }

    private void dropPending(final int slot, final DropReason reason)
    {
        while (slotPendingCount[slot] > 0)
        {
            counters.drop(reason);
            freePendingEntry(dequeuePending(slot));
        }
    }

    private int slotHoldingMostPending()
    {
        int most = 0;
        for (int slot = 1; slot < slotPendingCount.length; slot++)
        {
            if (slotState[slot] == STATE_INCOMPLETE && slotPendingCount[slot] > slotPendingCount[most])
            {
                most = slot;
            }
        }
        return most;
    }

    private void enqueuePending(final int slot, final int entry)
    {
        pendingNext[entry] = NONE;
        if (slotPendingCount[slot] == 0)
        {
            slotPendingHead[slot] = entry;
        }
        else
        {
            pendingNext[slotPendingTail[slot]] = entry;
        }
        slotPendingTail[slot] = entry;
        slotPendingCount[slot]++;
    }

    private int dequeuePending(final int slot)
    {
        final int entry = slotPendingHead[slot];
        slotPendingHead[slot] = pendingNext[entry];
        slotPendingCount[slot]--;
        return entry;
    }

    private void freePendingEntry(final int entry)
    {
        freePending[freePendingCount++] = entry;
    }

    /**
     * A slot for a new address. When the cache is full a resolved entry closest to expiry goes;
     * only when every entry is still resolving does one of those go, its frames counted as
     * {@link DropReason#ARP_EVICTED}.
     */
    private int allocateSlot(final int address, final byte state, final long now)
    {
        if (freeSlotCount == 0)
        {
            int victim = NONE;
            for (int slot = 0; slot < slotState.length; slot++)
            {
                if (slotState[slot] == STATE_RESOLVED &&
                    (victim == NONE || slotExpiresAt[slot] - slotExpiresAt[victim] < 0))
                {
                    victim = slot;
                }
            }
            if (victim == NONE)
            {
                victim = 0;
                for (int slot = 1; slot < slotState.length; slot++)
                {
                    if (slotExpiresAt[slot] - slotExpiresAt[victim] < 0)
                    {
                        victim = slot;
                    }
                }
                dropPending(victim, DropReason.ARP_EVICTED);
            }
            freeSlot(victim);
        }
        final int slot = freeSlots[--freeSlotCount];
        slotAddress[slot] = address;
        slotState[slot] = state;
        slotPendingCount[slot] = 0;
        if (state == STATE_INCOMPLETE)
        {
            incompleteCount++;
        }
        slotExpiresAt[slot] = now + settings.entryLifetimeNanos();
        slotByAddress.put(address, slot);
        return slot;
    }

    private void freeSlot(final int slot)
    {
        if (slotState[slot] == STATE_INCOMPLETE)
        {
            incompleteCount--;
        }
        slotState[slot] = STATE_FREE;
        slotByAddress.remove(slotAddress[slot]);
        freeSlots[freeSlotCount++] = slot;
    }

    private void sendArp(final int op, final long ethernetDestination, final long targetMac, final int targetIp)
    {
        final int ethLength = EthernetHeader.write(arpFrame, 0, ethernetDestination, iface.mac(),
            EthernetHeader.ETHERTYPE_ARP);
        final int arpLength = ArpPacket.write(arpFrame, ethLength, op, iface.mac(), iface.address(), targetMac, targetIp);
        arpFrame.setMemory(ethLength + arpLength, MIN_FRAME_LENGTH - ethLength - arpLength, (byte)0);
        output.transmit(arpFrame, 0, MIN_FRAME_LENGTH);
    }
}
