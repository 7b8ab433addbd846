#!/bin/sh
# Mutated captures (tests/analyze/mutate.py: bit flips, edge values in length
# fields, cuts, duplicated, deleted and swapped chunks) of three bundled
# captures, a batch of files per run: every run exits 0, 1 or 2, no parser
# crashes or breaks the message protocol (no 'crashed' row), and no
# sanitizer reports anything. MUTANTS (default 400) and SEED choose the run;
# the closing note of issue 10 records a 10,000-mutant run.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3 python3
P=${PIDCAP:?}
MUTANTS=${MUTANTS:-400}
SEED=${SEED:-1}
BATCH=100
python3 "$S/tests/analyze/mutate.py" "$T/m" "$MUTANTS" "$SEED" \
	"$S/testdata/zeek/wikipedia.pcap" "$S/testdata/zeek/pcapng-multi-interface.pcapng" \
	"$S/testdata/zeek/mixed-vlan-mpls.pcap"
bad_rc=0 crashed=0 reports=0 runs=0
ls "$T/m" >"$T/list"
split -l "$BATCH" "$T/list" "$T/batch."
for b in "$T"/batch.*; do
	runs=$((runs + 1))
	rm -f "$T"/b.db*
	# mutant names have no blanks: one word each
	(cd "$T/m" && "$P" analyze -q --no-progress --file-cpu-limit 20 -o "$T/b.db" $(cat "$b")) \
		>"$T/b.out" 2>"$T/b.err"
	rc=$?
	case $rc in 0|1|2) ;; *) bad_rc=$((bad_rc + 1)); echo "# batch $b: exit $rc" ;; esac
	c=$(q "$T/b.db" "SELECT count(*) FROM captures WHERE status = 'crashed'" 2>/dev/null || echo 0)
	if [ "$c" != 0 ]; then
		crashed=$((crashed + c))
		q "$T/b.db" "SELECT path, status_detail FROM captures WHERE status = 'crashed'" | sed 's/^/# /'
	fi
	if grep -q "Sanitizer\|runtime error:" "$T/b.err"; then
		reports=$((reports + 1))
		grep -m5 "Sanitizer\|runtime error:" "$T/b.err" | sed 's/^/# /'
	fi
done
check "$MUTANTS mutants in $runs runs: every exit status is 0, 1 or 2" eq "$bad_rc" 0
check "... no parser crashed or broke the protocol" eq "$crashed" 0
check "... no sanitizer report" eq "$reports" 0
tap_end
