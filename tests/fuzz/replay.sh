#!/bin/sh
# Replays the capture-file fuzz target over its seed corpus, its regression
# corpus (every crash the fuzzer ever found) and the malformed-file corpus,
# without libFuzzer: under an --enable-asan/--enable-ubsan build this is the
# regression check of every input that once broke the reader (TAP).
set -u
S=${SRCDIR:?}
B=${BUILDDIR:?}
R=$B/tests/fuzz/fuzz_replay
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

for dir in "$S/tests/fuzz/corpus/capfile" "$S/tests/fuzz/regress/capfile" "$S/testdata/malformed"; do
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
