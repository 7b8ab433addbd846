#!/bin/sh
# Re-attribution from socket records: a capture whose packets carry option 8
# (epb_processid_threadid) goes through Debian's editcap, which drops option 8
# but keeps copyable Custom Blocks; `pidcap analyze` must attribute the same
# flows and packets to the same processes in both files, from pidcap's socket
# records in the copy. The capture comes from gen_reattribute (see its header).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
. "$S/tests/tap.sh"
eq() { [ "$1" = "$2" ] || { printf 'got:\n%s\nwant:\n%s\n' "$1" "$2" >&2; return 1; }; }
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
if ! command -v editcap >/dev/null 2>&1; then
	echo "1..0 # SKIP editcap (wireshark-common) is not installed"
	exit 0
fi
cd "$T" || exit 1
info() { "$P" info --json "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['$2'])"; }

check "the generator writes the capture" "$B/tests/analyze/gen_reattribute" . cap.pcapng
check "editcap rewrites it" editcap cap.pcapng copy.pcapng
check "the original carries option 8 on 22 packets" eq "$(info cap.pcapng packets_with_process_id)" 22
check "the copy carries none (editcap dropped option 8)" eq "$(info copy.pcapng packets_with_process_id)" 0
check "the copy keeps the 7 socket records (PEN 32473)" eq \
	"$("$P" info --json copy.pcapng | python3 -c 'import json,sys
print(sum(c["count"] for c in json.load(sys.stdin)[0]["custom_blocks"] if c["pen"] == 32473))')" 7
check "analyze the original" exit_is 0 "$P" analyze -q -o orig.db cap.pcapng
check "analyze the copy" exit_is 0 "$P" analyze -q -o copy.db copy.pcapng

FLOWS="SELECT f.orig_h, f.orig_p, f.resp_h, f.resp_p, f.proto, f.orig_pkts + f.resp_pkts,
	IFNULL(p.pid, '-'), IFNULL(p.name, '-')
	FROM flows f LEFT JOIN processes p ON f.process_id = p.id ORDER BY f.ts_ns, f.orig_p"
PROCS="SELECT pid, name, source, packets, flows, attribution, cgroup, container
	FROM processes ORDER BY pid, id"
want_flows='10.0.0.2|50000|93.184.216.34|80|tcp|8|5001|curl
10.0.0.9|40001|10.0.0.2|53|udp|7|5002|dnsd
10.0.0.2|50001|10.0.0.7|22|tcp|2|-|-
2001:db8::2|50002|2001:db8::80|443|tcp|8|5001|curl'
want_procs='5001|curl|pcapng-process-block|16|2|ebpf|/user.slice/user-1000.slice/session-2.scope|web-1
5002|dnsd|pcapng-process-block|6|1|snapshot|/system.slice/dnsd.service|dns-0'
check "original: flows owned by the pids option 8 names" eq "$(q orig.db "$FLOWS")" "$want_flows"
check "copy: the same flows owned by the same pids" eq "$(q copy.db "$FLOWS")" "$(q orig.db "$FLOWS")"
check "original: per-process packets, flows, attribution, cgroup, container" \
	eq "$(q orig.db "$PROCS")" "$want_procs"
check "copy: the same per-process counts and columns" eq "$(q copy.db "$PROCS")" "$(q orig.db "$PROCS")"
check "a packet after its socket's final last_ns + 1 s stays unattributed (dnsd: 6 of 7)" \
	eq "$(q copy.db "SELECT packets FROM processes WHERE pid = 5002")" 6
check "original: 22 packets attributed, none from socket records, 1 flow unattributed" \
	eq "$(q orig.db 'SELECT attributed_packets, reattributed_packets, unattributed_flows FROM captures')" "22|0|1"
check "copy: 22 packets attributed, all from socket records, 1 flow unattributed" \
	eq "$(q copy.db 'SELECT attributed_packets, reattributed_packets, unattributed_flows FROM captures')" "22|22|1"
check "sockets: one row per socket (final records merged), each linked to its process" \
	eq "$(q copy.db "SELECT s.proto, s.local_h, s.local_p, IFNULL(s.remote_h, '-'), s.final, s.how,
		s.packets, p.pid FROM sockets s JOIN processes p ON s.process_id = p.id ORDER BY s.id")" \
	'udp|0.0.0.0|53|-|1|snapshot|6|5002
tcp|10.0.0.2|50000|93.184.216.34|1|ebpf|8|5001
tcp|2001:db8::2|50002|2001:db8::80|1|ebpf|8|5001'
check "sockets keep their last time from the final record" \
	eq "$(q copy.db 'SELECT count(*) FROM sockets WHERE last_time_ns > first_time_ns')" 3
check "a damaged socket record is an anomaly" \
	eq "$(q copy.db "SELECT count FROM anomaly_counts WHERE name = 'malformed_socket_record'")" 1
check "no bare process rows were invented" \
	eq "$(q copy.db "SELECT count(*) FROM processes WHERE source != 'pcapng-process-block'")" 0
tap_end
