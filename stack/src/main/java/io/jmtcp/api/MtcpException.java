package io.jmtcp.api;

import java.io.IOException;

/**
 * A socket call of the Java layer ({@link TcpChannel}, {@link TcpServerChannel}) failed: the
 * errno and the call that returned it.
 */
public final class MtcpException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param call  the API call that failed ("connect").
     * @param errno its {@link Errno}.
     */
    public MtcpException(final String call, final int errno)
    {
        super(call + ": " + Errno.name(errno) + " (" + Errno.message(errno) + ")");
        this.errno = errno;
    }

    /** @return the {@link Errno}. */
    public int errno()
    {
        return errno;
    }
}
