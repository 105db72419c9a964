package io.jmtcp.core;

import io.jmtcp.net.ArpSettings;
import io.jmtcp.net.InterfaceConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything one context needs to run, validated in one place ({@link #validate()}) in the
 * Agrona habit: the interface addresses, ARP tunables, and the duty cycle's batch bounds.
 */
public final class ContextConfig
{
    /** Default bound on frames read per duty cycle. */
    public static final int DEFAULT_RX_BATCH = 64;
    /** Default bound on application commands run per duty cycle. */
    public static final int DEFAULT_COMMAND_BATCH = 64;
    /** Default capacity of the application command queue. */
    public static final int DEFAULT_COMMAND_QUEUE_CAPACITY = 1024;

    private String name = "ctx0";
    private InterfaceConfig iface;
    private ArpSettings arp = ArpSettings.DEFAULTS;
    private int rxBatch = DEFAULT_RX_BATCH;
    private int commandBatch = DEFAULT_COMMAND_BATCH;
    private int commandQueueCapacity = DEFAULT_COMMAND_QUEUE_CAPACITY;
    private Path countersFile;
    private int index;
    private int contexts = 1;

    /**
     * @param name the context's name, used in thread names and counter labels.
     * @return this.
     */
    public ContextConfig name(final String name)
    {
        this.name = name;
        return this;
    }

    /**
     * @param iface the interface addresses (required).
     * @return this.
     */
    public ContextConfig iface(final InterfaceConfig iface)
    {
        this.iface = iface;
        return this;
    }

    /**
     * @param arp ARP tunables.
     * @return this.
     */
    public ContextConfig arp(final ArpSettings arp)
    {
        this.arp = arp;
        return this;
    }

    /**
     * @param frames the most frames read from the port per duty cycle.
     * @return this.
     */
    public ContextConfig rxBatch(final int frames)
    {
        this.rxBatch = frames;
        return this;
    }

    /**
     * @param commands the most application commands run per duty cycle.
     * @return this.
     */
    public ContextConfig commandBatch(final int commands)
    {
        this.commandBatch = commands;
        return this;
    }

    /**
     * @param capacity the capacity of the application command queue (rounded up to a power of 2).
     * @return this.
     */
    public ContextConfig commandQueueCapacity(final int capacity)
    {
        this.commandQueueCapacity = capacity;
        return this;
    }

    /**
     * @param file where the context's counters live, for other processes to read
     *             ({@link io.jmtcp.stats.CountersFile}); null (the default) keeps them in memory.
     * @return this.
     */
    public ContextConfig countersFile(final Path file)
    {
        this.countersFile = file;
        return this;
    }

    /**
     * Where the context stands among those sharing its interface ({@link ContextGroup} sets it;
     * one context alone is 0 of 1).
     *
     * @param index    the context's index, 0..contexts-1.
     * @param contexts how many contexts share the interface, 1..{@link FlowHash#MAX_CONTEXTS}.
     * @return this.
     */
    public ContextConfig placement(final int index, final int contexts)
    {
        this.index = index;
        this.contexts = contexts;
        return this;
    }

    /**
     * A copy for context {@code index} of {@code contexts}: the name gets the index appended,
     * and so does the counters file's name ({@code stack.counters} becomes
     * {@code stack.counters.1}), so each context has counters of its own.
     *
     * @param index    the context's index.
     * @param contexts how many contexts.
     * @return the copy (not validated yet).
     */
    public ContextConfig forContext(final int index, final int contexts)
    {
        final ContextConfig copy = new ContextConfig()
            .name(name + index)
            .iface(iface)
            .arp(arp)
            .rxBatch(rxBatch)
            .commandBatch(commandBatch)
            .commandQueueCapacity(commandQueueCapacity)
            .placement(index, contexts);
        if (countersFile != null)
        {
            copy.countersFile(countersFile.resolveSibling(countersFile.getFileName() + "." + index));
        }
        return copy;
    }

    /**
     * Check every value.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public ContextConfig validate()
    {
        Objects.requireNonNull(iface, "iface is required");
        Objects.requireNonNull(arp, "arp").validate();
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("context name must not be blank");
        }
        if (rxBatch < 1 || rxBatch > 4096)
        {
            throw new IllegalArgumentException("rxBatch must be 1..4096: " + rxBatch);
        }
        if (commandBatch < 1 || commandBatch > 4096)
        {
            throw new IllegalArgumentException("commandBatch must be 1..4096: " + commandBatch);
        }
        if (commandQueueCapacity < 2 || commandQueueCapacity > 1 << 20)
        {
            throw new IllegalArgumentException("commandQueueCapacity must be 2..1048576: " + commandQueueCapacity);
        }
        FlowHash.checkPlacement(index, contexts);
        return this;
    }

    /**
     * @return the context's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the interface addresses.
     */
    public InterfaceConfig iface()
    {
        return iface;
    }

    /**
     * @return ARP tunables.
     */
    public ArpSettings arp()
    {
        return arp;
    }

    /**
     * @return frames read per duty cycle at most.
     */
    public int rxBatch()
    {
        return rxBatch;
    }

    /**
     * @return commands run per duty cycle at most.
     */
    public int commandBatch()
    {
        return commandBatch;
    }

    /**
     * @return the counters file, or null for counters in memory.
     */
    public Path countersFile()
    {
        return countersFile;
    }

    /**
     * @return the context's index among those sharing its interface.
     */
    public int index()
    {
        return index;
    }

    /**
     * @return how many contexts share the interface.
     */
    public int contexts()
    {
        return contexts;
    }

    /**
     * @return the command queue's capacity.
     */
    public int commandQueueCapacity()
    {
        return commandQueueCapacity;
    }
}
