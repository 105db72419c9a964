package io.jmtcp.net;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * ARP for one interface (RFC 826): answers requests for our address, resolves next hops with
 * retries and a timeout, caches neighbours with a lifetime, and holds the frames that wait for a
 * resolution in a bounded pool.
 *
 * <p>All storage is allocated up front (a primitive map from address to slot, arrays per slot,
 * a fixed pool of frame buffers), so the steady state allocates nothing and the memory bound is
 * set by {@link ArpSettings}. Owned by one context thread.
 */
public final class ArpResolver
{
    /** Returned by {@link #lookup(int, long)} for an address we have no MAC for (yet). */
    public static final long UNRESOLVED = -1;

    /** Minimum Ethernet frame without FCS: ARP is padded to it as a real host would (IEEE 802.3). */
    private static final int MIN_FRAME_LENGTH = 60;

    private static final byte STATE_FREE = 0;
    private static final byte STATE_INCOMPLETE = 1;
    private static final byte STATE_RESOLVED = 2;
    private static final int NO_SLOT = -1;

    private final InterfaceConfig iface;
    private final FrameOutput output;
    private final StackCounters counters;
    private final ArpSettings settings;

    private final Int2IntHashMap slotByAddress;
    private final int[] slotAddress;
    private final long[] slotMac;
    private final byte[] slotState;
    private final long[] slotExpiresAt;
    private final long[] slotNextRequestAt;
    private final int[] slotRequestsSent;
    private final int[] freeSlots;
    private int freeSlotCount;
    private int incompleteCount;
    private long nextTimerAt = Long.MAX_VALUE;

    private final UnsafeBuffer[] pendingFrame;
    private final int[] pendingLength;
    private final int[] pendingNextHop;
    private final long[] pendingSequence;
    private final int[] freePending;
    private int freePendingCount;
    private long nextPendingSequence;

