# Shared TAP helpers for the shell tests (sourced, not run):
#   . "$SRCDIR/tests/tap.sh"
# gives a scratch directory $T (removed on exit) and
#   check DESCRIPTION COMMAND...   one TAP line; on failure COMMAND's stderr
#                                  and stdout follow as # comments
#   exit_is CODE COMMAND...        succeeds when COMMAND exits with CODE
#                                  (its stderr is kept in $T/stderr)
#   tap_end                        prints the plan; its status is the test's
#   eq GOT WANT                    succeeds when equal, else says both
#   q DB SQL                       one sqlite3 query, bare rows
#   skip REASON                    skips the whole test (a plan of 0) and exits
#   skip_check DESCRIPTION REASON  one TAP line "ok N - ... # SKIP REASON"
#   hooks                          succeeds in the test-hook build (tests run
#                                  tests/pidcap-test-hooks: --enable-test-hooks)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

check() {
	desc=$1; shift
	n=$((n + 1))
	if "$@" >"$T/out" 2>"$T/err"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/#   /' "$T/err" "$T/out" | head -8
		failed=$((failed + 1))
	fi
}

exit_is() {
	want=$1; shift
	"$@" >/dev/null 2>"$T/stderr"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc, want $want" >&2; return 1; }
}

tap_end() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

eq() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'" >&2; return 1; }; }

q() { sqlite3 -batch -noheader "$@"; }

skip() { echo "1..0 # SKIP $*"; exit 0; }

skip_check() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

hooks() { [ "${PIDCAP_TEST_HOOKS:-0}" = 1 ]; }
HOOKS_REASON="needs the test-hook build (./configure --enable-test-hooks)"

# needs TOOL...: skips the whole test unless every TOOL is on the PATH
needs() { for t; do command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"; done; }
