package io.jmtcp.port;

import java.io.IOException;

/**
 * A capture file that is not well formed: bad magic, a block whose length fields disagree, a
 * record longer than the snapshot length or the read buffer, a record cut short by the end of
 * the file. The message names the file, the byte offset where the problem starts and what is wrong.
 */
public final class PcapFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** Byte offset of the malformed part from the start of the file. */
    private final long offset;

    /**
     * A format error.
     *
     * @param file   the file's name, for the message.
     * @param offset of the header, block or record that is malformed, from the start of the file.
     * @param detail what is wrong.
     */
    public PcapFormatException(final String file, final long offset, final String detail)
    {
        super(file + ": " + detail + " (at byte offset " + offset + ")");
        this.offset = offset;
    }

    /**
     * Where the malformed part starts.
     *
     * @return the byte offset from the start of the file.
     */
    public long offset()
    {
        return offset;
    }
}
