#!/bin/sh
# Regenerates the tshark oracle of every capture in this folder: one <capture>.frames.tsv each.
# Run from this folder; needs tshark (Debian: tshark). The committed TSVs were made with
# TShark 4.0.17. Columns: frame.number, frame.time_epoch as integer nanoseconds, frame.cap_len,
# frame.len, the link type and the MD5 of the captured bytes (frame.md5_hash).
#
# tshark reports wiretap's encapsulation (frame.encap_type), not the file's LINKTYPE_ value;
# the table below maps the three this folder uses back: Ethernet (1 -> 1), Linux cooked v1
# (25 -> 113), raw IP (7 -> 101). An unmapped encapsulation stops the script.
set -eu
for f in *.pcap *.pcapng; do
    {
        printf '# tshark oracle for %s: number, epoch_ns, cap_len, len, linktype, md5\n' "$f"
        tshark -o frame.generate_md5_hash:TRUE -r "$f" -T fields \
            -e frame.number -e frame.time_epoch -e frame.cap_len -e frame.len -e frame.encap_type \
            -e frame.md5_hash |
        awk -F'\t' 'BEGIN { OFS = "\t"; lt[1] = 1; lt[25] = 113; lt[7] = 101 }
        {
            split($2, t, ".");
            frac = substr(t[2] "000000000", 1, 9);
            if (!($5 in lt)) { print "unmapped encapsulation " $5 > "/dev/stderr"; exit 1 }
            print $1, t[1] frac, $3, $4, lt[$5], $6
        }'
    } > "$f.frames.tsv"
done
