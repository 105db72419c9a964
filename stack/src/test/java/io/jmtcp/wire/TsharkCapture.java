package io.jmtcp.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One capture's tshark oracle, as written by {@code src/test/resources/wire/generate-expected.sh}:
 * a row per frame with tshark's reading of each field and the frame's bytes.
 */
final class TsharkCapture
{
    static final String RESOURCE_DIRECTORY = "/wire";
    static final String PCAP_DIRECTORY = "/pcaps";

    private final String name;
    private final List<Row> rows;

    private TsharkCapture(final String name, final List<Row> rows)
    {
        this.name = name;
        this.rows = rows;
    }

    String name()
    {
        return name;
    }

    List<Row> rows()
    {
        return rows;
    }

    @Override
    public String toString()
    {
        return name;
    }

    /**
     * Every oracle TSV on the test class path, by name.
     */
    static List<String> names()
    {
        try (Stream<Path> files = Files.list(resourceDirectory(RESOURCE_DIRECTORY)))
        {
            final List<String> names = new ArrayList<>();
            files.map(path -> path.getFileName().toString()).filter(file -> file.endsWith(".tsv")).sorted().forEach(names::add);
            return names;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Every capture file on the test class path, by name.
     */
    static List<String> pcapNames()
    {
        try (Stream<Path> files = Files.list(resourceDirectory(PCAP_DIRECTORY)))
        {
            final List<String> names = new ArrayList<>();
            files.map(path -> path.getFileName().toString())
                .filter(file -> file.endsWith(".pcap") || file.endsWith(".pcapng"))
                .sorted()
                .forEach(names::add);
            return names;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static TsharkCapture load(final String tsvName)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(resourceDirectory(RESOURCE_DIRECTORY).resolve(tsvName), StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        String[] header = null;
        final List<Row> rows = new ArrayList<>();
        for (final String line : lines)
        {
            if (line.startsWith("#") || line.isEmpty())
            {
                continue;
            }
            final String[] cells = line.split("\t", -1);
            if (header == null)
            {
                header = cells;
                continue;
            }
            if (cells.length != header.length)
            {
                throw new IllegalStateException(tsvName + ": row has " + cells.length + " cells, header " + header.length);
            }
            final Map<String, String> values = new HashMap<>();
            for (int i = 0; i < cells.length; i++)
            {
                values.put(header[i], cells[i]);
            }
            rows.add(new Row(values));
        }
        return new TsharkCapture(tsvName, Collections.unmodifiableList(rows));
    }

    private static Path resourceDirectory(final String directory)
    {
        final URL url = TsharkCapture.class.getResource(directory);
        if (url == null)
        {
            throw new IllegalStateException("test resources missing: " + directory);
        }
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** tshark's reading of one frame. */
    static final class Row
    {
        private final Map<String, String> values;

        Row(final Map<String, String> values)
        {
            this.values = values;
        }

        int frameNumber()
        {
            return Integer.parseInt(values.get("frame.number"));
        }

        /** Whether tshark decoded the field at least once. */
        boolean has(final String field)
        {
            final String cell = cell(field);
            return !cell.isEmpty();
        }

        /** The first occurrence of a field, or null if tshark did not decode it. */
        String first(final String field)
        {
            final List<String> all = all(field);
            return all.isEmpty() ? null : all.get(0);
        }

        /** The n-th occurrence (0-based) of a field, or null. */
        String occurrence(final String field, final int index)
        {
            final List<String> all = all(field);
            return index < all.size() ? all.get(index) : null;
        }

        /** Every occurrence of a field, in the order tshark decoded them. */
        List<String> all(final String field)
        {
            final String cell = cell(field);
            if (cell.isEmpty())
            {
                return List.of();
            }
            return List.of(cell.split(",", -1));
        }

        /** The first occurrence of a numeric field, decimal or 0x-hexadecimal. */
        long number(final String field)
        {
            final String value = first(field);
            if (value == null)
            {
                throw new IllegalStateException("frame " + frameNumber() + ": tshark has no " + field);
            }
            return parseNumber(value);
        }

        /** The n-th occurrence of a numeric field. */
        long number(final String field, final int index)
        {
            final String value = occurrence(field, index);
            if (value == null)
            {
                throw new IllegalStateException("frame " + frameNumber() + ": tshark has no occurrence " + index + " of " + field);
            }
            return parseNumber(value);
        }

        /** The frame's captured bytes. */
        byte[] frameBytes()
        {
            final String hex = cell("frame_raw");
            final byte[] bytes = new byte[hex.length() / 2];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = (byte)Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
            }
            return bytes;
        }

        static long parseNumber(final String value)
        {
            if (value.startsWith("0x"))
            {
                return Long.parseLong(value.substring(2), 16);
            }
            return Long.parseLong(value);
        }

        private String cell(final String field)
        {
            final String cell = values.get(field);
            if (cell == null)
            {
                throw new IllegalArgumentException("the oracle has no column " + field);
            }
            return cell;
        }
    }
}
