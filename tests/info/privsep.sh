#!/bin/sh
# pidcap info parses nothing itself: each file goes to a sandboxed child. The
# child is observed from outside while it is blocked reading its input from
# a FIFO (so the checks cannot race the run, as in analyze_sandbox.sh): not
# root, no capabilities, no-new-privs, a seccomp filter, and no descriptor
# but its input and its pipe (not even one the parent inherited). A child
# that crashes or sends garbage fails its file only (test-hook build).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
grep_q() { grep -q -- "$1" "$2" || { echo "no '$1' in $2:" >&2; cat "$2" >&2; return 1; }; }
CAP=$S/testdata/zeek/wikipedia.pcap
cd "$T" || exit 1
# Sanitizer runtimes report on fd 2, so the child keeps it in those builds.
asan=false
grep -aq __asan_init "$P" && asan=true

mkfifo in.pcap
echo secret >inherited
"$P" info --no-progress in.pcap >fifo.out 2>fifo.err 7<inherited &
parent=$!
exec 3>in.pcap          # the parent's open() returns; its child sandboxes itself, then blocks in read()
child=
i=0
while [ $i -lt 500 ]; do
	child=$(awk '{print $1}' "/proc/$parent/task/$parent/children" 2>/dev/null)
	if [ -n "$child" ] && grep -q '^Seccomp:	2$' "/proc/$child/status" 2>/dev/null; then
		cat "/proc/$child/status" >child.status
		ls -l "/proc/$child/fd" >child.fd 2>&1
		ls "/proc/$child/fd" | sort -n | tr '\n' ' ' >child.fds
		break
	fi
	sleep 0.01; i=$((i + 1))
done
check "the parser child was found, sandboxed" test -s child.status
if [ "$(id -u)" = 0 ]; then
	check "the child does not run as root" \
		eval "awk '/^Uid:/ { exit !(\$2 != 0 && \$3 != 0 && \$4 != 0 && \$5 != 0) }' child.status"
else
	skip_check "the child does not run as root" "the test does not run as root"
fi
check "... CapEff is 0" grep_q '^CapEff:	0000000000000000$' child.status
check "... CapPrm 0" grep_q '^CapPrm:	0000000000000000$' child.status
check "... CapBnd 0" grep_q '^CapBnd:	0000000000000000$' child.status
check "... NoNewPrivs 1" grep_q '^NoNewPrivs:	1$' child.status
check "... Seccomp 2 (filter)" grep_q '^Seccomp:	2$' child.status
# two descriptors: the FIFO and the pipe (and fd 2 in a sanitizer build)
fds=$(cat child.fds 2>/dev/null)
if $asan; then fds=$(echo "$fds" | sed 's/^2 //; s/ 2 / /'); fi
check "... holds exactly two descriptors ($fds)" eq "$(echo $fds | wc -w)" 2
check "... one is its input" grep_q "in.pcap$" child.fd
check "... the other its pipe" grep_q "pipe:" child.fd
check "... not the file the parent inherited as fd 7" eval '! grep -q inherited child.fd'
if ! $asan; then
	check "... not stdin, stdout or stderr" eval "! grep -q ' [012] -> ' child.fd"
else
	skip_check "... not stdin, stdout or stderr" "sanitizer build: fd 2 is kept for reports"
fi
check "the parent (which parses nothing) is not sandboxed" \
	grep_q '^Seccomp:	0$' "/proc/$parent/status"
cat "$CAP" >&3
exec 3>&-
wait $parent; rc=$?
check "the file read through the child: exit 0" eq "$rc" 0
check "... and described" grep_q '^Packets:             [1-9]' fifo.out

# Through the child, the output is the same for every option.
for opt in "" --json --blocks "--json --blocks"; do
	check "'info $opt' on a gzip file and a pcapng file exits 0" \
		exit_is 0 "$P" info --no-progress $opt "$S/testdata/community-id-spec/pcaps/combined.pcap.gz" \
		"$S/testdata/malformed/pcapng_every_option.pcapng"
done

if hooks; then
	PIDCAP_TEST_INFO_CHILD=abort "$P" info --no-progress "$CAP" "$CAP" >abort.out 2>abort.err; rc=$?
	check "a crashing parser: exit 2" eq "$rc" 2
	check "... says so, with the signal" grep_q 'parser crashed: killed by signal 6 (SIGABRT) at byte' abort.err
	check "... and goes on with the next file" eq "$(grep -c '^File name:' abort.out)" 2
	PIDCAP_TEST_INFO_CHILD=garbage "$P" info --json --no-progress "$CAP" >garbage.out 2>garbage.err
	rc=$?
	check "a parser sending garbage: exit 2" eq "$rc" 2
	check "... says so" grep_q 'parser sent an invalid message' garbage.err
	check "... and the JSON is still valid" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
		garbage.out
else
	skip_check "a crashing or lying parser fails its file only" "$HOOKS_REASON"
fi

tap_end
