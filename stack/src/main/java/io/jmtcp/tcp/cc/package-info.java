/**
 * Congestion control (RFC 5681 §3): the {@link io.jmtcp.tcp.cc.CongestionControl} contract
 * between the sender and an algorithm, and the algorithms, {@link io.jmtcp.tcp.cc.NewReno} and
 * {@link io.jmtcp.tcp.cc.Cubic}, which {@link io.jmtcp.tcp.cc.CongestionControls} names for a
 * stack's configuration. Sans-I/O like the rest of {@code io.jmtcp.tcp}: time is passed in and
 * nothing is allocated after construction.
 */
package io.jmtcp.tcp.cc;
