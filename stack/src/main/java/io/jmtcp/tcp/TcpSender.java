package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import io.jmtcp.wire.TcpOptionsWriter;
import org.agrona.MutableDirectBuffer;

import static io.jmtcp.tcp.SequenceNumbers.ge;
import static io.jmtcp.tcp.SequenceNumbers.gt;
import static io.jmtcp.tcp.SequenceNumbers.le;
import static io.jmtcp.tcp.SequenceNumbers.lt;

/**
 * The send side of one connection and its timers: what to transmit and when (Nagle, silly-window
 * avoidance, congestion and flow control), the ACK of arriving segments (RFC 9293 §3.10.7.4,
 * fifth check), loss recovery (RFC 5681 fast retransmit, RFC 6582 NewReno, RFC 6675 SACK),
 * the retransmission timer (RFC 6298), the persist timer, delayed ACKs, keepalive and the
 * FIN_WAIT_2 timeout, and building segments with their options.
 *
 * <p>Part of its {@link TcpConnection}; package-private, same thread, nothing allocated.
 */
final class TcpSender
{
    /** RFC 5681 §3.2: the duplicate-ACK threshold. */
    static final int DUP_ACK_THRESHOLD = 3;
    /** Bytes of the timestamps option with its two leading NOPs (RFC 7323 Appendix A layout). */
    static final int TIMESTAMPS_SPACE = 12;

