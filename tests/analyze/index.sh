#!/bin/sh
# Indexes: `pidcap analyze` builds the small default indexes and leaves the
# lookup indexes out; `pidcap index` and `analyze --index` build them, later
# runs keep them, and `pidcap index` killed with SIGKILL at any moment then
# run again ends with every index present and an intact database.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3
W=$S/testdata/zeek/wikipedia.pcap
LOOKUP="flows_community_id flows_orig flows_resp"
DEFAULT="anomalies_capture_name flows_process processes_capture_pid"
ALL=$(printf '%s\n' $LOOKUP $DEFAULT | LC_ALL=C sort | tr '\n' ' ')
indexes() {
	q "$1" "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL" |
		LC_ALL=C sort | tr '\n' ' '
}

"$P" analyze -q --no-progress -o "$T/a.db" "$W"
check "analyze builds only the default indexes" \
	eq "$(indexes "$T/a.db")" "$(printf '%s\n' $DEFAULT | tr '\n' ' ')"
check "pidcap index exits 0" exit_is 0 "$P" index -q "$T/a.db"
check "pidcap index builds every index" eq "$(indexes "$T/a.db")" "$ALL"
check "the database now asks for the lookup indexes" \
	eq "$(q "$T/a.db" "SELECT value FROM settings WHERE name = 'lookup_indexes'")" 1
check "pidcap index again builds nothing" \
	eq "$("$P" index --no-progress "$T/a.db" | sed 's/, in .*//')" "pidcap: 0 indexes built, 6 already present"
"$P" analyze -q --no-progress -o "$T/a.db" "$S/testdata/zeek/q-in-q.pcap"
check "the second file is stored" eq "$(q "$T/a.db" "SELECT count(*) FROM captures WHERE status = 'complete'")" 2
check "a later run into an indexed database keeps every index" eq "$(indexes "$T/a.db")" "$ALL"
check "analyze --index builds every index" sh -c \
	"'$P' analyze -q --no-progress --index -o '$T/b.db' '$W' && [ \"\$(sqlite3 '$T/b.db' \"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL\")\" = 6 ]"
check "the index is used for a Community ID lookup" sh -c \
	"sqlite3 '$T/b.db' \"EXPLAIN QUERY PLAN SELECT * FROM flows WHERE community_id = 'x'\" | grep -q flows_community_id"
check "pidcap index of a missing file exits 2" exit_is 2 "$P" index "$T/missing.db"
check "... and creates nothing" test ! -e "$T/missing.db"
check "pidcap index without a database is a usage error" exit_is 2 "$P" index

# SIGKILL while the lookup indexes are being built, at several moments.
python3 "$S/tests/analyze/make_synflood.py" "$T/syn.pcap" 300000
"$P" analyze -q --no-progress -o "$T/big.db" "$T/syn.pcap"
cp "$T/big.db" "$T/big0.db"
interrupted=0
for delay in 0.05 0.1 0.2 0.3 0.5; do
	rm -f "$T"/k.db*
	cp "$T/big0.db" "$T/k.db"
	"$P" index -q "$T/k.db" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	got=$(indexes "$T/k.db")
	[ "$got" != "$ALL" ] && interrupted=$((interrupted + 1))
	check "killed after ${delay}s: the database is intact" \
		eq "$(q "$T/k.db" "PRAGMA integrity_check")" ok
	check "killed after ${delay}s: run again, every index is present" sh -c \
		"'$P' index -q '$T/k.db' && [ \"\$(sqlite3 '$T/k.db' \"SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)\") \" = '$ALL' ]"
	check "killed after ${delay}s: intact after the second run" \
		eq "$(q "$T/k.db" "PRAGMA integrity_check")" ok
done
echo "# $interrupted of 5 kills landed before the build had finished"
check "at least one kill interrupted the build" test "$interrupted" -ge 1
tap_end
