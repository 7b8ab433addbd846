#!/bin/sh
# A million SYN-only flows with the flow table capped at 100,000: every flow is
# stored, the evictions are counted and recorded as anomalies, and memory
# stays bounded (the cap, not the number of flows, decides it).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
N=1000000 CAP=100000
# flow table share at the cap: 100,000 flows of ~520 bytes; the rest is SQLite's
# 64 MiB page cache and the program. An uncapped table would need > 500 MB.
MAX_RSS_KB=${MAX_RSS_KB:-400000}
# AddressSanitizer adds shadow memory, redzones and a quarantine of its own:
# its peak says nothing about pidcap's, so the build without it measures that.
asan=no
grep -q __asan_init "$P" 2>/dev/null && asan=yes
python3 "$S/tests/analyze/make_synflood.py" "$T/syn.pcap" $N
/usr/bin/time -f "%M" -o "$T/rss" "$P" analyze -q --no-progress --max-flows $CAP -o "$T/syn.db" "$T/syn.pcap"
rc=$?
q() { sqlite3 -batch -noheader "$T/syn.db" "$1"; }
n=0 failed=0
check() { n=$((n + 1)); if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1: got '$2', want '$3'"; failed=$((failed + 1)); fi; }
check "analyze exits 0" "$rc" 0
check "every SYN is its own flow" "$(q 'SELECT flows FROM captures')" $N
check "flows stored" "$(q 'SELECT count(*) FROM flows')" $N
check "all SYN-only: conn_state S0, history S" "$(q "SELECT count(*) FROM flows WHERE conn_state = 'S0' AND history = 'S'")" $N
check "evictions counted" "$(q 'SELECT flows_evicted FROM captures')" $((N - CAP))
check "evicted flows say so" "$(q "SELECT count(*) FROM flows WHERE end_reason = 'evicted'")" $((N - CAP))
check "evictions recorded as anomalies" "$(q "SELECT count FROM anomaly_counts WHERE name = 'flow_table_full'")" $((N - CAP))
check "anomaly rows capped at 1000 per name" "$(q "SELECT count(*) FROM anomalies WHERE name = 'flow_table_full'")" 1000
rss=$(tail -1 "$T/rss")
n=$((n + 1))
if [ "$asan" = yes ]; then
	echo "ok $n # SKIP peak memory (${rss} KB here) is checked in the build without AddressSanitizer"
elif [ "$rss" -le "$MAX_RSS_KB" ]; then
	echo "ok $n - peak memory ${rss} KB <= ${MAX_RSS_KB} KB"
else
	echo "not ok $n - peak memory ${rss} KB > ${MAX_RSS_KB} KB"; failed=$((failed + 1))
fi
echo "1..$n"
[ "$failed" -eq 0 ]
