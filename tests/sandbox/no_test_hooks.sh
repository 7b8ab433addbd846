#!/bin/sh
# The switches that weaken the sandbox or inject faults exist only in the
# test-hook build: the pidcap binary (what `make install` installs) has none
# of their names, the test-hook binary has all of them (so the search works).
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
R=${PIDCAP_RELEASE:?}
HOOKS="PIDCAP_SANDBOX_TEST_NO_LANDLOCK PIDCAP_SANDBOX_SECCOMP_LOG PIDCAP_TEST_CRASH_AT_PACKET
	PIDCAP_TEST_SPIN_AT_PACKET PIDCAP_RECORD_TEST_PROBE PIDCAP_TEST_INFO_CHILD"
# every environment variable the source reads, so a new switch is not missed
read_vars=$(grep -rhoE 'getenv\("[A-Z_]+"\)|define [A-Z_]+ "PIDCAP_[A-Z_]+"' "$S/src" |
	grep -oE 'PIDCAP_[A-Z_]+' | LC_ALL=C sort -u | tr '\n' ' ')
check "the source reads no other PIDCAP_ environment variable than the hooks" \
	eq "$read_vars" "$(printf '%s\n' $HOOKS | LC_ALL=C sort | tr '\n' ' ')"
for v in $HOOKS; do
	check "$v is not in the pidcap binary" sh -c "! grep -aq '$v' '$R'"
done
if [ "${PIDCAP_TEST_HOOKS:-0}" = 1 ]; then
	for v in $HOOKS; do
		check "$v is in the test-hook binary" grep -aq "$v" "$PIDCAP"
	done
fi
tap_end
