package io.jmtcp.port;

import java.io.IOException;

/**
 * A port could not be opened, or libpcap could not be loaded. The message names the interface
 * (or library) and the likely fix, so that it can be shown to an operator as it is.
 */
public final class PortException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failure with no underlying exception.
     *
     * @param message what failed and how to fix it.
     */
    public PortException(final String message)
    {
        super(message);
    }

    /**
     * A failure caused by another exception.
     *
     * @param message what failed and how to fix it.
     * @param cause   the underlying exception.
     */
    public PortException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
