package io.jmtcp.port;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.DirectBuffer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A {@link PacketPort} on a live Ethernet interface through libpcap (pcap4j): receives with
 * {@code pcap_dispatch} in immediate, non-blocking mode and sends with {@code pcap_sendpacket}.
 *
 * <p><b>Receive</b> calls {@code pcap_dispatch} through {@link PcapDispatch}, our own JNA mapping
 * with one long-lived callback, and hands each frame over as a view of libpcap's ring slot: no
 * copy of ours per frame (JNA still boxes the callback's arguments). It never blocks, and returns
 * 0 when the ring is empty. pcap4j opens, configures, filters and closes the handle.
 *
 * <p><b>Send</b> copies the frame into one reused {@code byte[]} and injects it at once, so
 * {@link #flush()} has nothing to do.
 *
 * <p>Failures in the packet path are counted, never thrown. The owner thread receives, sends and
 * waits; {@link #close()} may come from any thread (it waits for a batch or a wait in progress),
 * and the counters may be read from any thread.
 *
 */
public final class PcapPort implements PacketPort
{
    /** libpcap's PCAP_ERROR_NO_SUCH_DEVICE. */
    private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    /** libpcap's PCAP_ERROR_PERM_DENIED. */
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    /** libpcap's PCAP_ERROR_IFACE_NOT_UP. */
    private static final int PCAP_ERROR_IFACE_NOT_UP = -9;
    private static final Path PROC_NET_DEV = Path.of("/proc/self/net/dev");

    private static final int RX_FRAMES = 0;
    private static final int TX_FRAMES = 1;
    private static final int RX_ERRORS = 2;
    private static final int TX_ERRORS = 3;

    private final PcapHandle handle;
    private final String name;
    private final int maxFrameLength;
    private final byte[] txBytes;
    private final AtomicLongArray counters = new AtomicLongArray(4);
    private final PcapDispatch dispatcher;
    /** Null if libpcap gives the handle no selectable descriptor: the owner then parks. */
    private final FdWaiter waiter;
    private Thread dispatchingThread;
    private boolean closeRequested;
    private volatile boolean closed;

    /**
     * What libpcap reports about the handle's ring.
     *
     * @param received           frames the kernel passed to the handle's filter.
     * @param dropped            frames dropped because the ring was full (the application is too slow).
     * @param droppedByInterface frames the interface or driver dropped.
     */
    public record LibpcapStats(long received, long dropped, long droppedByInterface)
    {
    }

    private PcapPort(final PcapHandle handle, final PcapPortConfig config) throws PortException
    {
        this.handle = handle;
        this.dispatcher = new PcapDispatch(handle);
        final int fd = dispatcher.selectableFd();
        this.waiter = fd >= 0 ? new FdWaiter(fd) : null;
        this.name = config.interfaceName();
        this.maxFrameLength = config.maxFrameLength();
        this.txBytes = new byte[config.maxFrameLength()];
    }

    /**
     * Open a live interface.
     *
     * @param config what to open and how.
     * @return the open port.
     * @throws PortException naming the interface and the likely fix: libpcap missing, interface
     *                       absent or down, no permission (not root, no CAP_NET_RAW), a filter that
     *                       does not compile, an interface that is not Ethernet.
     */
    public static PcapPort open(final PcapPortConfig config) throws PortException
    {
        PcapLibrary.ensureLoaded();
        final String name = config.interfaceName();
        final List<String> known = linuxInterfaces();
        if (null != known && !known.contains(name))
        {
            throw noSuchInterface(name, known);
        }

        final PcapHandle handle;
        try
        {
            handle = new PcapHandle.Builder(name)
                .snaplen(config.snaplen())
                .bufferSize(config.bufferSize())
                .promiscuousMode(config.promiscuous() ?
                    PcapNetworkInterface.PromiscuousMode.PROMISCUOUS :
                    PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .immediateMode(true)
                .direction(PcapPortConfig.Direction.IN == config.direction() ?
                    PcapHandle.PcapDirection.IN : PcapHandle.PcapDirection.INOUT)
                .build();
        }
        catch (final PcapNativeException e)
        {
            throw openFailure(name, e, known);
        }

        try
        {
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            if (DataLinkType.EN10MB.value().intValue() != handle.getDlt().value().intValue())
            {
                throw new PortException("interface '" + name + "' is not Ethernet (link type " + handle.getDlt() +
                    "): a PcapPort carries Ethernet frames only");
            }
            if (null != config.filter())
            {
                try
                {
                    handle.setFilter(config.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                }
                catch (final PcapNativeException e)
                {
                    throw new PortException("BPF filter '" + config.filter() + "' for interface '" + name +
                        "' does not compile: " + e.getMessage() + " (tcpdump -d '<filter>' shows what libpcap accepts)", e);
                }
            }
            return new PcapPort(handle, config);
        }
        catch (final PcapNativeException | NotOpenException e)
        {
            handle.close();
            throw new PortException("cannot set up capture on interface '" + name + "': " + e.getMessage(), e);
        }
        catch (final PortException e)
        {
            handle.close();
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Never blocks. A libpcap error is counted in {@link #rxErrors()} and ends the batch. If the
     * handler throws, the rest of the batch (already taken from the ring) is still delivered to it
     * and the first exception is rethrown afterwards.
     */
    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        if (closed || limit <= 0)
        {
            return 0;
        }
        dispatchingThread = Thread.currentThread();
        final int status;
        try
        {
            status = dispatcher.dispatch(handler, limit);
        }
        finally
        {
            dispatchingThread = null;
            final int frames = dispatcher.delivered();
            if (frames > 0)
            {
                counters.setRelease(RX_FRAMES, counters.getPlain(RX_FRAMES) + frames);
            }
            if (closeRequested)
            {
                handle.close();
            }
        }
        if (status < 0)
        {
            increment(RX_ERRORS);
            return 0;
        }
        return status;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Injects the frame at once. A frame that is empty, longer than {@link #maxFrameLength()},
     * sent on a closed port or rejected by libpcap is counted in {@link #txErrors()}.
     */
    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed || length <= 0 || length > maxFrameLength)
        {
            increment(TX_ERRORS);
            return false;
        }
        buffer.getBytes(offset, txBytes, 0, length);
        try
        {
            handle.sendPacket(txBytes, length);
        }
        catch (final PcapNativeException | NotOpenException e)
        {
            increment(TX_ERRORS);
            return false;
        }
        increment(TX_FRAMES);
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Always 0: {@link #send} has already injected the frame.
     */
    @Override
    public int flush()
    {
        return 0;
    }

    @Override
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * {@inheritDoc}
     *
     * @return the interface name.
     */
    @Override
    public String name()
    {
        return name;
    }

    /**
     * Frames delivered to handlers.
     *
     * @return the count.
     */
    public long rxFrames()
    {
        return counters.getAcquire(RX_FRAMES);
    }

    /**
     * Frames injected.
     *
     * @return the count.
     */
    public long txFrames()
    {
        return counters.getAcquire(TX_FRAMES);
    }

    /**
     * Receive calls that libpcap failed.
     *
     * @return the count.
     */
    public long rxErrors()
    {
        return counters.getAcquire(RX_ERRORS);
    }

    /**
     * Frames refused: invalid length, port closed or libpcap failed to inject.
     *
     * @return the count.
     */
    public long txErrors()
    {
        return counters.getAcquire(TX_ERRORS);
    }

    /**
     * Ask libpcap for the ring's counters ({@code pcap_stats}). A system call: for a stats
     * reader's schedule, not for the packet path. Owner thread only.
     *
     * @return the counters since the handle was opened.
     * @throws PortException if the port is closed or libpcap fails.
     */
    public LibpcapStats libpcapStats() throws PortException
    {
        try
        {
            final PcapStat stat = handle.getStats();
            return new LibpcapStats(
                stat.getNumPacketsReceived(), stat.getNumPacketsDropped(), stat.getNumPacketsDroppedByIf());
        }
        catch (final PcapNativeException | NotOpenException e)
        {
            throw new PortException("cannot read libpcap statistics of interface '" + name + "': " + e, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Polls the handle's selectable descriptor beside an eventfd that {@link #wakeUp()} writes
     * (libpcap in immediate mode has no read timeout of its own: PACKET-IO-NOTES.md pitfall 5).
     */
    @Override
    public boolean awaitFrames(final long maxNanos)
    {
        if (waiter == null || closed)
        {
            // Closed: the caller parks rather than spin on a wait that returns at once.
            return false;
        }
        dispatcher.await(waiter, maxNanos);
        return true;
    }

    @Override
    public boolean wakeUp()
    {
        if (waiter == null)
        {
            return false;
        }
        waiter.wakeUp();
        return true;
    }

    /**
     * Close the libpcap handle. Idempotent. Safe from the handler inside {@link #receive} (the
     * handle then closes when the batch returns) and from another thread (it waits for a running
     * batch, through pcap4j's handle lock).
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (waiter != null)
            {
                // A wait in progress ends now and releases the handle lock close needs; the
                // eventfd closes last, once no waker is inside wakeUp().
                waiter.wakeUp();
            }
            if (dispatchingThread == Thread.currentThread())
            {
                // Called from the handler, inside pcap_dispatch: libpcap is still walking the
                // ring, so the handle is closed when the batch returns (see receive).
                closeRequested = true;
            }
            else
            {
                handle.close();
            }
            if (waiter != null)
            {
                waiter.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "PcapPort{" + name + ", rx=" + rxFrames() + ", tx=" + txFrames() + ", rxErrors=" + rxErrors() +
            ", txErrors=" + txErrors() + (closed ? ", closed" : "") + '}';
    }

    private void increment(final int index)
    {
        counters.setRelease(index, counters.getPlain(index) + 1);
    }

    /**
     * The interfaces of this process's network namespace, or null where the kernel has no
     * {@code /proc/self/net/dev} to ask (not Linux). {@code /proc/self/net} follows the process's
     * own namespace, unlike {@code /sys/class/net}, which shows the namespace /sys was mounted in.
     */
    private static List<String> linuxInterfaces()
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(PROC_NET_DEV);
        }
        catch (final IOException e)
        {
            return null;
        }
        final List<String> names = new ArrayList<>();
        for (final String line : lines)
        {
            final int colon = line.indexOf(':');
            // The two header lines have '|' separators and no colon.
            if (colon > 0)
            {
                names.add(line.substring(0, colon).trim());
            }
        }
        names.sort(null);
        return names;
    }

    private static PortException noSuchInterface(final String name, final List<String> known)
    {
        return new PortException("interface '" + name + "' does not exist" +
            (null == known ? "" : " (this namespace has: " + String.join(", ", known) + ")") +
            "; check the name with 'ip link', and that the port runs in the network namespace that holds it");
    }

    private static PortException openFailure(final String name, final PcapNativeException e, final List<String> known)
    {
        final Integer code = e.getReturnCode();
        final String text = String.valueOf(e.getMessage());
        final String lower = text.toLowerCase(Locale.ROOT);
        if ((null != code && PCAP_ERROR_PERM_DENIED == code) ||
            lower.contains("permission") || lower.contains("not permitted"))
        {
            return new PortException("no permission to capture on interface '" + name + "' (" + text + "): run as " +
                "root, or give the JVM CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode), for example " +
                "'setcap cap_net_raw,cap_net_admin+ep <path of the java binary>'", e);
        }
        if ((null != code && PCAP_ERROR_NO_SUCH_DEVICE == code) || lower.contains("no such device"))
        {
            final PortException missing = noSuchInterface(name, known);
            missing.initCause(e);
            return missing;
        }
        if ((null != code && PCAP_ERROR_IFACE_NOT_UP == code) || lower.contains("not up"))
        {
            return new PortException("interface '" + name + "' is down (" + text + "): 'ip link set " + name + " up'", e);
        }
        return new PortException("cannot open interface '" + name + "': " + text, e);
    }
}
