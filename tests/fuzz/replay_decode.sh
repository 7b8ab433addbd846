#!/bin/sh
# Replays the decoder fuzz target over its seed corpus and its regression
# corpus (every input that once broke the decoder), without libFuzzer:
# under an --enable-asan/--enable-ubsan build this is the regression run (TAP).
set -u
S=${SRCDIR:?}
B=${BUILDDIR:?}
R=$B/tests/fuzz/fuzz_replay_decode
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

for dir in "$S/tests/fuzz/corpus/decode" "$S/tests/fuzz/regress/decode"; do
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in README*) continue ;; esac
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
