package io.jmtcp.api;

import io.jmtcp.core.FlowHash;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The id layout: every context a stack may have fits, ids stay non-negative, generations differ. */
class SocketTableTest
{
    @Test
    void idsNameTheirContextAndSlotForEveryContextAStackMayHave()
    {
        assertEquals(FlowHash.MAX_CONTEXTS - 1, SocketTable.MAX_CONTEXT);
        for (final int context : new int[] {0, 1, 31, 32, FlowHash.MAX_CONTEXTS - 1})
        {
            final SocketTable table = new SocketTable(context, 4, 4096);
            final SocketSlot slot = table.allocate(SocketSlot.STREAM);
            final int id = table.idOf(slot);
            assertTrue(id >= 0, () -> "context " + context + ": id " + id);
            assertEquals(context, SocketTable.contextOf(id));
            assertEquals(slot.index, SocketTable.indexOf(id));
        }
    }

    @Test
    void aSlotReusedGetsAnotherIdForHundredsOfReuses()
    {
        final SocketTable table = new SocketTable(FlowHash.MAX_CONTEXTS - 1, 1, 4096);
        final Set<Integer> ids = new HashSet<>();
        for (int reuse = 0; reuse < 512; reuse++)
        {
            final SocketSlot slot = table.allocate(SocketSlot.STREAM);
            assertTrue(ids.add(table.idOf(slot)), "reuse " + reuse + " repeated an id");
            table.release(slot);
        }
        final SocketSlot slot = table.allocate(SocketSlot.STREAM);
        assertTrue(ids.contains(table.idOf(slot)), "the 513th use repeats the first id (9-bit generation)");
    }
}
