#!/bin/sh
# -j: several parsers at once feed the one writer, which still writes the
# files one after another, in order: -j 1 and -j 3 give the same tables
# (four copies of two captures, rewritten so their hashes differ, a damaged
# one and one that is no capture among them), and the same exit status.
set -u
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs sqlite3 python3
P=${PIDCAP:?}
cd "$T" || exit 1
python3 - "$S/testdata/zeek/wikipedia.pcap" "$S/testdata/zeek/pcapng-multi-interface.pcapng" <<'PY'
import sys
for i in range(4):
    src = open(sys.argv[1 + i % 2], "rb").read()
    # a pcap's sigfigs field (bytes 12-15) or a trailing byte: another hash, the same packets
    data = bytearray(src)
    if i % 2 == 0:
        data[12] = i
    else:
        data += b""
        data[-1:] = data[-1:]
    open("c%d%s" % (i, ".pcap" if i % 2 == 0 else ".pcapng"), "wb").write(bytes(data) + (b"" if i % 2 == 0 else bytes(0)))
PY
cp "$S/testdata/malformed/pcap_cut_mid_record.pcap" cut.pcap
printf 'not a capture\n' >text.pcap
FILES="c0.pcap c1.pcapng c2.pcap cut.pcap text.pcap c3.pcapng"
dump() {
	q "$1" "SELECT id, sha256, path, format, packets, status, status_detail, flows FROM captures ORDER BY id;
		SELECT * FROM flows ORDER BY id; SELECT * FROM processes ORDER BY id;
		SELECT * FROM anomalies ORDER BY id; SELECT * FROM interfaces ORDER BY 1, 2" | sha256sum
}
"$P" analyze -q --no-progress -j 1 -o j1.db $FILES 2>j1.err; rc1=$?
"$P" analyze -q --no-progress -j 3 -o j3.db $FILES 2>j3.err; rc3=$?
check "-j 1 and -j 3 exit alike (2: one file is no capture)" eq "$rc1 $rc3" "2 2"
check "... store the same captures, flows, processes, anomalies and interfaces" \
	eq "$(dump j1.db)" "$(dump j3.db)"
check "... the files in the order given" \
	eq "$(q j3.db "SELECT group_concat(path, ' ') FROM (SELECT path FROM captures ORDER BY id)")" \
	"c0.pcap c1.pcapng c2.pcap cut.pcap"
check "... and say the same" eq "$(cat j1.err)" "$(cat j3.err)"
check "the two copies of one capture are both stored (different hashes)" \
	eq "$(q j3.db "SELECT count(DISTINCT sha256), count(*) FROM captures WHERE path LIKE 'c%'")" "4|4"
check "-j 0 is a usage error" exit_is 2 "$P" analyze -j 0 c0.pcap
tap_end
