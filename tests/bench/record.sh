#!/bin/bash
# Recording benchmark (not a test): pidcap record against tcpdump -w on the
# same load, one after the other, on a veth pair into a network namespace
# this script creates. The load is `iperf3 -u -l 200 -b 0` from the host
# into the namespace (about 130 k packets/s on the build machine), the most
# a 2-core machine sustains on veth. Reports per tool: packets written,
# packets dropped by the kernel, CPU seconds (user + system) of the
# recorder, and pidcap's lost eBPF events; then the ratios.
#
#   bash tests/bench/record.sh [PIDCAP] [SECONDS]     (as root)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
pidcap=${1:-$top/build/pidcap}
secs=${2:-5}
repeat=${REPEAT:-3}
[ "$(id -u)" -eq 0 ] || { echo "record.sh: run as root" >&2; exit 2; }
for t in iperf3 tcpdump ip; do
	command -v $t >/dev/null || { echo "record.sh: $t is missing (apt-get install $t)" >&2; exit 2; }
done

ns=pidcap-bench-$$ vh=pcb$$h vn=pcb$$n
work=$(mktemp -d)
cleanup() {
	[ -n "${srv:-}" ] && kill "$srv" 2>/dev/null || true
	ip link del "$vh" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip link add "$vh" type veth peer name "$vn"
ip link set "$vn" netns "$ns"
ip addr add 10.198.0.1/24 dev "$vh"
ip link set "$vh" up
ip netns exec "$ns" ip addr add 10.198.0.2/24 dev "$vn"
ip netns exec "$ns" ip link set "$vn" up
ip netns exec "$ns" iperf3 -s -D -p 5201 --logfile "$work/iperf-server.log"
sleep 0.5

# cpu_of PID: user+system seconds (from /proc/PID/stat, clock ticks)
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

# run_one NAME COMMAND...: starts the recorder, runs the load, stops it;
# prints "NAME packets dropped cpu lost"
run_one() {
	local name=$1 pid cpu out
	shift
	"$@" 2>"$work/$name.err" &
	pid=$!
	sleep 1.5
	iperf3 -c 10.198.0.2 -p 5201 -u -l 200 -b 0 -t "$secs" >"$work/iperf.log" 2>&1 || true
	sleep 0.5
	cpu=$(cpu_of $pid)
	kill -INT $pid
	wait $pid || true
	case $name in
	tcpdump)
		out=$(awk '/packets captured/ {c=$1} /dropped by kernel/ {d=$1} END {print c+0, d+0, 0}' \
			"$work/$name.err") ;;
	pidcap)
		out=$(sed -n 's/.*captured, \([0-9]*\) written.*/\1/p' "$work/$name.err")
		out="$out $(sed -n 's/.* \([0-9]*\) dropped by the kernel.*/\1/p' "$work/$name.err")"
		out="$out $(sed -n 's/.* \([0-9]*\) eBPF events lost.*/\1/p' "$work/$name.err")" ;;
	esac
	echo "$name $out $cpu"
}

echo "load: iperf3 -u -l 200 -b 0 for ${secs}s over veth, best of $repeat by CPU"
printf '%-8s %10s %9s %8s %10s\n' tool packets dropped cpu_s lost_events
for i in $(seq "$repeat"); do
	run_one tcpdump tcpdump -i "$vh" -s 262144 -w "$work/t.pcap"
	rm -f "$work"/p*.pcapng
	run_one pidcap "$pidcap" record -q -i "$vh" -w "$work/p.pcapng"
done | sort -k1,1 -k5,5n | awk '
	!seen[$1]++ { printf "%-8s %10d %9d %8.2f %10d\n", $1, $2, $3, $5, $4; pk[$1]=$2; dr[$1]=$3; cpu[$1]=$5 }
	END {
		if (cpu["tcpdump"] > 0)
			printf "pidcap/tcpdump: cpu %.2fx, drops %d vs %d\n", cpu["pidcap"] / cpu["tcpdump"], dr["pidcap"], dr["tcpdump"]
	}'
