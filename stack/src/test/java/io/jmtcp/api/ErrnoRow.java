package io.jmtcp.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One row of a call's errno table: a condition, the errno the call's Javadoc promises for it (0:
 * the call succeeds), and the call made in a fresh {@link ApiWorld} on A's handle.
 */
final class ErrnoRow
{
    /** A call that takes an id: the id rows of every such call are the same. */
    @FunctionalInterface
    interface IdCall
    {
        long invoke(ApiWorld w, int id);
    }

    private final String condition;
    private final int errno;
    private final Supplier<ApiWorld> world;
    private final ToLongFunction<ApiWorld> call;

    private ErrnoRow(final String condition, final int errno, final Supplier<ApiWorld> world,
        final ToLongFunction<ApiWorld> call)
    {
        this.condition = condition;
        this.errno = errno;
        this.world = world;
        this.call = call;
    }

    static ErrnoRow row(final String condition, final int errno, final ToLongFunction<ApiWorld> call)
    {
        return new ErrnoRow(condition, errno, ApiWorld::new, call);
    }

    static ErrnoRow row(final String condition, final int errno, final Supplier<ApiWorld> world,
        final ToLongFunction<ApiWorld> call)
    {
        return new ErrnoRow(condition, errno, world, call);
    }

    /**
     * The rows every call that takes an id shares (Mtcp's class Javadoc): EACCES, ENOTSOCK, EBADF.
     *
     * @param valid makes an id the call accepts, for the destroyed-context row.
     */
    static List<ErrnoRow> idRows(final ToLongFunction<ApiWorld> valid, final IdCall call)
    {
        final List<ErrnoRow> rows = new ArrayList<>();
        rows.add(row("context destroyed", Errno.EACCES, w ->
        {
            final int id = (int)valid.applyAsLong(w);
            w.prepareSpares();
            w.a.destroy();
            return call.invoke(w, id);
        }));
        rows.add(row("id of another context", Errno.EACCES, w -> call.invoke(w, w.otherContextId())));
        rows.add(row("negative id", Errno.ENOTSOCK, w -> call.invoke(w, -1)));
        rows.add(row("id beyond the table", Errno.ENOTSOCK, w -> call.invoke(w, ApiWorld.beyondTable())));
        rows.add(row("stale id of a closed socket", Errno.EBADF, w -> call.invoke(w, w.stale())));
        rows.add(row("id never handed out", Errno.EBADF, w -> call.invoke(w, ApiWorld.neverHandedOut())));
        return rows;
    }

    /** @return this row with its condition prefixed (a call with two ids: which one). */
    ErrnoRow named(final String prefix)
    {
        return new ErrnoRow(prefix + condition, errno, world, call);
    }

    /** Run the row: the call returns -1 with the row's errno (or succeeds for errno 0). */
    void check()
    {
        try (ApiWorld w = world.get())
        {
            final long result = call.applyAsLong(w);
            if (errno == Errno.NONE)
            {
                assertTrue(result >= 0, () -> condition + ": expected success, got -1 " + ApiWorld.errno(w.a));
            }
            else
            {
                assertEquals(-1, result, () -> condition + ": expected -1 " + Errno.name(errno));
                assertEquals(Errno.name(errno), ApiWorld.errno(w.a), condition);
            }
        }
    }

    @Override
    public String toString()
    {
        return condition + " -> " + (errno == Errno.NONE ? "ok" : Errno.name(errno));
    }
}
