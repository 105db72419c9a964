package io.jmtcp.net;

/**
 * Told of each ICMP echo reply that answers the stack's own pinger
 * ({@link NetworkLayer#sendEchoRequest}).
 */
@FunctionalInterface
public interface EchoListener
{
    /**
     * @param source        who replied.
     * @param identifier    the echo identifier.
     * @param sequence      the echo sequence number.
     * @param payloadLength bytes of payload in the reply.
     * @param rttNanos      round-trip time by the context's clock, -1 if the payload was too short
     *                      to carry the send time.
     */
    void onEchoReply(int source, int identifier, int sequence, int payloadLength, long rttNanos);
}
