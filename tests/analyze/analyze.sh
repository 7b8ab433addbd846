#!/bin/sh
# pidcap analyze: the database it writes, idempotence, several inputs, exit
# codes, process records, and crash safety (kill -9 mid-ingest, run again:
# the same database as an uninterrupted run).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { # ok DESCRIPTION COMMAND...
	desc=$1; shift
	n=$((n + 1))
	if "$@" >"$T/out" 2>"$T/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/#   /' "$T/err" "$T/out" | head -8
		failed=$((failed + 1))
	fi
}
exit_is() { want=$1; shift; "$@" >/dev/null 2>&1; rc=$?; [ "$rc" -eq "$want" ] || { echo "exit $rc, want $want" >&2; return 1; }; }
q() { sqlite3 -batch -noheader "$@"; }
eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'" >&2; return 1; }; }
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
CAP=$S/testdata/zeek/wikipedia.pcap
cd "$T" || exit 1

ok "analyze the bundled capture (exit 0)" exit_is 0 "$P" analyze --no-progress "$CAP"
ok "default database name is the capture's base name + .db" test -s wikipedia.db
ok "schema version is set" eq "$(q wikipedia.db 'PRAGMA user_version')" 2
ok "one capture, complete, with its SHA-256" eq \
	"$(q wikipedia.db "SELECT count(*), status, sha256 FROM captures")" \
	"1|complete|$(sha256sum "$CAP" | cut -d' ' -f1)"
ok "packet count equals pidcap info's" eq "$(q wikipedia.db 'SELECT packets FROM captures')" \
	"$("$P" info --json "$CAP" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["packets"])')"
ok "flows were written, each with a Community ID" eq \
	"$(q wikipedia.db "SELECT count(*) > 0, count(*) = count(community_id) FROM flows")" "1|1"
ok "flow packets add up to the capture's IP packets or fewer" \
	test "$(q wikipedia.db 'SELECT SUM(orig_pkts + resp_pkts) <= (SELECT packets FROM captures) FROM flows')" = 1
ok "interfaces row" eq "$(q wikipedia.db 'SELECT linktype, packets = (SELECT packets FROM captures) FROM interfaces')" "1|1"
before=$(q wikipedia.db 'SELECT count(*) FROM flows')
ok "the same file again is a no-op (exit 0)" exit_is 0 "$P" analyze --no-progress "$CAP"
ok "... and adds nothing" eq "$(q wikipedia.db 'SELECT count(*) FROM captures'):$(q wikipedia.db 'SELECT count(*) FROM flows')" "1:$before"
cp "$CAP" renamed.pcap
ok "a renamed copy is also a no-op" sh -c "'$P' analyze -o wikipedia.db renamed.pcap | grep -q '1 already present'"

# Several inputs into one database, gzip among them.
gzip -c "$S/testdata/pcapng-test-generator/output_le/basic/test005.pcapng" >t5.pcapng.gz
ok "several inputs go into one database" exit_is 0 "$P" analyze -q -o multi.db "$CAP" t5.pcapng.gz
ok "... two captures, one gzip" eq "$(q multi.db 'SELECT count(*), sum(gzip) FROM captures')" "2|1"

# Exit codes and damaged input.
head -c 20000 "$CAP" >cut.pcap
ok "a truncated capture is stored up to the damage (exit 1)" exit_is 1 "$P" analyze -q -o cut.db cut.pcap
ok "... marked truncated, with an anomaly" eq \
	"$(q cut.db "SELECT status, packets > 0, (SELECT count(*) FROM anomalies WHERE name = 'truncated_file') FROM captures")" "truncated|1|1"
ok "a file that is not a capture fails (exit 2)" exit_is 2 "$P" analyze -q -o x.db "$S/README.md"
ok "a missing file fails (exit 2)" exit_is 2 "$P" analyze -q -o x.db nope.pcap
ok "no input is a usage error (exit 2)" exit_is 2 "$P" analyze
echo "not a database at all, just text" >bad.db
ok "an output that is not a database fails (exit 2)" exit_is 2 "$P" analyze -q -o bad.db "$CAP"

# Process records written by pidcap's own pcapng writer.
"$B/tests/capfile/write_sample" sample.pcapng >/dev/null
ok "a capture with process records (exit 0)" exit_is 0 "$P" analyze -q -o sample.db sample.pcapng
ok "processes come from the PEN 32622 blocks" eq \
	"$(q sample.db "SELECT group_concat(name, ',') FROM (SELECT name FROM processes WHERE source = 'pcapng-process-block' ORDER BY name)")" "curl,dig"
ok "flows carrying option 8 are linked to their process" test \
	"$(q sample.db 'SELECT count(*) FROM flows f JOIN processes p ON f.process_id = p.id')" -gt 0
ok "process packet counts match the packets that carry option 8" eq \
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
ok "after kill -9 only the first file is in the database" eq "$(q crash.db 'SELECT count(*) FROM captures')" 1
ok "the database is intact" eq "$(q crash.db 'PRAGMA integrity_check')" ok
ok "running the same command again succeeds" exit_is 0 "$P" analyze -q -o crash.db big1.pcap big2.pcap
dump() {
	for t in captures interfaces flows processes anomalies anomaly_counts; do
		cols=$(q "$1" "SELECT group_concat(name) FROM pragma_table_info('$t') WHERE name != 'analyzed_at'")
		q "$1" "SELECT $cols FROM $t ORDER BY 1, 2"
	done | sha256sum
}
ok "... and gives the same database as an uninterrupted run" eq "$(dump crash.db)" "$(dump clean.db)"
ok "no duplicate flows" eq "$(q crash.db 'SELECT count(*) FROM flows')" "$(q clean.db 'SELECT count(*) FROM flows')"

echo "1..$n"
[ "$failed" -eq 0 ]
