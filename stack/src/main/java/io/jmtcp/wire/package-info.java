/**
 * Zero-copy views of the bytes on the wire: Ethernet (with 802.1Q tags), ARP, IPv4, ICMP, TCP
 * and TCP options, the Internet checksum, and MAC and IPv4 address helpers. The package knows
 * bytes only: no state beyond the view being read, no I/O, no clock, no protocol decisions.
 *
 * <p>Each header class is a reusable flyweight in the style of Agrona and Aeron: one instance
 * per context is wrapped over each received frame in turn.
 *
 * <pre>
 *   if (ethernet.wrap(buffer, offset, length) != DropReason.NONE) ...
 *   if (ip.wrap(buffer, ethernet.payloadOffset(), ethernet.payloadLength()) != DropReason.NONE) ...
 *   if (!ip.checksumValid()) ...                      // the caller decides what a bad checksum means
 *   if (tcp.wrap(buffer, ip.payloadOffset(), ip.payloadLength()) != DropReason.NONE) ...
 * </pre>
 *
 * <ul>
 *   <li>{@code wrap} checks lengths and structure once and returns a {@link io.jmtcp.wire.DropReason}
 *       instead of throwing; after {@link io.jmtcp.wire.DropReason#NONE} every accessor reads
 *       inside the bytes that were checked (smoltcp's "check_len" discipline).</li>
 *   <li>Offsets returned by {@code payloadOffset()} and the like are absolute indexes in the
 *       wrapped buffer, ready to wrap the next layer.</li>
 *   <li>Fields are read and written in network byte order, explicitly; MAC addresses are
 *       {@code long} (low 48 bits), IPv4 addresses and TCP sequence numbers {@code int}.</li>
 *   <li>No parse, accessor, checksum or write method allocates. Only the text helpers
 *       ({@code parse}, {@code format}) and the exceptions thrown for a programming error do.</li>
 *   <li>Checksums and fragmentation are queried, not enforced, so that a monitor reading
 *       captures can see past what a stack would drop.</li>
 * </ul>
 */
package io.jmtcp.wire;
