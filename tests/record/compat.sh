#!/bin/sh
# pidcap record --compat comment and --compat darwin on loopback: ptcpdump-
# style comments that tshark shows on every attributed packet, Apple's
# process blocks and option 0x8001 next to the standard records, and the
# analyzer still preferring the standard records.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (capture, eBPF)"
PY=/usr/bin/python3
for tool in curl sqlite3 tshark; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
[ -x "$PY" ] || skip "/usr/bin/python3 is not installed"
cd "$T" || exit 1
port=$((20000 + $$ % 20000))
"$PY" -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; [ -n "${rec:-}" ] && kill -9 $rec 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$port/" && break
	sleep 0.1
done
"$P" record --compat comment --compat darwin -i lo -w "$T/c.pcapng" "tcp port $port" 2>rec.err &
rec=$!
for _ in $(seq 100); do
	grep -q "recording on" rec.err 2>/dev/null && break
	sleep 0.1
done
: >pids
for i in 1 2 3; do
	sh -c 'echo $$ >>pids; exec curl -s -o /dev/null "$0"' "http://127.0.0.1:$port/?c=$i"
done
sleep 0.3
kill -TERM "$rec"
wait "$rec"
check "the recorder exits 0" eq "$?" 0
rec=
check "tshark reads the file with Apple's local-use blocks in it" tshark -r c.pcapng -c 1
tshark -r c.pcapng -T fields -e frame.comment 2>/dev/null | grep 'PID: ' >comments
check "every curl has ptcpdump-style comments with its program and arguments" sh -c '
	while read -r pid; do
		grep -q "^PID: $pid\\\\nCmd: /usr/bin/curl\\\\nArgs: -s -o /dev/null http" comments || exit 1
	done <pids'
check "the server's packets carry its comment too" grep -q "Cmd: /usr/bin/python3" comments
"$P" info c.pcapng >info.out
check "one Apple process block per process" eq "$(grep -c '(apple)' info.out)" \
	"$(grep -c 'cmdline:' info.out)"
check "every commented packet also has option 8 and option 0x8001" sh -c "
	n=\$(wc -l <comments)
	grep -q \"Process ids: *\$n packets\" info.out && grep -q \"Apple metadata: *\$n packets\" info.out"
check "pidcap analyze reads it" exit_is 0 "$P" analyze -q -o c.db c.pcapng
check "packets go to the standard process records, not the Apple copies" eq \
	"$(q c.db "SELECT count(*) FROM processes WHERE source = 'darwin-process-block' AND packets > 0")" 0
check "each curl's flow belongs to it" sh -c "
	while read -r pid; do
		[ \"\$(sqlite3 c.db \"SELECT count(*) FROM flows f JOIN processes p ON p.id = f.process_id
			WHERE p.pid = \$pid AND p.name = 'curl' AND p.source = 'pcapng-process-block'\")\" = 1 ] || exit 1
	done <pids"
tap_end
