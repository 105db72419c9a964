package io.jmtcp.bed;

/**
 * Closes a bed resource when the JVM exits without its owner closing it (System.exit, SIGTERM),
 * so no namespace or veth outlives the process that made it. A JVM killed outright is covered by
 * {@link NetnsBed#cleanStale()} at the next start instead.
 */
final class ExitCleanup
{
    private Thread hook;

    private ExitCleanup(final Thread hook)
    {
        this.hook = hook;
    }

    /**
     * Register a shutdown hook that closes {@code resource}.
     *
     * @param threadName names the hook thread, after the resource.
     * @param resource   what to close at exit.
     * @return the registration, to {@link #cancel()} when the owner closes the resource itself.
     */
    static ExitCleanup register(final String threadName, final AutoCloseable resource)
    {
        final Thread hook = new Thread(() ->
        {
            try
            {
                resource.close();
            }
            catch (final Exception ex)
            {
                // A shutdown hook has no caller to throw to; stderr is the last place anyone looks.
                System.err.println("jmtcp: " + ex.getMessage());
            }
        }, threadName);
        Runtime.getRuntime().addShutdownHook(hook);
        return new ExitCleanup(hook);
    }

    /** Remove the hook. Idempotent; a no-op once the JVM is already shutting down. */
    void cancel()
    {
        final Thread registered;
        synchronized (this)
        {
            registered = hook;
            hook = null;
        }
        if (registered != null)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(registered);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is already shutting down (perhaps this is the hook): nothing to remove.
            }
        }
    }
}
