package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Stateless SYN cookies (RFC 4987 §3.6), for a listener whose SYN queue is full: instead of
 * keeping state for a SYN, the listener answers it with a SYN-ACK whose initial sequence number
 * encodes what the listener would have kept, authenticated with a keyed MAC, and rebuilds the
 * connection from the ACK that completes the handshake (that ACK acknowledges cookie + 1). A
 * spoofed SYN flood then costs nothing to hold, and only a peer that really received the SYN-ACK
 * can complete a connection. The design is Linux's ({@code net/ipv4/syncookies.c}).
 *
 * <p>The cookie, our ISN, is a secret per-connection offset plus 32 packed bits:
 *
 * <pre>
 *   cookie = F(tuple, peerIsn)
 *          + ((counter mod 8) &lt;&lt; 29 | mssIndex &lt;&lt; 27 | MAC(tuple, peerIsn, counter, mssIndex))
 *
 *    31  29 28 27 26                                                   0
 *   +------+-----+------------------------------------------------------+
 *   | ctr  | mss |                  MAC (27 bits)                       |
 *   +------+-----+------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>counter: {@code now} in units of {@link #PERIOD_NANOS} (64 s), so that a cookie expires.
 *       Only its low 3 bits travel; they pick which of the two acceptable counters the MAC is
 *       checked against, and reject an older one without computing a MAC at all.</li>
 *   <li>mssIndex: the peer's MSS, the one option a connection cannot do without, rounded down
 *       to an entry of {@link #MSS_TABLE}.</li>
 *   <li>MAC: SipHash-2-4 ({@link SipHash}) over the 4-tuple, the peer's ISN, the whole 64-bit
 *       counter and the MSS index. A forged or altered cookie is accepted with probability
 *       2<sup>-27</sup> per guess at a valid counter, so a random 32-bit guess passes with
 *       probability 2 / 8 &times; 2<sup>-27</sup> = 2<sup>-29</sup>. Covering the peer's ISN
 *       ties the cookie to one SYN; covering the full counter keeps a cookie from being replayed
 *       when the 3 travelling bits wrap.</li>
 *   <li>F: SipHash of the 4-tuple and the peer's ISN, without the counter. Linux adds the same
 *       kind of offset ({@code cookie_hash(.., 0)} plus the peer's ISN): without it the top bits
 *       of every cookie would be the public time counter, and an off-path attacker would have 29
 *       bits to guess rather than 32 when it tries to predict our ISN (RFC 6528 §2, §3).</li>
 * </ul>
 *
 * <p>The two SipHash inputs have different lengths (16 and 25 bytes), and SipHash folds the
 * length into its last block, so one key serves both as two independent functions. Each field is
 * in network byte order:
 *
 * <pre>
 *   0: local address (4) | 4: local port (2) | 6: remote address (4) | 10: remote port (2)
 *  12: peer's ISN (4)    | 16: counter (8, MAC only) | 24: MSS index (1, MAC only)
 * </pre>
 *
 * <p>Limits, as in Linux:
 * <ul>
 *   <li>The MSS is one of four values, the largest table entry not above the peer's MSS. A peer
 *       announcing less than 536 gets 536, the MSS every IPv4 host must accept (RFC 9293
 *       §3.7.1); a peer without an MSS option is taken at that default too.</li>
 *   <li>Window scaling, SACK permitted and the timestamp option do not fit in the ISN. When the
 *       peer's SYN carries timestamps, window scale and SACK permitted travel in the low bits of
 *       our TSval ({@link #encodeTimestamp}) and come back in the TSecr of the completing ACK.
 *       Without timestamps they are lost: a cookie connection then runs without window scaling
 *       (a window of at most 65,535 bytes, RFC 7323 §2.2) and without SACK. ECN negotiation is
 *       not encoded either.</li>
 *   <li>The SYN's data, if any, is not kept; the peer retransmits it.</li>
 *   <li>A cookie ISN does not advance with the ISN clock (RFC 9293 §3.4.1): it is a hash, not
 *       M + F. An old duplicate of a previous incarnation is left to TIME-WAIT and PAWS.</li>
 *   <li>A cookie is accepted for more than 64 s and at most 128 s after it was made: the
 *       counter it was made in and the next one pass {@link #check}. The completing ACK comes one
 *       round trip after the SYN-ACK, or a few retransmissions later; an older one is refused and
 *       the peer's retransmitted SYN gets a fresh cookie.</li>
 *   <li>Options on the completing ACK are not authenticated: a peer may claim another window
 *       scale or SACK in its TSecr, which it could have done in its SYN anyway.</li>
 * </ul>
 *
 * <p>Like {@link IsnGenerator}, an instance holds a scratch buffer and is owned by one thread;
 * {@link #copy()} gives another context cookies with the same key, so a cookie made by one
 * context checks in another. Nothing is allocated per cookie.
 */
public final class SynCookies
{
    /** What {@link #check} returns for a forged, altered or stale cookie. */
    public static final int INVALID = -1;

    /**
     * The MSS values a cookie can carry, ascending, Linux's IPv4 {@code msstab}: 536, the IPv4
     * default (RFC 9293 §3.7.1); 1300, common behind tunnels; 1440 and 1460, Ethernet with and
     * without some header overhead. Indexed by the 2-bit field of the cookie. Must not be
     * modified.
     */
    public static final int[] MSS_TABLE = {536, 1300, 1440, 1460};

    /** The time counter's unit: 64 seconds, as in Linux. */
    public static final long PERIOD_NANOS = 64_000_000_000L;

    /** Window scale field in the low bits of TSval: 0..14, or this value when the peer sent none. */
    private static final int TS_WSCALE_NONE = 0xF;
    private static final int TS_WSCALE_MASK = 0xF;
    private static final int TS_SACK = 0x10;
    /** The low TSval bits that carry options. */
    private static final int TS_BITS = 5;
    private static final int TS_MASK = (1 << TS_BITS) - 1;
    /** RFC 7323 §2.3: a shift count above 14 is used as 14. */
    private static final int MAX_WINDOW_SCALE = 14;

    private static final int MSS_BITS = 2;
    private static final int COUNTER_BITS = 3;
    private static final int MAC_BITS = Integer.SIZE - COUNTER_BITS - MSS_BITS;
    private static final int MAC_MASK = (1 << MAC_BITS) - 1;
    private static final int MSS_SHIFT = MAC_BITS;
    private static final int MSS_MASK = (1 << MSS_BITS) - 1;
    private static final int COUNTER_SHIFT = MAC_BITS + MSS_BITS;
    private static final int COUNTER_MASK = (1 << COUNTER_BITS) - 1;
    /** Counters accepted: the current one and this many before it. */
    private static final int MAX_AGE = 1;

    private static final int LOCAL_ADDRESS_OFFSET = 0;
    private static final int LOCAL_PORT_OFFSET = 4;
    private static final int REMOTE_ADDRESS_OFFSET = 6;
    private static final int REMOTE_PORT_OFFSET = 10;
    private static final int PEER_ISN_OFFSET = 12;
    private static final int OFFSET_INPUT_LENGTH = 16;
    private static final int COUNTER_OFFSET = 16;
    private static final int MSS_INDEX_OFFSET = 24;
    private static final int MAC_INPUT_LENGTH = 25;

    private final long key0;
    private final long key1;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAC_INPUT_LENGTH]);

    /**
     * Cookies with a given key, for tests and for contexts that must share one.
     *
     * @param key0 the first 64 bits of the secret SipHash key.
     * @param key1 the last 64 bits of the secret SipHash key.
     */
    public SynCookies(final long key0, final long key1)
    {
        this.key0 = key0;
        this.key1 = key1;
    }

    /**
     * Cookies with a fresh secret key from {@link SecureRandom}: whoever knows the key can forge
     * cookies (RFC 4987 §3.6: the MAC must use a secret).
     *
     * @return a new instance.
     */
    public static SynCookies withRandomKey()
    {
        final SecureRandom random = new SecureRandom();
        return new SynCookies(random.nextLong(), random.nextLong());
    }

    /**
     * Cookies with this instance's key, to be owned by another thread.
     *
     * @return a new instance whose cookies check here and the other way round.
     */
    public SynCookies copy()
    {
        return new SynCookies(key0, key1);
    }

    /**
     * The index in {@link #MSS_TABLE} of the largest entry not above {@code peerMss}, or 0 when
     * every entry is above it.
     *
     * @param peerMss the MSS the peer announced, or 536 when it announced none.
     * @return an index into {@link #MSS_TABLE}.
     */
    public static int mssIndex(final int peerMss)
    {
        int index = MSS_TABLE.length - 1;
        while (index > 0 && MSS_TABLE[index] > peerMss)
        {
            index--;
        }
        return index;
    }

    /**
     * Our ISN for a SYN answered with a cookie instead of state.
     *
     * @param localIp    our IPv4 address, as {@link io.jmtcp.wire.Ip4} holds it.
     * @param localPort  our port, 0..65535.
     * @param remoteIp   the peer's IPv4 address.
     * @param remotePort the peer's port, 0..65535.
     * @param peerIsn    the sequence number of the peer's SYN.
     * @param peerMss    the MSS the peer announced, or 536 when it announced none (RFC 9293 §3.7.1).
     * @param now        the context's time in nanoseconds, from any origin (negative is fine).
     * @return the ISN to send in the SYN-ACK.
     */
    public int cookie(final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn, final int peerMss, final long now)
    {
        final int offset = putTupleAndHash(localIp, localPort, remoteIp, remotePort, peerIsn);
        final long counter = Math.floorDiv(now, PERIOD_NANOS);
        final int index = mssIndex(peerMss);
        final int packed = ((int)counter & COUNTER_MASK) << COUNTER_SHIFT | index << MSS_SHIFT | mac(counter, index);
        // Modulo 2^32, like every sequence number (RFC 9293 §3.4).
        return offset + packed;
    }

    /**
     * Validates the ACK that completes a handshake answered with a cookie. The caller takes
     * {@code cookie = SEG.ACK - 1} and {@code peerIsn = SEG.SEQ - 1} from a segment with ACK set
     * and SYN, RST and FIN clear, for a 4-tuple with no connection, addressed to a listener. A
     * cookie passes if the MAC matches and it was made in the counter of {@code now} or the one
     * before, never in a later one: it is good for more than 64 s and at most 128 s.
     *
     * @param localIp    our IPv4 address.
     * @param localPort  our port.
     * @param remoteIp   the peer's IPv4 address.
     * @param remotePort the peer's port.
     * @param peerIsn    the peer's ISN, SEG.SEQ - 1 of the completing ACK.
     * @param cookie     our ISN, SEG.ACK - 1 of the completing ACK.
     * @param now        the context's time in nanoseconds, on the clock {@link #cookie} was given.
     * @return the MSS the cookie carries, an entry of {@link #MSS_TABLE}, or {@link #INVALID}.
     */
    public int check(final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn, final int cookie, final long now)
    {
        final int packed = cookie - putTupleAndHash(localIp, localPort, remoteIp, remotePort, peerIsn);
        final long current = Math.floorDiv(now, PERIOD_NANOS);
        // The age in counters, modulo 8: 0 or 1 may be valid, anything else cannot be.
        final int age = ((int)current - (packed >>> COUNTER_SHIFT)) & COUNTER_MASK;
        if (age > MAX_AGE)
        {
            return INVALID;
        }
        final int index = (packed >>> MSS_SHIFT) & MSS_MASK;
        if ((packed & MAC_MASK) != mac(current - age, index))
        {
            return INVALID;
        }
        return MSS_TABLE[index];
    }

    /**
     * Our TSval for a SYN-ACK carrying a cookie, when the peer's SYN carries timestamps: the
     * clock with its low 5 bits replaced by the options the ISN cannot hold, as Linux does
     * ({@code cookie_init_timestamp}). Bits 0..3 hold the peer's window shift (0xF for none), bit
     * 4 SACK permitted. The peer echoes the value in the TSecr of its ACK (RFC 7323 §3.2), where
     * {@link #decodeWindowScale} and {@link #decodeSackPermitted} read it back.
     *
     * <p>The result is never after {@code tsNow} (modulo 2<sup>32</sup>): if replacing the bits
     * would move it forward, it goes back 32 ticks instead. Our later TSvals come from the clock,
     * and one below this would fail the peer's PAWS check (RFC 7323 §5.3).
     *
     * @param tsNow         our timestamp clock now.
     * @param windowScale   the shift count in the peer's window scale option, -1 (or any negative)
     *                      when it sent none; above 14 is taken as 14 (RFC 7323 §2.3).
     * @param sackPermitted whether the peer's SYN carries SACK permitted (RFC 2018 §2).
     * @return the TSval to send.
     */
    public static int encodeTimestamp(final int tsNow, final int windowScale, final boolean sackPermitted)
    {
        int options = windowScale < 0 ? TS_WSCALE_NONE : Math.min(windowScale, MAX_WINDOW_SCALE);
        if (sackPermitted)
        {
            options |= TS_SACK;
        }
        final int tsVal = (tsNow & ~TS_MASK) | options;
        return tsVal - tsNow > 0 ? tsVal - (1 << TS_BITS) : tsVal;
    }

    /**
     * @param tsEcr the TSecr of the ACK completing a cookie handshake.
     * @return the peer's window shift count, 0..14, or -1 when it sent no window scale option.
     */
    public static int decodeWindowScale(final int tsEcr)
    {
        final int scale = tsEcr & TS_WSCALE_MASK;
        return scale == TS_WSCALE_NONE ? -1 : scale;
    }

    /**
     * @param tsEcr the TSecr of the ACK completing a cookie handshake.
     * @return whether the peer's SYN carried SACK permitted.
     */
    public static boolean decodeSackPermitted(final int tsEcr)
    {
        return (tsEcr & TS_SACK) != 0;
    }

    private int putTupleAndHash(final int localIp, final int localPort, final int remoteIp, final int remotePort,
        final int peerIsn)
    {
        scratch.putInt(LOCAL_ADDRESS_OFFSET, localIp, BIG_ENDIAN);
        scratch.putShort(LOCAL_PORT_OFFSET, (short)localPort, BIG_ENDIAN);
        scratch.putInt(REMOTE_ADDRESS_OFFSET, remoteIp, BIG_ENDIAN);
        scratch.putShort(REMOTE_PORT_OFFSET, (short)remotePort, BIG_ENDIAN);
        scratch.putInt(PEER_ISN_OFFSET, peerIsn, BIG_ENDIAN);
        return (int)SipHash.hash(key0, key1, scratch, 0, OFFSET_INPUT_LENGTH);
    }

    /** The MAC over the tuple and peer's ISN already in the scratch buffer, the counter and the MSS index. */
    private int mac(final long counter, final int mssIndex)
    {
        scratch.putLong(COUNTER_OFFSET, counter, BIG_ENDIAN);
        scratch.putByte(MSS_INDEX_OFFSET, (byte)mssIndex);
        return (int)SipHash.hash(key0, key1, scratch, 0, MAC_INPUT_LENGTH) & MAC_MASK;
    }
}
