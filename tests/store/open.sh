#!/bin/sh
# Opening the database: two first runs on one new database at once both
# succeed with all their data (the schema is set up once, in one locked
# transaction); a file that is not pidcap's is refused byte for byte
# untouched; a newer schema is refused; pidcap's databases from before
# application_id are still accepted.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3
P=${PIDCAP:?}
PAIRS=${PAIRS:-50}
W=$S/testdata/zeek/wikipedia.pcap
Q=$S/testdata/zeek/q-in-q.pcap
cd "$T" || exit 1

bad=0
for i in $(seq "$PAIRS"); do
	rm -f c.db c.db-wal c.db-shm
	"$P" analyze -q --no-progress -o c.db "$W" 2>e1 &
	a=$!
	"$P" analyze -q --no-progress -o c.db "$Q" 2>e2 &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	got="$ra $rb $(q c.db "PRAGMA integrity_check; PRAGMA user_version;
		SELECT count(*) FROM captures WHERE status = 'complete';
		SELECT count(DISTINCT capture_id) FROM flows" | tr '\n' ' ')"
	if [ "$got" != "0 0 ok 5 2 2 " ]; then
		bad=$((bad + 1))
		echo "# pair $i: $got $(cat e1 e2 | tr '\n' ' ')"
	fi
done
check "$PAIRS pairs of concurrent first runs: both exit 0, intact, schema 5, both files' rows" eq "$bad" 0

sqlite3 users.db "CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('alice')"
sum=$(sha256sum users.db)
check "another program's database is refused (exit 2)" exit_is 2 "$P" analyze -q -o users.db "$W"
check "... saying why" grep -q "not a pidcap database" "$T/stderr"
check "... byte for byte untouched" sh -c "echo '$sum' | sha256sum -c --quiet"
check "... and not switched to WAL" eq "$(q users.db 'PRAGMA journal_mode')" delete
check "... no -wal or -shm beside it" test ! -e users.db-wal -a ! -e users.db-shm

sqlite3 other.db "PRAGMA application_id = 1234"
sqlite3 other.db "CREATE TABLE t (x)"
check "a database with another application_id is refused" exit_is 2 "$P" analyze -q -o other.db "$W"
check "... naming it" grep -q "application_id 0x000004d2" "$T/stderr"

printf 'not a database at all\n' >text.db
check "a file that is not SQLite is refused" exit_is 2 "$P" analyze -q -o text.db "$W"
check "... and left as it was" eq "$(cat text.db)" "not a database at all"

"$P" analyze -q --no-progress -o new.db "$W"
check "a new database carries pidcap's application_id" eq "$(q new.db 'PRAGMA application_id')" 1885627248
sqlite3 new.db "PRAGMA user_version = 99"
sum=$(sha256sum new.db)
check "a newer schema is refused" exit_is 2 "$P" analyze -q -o new.db "$Q"
check "... saying so" grep -q "schema version 99, newer than this pidcap" "$T/stderr"
check "... untouched" sh -c "echo '$sum' | sha256sum -c --quiet"

"$P" analyze -q --no-progress -o old.db "$W"
sqlite3 old.db "PRAGMA application_id = 0"
check "pidcap's database from before application_id is accepted" exit_is 0 "$P" analyze -q -o old.db "$Q"
check "... and marked" eq "$(q old.db 'PRAGMA application_id')" 1885627248
check "an empty file is a new database" sh -c ": >empty.db && '$P' analyze -q -o empty.db '$W'"
ln -s new.db link.db
check "a symbolic link as the database is refused" exit_is 2 "$P" analyze -q -o link.db "$W"
check "... saying why" grep -q "is a symbolic link; pidcap does not follow links" "$T/stderr"
check "--sandbox-strict with --no-sandbox is a usage error" \
	exit_is 2 "$P" analyze --sandbox-strict --no-sandbox -o x.db "$W"
check "... and creates no database" test ! -e x.db
tap_end
