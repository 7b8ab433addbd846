#!/bin/sh
# The public corpus under the sandbox: every capture file below
# ../shared/testdata/public (pcap, pcapng or gzip by its first bytes; under
# 5 MB to keep the run near a minute) is analysed with the default sandbox
# and with --no-sandbox into two databases, which must hold the same
# captures, flows, processes, anomalies and anomaly counts (all columns but
# analyzed_at and captures.sandbox, which legitimately differ): the sandbox
# denies nothing the analyzer needs.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
CORPUS=${PIDCAP_PUBLIC_CORPUS:-$S/../shared/testdata/public}
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
if [ ! -d "$CORPUS" ]; then
	echo "1..0 # SKIP no public corpus at $CORPUS"
	exit 0
fi
cd "$T" || exit 1

# capture files only, by magic: pcap (both byte orders, usec and nsec), pcapng, gzip
find "$CORPUS" -type f -size -5M | LC_ALL=C sort | while IFS= read -r f; do
	case $(od -An -tx1 -N4 "$f" 2>/dev/null | tr -d ' \n') in
	d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d|0a0d0d0a|1f8b*) printf '%s\0' "$f" ;;
	esac
done >files
nfiles=$(tr -cd '\0' <files | wc -c)
if [ "$nfiles" -eq 0 ]; then
	echo "1..0 # SKIP no capture files in $CORPUS"
	exit 0
fi

run() {
	db=$1; shift
	xargs -0 timeout 300 "$P" analyze -q --no-progress -o "$db" "$@" <files >/dev/null 2>"$db.err"
	echo $?
}
start=$(date +%s)
rc_sb=$(run sb.db)
rc_off=$(run off.db --no-sandbox)
echo "# $nfiles capture files, both runs in $(($(date +%s) - start)) s" >&2

check "$nfiles capture files: both runs end the same way (exit $rc_sb)" eq "$rc_sb" "$rc_off"
check "... and not by the timeout" test "$rc_sb" != 124
check "every analysed capture was under the sandbox" eq \
	"$(q sb.db "SELECT count(*) FROM captures WHERE sandbox NOT LIKE 'landlock abi %seccomp%'")" 0
check "... no worker crashed" eq "$(q sb.db "SELECT count(*) FROM captures WHERE status = 'crashed'")" 0
check "... and some were analysed" test "$(q sb.db 'SELECT count(*) FROM captures')" -gt 0
check "the same messages (no spurious denial)" eq "$(sed 's/sb\.db/DB/g' sb.db.err)" "$(sed 's/off\.db/DB/g' off.db.err)"
dump() {
	cols=$(q "$1" "SELECT group_concat(name) FROM pragma_table_info('$2') WHERE name NOT IN ('analyzed_at', 'sandbox')")
	q "$1" "SELECT $cols FROM $2 ORDER BY 1, 2, 3"
}
for t in captures flows processes anomalies anomaly_counts interfaces sockets; do
	check "table $t is identical ($(q sb.db "SELECT count(*) FROM $t") rows)" eq "$(dump sb.db $t)" "$(dump off.db $t)"
done
tap_end
