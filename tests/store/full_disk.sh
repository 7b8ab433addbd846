#!/bin/sh
# A full disk: the run stops with the first error, saying which ("database or
# disk is full (No space left on device)"), exit 2, and the files stored
# before keep their data. Needs root to mount a small tmpfs.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3
P=${PIDCAP:?}
[ "$(id -u)" -eq 0 ] || skip "mounting a small tmpfs needs root"
mkdir "$T/full"
mount -t tmpfs -o size=2m tmpfs "$T/full" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
W=$S/testdata/zeek/wikipedia.pcap
python3 "$S/tests/analyze/make_big.py" "$W" "$T/big.pcap" 300 0
"$P" analyze -q --no-progress -o "$T/full/f.db" "$W" "$T/big.pcap" >"$T/run.out" 2>"$T/run.err"
rc=$?
check "a full disk exits 2" eq "$rc" 2
check "... saying what the system said" grep -q "disk is full (No space left on device)" "$T/run.err"
check "... and not 'cannot rollback'" sh -c "! grep -q 'cannot rollback' '$T/run.err'"
check "the file stored before is intact" \
	eq "$(q "$T/full/f.db" "SELECT count(*), min(status) FROM captures")" "1|complete"
check "... with its flows" eq "$(q "$T/full/f.db" "SELECT count(*) FROM flows")" 34
check "... and the database passes integrity_check" eq "$(q "$T/full/f.db" "PRAGMA integrity_check")" ok
tap_end
