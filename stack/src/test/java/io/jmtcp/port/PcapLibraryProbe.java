package io.jmtcp.port;

import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link PcapLibraryTest}: a failed libpcap load is final for a JVM, so
 * each failure path needs a fresh one. Prints one line per attempt: the outcome and the message.
 */
public final class PcapLibraryProbe
{
    private PcapLibraryProbe()
    {
    }

    /**
     * Try to load libpcap twice.
     *
     * @param args the directory to search, when given.
     */
    public static void main(final String[] args)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                final String version = 0 == args.length ?
                    PcapLibrary.ensureLoaded() : PcapLibrary.ensureLoaded(List.of(Path.of(args[0])));
                System.out.println("loaded\t" + version + "\t" + System.getProperty(PcapLibrary.LIBRARY_PROPERTY));
            }
            catch (final PortException e)
            {
                System.out.println("failed\t" + e.getMessage());
            }
        }
    }
}
