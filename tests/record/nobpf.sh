#!/bin/sh
# pidcap record --no-bpf: attribution by /proc polling, done by a separate
# poller process that keeps three capabilities while the recorder runs with
# none. On lo: a TCP echo server and a client started after the recorder,
# exchanging data every 100 ms for 2 s; the client's flow must belong to
# the client, attributed 'procfs'. The poller must go away with the
# recorder, also when the recorder is killed with SIGKILL.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (capture on lo, other processes' /proc)"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "/usr/bin/python3 is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"

PORT=$((20000 + $$ % 20000))
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null
	[ -n "${rec:-}" ] && kill -9 "$rec" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1

cat >server.py <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
while True:
    d = c.recv(100)
    if not d:
        break
    c.sendall(d)
EOF
cat >client.py <<'EOF'
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("client", os.getpid(), s.getsockname()[1], flush=True)
for i in range(20):
    s.sendall(b"ping %d\n" % i)
    s.recv(100)
    time.sleep(0.1)
s.close()
EOF

# field NAME FILE: a field of a /proc/PID/status copy
field() { awk -v k="$1:" '$1 == k {print $2}' "$2"; }
# the poller's pid, from the recorder's message
poller_pid() { sed -n 's/.*poller process (pid \([0-9]*\)).*/\1/p' "$1" | head -1; }
# true when pid $1 is (still) a pidcap poller
is_poller() { grep -qx pidcap-poller "/proc/$1/comm" 2>/dev/null; }
wait_for() {
	for _ in $(seq 100); do
		grep -q "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

"$P" record --no-bpf -v -i lo -w "$T/rec.pcapng" tcp port "$PORT" >rec.out 2>rec.err &
rec=$!
wait_for "recording on" rec.err
check "the recorder is running" kill -0 "$rec"
pol=$(poller_pid rec.err)
check "stderr says once that attribution is by /proc polling and misses short-lived processes" sh -c \
	"[ \$(grep -c 'attribution by /proc polling every 250 ms: processes that live shorter than that are missed' rec.err) -eq 1 ]"
check "stderr names the poller's pid and capabilities" sh -c \
	"[ -n '$pol' ] && grep -q 'keeps capabilities cap_sys_ptrace, cap_dac_read_search, cap_sys_admin' rec.err"
cat "/proc/$rec/status" >rec.status 2>/dev/null
cat "/proc/${pol:-0}/status" >pol.status 2>/dev/null
separate() { [ -n "$pol" ] && [ "$pol" != "$rec" ] && is_poller "$pol" && eq "$(field PPid pol.status)" "$rec"; }
check "the poller is another process, a child of the recorder" separate
check "recorder CapEff is zero" eq "$(field CapEff rec.status)" 0000000000000000
check "recorder CapPrm is zero" eq "$(field CapPrm rec.status)" 0000000000000000
check "recorder CapBnd is zero" eq "$(field CapBnd rec.status)" 0000000000000000
check "recorder Seccomp is 2 (filter)" eq "$(field Seccomp rec.status)" 2
# CAP_DAC_READ_SEARCH 2, CAP_SYS_PTRACE 19, CAP_SYS_ADMIN 21
check "poller CapEff holds exactly ptrace, dac_read_search, sys_admin" eq \
	"$(field CapEff pol.status)" 0000000000280004
check "poller CapPrm is the same" eq "$(field CapPrm pol.status)" 0000000000280004
check "poller CapBnd and CapInh are empty" eq \
	"$(field CapBnd pol.status) $(field CapInh pol.status)" "0000000000000000 0000000000000000"
check "poller NoNewPrivs is 1" eq "$(field NoNewPrivs pol.status)" 1

# the workload, started after the recorder: nothing comes from the start-up snapshot
"$PY" server.py "$PORT" >server.out &
srv=$!
wait_for listening server.out
"$PY" client.py "$PORT" >client.out
wait "$srv"
srv=
sleep 0.3
kill -TERM "$rec"
wait "$rec"
rc=$?
rec=
check "SIGTERM: the recorder exits 0" eq "$rc" 0
check "the poller is gone with the recorder" eval "! is_poller '$pol'"
check "the summary states the /proc polling and its rounds" \
	grep -q "attribution by /proc polling (poller pid $pol, capabilities .*): [1-9][0-9]* rounds" rec.err
check "the recorder reports no protocol error from the poller" sh -c "! grep -q 'poller:' rec.err"

check "pidcap analyze reads the recording" exit_is 0 "$P" analyze -q -o rec.db rec.pcapng
read -r _ cpid cport <client.out
check "the client's flow belongs to the client" eq \
	"$(q rec.db "SELECT p.pid FROM flows f JOIN processes p ON p.id = f.process_id
		WHERE f.orig_p = ${cport:-0} AND f.resp_p = $PORT AND f.proto = 'tcp'")" "${cpid:-none}"
check "the client was attributed by /proc polling" eq \
	"$(q rec.db "SELECT attribution FROM processes WHERE pid = ${cpid:-0}")" procfs
check "most of the client's packets carry its pid (40 sent)" eq \
	"$(q rec.db "SELECT packets >= 20 FROM processes WHERE pid = ${cpid:-0}")" 1

# SIGKILL: the poller must not outlive the recorder (PR_SET_PDEATHSIG)
"$P" record --no-bpf -q -i lo -w "$T/kill.pcapng" tcp port "$PORT" >kill.out 2>kill.err &
rec=$!
wait_for "poller process" kill.err
pol2=$(poller_pid kill.err)
check "second recorder: the poller runs" is_poller "${pol2:-0}"
sleep 0.3
kill -9 "$rec"
wait "$rec" 2>/dev/null
rec=
gone=no
[ -n "$pol2" ] && for _ in $(seq 50); do
	is_poller "${pol2:-0}" || { gone=yes; break; }
	sleep 0.1
done
check "SIGKILL of the recorder takes the poller with it" eq "$gone" yes
tap_end
