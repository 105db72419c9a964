package io.jmtcp.tcp.cc;

/**
 * Makes one {@link CongestionControl} per connection; configured once per stack, called when a
 * connection object is created (pooled connections reuse theirs through
 * {@link CongestionControl#reset}).
 */
@FunctionalInterface
public interface CongestionControlFactory
{
    /**
     * @return a new algorithm instance for one connection.
     */
    CongestionControl newInstance();
}
