#!/bin/sh
# pidcap record end to end: a veth pair into a network namespace the test
# creates, an HTTP server inside it, and outside: 20 short-lived curl
# clients, a UDP sender, a connection opened before recording started and
# a forked child sending on a socket it inherited. The recording is then
# analysed (and again after editcap, which drops option 8) and every
# workload flow must belong to the process that made it.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespace, capture, eBPF)"
PY=/usr/bin/python3
for tool in ip curl sqlite3 tshark editcap capinfos tcpdump; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
[ -x "$PY" ] || skip "/usr/bin/python3 is not installed"

ns=pidcap-e2e-$$
vh=pce$$h
vn=pce$$n
NET=10.199.$(($$ % 200)).
H=${NET}1
N=${NET}2
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	[ -n "${rec:-}" ] && kill -9 "$rec" 2>/dev/null
	ip link del "$vh" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
ip link add "$vh" type veth peer name "$vn" || skip "cannot create a veth pair"
ip link set "$vn" netns "$ns"
ip addr add "$H/24" dev "$vh"
ip link set "$vh" up
ip netns exec "$ns" ip addr add "$N/24" dev "$vn"
ip netns exec "$ns" ip link set "$vn" up
ip netns exec "$ns" ip link set lo up

cd "$T" || exit 1
# the server: `ip netns exec` execs it, so $! is its pid
ip netns exec "$ns" "$PY" -m http.server 8080 --bind "$N" >/dev/null 2>&1 &
srv=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://$N:8080/" && break
	sleep 0.1
done
# a connection from before the recording
"$PY" "$S/tests/record/workload.py" hold "$N" 8080 4 >hold.out &
hold=$!
sleep 0.5

PIDCAP_RECORD_TEST_PROBE=$T/../pidcap-landlock-probe-$$ \
	"$P" record -v -i "$vh" -w "$T/rec.pcapng" >rec.out 2>rec.err &
rec=$!
for _ in $(seq 100); do
	grep -q "recording on" rec.err 2>/dev/null && break
	sleep 0.1
done
check "the recorder is running" kill -0 "$rec"
status=$(cat "/proc/$rec/status")
field() { echo "$status" | awk -v k="$1:" '$1 == k {print $2}'; }
check "recorder CapEff is zero" eq "$(field CapEff)" 0000000000000000
check "recorder CapBnd is zero" eq "$(field CapBnd)" 0000000000000000
check "recorder NoNewPrivs is 1" eq "$(field NoNewPrivs)" 1
check "recorder Seccomp is 2 (filter)" eq "$(field Seccomp)" 2
if hooks; then
	check "Landlock denies the recorder a file outside its output directory" \
		sh -c "grep -q 'landlock probe: denied (Permission denied)' rec.err && \
		       test ! -e '$T/../pidcap-landlock-probe-$$'"
else
	skip_check "Landlock denies the recorder a file outside its output directory" "$HOOKS_REASON"
fi

# the workload
: >curl.pids
for i in $(seq 20); do
	sh -c 'echo $$ >>curl.pids; exec curl -s -o /dev/null "$0"' "http://$N:8080/?client=$i"
done
# processes that live a millisecond or two: described from the kernel's
# copy of their arguments when /proc is already gone
: >bash.pids
for i in 1 2 3 4 5; do
	sh -c 'echo $$ >>bash.pids; exec bash -c "echo $1 >/dev/udp/$0/9997"' "$N" "tick$i"
done
"$PY" "$S/tests/record/workload.py" udp "$N" 9999 5 >udp.out
"$PY" "$S/tests/record/workload.py" forkudp "$N" 9998 >fork.out
wait "$hold"
sleep 0.3
kill -TERM "$rec"
wait "$rec"
rc=$?
rec=
check "SIGTERM: the recorder exits 0" eq "$rc" 0
check "the file is published (no .part left)" sh -c "test -s rec.pcapng && ! ls *.part 2>/dev/null"
check "tshark reads it" tshark -r rec.pcapng -c 1
check "tcpdump -r reads every packet capinfos counts" eq \
	"$(tcpdump -r rec.pcapng 2>/dev/null | wc -l)" "$(capinfos -c -M rec.pcapng | awk '/Number of packets/ {print $NF}')"
