#!/bin/sh
# pidcap sandbox-check: the eight attempts are denied and the output directory
# stays usable (the parse profile: its eight, and it still reads its input); the sandboxed process's /proc status shows no capabilities,
# no-new-privs and a seccomp filter; with Landlock switched off (test-only
# switch) best effort warns and goes on, strict refuses before trying anything.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (the check shows root's capabilities being dropped)"
	exit 0
fi
grep_q() { grep -q -- "$1" "$2" || { echo "no '$1' in $2:" >&2; cat "$2" >&2; return 1; }; }
count_is() { got=$(grep -c -- "$2" "$3"); [ "$got" = "$1" ] || { echo "$got lines with '$2', want $1" >&2; cat "$3" >&2; return 1; }; }
gone() { dir=$(sed -n 's/^output directory: //p' "$1"); [ -n "$dir" ] && [ ! -e "$dir" ] || { echo "'$dir' left behind" >&2; return 1; }; }

"$P" sandbox-check -v >"$T/analyze.out" 2>"$T/analyze.err"; rc=$?
check "sandbox-check (analyze profile) exits 0" test "$rc" = 0
check "... eight attempts denied" count_is 8 ' denied ' "$T/analyze.out"
check "... none allowed" count_is 0 ' ALLOWED ' "$T/analyze.out"
check "... the control write inside the output directory works" grep_q '^control: .* ok ' "$T/analyze.out"
check "... Landlock with files, network and scopes" grep_q '^sandbox: landlock abi [0-9]* (fs, net, scoped), seccomp, caps 0, nnp' "$T/analyze.out"
check "... exec was killed by seccomp" grep_q '^exec /bin/true  *denied  *killed by SIGSYS' "$T/analyze.out"
check "... CapEff 0" grep_q '^status: CapEff:	0000000000000000$' "$T/analyze.out"
check "... CapPrm 0" grep_q '^status: CapPrm:	0000000000000000$' "$T/analyze.out"
check "... CapBnd 0" grep_q '^status: CapBnd:	0000000000000000$' "$T/analyze.out"
check "... CapAmb 0" grep_q '^status: CapAmb:	0000000000000000$' "$T/analyze.out"
check "... NoNewPrivs 1" grep_q '^status: NoNewPrivs:	1$' "$T/analyze.out"
check "... Seccomp 2 (filter)" grep_q '^status: Seccomp:	2$' "$T/analyze.out"
check "... the output directory was removed afterwards" gone "$T/analyze.out"
check "... nothing on stderr" test ! -s "$T/analyze.err"

check "the record profile denies all eight too" exit_is 0 "$P" sandbox-check --profile record
check "strict mode passes when every layer is there" exit_is 0 "$P" sandbox-check --sandbox-strict

# The parse profile (pidcap info's parser): no output directory; each attempt
# closes what a parser closes and applies the profile in a process of its own.
scratch_gone() { dir=$(sed -n 's/^scratch directory: \([^ ]*\).*/\1/p' "$1"); [ -n "$dir" ] && [ ! -e "$dir" ] || { echo "'$dir' left behind" >&2; return 1; }; }
"$P" sandbox-check --profile parse -v >"$T/parse.out" 2>"$T/parse.err"; rc=$?
check "sandbox-check --profile parse exits 0" test "$rc" = 0
check "... eight attempts denied" count_is 8 ' denied ' "$T/parse.out"
check "... none allowed" count_is 0 ' ALLOWED ' "$T/parse.out"
check "... reading /etc/passwd" grep_q '^read /etc/passwd  *denied' "$T/parse.out"
check "... creating a file in its scratch directory" grep_q '^create a file in the scratch dir  *denied' "$T/parse.out"
check "... fchmod of its input" grep_q '^fchmod its input descriptor  *denied' "$T/parse.out"
check "... fork kills it" grep_q '^fork  *denied  *killed by SIGSYS' "$T/parse.out"
check "... exec kills it" grep_q '^exec /bin/true  *denied  *killed by SIGSYS' "$T/parse.out"
check "... TCP connect to 127.0.0.1" grep_q '^connect to 127.0.0.1 over TCP  *denied' "$T/parse.out"
check "... ptrace" grep_q '^ptrace (PTRACE_TRACEME)  *denied' "$T/parse.out"
check "... a descriptor opened before is closed (EBADF)" \
	grep_q '^read a descriptor open before, not kept  *denied  *EBADF' "$T/parse.out"
check "... the control reads its input" grep_q '^control: read its input  *ok ' "$T/parse.out"
check "... runs as nobody, not root" grep_q '^status: Uid:	65534	65534	65534	65534$' "$T/parse.out"
check "... CapEff 0" grep_q '^status: CapEff:	0000000000000000$' "$T/parse.out"
check "... NoNewPrivs 1" grep_q '^status: NoNewPrivs:	1$' "$T/parse.out"
check "... Seccomp 2 (filter)" grep_q '^status: Seccomp:	2$' "$T/parse.out"
check "... the scratch directory was removed afterwards" scratch_gone "$T/parse.out"
check "... nothing on stderr" test ! -s "$T/parse.err"
check "strict mode passes for the parse profile" exit_is 0 "$P" sandbox-check --profile parse --sandbox-strict

if hooks; then
PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" sandbox-check >"$T/nll.out" 2>"$T/nll.err"; rc=$?
check "without Landlock, best effort exits 1 (something allowed)" test "$rc" = 1
check "... and warns" grep_q 'warning: Landlock is not in force' "$T/nll.err"
check "... says so in the summary" grep_q '^sandbox: no landlock (ENOSYS), seccomp, caps 0, nnp' "$T/nll.out"
check "... /etc/passwd became readable" grep_q '^read /etc/passwd  *ALLOWED' "$T/nll.out"
check "... seccomp still kills exec" grep_q '^exec /bin/true  *denied  *killed by SIGSYS' "$T/nll.out"
check "... seccomp still denies the TCP connect" grep_q '^connect to 127.0.0.1 over TCP  *denied' "$T/nll.out"
check "... the output directory was removed afterwards" gone "$T/nll.out"

PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" sandbox-check --sandbox-strict >"$T/strict.out" 2>"$T/strict.err"; rc=$?
check "without Landlock, --sandbox-strict exits non-zero" test "$rc" != 0
check "... before attempting anything" count_is 0 '^attempt' "$T/strict.out"
check "... saying why" grep_q 'strict sandbox: Landlock is not available' "$T/strict.err"

PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" sandbox-check --profile parse >"$T/pnll.out" 2>"$T/pnll.err"; rc=$?
check "without Landlock, the parse profile still denies all eight (seccomp has no path call)" \
	test "$rc" = 0
check "... and warns" grep_q 'warning: Landlock is not in force' "$T/pnll.err"
PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 "$P" sandbox-check --profile parse --sandbox-strict \
	>"$T/pstrict.out" 2>"$T/pstrict.err"; rc=$?
check "without Landlock, --profile parse --sandbox-strict exits non-zero" test "$rc" != 0
check "... before attempting anything" count_is 0 '^attempt' "$T/pstrict.out"

else
	skip_check "without Landlock: best effort and strict" "$HOOKS_REASON"
fi

check "unknown option: exit 2" exit_is 2 "$P" sandbox-check --bogus
check "bad profile: exit 2" exit_is 2 "$P" sandbox-check --profile nope
check "--help: exit 0" exit_is 0 "$P" sandbox-check --help
tap_end
