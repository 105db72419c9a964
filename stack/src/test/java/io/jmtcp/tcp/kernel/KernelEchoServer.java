package io.jmtcp.tcp.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A kernel TCP echo server for the multi-context tests, run in the bed's namespace in a JVM of
 * its own: {@code KernelEchoServer PORT} accepts any number of connections, echoes each on a
 * thread of its own until EOF, then closes it. Prints {@code listening} once it accepts; runs
 * until killed.
 */
public final class KernelEchoServer
{
    private KernelEchoServer()
    {
    }

    /**
     * @param args the port.
     * @throws IOException if the port cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        try (ServerSocket server = new ServerSocket())
        {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(Integer.parseInt(args[0])), 128);
            System.out.println("listening");
            System.out.flush();
            while (true)
            {
                final Socket socket = server.accept();
                final Thread thread = new Thread(() -> echo(socket), "echo");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void echo(final Socket socket)
    {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream())
        {
            final byte[] block = new byte[16 * 1024];
            int n;
            while ((n = in.read(block)) > 0)
            {
                out.write(block, 0, n);
            }
        }
        catch (final IOException ex)
        {
            System.out.println("error=" + ex.getMessage());
        }
    }
}
