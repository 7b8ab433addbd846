#!/bin/sh
# Live capture end to end: capture_lo captures "udp port P" on lo while it
# sends N datagrams to P and N to P+1, and writes them through output; then
# tshark, tcpdump and capinfos (Wireshark 4.0, libpcap 1.10) must read exactly
# the N datagrams to P, as Ethernet, with nanosecond timestamps, and a small
# independent parser must find the ISB with its counters.
set -u
B=${BUILDDIR:?}
S=${SRCDIR:?}
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP capturing on lo needs root (CAP_NET_RAW)"
	exit 0
fi
for tool in tshark tcpdump capinfos python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (apt-get install tshark tcpdump python3)"
		exit 0
	fi
done
. "$S/tests/tap.sh"
N=50
PORT=$((45000 + $$ % 900))
F=$T/lo.pcapng

check "capture_lo captures $N datagrams on lo with 'udp port $PORT'" \
	sh -c '"$1/tests/record/capture_lo" "$2" lo.pcapng lo "$3" "$4" >"$2/run.txt"' \
	_ "$B" "$T" "$PORT" "$N"
sed 's/^/# /' "$T/run.txt" 2>/dev/null
check "the file is published under its name, no .part left" \
	sh -c '[ -s "$1/lo.pcapng" ] && ! ls "$1"/*.part 2>/dev/null | grep -q .' _ "$T"

# tshark: every packet, each to the filtered port.
tshark -r "$F" -T fields -e frame.time_epoch -e udp.dstport >"$T/fields" 2>"$T/tshark.err"
echo $? >"$T/tshark.rc"
check "tshark -r reads the file without error" \
	sh -c '[ "$(cat "$1.rc")" = 0 ] && ! grep -v "^Running as user" "$1.err" | grep -q .' _ "$T/tshark"
check "tshark counts $N packets" sh -c '[ "$(wc -l <"$1")" -eq "$2" ]' _ "$T/fields" "$N"
check "every packet is to port $PORT (the filter kept $((PORT + 1)) out)" \
	sh -c '[ "$(cut -f2 "$1" | sort -u)" = "$2" ]' _ "$T/fields" "$PORT"
# Nanosecond timestamps: 9 decimals, and not all of them multiples of 1000 ns.
check "timestamps have 9 decimals and sub-microsecond digits" \
	sh -c 'cut -f1 "$1" | grep -qv "^[0-9]*\.[0-9]\{6\}000$" &&
	       ! cut -f1 "$1" | grep -qv "^[0-9]*\.[0-9]\{9\}$"' _ "$T/fields"

# tcpdump (libpcap 1.10 reading pcapng): link type and count.
tcpdump -n -r "$F" >"$T/tcpdump.out" 2>"$T/tcpdump.err"
check "tcpdump -r: link-type EN10MB" grep -q "link-type EN10MB" "$T/tcpdump.err"
check "tcpdump -r: $N packets" sh -c '[ "$(wc -l <"$1")" -eq "$2" ]' _ "$T/tcpdump.out" "$N"

capinfos "$F" >"$T/capinfos" 2>&1
check "capinfos: Ethernet, nanoseconds, the filter in the IDB, one ISB" \
	sh -c 'grep -q "File encapsulation: *Ethernet" "$1" &&
	       grep -q "Time precision = nanoseconds (9)" "$1" &&
	       grep -q "Filter string = udp port $2" "$1" &&
	       grep -q "Number of stat entries = 1" "$1"' _ "$T/capinfos" "$PORT"

# The ISB, read by a parser independent of pidcap's (little-endian files only).
cat >"$T/isb.py" <<'EOF'
import struct, sys

data, n = open(sys.argv[1], "rb").read(), int(sys.argv[2])
off, isb, ts = 0, None, []
while off + 12 <= len(data):
    btype, blen = struct.unpack_from("<II", data, off)
    body = data[off + 8:off + blen - 4]
    if btype == 6:
        hi, lo = struct.unpack_from("<II", body, 4)
        ts.append(hi << 32 | lo)
    elif btype == 5:
        isb, o = {}, 12
        while o + 4 <= len(body):
            code, olen = struct.unpack_from("<HH", body, o)
            if code == 0:
                break
            val = body[o + 4:o + 4 + olen]
            if code in (2, 3):
                hi, lo = struct.unpack("<II", val)
                isb[code] = hi << 32 | lo
            else:
                isb[code] = struct.unpack("<Q", val)[0]
            o += 4 + (olen + 3) // 4 * 4
    off += blen
if off != len(data):
    sys.exit("blocks do not end at the end of the file")
if isb is None:
    sys.exit("no ISB")
names = {2: "starttime", 3: "endtime", 4: "ifrecv", 5: "ifdrop", 7: "osdrop", 8: "usrdeliv"}
print(" ".join("%s=%d" % (names.get(k, k), v) for k, v in sorted(isb.items())))
missing = [names[k] for k in names if k not in isb]
if missing:
    sys.exit("ISB lacks " + ", ".join(missing))
if isb[8] != n or isb[4] < n:
    sys.exit("usrdeliv %d (want %d), ifrecv %d (want >= %d)" % (isb[8], n, isb[4], n))
if not (isb[2] <= min(ts) <= max(ts) <= isb[3]):
    sys.exit("packets not within isb_starttime..isb_endtime")
EOF
check "ISB: starttime, endtime around the packets; ifrecv >= $N, ifdrop, osdrop, usrdeliv = $N" \
	python3 "$T/isb.py" "$F" "$N"
python3 "$T/isb.py" "$F" "$N" 2>&1 | sed 's/^/# /'

check "on 'any' the file is LINUX_SLL2 (tcpdump -r)" \
	sh -c '"$1/tests/record/capture_lo" "$2" any.pcapng any "$3" 5 >/dev/null &&
	       tcpdump -r "$2/any.pcapng" 2>&1 >/dev/null | grep -q "link-type LINUX_SLL2"' \
	_ "$B" "$T" "$PORT"
check "an unknown interface is refused with a message naming it, and no file made" \
	sh -c '! "$1/tests/record/capture_lo" "$2" none.pcapng nosuch0 "$3" 1 >/dev/null 2>"$2/nosuch.err" &&
	       grep -q "nosuch0" "$2/nosuch.err" && ! ls "$2"/none.pcapng* 2>/dev/null | grep -q .' \
	_ "$B" "$T" "$PORT"
sed 's/^/# /' "$T/nosuch.err"
tap_end
