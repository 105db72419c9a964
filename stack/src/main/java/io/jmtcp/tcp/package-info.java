/**
 * The TCP engine's sans-I/O parts (DESIGN.md §2): no threads, no clocks (time comes in as a
 * parameter), no I/O, nothing allocated per segment.
 *
 * <p>What is here now, for the engine of issue 3 to build on:
 * <ul>
 *   <li>{@link io.jmtcp.tcp.SequenceNumbers}: modulo-2<sup>32</sup> comparison and the RFC 9293
 *       §3.10.7.4 segment acceptability test;</li>
 *   <li>{@link io.jmtcp.tcp.IsnGenerator} over {@link io.jmtcp.tcp.SipHash}: initial sequence
 *       numbers per RFC 6528;</li>
 *   <li>{@link io.jmtcp.tcp.RttEstimator}: SRTT, RTTVAR and RTO with backoff per RFC 6298;</li>
 *   <li>{@link io.jmtcp.tcp.SendBuffer}: unacknowledged and unsent bytes, retransmission copies
 *       from any held sequence number;</li>
 *   <li>{@link io.jmtcp.tcp.ReceiveBuffer}: in-order bytes plus bounded out-of-order reassembly
 *       and RFC 2018 §4 SACK blocks;</li>
 *   <li>{@link io.jmtcp.tcp.SackScoreboard}: the sender's SACK scoreboard and the IsLost, NextSeg
 *       and SetPipe routines of RFC 6675 §4, tolerating RFC 2883 D-SACK blocks.</li>
 * </ul>
 * The connection state machine, congestion control, timers and options handling are not written
 * yet; until they are, the network layer counts TCP segments as {@code tcp no socket}.
 */
package io.jmtcp.tcp;
