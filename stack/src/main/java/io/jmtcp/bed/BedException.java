package io.jmtcp.bed;

/**
 * The kernel test bed or the host tools it needs could not do what was asked: a command failed
 * or timed out, a prerequisite is missing, or a clean-up left something behind. The message
 * names the command, its exit code and what it printed on stderr, because that text is usually
 * the whole diagnosis ("RTNETLINK answers: File exists").
 */
public class BedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failure described by a message.
     *
     * @param message what went wrong, including the failing command's own words.
     */
    public BedException(final String message)
    {
        super(message);
    }

    /**
     * A failure caused by another exception.
     *
     * @param message what went wrong.
     * @param cause   the underlying exception.
     */
    public BedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
