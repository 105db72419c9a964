package io.jmtcp.port;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.core.PcapHandle;

import org.agrona.LangUtil;

import java.lang.reflect.Field;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code pcap_dispatch} on a pcap4j handle through a JNA direct mapping of our own, with one
 * callback for the port's whole life, delivering each frame as a view of libpcap's ring slot.
 *
 * <p>Why not {@code PcapHandle.dispatch}: pcap4j wraps the listener in a new JNA callback object
 * on every call, so JNA builds a native trampoline per call and its cleaner thread frees it
 * later; on two vCPUs the cleaner falls behind, the survivors pile up, young GC pauses grow to
 * 100-250 ms and the ring overflows (the {@code PcapVethBenchmark} findings). pcap4j also copies
 * every frame into a new {@code byte[]} and builds a {@code Timestamp} for it. Here the callback
 * is created once, so JNA reuses its trampoline, and the frame is wrapped where libpcap put it.
 * pcap4j still opens, configures, filters and closes the handle.
 *
 * <p>Each call holds pcap4j's own handle read lock, as {@code PcapHandle.dispatch} does, so a
 * {@code PcapHandle.close()} from another thread waits for the batch to end instead of freeing
 * the ring under libpcap. Owner thread only. The frame view is valid only during
 * {@link FrameHandler#onFrame}, as the {@link PacketPort} contract says.
 *
 * <p>The header layout is that of 64-bit Linux (a 16-byte {@code struct timeval} before caplen);
 * {@link #PcapDispatch} refuses other platforms rather than misread it.
 */
final class PcapDispatch
{
    /** {@code struct pcap_pkthdr} on LP64 Linux: {@code struct timeval} (16 bytes), then caplen. */
    private static final int CAPLEN_OFFSET = 16;

    static
    {
        Native.register(PcapDispatch.class,
            NativeLibrary.getInstance(System.getProperty(PcapLibrary.LIBRARY_PROPERTY, "pcap")));
    }

    /** libpcap's {@code pcap_handler}. */
    interface PacketCallback extends Callback
    {
        /**
         * @param user   the user argument of {@code pcap_dispatch} (unused).
         * @param header the frame's {@code struct pcap_pkthdr}.
         * @param bytes  the frame.
         */
        void invoke(Pointer user, Pointer header, Pointer bytes);
    }

    private static native int pcap_dispatch(Pointer pcap, int count, PacketCallback callback, Pointer user);

    private static native void pcap_breakloop(Pointer pcap);

    private static native int pcap_get_selectable_fd(Pointer pcap);

    private final PcapHandle handle;
    private final Pointer pcap;
    private final Lock handleReadLock;
    private final UnsafeBuffer frame = new UnsafeBuffer(0L, 0);
    // One callback for the dispatcher's life, held in a final field: JNA keys its native
    // trampoline weakly on this object, so it is built once and stays while the port lives.
    // Creating one per call is the pcap4j cost this class exists to avoid.
    private final PacketCallback callback = new PacketCallback()
    {
        @Override
        public void invoke(final Pointer user, final Pointer header, final Pointer bytes)
        {
            onPacket(header, bytes);
        }
    };
    private FrameHandler downstream;
    private int delivered;
    private Throwable handlerFailure;

    /**
     * @param handle an open pcap4j handle.
     * @throws PortException if this is not 64-bit Linux, or the handle's internals cannot be reached.
     */
    PcapDispatch(final PcapHandle handle) throws PortException
    {
        if (Native.LONG_SIZE != Long.BYTES || !System.getProperty("os.name", "").startsWith("Linux"))
        {
            throw new PortException("the pcap port reads struct pcap_pkthdr as laid out on 64-bit Linux; this is " +
                System.getProperty("os.name") + " with " + (Native.LONG_SIZE * 8) + "-bit longs");
        }
        this.handle = handle;
        this.pcap = (Pointer)field(handle, "handle");
        this.handleReadLock = ((ReentrantReadWriteLock)field(handle, "handleLock")).readLock();
    }

    /**
     * Deliver up to {@code limit} frames waiting in the ring to {@code handler}. Afterwards
     * {@link #delivered()} tells how many the handler saw, also when this throws.
     *
     * @param handler told of each frame.
     * @param limit   the most frames to deliver.
     * @return frames delivered, or a negative libpcap status ({@code PCAP_ERROR} -1,
     *         {@code PCAP_ERROR_BREAK} -2), or 0 when the handle is closed.
     * @throws RuntimeException or {@link Error}: the first the handler threw, after the batch (the
     *         frames already taken from the ring are still delivered; an {@link Error} ends the
     *         batch at once).
     */
    int dispatch(final FrameHandler handler, final int limit)
    {
        delivered = 0;
        handleReadLock.lock();
        final int status;
        try
        {
            if (!handle.isOpen())
            {
                return 0;
            }
            downstream = handler;
            status = pcap_dispatch(pcap, limit, callback, null);
        }
        finally
        {
            downstream = null;
            frame.wrap(0L, 0);
            handleReadLock.unlock();
        }
        final Throwable failure = handlerFailure;
        if (failure != null)
        {
            handlerFailure = null;
            LangUtil.rethrowUnchecked(failure);
        }
        return status < 0 ? status : delivered;
    }

    /**
     * @return the descriptor that polls readable when frames wait in the ring, or -1 if libpcap
     *         has none for this handle.
     */
    int selectableFd()
    {
        return pcap_get_selectable_fd(pcap);
    }

    /**
     * Wait in {@code waiter} holding the handle's read lock, as {@link #dispatch} does: a close
     * from another thread waits for the wait to end (at most {@code maxNanos}; it wakes the waiter
     * first) instead of closing the descriptor under the poll.
     *
     * @param waiter   polling the handle's selectable descriptor.
     * @param maxNanos the longest wait.
     */
    void await(final FdWaiter waiter, final long maxNanos)
    {
        handleReadLock.lock();
        try
        {
            if (handle.isOpen())
            {
                waiter.await(maxNanos);
            }
        }
        finally
        {
            handleReadLock.unlock();
        }
    }

    /**
     * @return frames the handler was given by the last {@link #dispatch}.
     */
    int delivered()
    {
        return delivered;
    }

    private void onPacket(final Pointer header, final Pointer bytes)
    {
        delivered++;
        final int capturedLength = header.getInt(CAPLEN_OFFSET);
        frame.wrap(Pointer.nativeValue(bytes), capturedLength);
        try
        {
            downstream.onFrame(frame, 0, capturedLength);
        }
        catch (final Throwable t)
        {
            // Nothing may unwind through libpcap's C frames (JNA would log and swallow it): keep
            // the first failure for dispatch() to rethrow. An Error ends the batch at once.
            if (handlerFailure == null)
            {
                handlerFailure = t;
            }
            if (t instanceof Error)
            {
                pcap_breakloop(pcap);
            }
        }
    }

    private static Object field(final PcapHandle handle, final String name) throws PortException
    {
        try
        {
            final Field field = PcapHandle.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(handle);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new PortException("cannot reach '" + name + "' inside pcap4j's PcapHandle " +
                "(a pcap4j version other than 1.8.x?): " + e, e);
        }
    }
}
