#!/bin/bash
# Benchmark: pidcap against the tools people would otherwise use, side by
# side in one run on the capture from ../shared/bench/make-corpus.sh.
# Not part of `make check`: speed is measured here, never asserted in a test.
#
#   tests/bench/run.sh [PIDCAP] [CORPUS]
#
# PIDCAP defaults to build/pidcap; CORPUS to /var/tmp/pidcap-bench/corpus.pcap,
# made on first use (needs tcpreplay and wireshark-common). Each command runs
# REPEAT times (default 3); the best wall time and the peak RSS are reported.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
pidcap=${1:-$top/build/pidcap}
corpus=${2:-/var/tmp/pidcap-bench/corpus.pcap}
repeat=${REPEAT:-3}

if [ ! -s "$corpus" ]; then
	command -v tcprewrite >/dev/null || apt-get install -y -qq tcpreplay >/dev/null
	mkdir -p "$(dirname "$corpus")"
	bash "$top/../shared/bench/make-corpus.sh" "$corpus"
fi
echo "corpus: $corpus ($(stat -c %s "$corpus") bytes)"

# best_of NAME COMMAND...: prints "NAME seconds peak_kb"
best_of() {
	local name=$1 best= peak=0 t m out tf
	shift
	tf=$(mktemp)
	for _ in $(seq "$repeat"); do
		/usr/bin/time -o "$tf" -f "%e %M" "$@" >/dev/null 2>&1 || true
		out=$(tail -1 "$tf")
		t=${out% *}; m=${out#* }
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
		[ "$m" -gt "$peak" ] && peak=$m
	done
	rm -f "$tf"
	echo "$name $best $peak"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
cat "$corpus" >/dev/null   # warm the page cache for everyone alike
best_of "tcpdump -r -w /dev/null" tcpdump -r "$corpus" -w /dev/null >>"$results"
best_of "pidcap info" "$pidcap" info --no-progress "$corpus" >>"$results"
command -v capinfos >/dev/null && best_of "capinfos" capinfos "$corpus" >>"$results"

ref=$(awk '/^tcpdump/ {print $(NF-1)}' "$results")
printf '%-28s %9s %10s %8s\n' command seconds peak_MiB vs_tcpdump
while read -r line; do
	kb=${line##* }; rest=${line% *}; t=${rest##* }; name=${rest% *}
	printf '%-28s %9.2f %10.1f %8.2f\n' "$name" "$t" "$(awk "BEGIN{print $kb/1024}")" \
		"$(awk "BEGIN{print $t/$ref}")"
done <"$results"
