#!/usr/bin/env bash
# Regenerates the tshark oracle of the wire tests (io.jmtcp.wire.TsharkOracleTest).
#
# For every capture in ../pcaps it writes <capture>.tsv next to this script: one row per frame
# with the fields tshark decodes that the io.jmtcp.wire flyweights expose, and, in the last
# column, the captured bytes of the frame as hex. The test reads only these TSVs: it runs
# neither tshark nor a pcap reader, so the committed TSVs are the oracle.
#
# Cells hold every occurrence of a field, comma-separated, in the order tshark met them (an
# ICMP error repeats ip.* for the quoted datagram; a SACK option lists several edges). Empty
# means tshark did not decode the field in that frame.
#
# Two tshark runs per capture, because "-T fields" has no field for the raw frame and the JSON
# output ignores -x once -e is given: the first run writes the fields, the second the bytes
# (the "frame_raw" member of "-T json -x"), and the rows are joined by frame number.
#
# Needs tshark (written with 4.0.17) and jq. Usage: ./generate-expected.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pcaps="$here/../pcaps"

# Checksums are verified so that the test can compare its own verdict with tshark's; sequence
# numbers are absolute so that SACK edges are the values on the wire.
prefs=(
    -o ip.check_checksum:TRUE
    -o tcp.check_checksum:TRUE
    -o tcp.relative_sequence_numbers:FALSE
)

fields=(
    frame.number frame.len frame.cap_len frame.protocols
    eth.dst eth.src eth.type eth.len
    vlan.id vlan.etype
    arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode
    arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac arp.dst.proto_ipv4
    ip.version ip.hdr_len ip.dsfield ip.dsfield.dscp ip.dsfield.ecn ip.len ip.id
    ip.flags ip.flags.df ip.flags.mf ip.frag_offset ip.ttl ip.proto
    ip.checksum ip.checksum.status ip.src ip.dst
    icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq icmp.mtu
    tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.flags.ae
    tcp.window_size_value tcp.checksum tcp.checksum.status tcp.urgent_pointer tcp.len
    tcp.option_kind tcp.option_len
    tcp.options.mss_val tcp.options.wscale.shift tcp.options.sack_perm
    tcp.options.sack_le tcp.options.sack_re
    tcp.options.timestamp.tsval tcp.options.timestamp.tsecr
)

field_args=()
for field in "${fields[@]}"; do
    field_args+=(-e "$field")
done

version="$(tshark -v 2>/dev/null | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
for pcap in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
    name="$(basename "$pcap")"
    out="$here/${name%.*}.tsv"

    tshark -n -r "$pcap" "${prefs[@]}" -T fields -E header=y -E separator=/t -E quote=n \
        -E occurrence=a -E aggregator=, "${field_args[@]}" > "$work/fields.tsv" 2>/dev/null

    { echo "frame_raw"; tshark -n -r "$pcap" -T json -x -j frame 2>/dev/null \
        | jq -r '.[]._source.layers.frame_raw[0]'; } > "$work/raw.tsv"

    if [ "$(wc -l < "$work/fields.tsv")" -ne "$(wc -l < "$work/raw.tsv")" ]; then
        echo "frame counts differ between the two tshark runs over $name" >&2
        exit 1
    fi

    {
        echo "# tshark oracle for pcaps/$name, written by generate-expected.sh with $version"
        echo "# prefs: ${prefs[*]}"
        paste "$work/fields.tsv" "$work/raw.tsv"
    } > "$out"
    echo "$out: $(($(wc -l < "$work/raw.tsv") - 1)) frames"
done
