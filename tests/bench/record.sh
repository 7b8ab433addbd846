#!/bin/bash
# Recording benchmark (not a test): pidcap record against tcpdump -w on the
# same load, one after the other, on a veth pair into a network namespace
# this script creates. The load is `iperf3 -u -l 200 -b 0` from the host
# into the namespace (about 130 k packets/s on the build machine), the most
# a 2-core machine sustains on veth. Reports per tool: packets written,
# packets dropped by the kernel, CPU seconds (user + system) of the
# recorder while the load runs (set-up CPU before the load is printed
# apart), and pidcap's lost eBPF events; then the ratios.
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
	[ -s "$work/iperf.pid" ] && kill "$(cat "$work/iperf.pid")" 2>/dev/null || true
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
ip netns exec "$ns" iperf3 -s -D -p 5201 --logfile "$work/iperf-server.log" --pidfile "$work/iperf.pid"
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
	cpu0=$(cpu_of $pid)   # set-up (pidcap: loading eBPF, the snapshot) is reported apart
	iperf3 -c 10.198.0.2 -p 5201 -u -l 200 -b 0 -t "$secs" >"$work/iperf.log" 2>&1 || true
	sleep 0.5
	cpu=$(awk -v a="$(cpu_of $pid)" -v b="$cpu0" 'BEGIN {print a - b}')
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
	echo "$name $out $cpu $cpu0"
}

echo "load: iperf3 -u -l 200 -b 0 for ${secs}s over veth; per tool the run with the least CPU per packet of $repeat"
printf '%-8s %10s %9s %8s %10s %8s %12s\n' tool packets dropped cpu_s lost_events setup_s cpu_us/pkt
for i in $(seq "$repeat"); do
	run_one tcpdump tcpdump -i "$vh" -s 262144 -w "$work/t.pcap"
	rm -f "$work"/p*.pcapng
	run_one pidcap "$pidcap" record --no-status -i "$vh" -w "$work/p.pcapng"
done | awk '
	$2 > 0 { c = $5 / $2 * 1e6; if (!($1 in best) || c < best[$1]) { best[$1] = c; line[$1] = $0 } }
	END {
		for (t in line) {
			split(line[t], f, " ")
			printf "%-8s %10d %9d %8.2f %10d %8.2f %12.3f\n", f[1], f[2], f[3], f[5], f[4], f[6], best[t]
		}
		if (best["tcpdump"] > 0)
			printf "pidcap/tcpdump: CPU per packet %.2fx\n", best["pidcap"] / best["tcpdump"]
	}'
