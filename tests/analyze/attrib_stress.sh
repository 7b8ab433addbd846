#!/bin/sh
# Attribution stays linear (issue 10, defect 4). 40,000 socket records on
# one tuple (a port reused 40,000 times) and 80,000 option-8 pids that are
# multiples of 4096 (one bucket of a hash of the low bits) took 18.6 s and
# 8.5 s to analyze; each now takes well under a second, and must finish
# before an alarm of ALARM seconds (ATTRIB_STRESS_ALARM, default 10: a bound
# against quadratic work, not a benchmark). The step counts themselves are
# asserted in tests/attrib/test_attrib.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
. "$S/tests/tap.sh"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 (the command-line shell) is not installed"
command -v timeout >/dev/null 2>&1 || skip "timeout (coreutils) is not installed"
ALARM=${ATTRIB_STRESS_ALARM:-10}
G="$B/tests/analyze/gen_attrib_stress"
cd "$T" || exit 1

check "write 40,000 socket records on one tuple" "$G" . sockets.pcapng sockets 40000
check "write 80,000 packets of pids that are multiples of 4096" "$G" . pids.pcapng pids 80000
check "analyze the socket records before the ${ALARM} s alarm" \
	exit_is 0 timeout -s KILL "$ALARM" "$P" analyze -q --no-progress -o sockets.db sockets.pcapng
check "every packet found its socket's process (50 processes)" \
	eq "$(q sockets.db 'SELECT COUNT(*), SUM(packets) FROM processes')" "50|40000"
check "analyze the pids before the ${ALARM} s alarm" \
	exit_is 0 timeout -s KILL "$ALARM" "$P" analyze -q --no-progress -o pids.db pids.pcapng
check "one process per pid, one packet each" \
	eq "$(q pids.db 'SELECT COUNT(DISTINCT pid), SUM(packets) FROM processes')" "80000|80000"
tap_end
