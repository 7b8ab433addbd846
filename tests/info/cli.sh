#!/bin/sh
# The pidcap command line: help, version, exit codes, JSON, gzip, stdin,
# hostile strings on a terminal, and the man page matching --help.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
json_field() { # json_field EXPR FILE...: evaluates EXPR on the first object
	expr=$1; shift
	"$P" info --json "$@" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; sys.exit(0 if ($expr) else 1)"
}
CAP=$S/testdata/zeek/wikipedia.pcap
GEN=$S/testdata/pcapng-test-generator/output_be/difficult/test202.pcapng

check "--version prints the version" sh -c "'$P' --version | grep -q '^pidcap [0-9]'"
check "--help lists info" sh -c "'$P' --help | grep -q '^  info'"
check "no arguments is a usage error (2)" exit_is 2 "$P"
check "unknown command is a usage error (2)" exit_is 2 "$P" frobnicate
check "info without a file is a usage error (2)" exit_is 2 "$P" info
check "info with an unknown option is a usage error (2)" exit_is 2 "$P" info --bogus "$CAP"
check "a complete capture exits 0" exit_is 0 "$P" info "$CAP"
check "a missing file exits 2" exit_is 2 "$P" info "$T/nope.pcap"
check "a text file exits 2 (not a capture)" exit_is 2 "$P" info "$S/testdata/README.md"
check "the error says not a capture" grep -q "not a capture" "$T/stderr"
head -c 1000 "$CAP" >"$T/cut.pcap"
check "a truncated capture exits 1" exit_is 1 "$P" info "$T/cut.pcap"
check "truncation is reported with its offset" sh -c "'$P' info '$T/cut.pcap' | grep -q 'truncated at offset [0-9]'"
check "the worst file decides the exit code" exit_is 2 "$P" info "$CAP" "$T/cut.pcap" "$T/nope.pcap"
check "JSON: packets and link type of the bundled capture" \
	json_field 'd["packets"] > 0 and d["interfaces"][0]["linktype"] == 1 and d["status"] == "complete"' "$CAP"
check "JSON is one array with an object per file" sh -c \
	"'$P' info --json '$CAP' '$GEN' | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 2'"
gzip -c "$CAP" >"$T/w.pcap.gz"
"$P" info --json "$CAP" | python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print(d['packets'], d['first_time_ns'], d['last_time_ns'])" >"$T/plain"
check "gzip input: same packets and times as the plain file" sh -c \
	"'$P' info --json '$T/w.pcap.gz' | python3 -c \"import json,sys; d=json.load(sys.stdin)[0]; assert d['gzip']; print(d['packets'], d['first_time_ns'], d['last_time_ns'])\" | cmp -s - '$T/plain'"
check "standard input (-): same packets and times" sh -c \
	"cat '$CAP' | '$P' info --json - | python3 -c \"import json,sys; d=json.load(sys.stdin)[0]; print(d['packets'], d['first_time_ns'], d['last_time_ns'])\" | cmp -s - '$T/plain'"
check "gzip on standard input" sh -c \
	"'$P' info --json - <'$T/w.pcap.gz' | python3 -c \"import json,sys; d=json.load(sys.stdin)[0]; print(d['packets'], d['first_time_ns'], d['last_time_ns'])\" | cmp -s - '$T/plain'"
check "--blocks lists the block sequence" sh -c "'$P' info --blocks '$GEN' | grep -q '^Block sequence: *SHB, IDB'"
# A pcapng whose SHB comment holds an ESC sequence and a bell.
python3 - "$T/esc.pcapng" <<'PY'
import struct, sys
def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)
body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(1, b"evil \x1b]0;owned\x07 \x1b[2J") + opt(0, b"")
shb = struct.pack("<II", 0x0A0D0D0A, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
open(sys.argv[1], "wb").write(shb)
PY
check "control characters from the file never reach the terminal" sh -c \
	"'$P' info '$T/esc.pcapng' | grep -q 'evil \\\\x1b]0;owned\\\\x07' && ! '$P' info '$T/esc.pcapng' | grep -q \"\$(printf '\\033')\""
check "JSON escapes them" json_field '"\x1b]0;owned\x07" in d["comments"][0]' "$T/esc.pcapng"
# The man page documents every option that --help shows, and the exit codes.
MAN=$S/man/pidcap.1
for cmd in info analyze index record; do
	for opt in $("$P" $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		check "man page documents $cmd $opt" grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$MAN"
	done
	check "man page has a section for $cmd" grep -q "^\.SS pidcap $cmd" "$MAN"
done
check "--help lists analyze" sh -c "'$P' --help | grep -q '^  analyze'"
check "man page documents the exit status" grep -q "EXIT STATUS" "$MAN"
tap_end