    private final TcpConnection c;
    private final int[] sackLefts = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] sackRights = new int[TcpOptions.MAX_SACK_BLOCKS];

    boolean noDelay;
    boolean keepAlive;
    long keepAliveIdleNanos;
    long keepAliveIntervalNanos;
    int keepAliveProbes;
    long retransmits;

    private boolean rtxArmed;
    private long rtxDeadline;
    private int rtxExpiries;
    private boolean delAckArmed;
    private long delAckDeadline;
    private boolean persistArmed;
    private long persistDeadline;
    private long persistIntervalNanos;
    private int persistProbesUnanswered;
    private boolean keepAliveArmed;
    private long keepAliveDeadline;
    private int keepAliveProbesSent;
    private boolean finWait2Armed;
    private long finWait2Deadline;

    // RFC 6298 §3 (Karn): one segment timed at a time, never a retransmitted one.
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    private boolean synRetransmitted;
    private int synTransmissions;

    // Loss recovery: RFC 6582 "recover", RFC 6675 "HighRxt".
    private boolean inRecovery;
    private int recoverPoint;
    private int highRxt;
    private boolean firstPartialAck;
    private int dupAcks;
    /** Whether, and when last, a segment occupying sequence space (data, SYN, FIN) was sent. */
    private boolean everSent;
    private long lastSendTime;

    TcpSender(final TcpConnection connection)
    {
        this.c = connection;
    }

    void reset()
    {
        noDelay = c.config.noDelay();
        keepAlive = c.config.keepAlive();
        keepAliveIdleNanos = c.config.keepAliveIdleNanos();
        keepAliveIntervalNanos = c.config.keepAliveIntervalNanos();
        keepAliveProbes = c.config.keepAliveProbes();
        retransmits = 0;
        rtxArmed = false;
        rtxExpiries = 0;
        delAckArmed = false;
        persistArmed = false;
        persistIntervalNanos = 0;
        persistProbesUnanswered = 0;
        keepAliveArmed = false;
        keepAliveProbesSent = 0;
        finWait2Armed = false;
        timing = false;
        synRetransmitted = false;
        synTransmissions = 0;
        inRecovery = false;
        recoverPoint = 0;
        highRxt = 0;
        firstPartialAck = false;
        dupAcks = 0;
        everSent = false;
    }

    // ---------------------------------------------------------------------------------------------
    // Handshake
    // ---------------------------------------------------------------------------------------------

    /** Send (or resend) our SYN, or SYN-ACK in SYN_RECEIVED, and arm its retransmission. */
    void sendSyn(final long now)
    {
        final boolean synAck = c.state == TcpState.SYN_RECEIVED;
        if (synTransmissions > 0)
        {
            synRetransmitted = true;
        }
        synTransmissions++;
        transmit(c.iss, 0, synAck ? TcpHeader.SYN | TcpHeader.ACK : TcpHeader.SYN, now);
        c.sndNxt = c.iss + 1;
        if (lt(c.sndMax, c.sndNxt))
        {
            c.sndMax = c.sndNxt;
        }
        armRetransmit(now);
    }

    /** Our SYN was acknowledged: SND.UNA past it; an RTT sample unless it was retransmitted (Karn). */
    void onSynAcked(final long now)
    {
        c.sndUna = c.iss + 1;
        if (lt(c.sndNxt, c.sndUna))
        {
            c.sndNxt = c.sndUna;
        }
        if (synRetransmitted)
        {
            // RFC 6298 §5.7: after a SYN timeout, data starts with an RTO of 3 s if it was lower.
            c.rtt.onHandshakeCompleteAfterSynTimeout();
        }
        else
        {
            // The SYN (or SYN-ACK) was the last segment sent: its age is the RTT.
            c.rtt.sample(now - lastSendTime);
        }
        rtxArmed = false;
        rtxExpiries = 0;
    }

    void onEstablished(final long now)
    {
        recoverPoint = c.sndUna;
        touchKeepAlive(now);
    }

    // ---------------------------------------------------------------------------------------------
    // ACK processing (RFC 9293 §3.10.7.4, fifth check)
    // ---------------------------------------------------------------------------------------------

    /**
     * @return false if the segment must be dropped here (its ACK was unacceptable).
     */
    boolean onAck(final TcpHeader tcp, final TcpOptions options, final long now)
    {
        final int ack = tcp.ackNumber();
        if (gt(ack, c.sndMax))
        {
            // RFC 9293 §3.10.7.4: "If the ACK acks something not yet sent (SEG.ACK > SND.NXT),
            // then send an ACK, drop the segment, and return."
            c.engine.count(StackCounter.TCP_ACK_OF_UNSENT);
            c.ackNow = true;
            return false;
        }
        if (lt(ack, c.sndUna - c.maxSndWnd))
        {
            // RFC 5961 §5.2: older than SND.UNA - MAX.SND.WND: challenge ACK and drop.
            c.engine.count(StackCounter.TCP_ACK_TOO_OLD);
            c.engine.challengeAck(c, now);
            return false;
        }
        keepAliveProbesSent = 0;
        persistProbesUnanswered = 0;
        touchKeepAlive(now);

        boolean sackedNew = false;
        if (c.sackOn)
        {
            // Every acceptable ACK goes to the scoreboard, SACK option or not, so that it trims
            // what the cumulative ACK covers.
            final int blocks = options.sackBlockCount();
            for (int i = 0; i < blocks; i++)
            {
                sackLefts[i] = options.sackLeft(i);
                sackRights[i] = options.sackRight(i);
            }
            sackedNew = c.scoreboard.onAck(ack, c.sndUna, c.sndMax, sackLefts, sackRights, blocks);
        }

        final int window = tcp.window() << c.sndShift;
        if (gt(ack, c.sndUna))
        {
            onNewAck(ack, now);
        }
        else if (ack == c.sndUna && c.sndMax != c.sndUna && tcp.payloadLength() == 0 &&
            (tcp.flags() & (TcpHeader.SYN | TcpHeader.FIN)) == 0 && (window == c.sndWnd || sackedNew) &&
            window != 0)
        {
            // RFC 5681 §2 "duplicate acknowledgment"; RFC 6675 §2 counts ACKs with new SACK data.
            // A zero window is excluded: such an ACK answers a window probe (RFC 9293 §3.8.6.1),
            // whose byte lies beyond the window; counting it would fast-retransmit a full segment
            // into the closed window and then time out against a peer that is still answering.
            onDuplicateAck(now);
        }

        // RFC 9293 §3.10.7.4: update the send window only from a segment newer than the last one
        // that did (SND.WL1, SND.WL2), so that an old reordered segment cannot shrink it.
        final int seq = tcp.sequenceNumber();
        if (lt(c.sndWl1, seq) || (c.sndWl1 == seq && le(c.sndWl2, ack)))
        {
            if (lt(ack + window, c.sndWl2 + c.sndWnd))
            {
                // The peer moved its right edge left: RFC 9293 §3.8.6 (SHLD-14) discourages it, we
                // cope (nothing sent is withdrawn; we stop sending beyond the new edge).
                c.engine.count(StackCounter.TCP_WINDOW_SHRUNK);
            }
            c.sndWnd = window;
            c.sndWl1 = seq;
            c.sndWl2 = ack;
            c.maxSndWnd = Math.max(c.maxSndWnd, window);
            if (window > 0 && persistArmed)
            {
                persistArmed = false;
                persistIntervalNanos = 0;
            }
        }

        if (c.finSent && c.finAcknowledged() &&
            (c.state == TcpState.FIN_WAIT_1 || c.state == TcpState.CLOSING || c.state == TcpState.LAST_ACK))
        {
            c.onFinAcknowledged(now);
        }
        return true;
    }

    private void onNewAck(final int ack, final long now)
    {
        final int flightBefore = c.sndMax - c.sndUna;
        final int acked = ack - c.sndUna;
        // The send buffer holds data only; an ACK covering our FIN releases up to the FIN.
        final int dataAck = c.finSent && gt(ack, c.finSeq) ? c.finSeq : ack;
        final int freed = c.sendBuffer.acknowledge(dataAck);
        c.sndUna = ack;
        if (lt(c.sndNxt, ack))
        {
            c.sndNxt = ack;
        }
        if (timing && ge(ack, timedSeq))
        {
            timing = false;
            c.rtt.sample(now - timedAt);
        }
        rtxExpiries = 0;
        dupAcks = 0;

        if (inRecovery)
        {
            if (ge(ack, recoverPoint))
            {
                // RFC 6582 §3.2 step 3 / RFC 6675 §5: a full ACK ends recovery.
                inRecovery = false;
                c.cc.onRecoveryExit(c.sndMax - c.sndUna, now);
            }
            else if (!c.sackOn)
            {
                // RFC 6582 §3.2 step 5: a partial ACK: retransmit the next unacknowledged
                // segment, deflate cwnd by what was acknowledged and add back one SMSS.
                retransmitAt(c.sndUna, now);
                final int deflated = c.cc.cwnd() - acked + (acked >= c.sndMss ? c.sndMss : 0);
                c.cc.cwnd(deflated);
                if (firstPartialAck)
                {
                    // RFC 6582 §4 "Impatient" variant: reset the timer on the first partial ACK only.
                    firstPartialAck = false;
                    armRetransmit(now);
                }
            }
        }
        else
        {
            c.cc.onAck(acked, flightBefore, c.rtt.srttNanos(), now);
        }

        // RFC 6298 §5.2–5.3: stop the timer when all is acknowledged, else restart it.
        if (c.sndUna == c.sndMax)
        {
            rtxArmed = false;
        }
        else if (!inRecovery || c.sackOn || firstPartialAck)
        {
            armRetransmit(now);
        }
        if (freed > 0 && !c.appClosed)
        {
            c.signal(TcpConnection.EVENT_WRITABLE);
        }
    }

    private void onDuplicateAck(final long now)
    {
        dupAcks++;
        c.engine.count(StackCounter.TCP_DUPLICATE_ACKS_IN);
        if (inRecovery)
        {
            if (!c.sackOn)
            {
                // RFC 6582 §3.2 step 4: each further duplicate inflates cwnd by one SMSS.
                c.cc.cwnd(c.cc.cwnd() + c.sndMss);
            }
            return;
        }
        final boolean lost = dupAcks >= DUP_ACK_THRESHOLD || (c.sackOn && c.scoreboard.isLost(c.sndUna, c.sndMss));
        // RFC 6582 §3.2 step 1: no new recovery for losses of data sent before the last one ended.
        if (lost && ge(c.sndUna, recoverPoint))
        {
            enterRecovery(now);
        }
    }

    private void enterRecovery(final long now)
    {
        c.engine.count(StackCounter.TCP_FAST_RETRANSMITS);
        inRecovery = true;
        recoverPoint = c.sndMax;
        firstPartialAck = true;
        highRxt = c.sndUna;
        c.cc.onFastRecovery(c.sndMax - c.sndUna, now);
        retransmitAt(c.sndUna, now);
        if (!c.sackOn)
        {
            // RFC 6582 §3.2 step 2: cwnd = ssthresh + 3*SMSS for the segments that left.
            c.cc.cwnd(c.cc.ssthresh() + DUP_ACK_THRESHOLD * c.sndMss);
        }
        armRetransmit(now);
    }

    // ---------------------------------------------------------------------------------------------
    // Output
    // ---------------------------------------------------------------------------------------------

    /**
     * Send what the windows, Nagle and silly-window avoidance allow now.
     */
    void output(final long now)
    {
        final TcpState state = c.state;
        if (!(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT || state == TcpState.FIN_WAIT_1 ||
            state == TcpState.CLOSING || state == TcpState.LAST_ACK))
        {
            return;
        }
        if (c.sndUna == c.sndMax && everSent && now - lastSendTime > c.rtt.rtoNanos())
        {
            // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the restart window.
            c.cc.onIdleRestart(now);
        }
        int budget = 4096;
        while (budget-- > 0)
        {
            if (inRecovery && c.sackOn)
            {
                // RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send NextSeg() or new data.
                final int pipe = c.scoreboard.pipe(c.sndUna, c.sndMax, highRxt, c.sndMss);
                final int room = c.cc.cwnd() - pipe;
                if (room < c.sndMss)
                {
                    break;
                }
                final boolean newDataSendable = c.sendBuffer.endSequence() != c.sndMax &&
                    c.sndMax - c.sndUna < c.sndWnd;
                final long next = c.scoreboard.nextSeg(c.sndUna, c.sndMax, highRxt, c.sndMss, newDataSendable);
                if (next != SackScoreboard.NO_SEGMENT)
                {
                    final int seq = (int)next;
                    final int length = c.scoreboard.nextSegLength(seq, c.sndMss, c.sndMax);
                    if (length <= 0 || !retransmitSegment(seq, length, now))
                    {
                        break;
                    }
                    continue;
                }
                if (!sendNewData(room, now, false))
                {
                    break;
                }
            }
            else if (!sendNewData(Integer.MAX_VALUE, now, false))
            {
                break;
            }
        }
        if (c.sndUna != c.sndMax && !rtxArmed && !persistArmed)
        {
            armRetransmit(now);
        }
        maybeArmPersist(now);
    }

    /**
     * Send one segment from SND.NXT if the rules allow.
     *
     * @param room  extra limit on the bytes in flight (SACK recovery's cwnd - pipe); with
     *              {@code force}, the most bytes to send.
     * @param force send at least one segment whatever the windows, Nagle and SWS avoidance (an
     *              RTO retransmission, or the SWS override timeout within {@code room}).
     * @return true if a segment left.
     */
    private boolean sendNewData(final int room, final long now, final boolean force)
    {
        final int endOfData = c.sendBuffer.endSequence();
        final int unsent = Math.max(0, endOfData - c.sndNxt);
        final boolean finDue = c.finQueued && le(c.sndNxt, endOfData) &&
            (!c.finSent || lt(c.sndNxt, c.finSeq + 1));
        if (unsent == 0 && !finDue)
        {
            return false;
        }
        final int outstanding = c.sndNxt - c.sndUna;
        final int window = inRecovery && c.sackOn
            ? Math.min(room, c.sndWnd - outstanding)
            : Math.min(c.sndWnd, c.cc.cwnd()) - outstanding;
        int length = Math.min(unsent, Math.min(c.sndMss, Math.max(window, 0)));
        if (force)
        {
            length = Math.min(unsent, Math.min(c.sndMss, room));
        }
        final boolean retransmission = lt(c.sndNxt, c.sndMax);
        if (length == 0 && unsent > 0 && !force)
        {
            return false;
        }
        if (length > 0 && length < c.sndMss && !force && !retransmission)
        {
            // RFC 9293 §3.8.6.2.1 (sender SWS avoidance) and §3.7.4 (Nagle): send a short segment
            // only if it is everything queued and nothing is unacknowledged (or NODELAY, or we
            // are closing), or if it is at least half the largest window the peer offered.
            final boolean everything = length == unsent;
            final boolean nagleAllows = noDelay || c.sndNxt == c.sndUna || c.finQueued;
            if (!(everything && nagleAllows) && length < c.maxSndWnd / 2)
            {
                return false;
            }
        }
        final boolean fin = finDue && c.sndNxt + length == endOfData;
        int flags = TcpHeader.ACK;
        if (fin)
        {
            flags |= TcpHeader.FIN;
        }
        if (length > 0 && length == unsent)
        {
            flags |= TcpHeader.PSH;
        }
        final int seq = c.sndNxt;
        final int sent = transmit(seq, length, flags, now);
        if (sent < 0)
        {
            return false;
        }
        final boolean finSentNow = fin && sent == length;
        if (retransmission)
        {
            retransmits++;
            c.engine.count(StackCounter.TCP_RETRANSMITS);
            timing = false;
        }
        else if (!timing && sent > 0)
        {
            timing = true;
            timedSeq = seq + sent;
            timedAt = now;
        }
        c.sndNxt = seq + sent + (finSentNow ? 1 : 0);
        if (finSentNow && !c.finSent)
        {
            c.finSent = true;
            c.finSeq = seq + sent;
        }
        if (gt(c.sndNxt, c.sndMax))
        {
            c.sndMax = c.sndNxt;
        }
        return sent > 0 || finSentNow;
    }

    /** Retransmit the segment at {@code seq} (fast retransmit or a partial ACK). */
    private void retransmitAt(final int seq, final long now)
    {
        final int endOfData = c.sendBuffer.endSequence();
        final int length = Math.min(c.sndMss, Math.max(0, endOfData - seq));
        if (length > 0)
        {
            retransmitSegment(seq, length, now);
        }
        else if (c.finSent && seq == c.finSeq)
        {
            transmit(seq, 0, TcpHeader.ACK | TcpHeader.FIN, now);
            retransmits++;
            c.engine.count(StackCounter.TCP_RETRANSMITS);
        }
    }

    private boolean retransmitSegment(final int seq, final int length, final long now)
    {
        final int endOfData = c.sendBuffer.endSequence();
        int flags = TcpHeader.ACK;
        if (c.finSent && seq + length == endOfData)
        {
            flags |= TcpHeader.FIN;
        }
        final int sent = transmit(seq, length, flags, now);
        if (sent <= 0)
        {
            return false;
        }
        retransmits++;
        c.engine.count(StackCounter.TCP_RETRANSMITS);
        timing = false;
        if (gt(seq + sent, highRxt))
        {
            highRxt = seq + sent;
        }
        return true;
    }

    /**
     * A pure ACK with the current RCV.NXT and window. Its sequence number is the highest we sent
     * (SND.MAX, as BSD does), not SND.NXT: after a timeout pulls SND.NXT back, the peer may
     * already hold more, and an ACK below its RCV.NXT would be unacceptable to it and draw an
     * ACK back, an endless exchange.
     */
    void sendAck(final long now)
    {
        transmit(c.sndMax, 0, TcpHeader.ACK, now);
    }

    /** An ACK of SND.NXT - 1: a keepalive probe (RFC 9293 §3.8.4). */
    private void sendKeepAlive(final long now)
    {
        transmit(c.sndNxt - 1, 0, TcpHeader.ACK, now);
    }

    /** RST for an abort: <SEQ=SND.NXT><CTL=RST> (RFC 9293 §3.10.5). */
    void sendReset(final long now)
    {
        transmit(c.sndNxt, 0, TcpHeader.RST | TcpHeader.ACK, now);
    }

    // ---------------------------------------------------------------------------------------------
    // Receive-side ACK policy
    // ---------------------------------------------------------------------------------------------

    /**
     * In-order data was queued: RFC 9293 §3.8.6.3 and RFC 5681 §4.2 — ACK at least every second
     * segment, and delay the rest at most the delayed-ACK time.
     */
    void onInOrderData(final long now)
    {
        c.unackedSegments++;
        if (c.unackedSegments >= 2 || c.config.delayedAckNanos() == 0)
        {
            c.ackNow = true;
        }
        else if (!delAckArmed)
        {
            delAckArmed = true;
            delAckDeadline = now + c.config.delayedAckNanos();
        }
    }

    /**
     * The application read: advertise a window that opened a lot at once (RFC 9293 §3.8.6.2.2
     * receiver SWS avoidance sets the least worth telling: min(buffer/2, MSS); we wait for twice
     * the MSS or half the buffer, and always tell a peer that saw a window below one MSS).
     */
    void onApplicationRead(final long now)
    {
        if (c.peerFinReceived || c.state == TcpState.CLOSED)
        {
            return;
        }
        final int rcvNxt = c.receiveBuffer.rcvNxt();
        final int advertised = c.rcvAdvertisedRight - rcvNxt;
        final int available = c.receiveBuffer.window();
        final int opened = available - advertised;
        final int threshold = Math.min(c.receiveBuffer.capacity() / 2, 2 * c.rcvMss);
        if (opened >= threshold || (advertised < c.rcvMss && available >= c.rcvMss))
        {
            sendAck(now);
            c.engine.count(StackCounter.TCP_WINDOW_UPDATES_OUT);
            c.engine.schedule(c);
        }
    }

    /**
     * The window to advertise (RFC 9293 §3.8.6.2.2): the right edge moves right only by at least
     * min(buffer/2, MSS), never left (RFC 7323 §2.4).
     */
    private int advertisedWindow()
    {
        final int rcvNxt = c.receiveBuffer.rcvNxt();
        final int candidateRight = rcvNxt + c.receiveBuffer.window();
        final int threshold = Math.min(c.receiveBuffer.capacity() / 2, c.rcvMss);
        if (candidateRight - c.rcvAdvertisedRight >= threshold || lt(c.rcvAdvertisedRight, rcvNxt))
        {
            c.rcvAdvertisedRight = candidateRight;
        }
        final int window = Math.max(0, c.rcvAdvertisedRight - rcvNxt);
        return Math.min(window >>> c.rcvShift, 0xFFFF);
    }

    // ---------------------------------------------------------------------------------------------
    // Segment building
    // ---------------------------------------------------------------------------------------------

    /**
     * Build and send one segment: header, options, data copied from the send buffer, checksum.
     * Data is clipped so that header, options and data fit the peer's MSS and our path; a
     * clipped segment loses its FIN (it goes with the last byte).
     *
     * @return data bytes sent, or -1 if the segment could not leave.
     */
    int transmit(final int seq, final int dataLength, final int requestedFlags, final long now)
    {
        final SegmentOutput out = c.engine.output();
        final MutableDirectBuffer buffer = out.buffer();
        final int offset = out.offset();
        int flags = requestedFlags;
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        final int optionsAt = offset + TcpHeader.MIN_HEADER_LENGTH;
        int options = 0;
        final int tsVal = tsNow(now);
        if (syn)
        {
            final boolean active = c.state == TcpState.SYN_SENT;
            options += TcpOptionsWriter.writeMss(buffer, optionsAt, c.rcvMss);
            if (active ? c.config.sack() : c.sackOn)
            {
                options += TcpOptionsWriter.writeSackPermitted(buffer, optionsAt + options);
            }
            if (active ? c.config.timestamps() : c.timestampsOn)
            {
                options += TcpOptionsWriter.writeTimestamps(buffer, optionsAt + options, tsVal,
                    active ? 0 : c.tsRecent);
            }
            if (active ? c.config.windowScaling() : c.windowScaling)
            {
                options += TcpOptionsWriter.writeNop(buffer, optionsAt + options);
                options += TcpOptionsWriter.writeWindowScale(buffer, optionsAt + options, c.rcvShift);
            }
        }
        else if ((flags & TcpHeader.RST) == 0)
        {
            if (c.timestampsOn)
            {
                options += TcpOptionsWriter.writeNop(buffer, optionsAt + options);
                options += TcpOptionsWriter.writeNop(buffer, optionsAt + options);
                options += TcpOptionsWriter.writeTimestamps(buffer, optionsAt + options, tsVal, c.tsRecent);
            }
            if (c.sackOn && c.receiveBuffer.hasOutOfOrder() && (flags & TcpHeader.ACK) != 0)
            {
                // RFC 2018 §4: report the out-of-order queue, newest block first.
                final int blocks = c.receiveBuffer.sackBlocks(sackLefts, sackRights,
                    c.timestampsOn ? TcpOptions.MAX_SACK_BLOCKS - 1 : TcpOptions.MAX_SACK_BLOCKS);
                if (blocks > 0)
                {
                    options += TcpOptionsWriter.writeNop(buffer, optionsAt + options);
                    options += TcpOptionsWriter.writeNop(buffer, optionsAt + options);
                    options += TcpOptionsWriter.writeSackBlocks(buffer, optionsAt + options, sackLefts, sackRights,
                        blocks);
                }
            }
        }
        options = TcpOptionsWriter.padToWord(buffer, optionsAt, options);
        final int headerLength = TcpHeader.MIN_HEADER_LENGTH + options;

        int length = dataLength;
        // RFC 6691 / RFC 9293 §3.7.1: the MSS counts data only, options take from it.
        final int maxData = Math.min(out.maxSegmentLength() - headerLength, c.mssLimit - options);
        if (length > maxData)
        {
            length = Math.max(0, maxData);
            flags &= ~TcpHeader.FIN;
        }
        if (length > 0)
        {
            final int copied = c.sendBuffer.copyOut(seq, buffer, offset + headerLength, length);
            if (copied != length)
            {
                throw new IllegalStateException("send buffer holds " + copied + " of " + length + " bytes at " + seq);
            }
        }
        final boolean hasAck = (flags & TcpHeader.ACK) != 0;
        final int rcvNxt = c.rcvNxt();
        final int window;
        if (syn)
        {
            // RFC 7323 §2.2: the window field of a SYN is never scaled.
            window = Math.min(c.receiveBuffer.window(), 0xFFFF);
            c.rcvAdvertisedRight = c.receiveBuffer.rcvNxt() + window;
        }
        else
        {
            window = (flags & TcpHeader.RST) != 0 ? 0 : advertisedWindow();
        }
        final boolean sent = c.engine.emit(c.localPort, c.remoteIp, c.remotePort, seq, hasAck ? rcvNxt : 0,
            headerLength, length, flags, window, now);
        if (hasAck)
        {
            c.lastAckSent = rcvNxt;
            c.ackNow = false;
            c.unackedSegments = 0;
            delAckArmed = false;
        }
        if (length > 0 || (flags & (TcpHeader.SYN | TcpHeader.FIN)) != 0)
        {
            // Only what occupies sequence space counts: RFC 5681 §4.1's idle time is time
            // without sending data, and a challenge ACK in SYN-RECEIVED must not shorten the
            // handshake's RTT sample.
            everSent = true;
            lastSendTime = now;
        }
        return sent ? length : -1;
    }

    /** RFC 7323 §5.4: a millisecond timestamp clock with a per-connection random offset. */
    int tsNow(final long now)
    {
        return (int)(now / 1_000_000L) + c.tsOffset;
    }

    // ---------------------------------------------------------------------------------------------
    // Timers
    // ---------------------------------------------------------------------------------------------

    private void armRetransmit(final long now)
    {
        rtxArmed = true;
        rtxDeadline = now + c.rtt.rtoNanos();
    }

    /**
     * RFC 9293 §3.8.6.1: with data waiting, nothing in flight and a zero window, probe the window
     * on a timer that backs off exponentially, for as long as the peer answers. A window open
     * but too small for sender SWS avoidance blocks the same way (no ACK will come to change
     * it); the timer is then the override timeout of RFC 9293 §3.8.6.2.1 (RFC 1122 §4.2.3.4).
     */
    private void maybeArmPersist(final long now)
    {
        final boolean waiting = c.sendBuffer.endSequence() != c.sndNxt || (c.finQueued && !c.finSent);
        // Nothing in flight and data waiting means output() was held back by the window: a zero
        // window, or one too small for silly-window avoidance, whose RFC 9293 §3.8.6.2.1
        // override timeout is this same timer.
        if (waiting && !persistArmed && c.sndUna == c.sndMax && !rtxArmed)
        {
            persistArmed = true;
            persistIntervalNanos = c.rtt.rtoNanos();
            persistDeadline = now + persistIntervalNanos;
        }
    }

    void armFinWait2(final long now)
    {
        finWait2Armed = true;
        finWait2Deadline = now + c.config.finWait2TimeoutNanos();
    }

    void touchKeepAlive(final long now)
    {
        if (keepAlive && c.state.synchronizedState())
        {
            keepAliveArmed = true;
            keepAliveDeadline = now + keepAliveIdleNanos;
        }
        else
        {
            keepAliveArmed = false;
        }
    }

    /**
     * @param now the context's time.
     * @return the earliest armed deadline, or {@code now + Long.MAX_VALUE/2} if none (far away
     *         and still overflow-safe to compare).
     */
    long nextDeadline(final long now)
    {
        long earliest = now + Long.MAX_VALUE / 2;
        earliest = earlier(rtxArmed, rtxDeadline, earliest);
        earliest = earlier(delAckArmed, delAckDeadline, earliest);
        earliest = earlier(persistArmed, persistDeadline, earliest);
        earliest = earlier(keepAliveArmed, keepAliveDeadline, earliest);
        earliest = earlier(finWait2Armed, finWait2Deadline, earliest);
        return earliest;
    }

    boolean hasTimers()
    {
        return rtxArmed || delAckArmed || persistArmed || keepAliveArmed || finWait2Armed;
    }

    private static long earlier(final boolean armed, final long deadline, final long earliest)
    {
        return armed && deadline - earliest < 0 ? deadline : earliest;
    }

    /**
     * Run whatever timers are due.
     */
    void onTimer(final long now)
    {
        if (finWait2Armed && finWait2Deadline - now <= 0)
        {
            finWait2Armed = false;
            if (c.state == TcpState.FIN_WAIT_2)
            {
                c.engine.count(StackCounter.TCP_FIN_WAIT_2_TIMEOUTS);
                c.engine.terminate(c, TcpError.ETIMEDOUT);
                return;
            }
        }
        if (rtxArmed && rtxDeadline - now <= 0)
        {
            rtxArmed = false;
            onRetransmitTimeout(now);
            if (c.state == TcpState.CLOSED)
            {
                return;
            }
        }
        if (persistArmed && persistDeadline - now <= 0)
        {
            onPersistTimeout(now);
            if (c.state == TcpState.CLOSED)
            {
                return;
            }
        }
        if (keepAliveArmed && keepAliveDeadline - now <= 0)
        {
            onKeepAliveTimeout(now);
            if (c.state == TcpState.CLOSED)
            {
                return;
            }
        }
        if (delAckArmed && delAckDeadline - now <= 0)
        {
            delAckArmed = false;
            c.engine.count(StackCounter.TCP_DELAYED_ACKS);
            sendAck(now);
        }
    }

    /** RFC 6298 §5.4–5.7 and RFC 5681 §3.1: retransmit the earliest segment, back off, go back N. */
    private void onRetransmitTimeout(final long now)
    {
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED)
        {
            final int limit = c.state == TcpState.SYN_SENT ? c.config.synRetries() : c.config.synAckRetries();
            if (synTransmissions > limit)
            {
                c.engine.count(StackCounter.TCP_HANDSHAKE_TIMEOUTS);
                c.engine.terminate(c, TcpError.ETIMEDOUT);
                return;
            }
            c.rtt.onRetransmitTimeout();
            c.engine.count(StackCounter.TCP_RETRANSMIT_TIMEOUTS);
            sendSyn(now);
            return;
        }
        if (c.sndUna == c.sndMax)
        {
            return;
        }
        rtxExpiries++;
        if (rtxExpiries > c.config.dataRetries())
        {
            // RFC 9293 §3.8.3 R2: give up after enough retransmissions.
            c.engine.count(StackCounter.TCP_RETRANSMIT_GIVE_UPS);
            c.engine.terminate(c, TcpError.ETIMEDOUT);
            return;
        }
        c.engine.count(StackCounter.TCP_RETRANSMIT_TIMEOUTS);
        c.cc.onRetransmitTimeout(c.sndMax - c.sndUna, now);
        c.rtt.onRetransmitTimeout();
        // RFC 6582 §3.2 after a timeout: recover = the highest sequence sent, so that the
        // duplicates of the go-back-N retransmissions do not start a fast retransmit.
        inRecovery = false;
        recoverPoint = c.sndMax;
        dupAcks = 0;
        timing = false;
        // RFC 6675 §5.1: SACK information may be stale after a timeout; start afresh.
        c.scoreboard.reset(c.sndUna);
        highRxt = c.sndUna;
        c.sndNxt = c.sndUna;
        persistArmed = false;
        if (!sendNewData(Integer.MAX_VALUE, now, true))
        {
            retransmitAt(c.sndUna, now);
        }
        armRetransmit(now);
        output(now);
    }

    private void onPersistTimeout(final long now)
    {
        persistArmed = false;
        if (c.sndWnd != 0)
        {
            // RFC 9293 §3.8.6.2.1 (4), the override timeout: send what the small window takes.
            if (c.sndUna == c.sndMax && sendNewData(c.sndWnd, now, true))
            {
                armRetransmit(now);
            }
            return;
        }
        if (persistProbesUnanswered >= c.config.dataRetries())
        {
            // RFC 9293 §3.8.6.1 keeps a zero window open for as long as the peer answers the
            // probes; a peer that answered none of them is gone, as after unanswered
            // retransmissions (§3.8.3 R2; Linux bounds both by tcp_retries2).
            c.engine.count(StackCounter.TCP_RETRANSMIT_GIVE_UPS);
            c.engine.terminate(c, TcpError.ETIMEDOUT);
            return;
        }
        persistProbesUnanswered++;
        c.engine.count(StackCounter.TCP_ZERO_WINDOW_PROBES);
        // RFC 9293 §3.8.6.1 / RFC 1122 §4.2.2.17: probe with one byte of new data beyond the
        // zero window; the peer answers with its window. Resent at SND.UNA while unacknowledged.
        final int endOfData = c.sendBuffer.endSequence();
        if (c.sndUna != c.sndMax)
        {
            transmit(c.sndUna, Math.min(1, endOfData - c.sndUna), TcpHeader.ACK, now);
        }
        else if (endOfData != c.sndNxt)
        {
            final int seq = c.sndNxt;
            final int sent = transmit(seq, 1, TcpHeader.ACK, now);
            if (sent > 0)
            {
                c.sndNxt = seq + 1;
                c.sndMax = c.sndNxt;
            }
        }
        persistIntervalNanos = Math.min(Math.max(persistIntervalNanos, c.rtt.rtoNanos()) * 2,
            c.config.maxRtoNanos());
        persistArmed = true;
        persistDeadline = now + persistIntervalNanos;
    }

    private void onKeepAliveTimeout(final long now)
    {
        if (!keepAlive || !c.state.synchronizedState())
        {
            keepAliveArmed = false;
            return;
        }
        if (keepAliveProbesSent >= keepAliveProbes)
        {
            c.engine.count(StackCounter.TCP_KEEPALIVE_TIMEOUTS);
            c.engine.terminate(c, TcpError.ETIMEDOUT);
            return;
        }
        keepAliveProbesSent++;
        c.engine.count(StackCounter.TCP_KEEPALIVE_PROBES);
        sendKeepAlive(now);
        keepAliveDeadline = now + keepAliveIntervalNanos;
    }

    /** A path MTU decrease (RFC 1191): resend what is in flight at the new size. */
    void onMssReduced(final long now)
    {
        c.cc.onMssChange(c.sndMss);
        if (c.sndUna != c.sndMax)
        {
            c.sndNxt = c.sndUna;
            timing = false;
            output(now);
        }
    }
}
