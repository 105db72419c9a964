package io.jmtcp.tcp;

/**
 * What an application hears from the engine, on the context's thread (the run-to-completion
 * mode of DESIGN.md §3). The engine calls these after it finished processing a segment or a
 * timer, never from inside its own state changes, so a handler may call any engine method.
 *
 * <p>Every method has an empty default: implement what you need.
 */
public interface TcpHandler
{
    /**
     * A listener has at least one connection to {@link TcpEngine#accept accept}.
     *
     * @param listener the listener.
     */
    default void onAcceptable(final TcpListener listener)
    {
    }

    /**
     * An active open completed its handshake (ESTABLISHED).
     *
     * @param connection the connection.
     */
    default void onConnected(final TcpConnection connection)
    {
    }

    /**
     * Data arrived, or the peer's FIN (then {@link TcpConnection#receive} returns
     * {@link TcpConnection#EOF} once the data is read).
     *
     * @param connection the connection.
     */
    default void onReadable(final TcpConnection connection)
    {
    }

    /**
     * Send-buffer space was freed by acknowledgments.
     *
     * @param connection the connection.
     */
    default void onWritable(final TcpConnection connection)
    {
    }

    /**
     * The connection ended: CLOSED or TIME_WAIT; {@link TcpConnection#error()} says why (0 for an
     * orderly close). The application must still {@link TcpConnection#close()} a connection it
     * holds, which releases it; after that the object must not be used.
     *
     * @param connection the connection.
     */
    default void onClosed(final TcpConnection connection)
    {
    }
}
