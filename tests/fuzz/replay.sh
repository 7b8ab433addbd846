#!/bin/sh
# Replays a fuzz target over its seed corpus and its regression corpus (every
# input that once broke it), plus any extra directories, without libFuzzer:
# under an --enable-asan/--enable-ubsan build this is the regression check of
# every input that once broke the parser (TAP).
#
#   replay.sh [TARGET [EXTRA_DIR...]]   TARGET: capfile (default) or decode
set -u
S=${SRCDIR:?}
B=${BUILDDIR:?}
target=${1:-capfile}
[ $# -gt 0 ] && shift
case $target in
capfile) R=$B/tests/fuzz/fuzz_replay; set -- "$S/testdata/malformed" "$@" ;;
*) R=$B/tests/fuzz/fuzz_replay_$target ;;
esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

for dir in "$S/tests/fuzz/corpus/$target" "$S/tests/fuzz/regress/$target" "$@"; do
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in README*|EXPECTED) continue ;; esac
		n=$((n + 1))
		if "$R" "$f" >"$T/out" 2>"$T/err"; then
			echo "ok $n - ${f#"$S"/}"
		else
			echo "not ok $n - ${f#"$S"/}"
			sed 's/^/#   /' "$T/err" | head -20
			failed=$((failed + 1))
		fi
	done
done
echo "1..$n"
[ "$failed" -eq 0 ]
