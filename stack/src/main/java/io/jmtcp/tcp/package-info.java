/**
 * The TCP engine (DESIGN.md §2): sans-I/O, no threads, no clocks (time comes in as a parameter),
 * segments leave through a {@link io.jmtcp.tcp.SegmentOutput}, nothing allocated per segment.
 *
 * <p>Where things are:
 * <ul>
 *   <li>{@link io.jmtcp.tcp.TcpEngine}: one per context: flow table, listeners, TIME_WAIT
 *       records, the timer wheel, segments for no connection (RST, RFC 9293 §3.10.7.1), LISTEN
 *       (§3.10.7.2) with SYN cookies, ICMP errors, and event dispatch to
 *       {@link io.jmtcp.tcp.TcpHandler}s;</li>
 *   <li>{@link io.jmtcp.tcp.TcpConnection}: the TCB and SEGMENT ARRIVES (RFC 9293 §3.10.7.3–4)
 *       in the RFC's order, with RFC 5961 and RFC 7323 PAWS; the application calls;</li>
 *   <li>{@code TcpSender}: ACK processing, output (Nagle, SWS avoidance, windows), loss recovery
 *       (RFC 5681, 6582, 6675), timers (RFC 6298 RTO, persist, delayed ACK, keepalive,
 *       FIN_WAIT_2) and segment building with options;</li>
 *   <li>{@link io.jmtcp.tcp.SequenceNumbers}: modulo-2<sup>32</sup> comparison and the RFC 9293
 *       §3.10.7.4 segment acceptability test;</li>
 *   <li>{@link io.jmtcp.tcp.IsnGenerator} over {@link io.jmtcp.tcp.SipHash}: initial sequence
 *       numbers per RFC 6528;</li>
 *   <li>{@link io.jmtcp.tcp.RttEstimator}: SRTT, RTTVAR and RTO with backoff per RFC 6298;</li>
 *   <li>{@link io.jmtcp.tcp.SendBuffer}: unacknowledged and unsent bytes, retransmission copies
 *       from any held sequence number;</li>
 *   <li>{@link io.jmtcp.tcp.ReceiveBuffer}: in-order bytes plus bounded out-of-order reassembly
 *       and RFC 2018 §4 SACK blocks;</li>
 *   <li>{@link io.jmtcp.tcp.SackScoreboard}: the sender's RFC 6675 scoreboard (IsLost, NextSeg,
 *       SetPipe), D-SACK tolerated;</li>
 *   <li>{@link io.jmtcp.tcp.SynCookies}: stateless SYN cookies (RFC 4987 §3.6) with window scale
 *       and SACK in the timestamp;</li>
 *   <li>{@link io.jmtcp.tcp.TimeWaitTable}: TIME_WAIT as compact records, with RFC 1337 and
 *       RFC 6191;</li>
 *   <li>{@code io.jmtcp.tcp.cc}: pluggable congestion control, NewReno (RFC 5681) and CUBIC
 *       (RFC 9438).</li>
 * </ul>
 */
package io.jmtcp.tcp;
