#!/bin/sh
# pidcap analyze: the database it writes, idempotence, several inputs, exit
# codes, process records, and crash safety (kill -9 mid-ingest, run again:
# the same database as an uninterrupted run).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
. "$S/tests/tap.sh"
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
CAP=$S/testdata/zeek/wikipedia.pcap
cd "$T" || exit 1

check "analyze the bundled capture (exit 0)" exit_is 0 "$P" analyze --no-progress "$CAP"
check "default database name is the capture's base name + .db" test -s wikipedia.db
check "schema version is set" eq "$(q wikipedia.db 'PRAGMA user_version')" 5
check "one capture, complete, with its SHA-256" eq \
	"$(q wikipedia.db "SELECT count(*), status, sha256 FROM captures")" \
	"1|complete|$(sha256sum "$CAP" | cut -d' ' -f1)"
check "packet count equals pidcap info's" eq "$(q wikipedia.db 'SELECT packets FROM captures')" \
	"$("$P" info --json "$CAP" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["packets"])')"
check "flows were written, each with a Community ID" eq \
	"$(q wikipedia.db "SELECT count(*) > 0, count(*) = count(community_id) FROM flows")" "1|1"
check "flow packets add up to the capture's IP packets or fewer" \
	test "$(q wikipedia.db 'SELECT SUM(orig_pkts + resp_pkts) <= (SELECT packets FROM captures) FROM flows')" = 1
check "interfaces row" eq "$(q wikipedia.db 'SELECT linktype, packets = (SELECT packets FROM captures) FROM interfaces')" "1|1"
before=$(q wikipedia.db 'SELECT count(*) FROM flows')
check "the same file again is a no-op (exit 0)" exit_is 0 "$P" analyze --no-progress "$CAP"
check "... and adds nothing" eq "$(q wikipedia.db 'SELECT count(*) FROM captures'):$(q wikipedia.db 'SELECT count(*) FROM flows')" "1:$before"
cp "$CAP" renamed.pcap
check "a renamed copy is also a no-op" sh -c "'$P' analyze -o wikipedia.db renamed.pcap | grep -q '1 already present'"
# The hash is computed while the file is decoded unless a capture of the same
# size is present; a hash found present only then (a concurrent run stored
# the file meanwhile) rolls the capture back. Faked by changing the size.
q wikipedia.db 'UPDATE captures SET size_bytes = size_bytes + 1'
check "a file whose hash turns out present after decoding is skipped" \
	sh -c "'$P' analyze -o wikipedia.db renamed.pcap | grep -q '1 already present'"
check "... and rolled back" eq "$(q wikipedia.db 'SELECT count(*) FROM captures'):$(q wikipedia.db 'SELECT count(*) FROM flows')" "1:$before"
q wikipedia.db 'UPDATE captures SET size_bytes = size_bytes - 1'

# Several inputs into one database, gzip among them.
gzip -c "$S/testdata/pcapng-test-generator/output_le/basic/test005.pcapng" >t5.pcapng.gz
check "several inputs go into one database" exit_is 0 "$P" analyze -q -o multi.db "$CAP" t5.pcapng.gz
check "... two captures, one gzip" eq "$(q multi.db 'SELECT count(*), sum(gzip) FROM captures')" "2|1"

# Exit codes and damaged input.
head -c 20000 "$CAP" >cut.pcap
check "a truncated capture is stored up to the damage (exit 1)" exit_is 1 "$P" analyze -q -o cut.db cut.pcap
check "... marked truncated, with an anomaly" eq \
	"$(q cut.db "SELECT status, packets > 0, (SELECT count(*) FROM anomalies WHERE name = 'truncated_file') FROM captures")" "truncated|1|1"
check "a file that is not a capture fails (exit 2)" exit_is 2 "$P" analyze -q -o x.db "$S/README.md"
check "a missing file fails (exit 2)" exit_is 2 "$P" analyze -q -o x.db nope.pcap
check "no input is a usage error (exit 2)" exit_is 2 "$P" analyze
echo "not a database at all, just text" >bad.db
check "an output that is not a database fails (exit 2)" exit_is 2 "$P" analyze -q -o bad.db "$CAP"

# Process records written by pidcap's own pcapng writer.
"$B/tests/capfile/write_sample" sample.pcapng >/dev/null
check "a capture with process records (exit 0)" exit_is 0 "$P" analyze -q -o sample.db sample.pcapng
check "processes come from the PEN 32622 blocks" eq \
	"$(q sample.db "SELECT group_concat(name, ',') FROM (SELECT name FROM processes WHERE source = 'pcapng-process-block' ORDER BY name)")" "curl,dig"
check "flows carrying option 8 are linked to their process" test \
	"$(q sample.db 'SELECT count(*) FROM flows f JOIN processes p ON f.process_id = p.id')" -gt 0
check "process packet counts match the packets that carry option 8" eq \
	"$(q sample.db 'SELECT sum(packets) FROM processes')" \
	"$("$P" info --json sample.pcapng | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["packets_with_process_id"])')"

# Crash safety: kill -9 while the second file is being ingested, run again.
python3 "$S/tests/analyze/make_big.py" "$CAP" big1.pcap 200 0
python3 "$S/tests/analyze/make_big.py" "$CAP" big2.pcap 3000 200
"$P" analyze -q -o clean.db big1.pcap big2.pcap
"$P" analyze -q -o crash.db big1.pcap big2.pcap &
pid=$!
# wait until the first file is committed and the second is being written
i=0
while [ $i -lt 400 ] && [ "$(q crash.db 'SELECT count(*) FROM captures' 2>/dev/null)" != 1 ]; do
	sleep 0.01; i=$((i + 1))
done
sleep 0.1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check "after kill -9 only the first file is in the database" eq "$(q crash.db 'SELECT count(*) FROM captures')" 1
check "the database is intact" eq "$(q crash.db 'PRAGMA integrity_check')" ok
check "running the same command again succeeds" exit_is 0 "$P" analyze -q -o crash.db big1.pcap big2.pcap
dump() {
	for t in captures interfaces flows processes anomalies anomaly_counts; do
		cols=$(q "$1" "SELECT group_concat(name) FROM pragma_table_info('$t') WHERE name != 'analyzed_at'")
		q "$1" "SELECT $cols FROM $t ORDER BY 1, 2"
	done | sha256sum
}
check "... and gives the same database as an uninterrupted run" eq "$(dump crash.db)" "$(dump clean.db)"
check "no duplicate flows" eq "$(q crash.db 'SELECT count(*) FROM flows')" "$(q clean.db 'SELECT count(*) FROM flows')"

tap_end
