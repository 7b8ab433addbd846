#!/bin/bash
# Benchmark: pidcap against the tools people would otherwise use, side by
# side in one run on the capture from ../shared/bench/make-corpus.sh.
# Not part of `make check`: speed is measured here, never asserted in a test.
#
#   tests/bench/run.sh [PIDCAP] [CORPUS]
#
# Two groups: reading (pidcap info against tcpdump -r -w /dev/null and
# capinfos) and analysis (pidcap analyze into a fresh database against
# ndpiReader -i, tshark -q -z conv,tcp and tcpdump -r; pidcap analyze --index
# and pidcap index, which build the lookup indexes, too). Ratios are given
# against tcpdump for reading and against ndpiReader for analysis.
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$corpus" >/dev/null   # warm the page cache for everyone alike

# table FILE REFERENCE_PREFIX: prints the rows with ratios to the reference row
table() {
	local ref
	ref=$(awk -v r="$2" 'index($0, r) == 1 {print $(NF-1)}' "$1")
	printf '%-34s %9s %10s %9s %9s\n' command seconds peak_MiB time_x mem_x
	local refkb
	refkb=$(awk -v r="$2" 'index($0, r) == 1 {print $NF}' "$1")
	while read -r line; do
		kb=${line##* }; rest=${line% *}; t=${rest##* }; name=${rest% *}
		printf '%-34s %9.2f %10.1f %9.3f %9.3f\n' "$name" "$t" "$(awk "BEGIN{print $kb/1024}")" \
			"$(awk "BEGIN{print $t/$ref}")" "$(awk "BEGIN{print $kb/$refkb}")"
	done <"$1"
}

echo "== reading"
best_of "tcpdump -r -w /dev/null" tcpdump -r "$corpus" -w /dev/null >>"$work/read"
best_of "pidcap info" "$pidcap" info --no-progress "$corpus" >>"$work/read"
command -v capinfos >/dev/null && best_of "capinfos" capinfos "$corpus" >>"$work/read"
table "$work/read" "tcpdump"

echo "== analysis"
command -v ndpiReader >/dev/null || apt-get install -y -qq libndpi-bin >/dev/null
# each pidcap run writes a new database (an existing one would make it a no-op)
best_of "ndpiReader -i" ndpiReader -q -i "$corpus" >>"$work/analyze"
best_of "pidcap analyze (new database)" sh -c \
	"rm -f '$work'/a.db*; '$pidcap' analyze -q --no-progress -o '$work/a.db' '$corpus'" >>"$work/analyze"
best_of "pidcap analyze --index" sh -c \
	"rm -f '$work'/i.db*; '$pidcap' analyze -q --no-progress --index -o '$work/i.db' '$corpus'" >>"$work/analyze"
# pidcap index on a fresh copy of the default run's database each time (the
# copy is made outside the timing)
best=
for _ in $(seq "$repeat"); do
	rm -f "$work"/x.db*
	cp "$work/a.db" "$work/x.db"
	/usr/bin/time -o "$work/t" -f "%e %M" "$pidcap" index -q --no-progress "$work/x.db"
	out=$(tail -1 "$work/t"); t=${out% *}; m=${out#* }
	if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
done
echo "pidcap index (after analyze) $best $m" >>"$work/analyze"
best_of "tcpdump -r (decode, no print)" sh -c "tcpdump -n -r '$corpus' >/dev/null" >>"$work/analyze"
repeat=1 best_of "tshark -q -z conv,tcp" tshark -n -q -r "$corpus" -z conv,tcp >>"$work/analyze"
table "$work/analyze" "ndpiReader"
echo "== phases of the default run (pidcap analyze -v)"
rm -f "$work"/a.db*
"$pidcap" analyze -q --no-progress -v -o "$work/a.db" "$corpus" 2>&1 | grep seconds
