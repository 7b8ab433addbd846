#!/bin/sh
# One exit-status rule for info and analyze: every file of testdata/malformed
# makes `pidcap analyze` exit with the status EXPECTED gives `pidcap info`
# (2: no valid first header, not a capture; 1: damaged after valid records;
# 0: fine), and never anything else.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
P=${PIDCAP:?}
while read -r name status packets _ _ want _; do
	case $name in '#'*|'') continue ;; esac
	rm -f "$T"/m.db*
	"$P" analyze -q --no-progress -o "$T/m.db" "$S/testdata/malformed/$name" >/dev/null 2>"$T/m.err"
	check "$name ($status): analyze exits $want as info does" eq "$?" "$want"
done <"$S/testdata/malformed/EXPECTED"
tap_end
