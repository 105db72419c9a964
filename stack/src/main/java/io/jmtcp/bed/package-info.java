/**
 * The kernel-peer test bed: {@link io.jmtcp.bed.NetnsBed} gives the stack a private Linux peer in
 * its own network namespace over a veth pair, and {@link io.jmtcp.bed.HostTools} makes sure (and
 * if it can, installs) what the bed and the live pcap port need. It lives in the main sources
 * because the runnable demo and the benchmarks use it as well as the tests; JUnit tests reach it
 * through the {@code @KernelBed} annotation of the stack's test-jar.
 *
 * <p>Safety rules the package keeps: addresses only from 198.18.0.0/15 and only inside the
 * namespaces it created; every namespace and link it creates is removed on close, by a shutdown
 * hook, or by the next JVM's stale clean-up; it never touches a name it did not give or a bed of
 * a live process, and it kills only processes it started.
 */
package io.jmtcp.bed;
