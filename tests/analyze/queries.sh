#!/bin/sh
# Every example query of schema/README.md runs, and gives the right rows:
# on the bundled capture (testdata/zeek/wikipedia.pcap) checked against Zeek's
# conn log of it and tshark's Community ID; on a capture with process records
# (tests/capfile/write_sample, whose packets and processes are known by
# construction) and a truncated file (testdata/malformed/EXPECTED).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in sqlite3 tshark; do
	command -v $t >/dev/null 2>&1 || { echo "1..0 # SKIP $t is not installed"; exit 0; }
done
W=$S/testdata/zeek/wikipedia.pcap
"$P" analyze -q --no-progress -o "$T/wiki.db" "$W" || { echo "Bail out! analyze failed"; exit 1; }
"$B/tests/capfile/write_sample" "$T/sample.pcapng" >"$T/sample.manifest"
"$P" analyze -q --no-progress -o "$T/proc.db" "$T/sample.pcapng" \
	"$S/testdata/malformed/pcap_cut_mid_record.pcap" 2>/dev/null
# 30 unanswered SYNs (one per source): Zeek's S0, history "S", by definition
python3 "$S/tests/analyze/make_synflood.py" "$T/syn.pcap" 30
"$P" analyze -q --no-progress -o "$T/syn.db" "$T/syn.pcap"
# tshark's Community ID of the flow the README's example looks up
tshark --enable-protocol communityid -n -r "$W" -Y "tcp.srcport == 35634" -T fields \
	-e communityid 2>/dev/null | sort -u >"$T/tshark_cid"
# Queries are the SQL blocks of the README, separated by blank lines.
sed -n '/^```sql$/,/^```$/p' "$S/schema/README.md" | sed '/^```/d' >"$T/all.sql"
exec python3 "$S/tests/analyze/queries_check.py" "$T" "$S"
