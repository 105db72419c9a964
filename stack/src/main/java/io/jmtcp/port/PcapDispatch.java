package io.jmtcp.port;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.core.PcapHandle;

import java.lang.reflect.Field;

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
 * <p>Owner thread only. The frame view is valid only during {@link FrameHandler#onFrame}, as the
 * {@link PacketPort} contract says.
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

    private final Pointer pcap;
    private final UnsafeBuffer frame = new UnsafeBuffer(0L, 0);
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
    private RuntimeException handlerFailure;

    /**
     * @param handle an open pcap4j handle; it must stay open while this is used.
     * @throws PortException if the handle's native pointer cannot be reached.
     */
    PcapDispatch(final PcapHandle handle) throws PortException
    {
        this.pcap = nativeHandle(handle);
    }

    /**
     * Deliver up to {@code limit} frames waiting in the ring to {@code handler}.
     *
     * @param handler told of each frame.
     * @param limit   the most frames to deliver.
     * @return frames delivered, or a negative libpcap status ({@code PCAP_ERROR} -1,
     *         {@code PCAP_ERROR_BREAK} -2).
     * @throws RuntimeException the first exception the handler threw, after the whole batch (the
     *         frames already taken from the ring are still delivered).
     */
    int dispatch(final FrameHandler handler, final int limit)
    {
        downstream = handler;
        delivered = 0;
        final int status;
        try
        {
            status = pcap_dispatch(pcap, limit, callback, null);
        }
        finally
        {
            downstream = null;
        }
        final RuntimeException failure = handlerFailure;
        if (failure != null)
        {
            handlerFailure = null;
            throw failure;
        }
        return status < 0 ? status : delivered;
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
        catch (final RuntimeException e)
        {
            // An exception must not unwind through libpcap's C frames: keep it for dispatch().
            if (handlerFailure == null)
            {
                handlerFailure = e;
            }
        }
    }

    private static Pointer nativeHandle(final PcapHandle handle) throws PortException
    {
        try
        {
            final Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return (Pointer)field.get(handle);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new PortException("cannot reach the libpcap handle inside pcap4j " +
                "(a pcap4j version other than 1.8.x?): " + e, e);
        }
    }
}
