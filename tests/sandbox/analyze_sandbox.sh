#!/bin/sh
# pidcap analyze under the sandbox: -v prints the level, captures.sandbox
# stores it, the database is the same as with --no-sandbox, best effort warns
# and goes on without Landlock (test-only switch) while --sandbox-strict
# refuses before reading any input, and the worker that reads the input has
# no capabilities, no-new-privs and a seccomp filter. That last one is
# observed from outside, in /proc/<worker>/status, while the worker is
# blocked reading its input from a FIFO (so the check cannot race the run).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
grep_q() { grep -q -- "$1" "$2" || { echo "no '$1' in $2:" >&2; cat "$2" >&2; return 1; }; }
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 (the command-line shell) is not installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (the check shows root's capabilities being dropped)"
	exit 0
fi
CAP=$S/testdata/zeek/wikipedia.pcap
cd "$T" || exit 1
flows() { q "$1" "SELECT * FROM flows ORDER BY id"; }

"$P" analyze -v --no-progress -o sb.db "$CAP" >sb.out 2>sb.err; rc=$?
check "analyze under the default sandbox exits 0" eq "$rc" 0
check "-v prints the level reached" grep_q '^pidcap analyze: sandbox: landlock abi [0-9]* (fs, net, scoped), seccomp, caps 0, uid nobody, nnp' sb.err
check "no warning when every layer is in force" eval '! grep -q warning sb.err'
check "captures.sandbox mentions landlock and seccomp" eq \
	"$(q sb.db "SELECT sandbox LIKE 'landlock abi %' AND sandbox LIKE '%seccomp%' FROM captures")" 1
check "captures.sandbox is the level -v printed" eq \
	"$(q sb.db 'SELECT sandbox FROM captures')" "$(sed -n 's/^pidcap analyze: sandbox: //p' sb.err)"

check "--no-sandbox exits 0" exit_is 0 "$P" analyze -q --no-progress --no-sandbox -o off.db "$CAP"
check "... stores 'off'" eq "$(q off.db 'SELECT sandbox FROM captures')" off
check "... and the same flows as under the sandbox" eq "$(flows off.db)" "$(flows sb.db)"
check "... (and there are flows)" test "$(q sb.db 'SELECT count(*) FROM flows')" -gt 0

if hooks; then
PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" analyze -q --no-progress -o nll.db "$CAP" >nll.out 2>nll.err; rc=$?
check "without Landlock, best effort exits 0" eq "$rc" 0
check "... warns" grep_q 'warning: the sandbox is incomplete: no landlock (ENOSYS), seccomp' nll.err
check "... stores the level reached" eq "$(q nll.db "SELECT sandbox LIKE 'no landlock (ENOSYS), seccomp%' FROM captures")" 1
check "... and the same flows" eq "$(flows nll.db)" "$(flows sb.db)"

PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" analyze -q --no-progress --sandbox-strict -o strict.db "$CAP" \
	>strict.out 2>strict.err; rc=$?
check "without Landlock, --sandbox-strict exits 2" eq "$rc" 2
check "... says why" grep_q 'strict sandbox: Landlock is not available' strict.err
check "... before reading any input (no captures row)" eq "$(q strict.db 'SELECT count(*) FROM captures')" 0
else
	skip_check "without Landlock: best effort warns, --sandbox-strict refuses" "$HOOKS_REASON"
fi
check "with every layer, --sandbox-strict exits 0" exit_is 0 "$P" analyze -q --no-progress --sandbox-strict -o ok.db "$CAP"

# The parser's status, seen from outside while it waits for its input (a
# FIFO: the writer hashes it and passes it on through a pipe). It inherited
# fd 7 from the command line: that must not reach the parser.
mkfifo in.pcap
"$P" analyze -q --no-progress -o fifo.db in.pcap >fifo.out 2>fifo.err 7</etc/hostname &
parent=$!
exec 3>in.pcap          # the worker's open() returns; it sandboxes itself, then blocks in read()
worker= status=
i=0
while [ $i -lt 500 ]; do
	worker=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null | awk '{print $1}')
	if [ -n "$worker" ] && grep -q '^Seccomp:	2$' "/proc/$worker/status" 2>/dev/null; then
		status=$(cat "/proc/$worker/status")
		break
	fi
	sleep 0.01; i=$((i + 1))
done
echo "$status" >worker.status
ls -l "/proc/$worker/fd" 2>/dev/null | awk 'NR > 1 {print $9, $11}' >worker.fds
# sanitizer runtimes keep stderr for their reports
if grep -aq __asan_init "$P"; then
	want_fds="2 3 4"
else
	want_fds="3 4"
fi
check "the parser runs as an unprivileged user (uid not 0)" \
	sh -c "grep '^Uid:' worker.status | awk '{exit \$2 == 0}'"
check "the parser holds only its input (3) and its pipe (4)" \
	eq "$(awk '{print $1}' worker.fds | sort -n | tr '\n' ' ')" "$want_fds "
check "... both pipes, no file" sh -c "awk '\$1 >= 3 {print \$2}' worker.fds | grep -vq '^pipe:' && exit 1 || exit 0"
check "the inherited fd 7 is not in the parser" sh -c "! grep -q '^7 ' worker.fds"
check "the parser's CapEff is 0" grep_q '^CapEff:	0000000000000000$' worker.status
check "... CapPrm 0" grep_q '^CapPrm:	0000000000000000$' worker.status
check "... CapBnd 0" grep_q '^CapBnd:	0000000000000000$' worker.status
check "... NoNewPrivs 1" grep_q '^NoNewPrivs:	1$' worker.status
check "... Seccomp 2 (filter)" grep_q '^Seccomp:	2$' worker.status
check "the writer (the parent, which parses nothing) has fd 7 still (it is not the parser)" \
	test -e "/proc/$parent/fd/7"
cat "$CAP" >&3
exec 3>&-
wait $parent   # its result does not matter here

tap_end
