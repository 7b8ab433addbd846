#!/bin/sh
# `pidcap info --json` on every file of testdata/malformed: the exit code, the
# "status", the packet count and the error offset agree with EXPECTED (TAP).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
D=$S/testdata/malformed
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

# check_json FILE STATUS PACKETS: prints nothing when the JSON agrees, else why.
check_json() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, status, packets = sys.argv[1], sys.argv[2].replace("-", " "), int(sys.argv[3])
d = json.load(open(path))
if len(d) != 1:
    sys.exit("want one object, got %d" % len(d))
o = d[0]
if o.get("status") != status:
    sys.exit("status %r, want %r" % (o.get("status"), status))
if status != "not a capture" and o.get("packets") != packets:
    sys.exit("packets %r, want %d" % (o.get("packets"), packets))
if status in ("truncated", "corrupt") and not isinstance(o.get("error_offset"), int):
    sys.exit("no error_offset")
if status in ("truncated", "corrupt", "not a capture") and not o.get("error"):
    sys.exit("no error text")
PY
}

while read -r name status packets bad_blocks bad_options info_exit info_status; do
	case $name in ''|'#'*) continue ;; esac
	n=$((n + 1))
	"$P" info --json --no-progress "$D/$name" >"$T/out" 2>"$T/err"
	rc=$?
	why=
	if [ "$rc" -ne "$info_exit" ]; then
		why="exit $rc, want $info_exit"
	elif ! why=$(check_json "$T/out" "$info_status" "$packets" 2>&1); then
		:
	else
		why=
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $name: exit $info_exit, status $info_status"
	else
		echo "not ok $n - $name: exit $info_exit, status $info_status"
		echo "#   $why"
		sed 's/^/#   stderr: /' "$T/err" | head -3
		failed=$((failed + 1))
	fi
done <"$D/EXPECTED"

# Several files at once: the worst exit code wins.
n=$((n + 1))
"$P" info --json --no-progress "$D/pcapng_bom_flip.pcapng" "$D/pcapng_cut_mid_epb.pcapng" \
	>/dev/null 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then echo "ok $n - complete + truncated: exit 1"; else
	echo "not ok $n - complete + truncated: exit 1 (got $rc)"; failed=$((failed + 1)); fi
n=$((n + 1))
"$P" info --json --no-progress "$D/pcapng_cut_mid_epb.pcapng" "$D/empty.pcap" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then echo "ok $n - truncated + not a capture: exit 2"; else
	echo "not ok $n - truncated + not a capture: exit 2 (got $rc)"; failed=$((failed + 1)); fi

echo "1..$n"
[ "$failed" -eq 0 ]