check "the file has an Interface Statistics Block" sh -c \
	"'$P' info rec.pcapng | grep -q 'ISB 1'"

check "pidcap analyze reads the recording" exit_is 0 "$P" analyze -q -o rec.db rec.pcapng
editcap rec.pcapng edited.pcapng
check "pidcap analyze reads the editcap copy" exit_is 0 "$P" analyze -q -o edited.db edited.pcapng

# owner of the flow whose originator port is $1 (and responder port $2)
owner() {
	q "$1" "SELECT p.pid || ' ' || p.name FROM flows f JOIN processes p ON p.id = f.process_id
		WHERE f.orig_p = $2 AND f.resp_p = $3 LIMIT 1"
}
curl_flows() {
	q "$1" "SELECT f.orig_p, p.pid, p.name, replace(p.cmdline, ' ', '_') FROM flows f
		LEFT JOIN processes p ON p.id = f.process_id WHERE f.resp_p = 8080 AND f.proto = 'tcp'"
}
for db in rec.db edited.db; do
	curl_flows "$db" >"$db.curl"
	check "$db: 20 curl clients, each flow owned by its own curl process" sh -c "
		ok=0
		while read -r pid; do
			grep -q \"|\$pid|curl|\" '$db.curl' && ok=\$((ok + 1))
		done <curl.pids
		[ \$ok -eq 20 ] || { echo \"\$ok of 20 curl flows attributed right\" >&2; cat '$db.curl' >&2; exit 1; }"
	check "$db: the full command line is right for at least 95% of the curls" sh -c "
		ok=0
		i=0
		while read -r pid; do
			i=\$((i + 1))
			grep -q \"|\$pid|curl|curl_-s_-o_/dev/null_http://$N:8080/?client=\$i\$\" '$db.curl' &&
				ok=\$((ok + 1))
		done <curl.pids
		[ \$ok -ge 19 ] || { echo \"\$ok of 20 command lines right\" >&2; exit 1; }"
	check "$db: 5 bash processes of a millisecond own their datagrams, with their command lines" sh -c "
		ok=0
		i=0
		while read -r pid; do
			i=\$((i + 1))
			[ \"\$(sqlite3 '$db' \"SELECT p.name || '|' || p.cmdline FROM flows f
				JOIN processes p ON p.id = f.process_id WHERE f.resp_p = 9997 AND p.pid = \$pid\")\" = \
			  \"bash|bash -c echo tick\$i >/dev/udp/$N/9997\" ] && ok=\$((ok + 1))
		done <bash.pids
		[ \$ok -eq 5 ] || { echo \"\$ok of 5\" >&2; exit 1; }"
	read -r _ hpid hport <hold.out
	check "$db: the connection opened before recording belongs to its process" eq \
		"$(owner "$db" "$hport" 8080 | cut -d' ' -f1)" "$hpid"
	read -r _ upid uport <udp.out
	check "$db: the UDP sender's flow belongs to it" eq "$(owner "$db" "$uport" 9999)" "$upid python3"
	read -r _ cpid cport <fork.out
	check "$db: the forked child's datagrams belong to the child" eq \
		"$(owner "$db" "$cport" 9998 | cut -d' ' -f1)" "$cpid"
	check "$db: the server's side of the curl flows belongs to the server" eq \
		"$(q "$db" "SELECT count(*) FROM flows f JOIN processes p ON p.id = f.resp_process_id
			WHERE f.resp_p = 8080 AND p.pid = $srv")" \
		"$(q "$db" "SELECT count(*) FROM flows WHERE resp_p = 8080 AND proto = 'tcp'")"
done
check "editcap dropped option 8 and attribution still agrees" eq \
	"$(q rec.db 'SELECT f.orig_p, f.resp_p, p.pid FROM flows f JOIN processes p ON p.id = f.process_id ORDER BY 1, 2')" \
	"$(q edited.db 'SELECT f.orig_p, f.resp_p, p.pid FROM flows f JOIN processes p ON p.id = f.process_id ORDER BY 1, 2')"
check "cgroup and attribution are recorded per process (ebpf for the curls)" eq \
	"$(q rec.db "SELECT DISTINCT attribution, cgroup IS NOT NULL FROM processes WHERE name = 'curl'")" "ebpf|1"
tap_end