    private final UnsafeBuffer arpFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(MIN_FRAME_LENGTH));

    /**
     * @param iface    our addresses.
     * @param output   where ARP frames and released pending frames go.
     * @param counters where events and drops are counted.
     * @param settings cache and retry tunables (validated here).
     */
    public ArpResolver(final InterfaceConfig iface, final FrameOutput output, final StackCounters counters,
        final ArpSettings settings)
    {
        this.iface = iface;
        this.output = output;
        this.counters = counters;
        this.settings = settings.validate();

        final int capacity = settings.cacheCapacity();
        slotByAddress = new Int2IntHashMap(capacity * 2, 0.65f, NO_SLOT);
        slotAddress = new int[capacity];
        slotMac = new long[capacity];
        slotState = new byte[capacity];
        slotExpiresAt = new long[capacity];
        slotNextRequestAt = new long[capacity];
        slotRequestsSent = new int[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeSlotCount = capacity;

        final int pending = settings.pendingCapacity();
        pendingFrame = new UnsafeBuffer[pending];
        pendingLength = new int[pending];
        pendingNextHop = new int[pending];
        pendingSequence = new long[pending];
        freePending = new int[pending];
        for (int i = 0; i < pending; i++)
        {
            pendingFrame[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(output.maxFrameLength()));
            freePending[i] = pending - 1 - i;
        }
        freePendingCount = pending;
    }

    /**
     * Announce our address with a gratuitous ARP request (RFC 5227 §2.3: sender and target
     * protocol address both ours), so neighbours with a stale entry for it update.
     */
    public void announce()
    {
        sendArp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, iface.address());
        counters.increment(StackCounter.ARP_ANNOUNCEMENTS_OUT);
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
        if (op == ArpPacket.OP_REQUEST)
        {
            if (arp.targetIp() == iface.address())
            {
                counters.increment(StackCounter.ARP_REQUESTS_IN);
            }
        }
        else
        {
            counters.increment(StackCounter.ARP_REPLIES_IN);
        }

        if (senderIp == iface.address())
        {
            // RFC 5227 §2.4: another host claims our address. We keep the address (a user-space
            // stack on a dedicated port has no one to hand it to) but make the conflict visible.
            if (senderMac != iface.mac())
            {
                counters.increment(StackCounter.ARP_CONFLICTS);
            }
            return;
        }

        // RFC 826: if the sender is already in the table, update it whether or not the packet
        // is for us ("merge"), so a host that moved is followed at once.
        boolean merged = false;
        if (senderIp != 0)
        {
            final int slot = slotByAddress.get(senderIp);
            if (slot != NO_SLOT)
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
        if (!merged && senderIp != 0 && senderMac != Mac.BROADCAST && senderMac != 0)
        {
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
        final int slot = slotByAddress.get(address);
        if (slot == NO_SLOT || slotState[slot] != STATE_RESOLVED)
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
     * @param nextHop the on-link address the frame goes to.
     * @param frame   the frame, Ethernet header at offset 0.
     * @param length  the frame length.
     * @param now     the context's time.
     * @return true if sent or queued, false if dropped (and counted).
     */
    public boolean send(final int nextHop, final MutableDirectBuffer frame, final int length, final long now)
    {
        final long mac = lookup(nextHop, now);
        if (mac != UNRESOLVED)
        {
            Mac.write(frame, 0, mac);
            return output.transmit(frame, 0, length);
        }
        if (freePendingCount == 0)
        {
            counters.drop(DropReason.ARP_PENDING_QUEUE_FULL);
            return false;
        }
        final int pending = freePending[--freePendingCount];
        pendingFrame[pending].putBytes(0, frame, 0, length);
        pendingLength[pending] = length;
        pendingNextHop[pending] = nextHop;
        pendingSequence[pending] = nextPendingSequence++;

        if (slotByAddress.get(nextHop) == NO_SLOT)
        {
            final int slot = allocateSlot(nextHop, STATE_INCOMPLETE, now);
            slotRequestsSent[slot] = 0;
            slotNextRequestAt[slot] = now;
            requestIfDue(slot, now);
        }
        return true;
    }

    /**
     * Retransmit requests that are due and fail resolutions that ran out of requests.
     *
     * @param now the context's time.
     * @return the number of actions taken (for the duty cycle's work count).
     */
    public int onTimers(final long now)
    {
        if (incompleteCount == 0 || nextTimerAt - now > 0)
        {
            return 0;
        }
        nextTimerAt = Long.MAX_VALUE;
        int work = 0;
        for (int slot = 0; slot < slotState.length; slot++)
        {
            if (slotState[slot] == STATE_INCOMPLETE)
            {
                work += requestIfDue(slot, now);
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

    private int requestIfDue(final int slot, final long now)
    {
        final long due = slotNextRequestAt[slot];
        if (due - now > 0)
        {
            nextTimerAt = Math.min(nextTimerAt, due);
            return 0;
        }
        if (slotRequestsSent[slot] >= settings.maxRequests())
        {
            dropPending(slotAddress[slot]);
            freeSlot(slot);
            return 1;
        }
        sendArp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, slotAddress[slot]);
        counters.increment(StackCounter.ARP_REQUESTS_OUT);
        slotRequestsSent[slot]++;
        final long next = now + settings.retryIntervalNanos();
        slotNextRequestAt[slot] = next;
        nextTimerAt = Math.min(nextTimerAt, next);
        return 1;
    }

    private void resolved(final int slot, final long mac, final long now)
    {
        final boolean wasIncomplete = slotState[slot] == STATE_INCOMPLETE;
        slotMac[slot] = mac;
        slotState[slot] = STATE_RESOLVED;
        slotExpiresAt[slot] = now + settings.entryLifetimeNanos();
        slotNextRequestAt[slot] = now;
        if (wasIncomplete)
        {
            incompleteCount--;
            counters.increment(StackCounter.ARP_RESOLVED);
            releasePending(slotAddress[slot], mac);
        }
    }

    /** Send the frames waiting for {@code address} in the order they were queued. */
    private void releasePending(final int address, final long mac)
    {
        while (true)
        {
            int first = NO_SLOT;
            for (int i = 0; i < pendingFrame.length; i++)
            {
                if (pendingLength[i] > 0 && pendingNextHop[i] == address &&
                    (first == NO_SLOT || pendingSequence[i] < pendingSequence[first]))
                {
                    first = i;
                }
            }
            if (first == NO_SLOT)
            {
                return;
            }
            Mac.write(pendingFrame[first], 0, mac);
            if (output.transmit(pendingFrame[first], 0, pendingLength[first]))
            {
                counters.increment(StackCounter.ARP_PENDING_SENT);
            }
            freePendingSlot(first);
        }
    }

    private void dropPending(final int address)
    {
        for (int i = 0; i < pendingFrame.length; i++)
        {
            if (pendingLength[i] > 0 && pendingNextHop[i] == address)
            {
                counters.drop(DropReason.ARP_RESOLUTION_FAILED);
                freePendingSlot(i);
            }
        }
    }

    private void freePendingSlot(final int pending)
    {
        pendingLength[pending] = 0;
        freePending[freePendingCount++] = pending;
    }

    /** A slot for a new address; when the cache is full the entry closest to expiry goes. */
    private int allocateSlot(final int address, final byte state, final long now)
    {
        if (freeSlotCount == 0)
        {
            int victim = 0;
            for (int slot = 1; slot < slotState.length; slot++)
            {
                if (slotExpiresAt[slot] - slotExpiresAt[victim] < 0)
                {
                    victim = slot;
                }
            }
            if (slotState[victim] == STATE_INCOMPLETE)
            {
                dropPending(slotAddress[victim]);
            }
            freeSlot(victim);
        }
        final int slot = freeSlots[--freeSlotCount];
        slotAddress[slot] = address;
        slotState[slot] = state;
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

    /**
     * For tests and diagnostics: copy of the cache as text, one neighbour per line.
     *
     * @return {@code address mac state} lines.
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
}
