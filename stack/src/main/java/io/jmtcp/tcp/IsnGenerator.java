package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;

import java.security.SecureRandom;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Initial sequence numbers as RFC 6528 §3 specifies them:
 *
 * <pre>
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 * </pre>
 *
 * <p>M is a timer that ticks every 4 microseconds (250,000 ticks a second; 2<sup>32</sup> ticks,
 * about 4.77 hours, before it wraps), the ISN clock of RFC 9293 §3.4.1, so that a new
 * incarnation of a connection starts ahead of the sequence numbers its predecessor used. M is
 * derived from the time passed in, never from a clock (the {@code tcp} layer reads none).
 *
 * <p>F is SipHash-2-4 ({@link SipHash}) keyed with a 128-bit secret (RFC 6528 §3: "key lengths
 * of 128 bits should be adequate"), over these 12 bytes, each field in network byte order:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Local Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Local Port           |      Remote Address ...       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   ... Remote Address          |          Remote Port          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>and its low 32 bits are taken. F is a keyed PRF rather than a plain hash because RFC 6528 §3
 * requires that F "MUST NOT be computable from the outside": an off-path attacker who sees the
 * ISNs of its own connections learns nothing about the ISN of anyone else's 4-tuple, while for
 * one 4-tuple the ISN still advances with M. SipHash is what Linux uses for the same job.
 *
 * <p>A generator holds a 12-byte scratch buffer and is therefore owned by one thread, like
 * everything a context owns; {@link #copy()} gives another context a generator with the same key.
 * Nothing is allocated per ISN.
 */
public final class IsnGenerator
{
    /** RFC 6528 §3: "M is the 4 microsecond timer". */
    public static final long TICK_NANOS = 4_000;

    private static final int TUPLE_LENGTH = 12;
    private static final int LOCAL_ADDRESS_OFFSET = 0;
    private static final int LOCAL_PORT_OFFSET = 4;
    private static final int REMOTE_ADDRESS_OFFSET = 6;
    private static final int REMOTE_PORT_OFFSET = 10;

    private final long key0;
    private final long key1;
    private final UnsafeBuffer tuple = new UnsafeBuffer(new byte[TUPLE_LENGTH]);

    /**
     * A generator with a given key, for tests and for contexts that must share one.
     *
     * @param key0 the first 64 bits of the secret key (SipHash's k0).
     * @param key1 the last 64 bits of the secret key (SipHash's k1).
     */
    public IsnGenerator(final long key0, final long key1)
    {
        this.key0 = key0;
        this.key1 = key1;
    }

    /**
     * A generator with a fresh secret key drawn from {@link SecureRandom}: the secret must not be
     * guessable (RFC 6528 §3; RFC 4086 on where such randomness comes from).
     *
     * @return a new generator.
     */
    public static IsnGenerator withRandomKey()
    {
        final SecureRandom random = new SecureRandom();
        return new IsnGenerator(random.nextLong(), random.nextLong());
    }

    /**
     * A generator with this one's key, to be owned by another thread.
     *
     * @return a new generator that gives the same ISNs as this one.
     */
    public IsnGenerator copy()
    {
        return new IsnGenerator(key0, key1);
    }

    /**
     * The ISN for a connection's 4-tuple at a given time (RFC 6528 §3).
     *
     * @param localAddress  our IPv4 address, as {@link io.jmtcp.wire.Ip4} holds it.
     * @param localPort     our port, 0..65535.
     * @param remoteAddress the peer's IPv4 address.
     * @param remotePort    the peer's port, 0..65535.
     * @param nowNanos      the context's time in nanoseconds, from any origin (negative is fine).
     * @return the initial sequence number.
     */
    public int isn(final int localAddress, final int localPort, final int remoteAddress, final int remotePort,
        final long nowNanos)
    {
        tuple.putInt(LOCAL_ADDRESS_OFFSET, localAddress, BIG_ENDIAN);
        tuple.putShort(LOCAL_PORT_OFFSET, (short)localPort, BIG_ENDIAN);
        tuple.putInt(REMOTE_ADDRESS_OFFSET, remoteAddress, BIG_ENDIAN);
        tuple.putShort(REMOTE_PORT_OFFSET, (short)remotePort, BIG_ENDIAN);
        final long f = SipHash.hash(key0, key1, tuple, 0, TUPLE_LENGTH);
        // Floor division keeps M ticking evenly through time 0 (a nanoTime origin may put "now"
        // on either side of it); only the low 32 bits of M + F matter, as the sum wraps modulo
        // 2^32 like every sequence number (RFC 9293 §3.4).
        final long m = Math.floorDiv(nowNanos, TICK_NANOS);
        return (int)(m + f);
    }
}
