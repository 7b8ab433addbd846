#!/bin/sh
# pidcap info on a file that another program truncates while it is read
# (defect 6): no death by SIGBUS, exit 1, "truncated while reading" (as the
# file's error), and the packets read before the cut are reported. The file is sparse: a pcap header
# and 4 GiB of zeros, which read as empty 16-byte records (seconds of work),
# so the truncation lands mid-run without storing anything.
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
. "$S/tests/tap.sh"
needs python3 truncate
cd "$T" || exit 1
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' >big.pcap
truncate -s 4G big.pcap || skip "no sparse 4 GiB file here"
"$P" info --json --no-progress big.pcap >out.json 2>err &
pid=$!
sleep 0.5
truncate -s $((24 + 16 * 1048576)) big.pcap
wait $pid; rc=$?
check "no death by a signal (exit $rc)" test "$rc" -lt 128
check "exit 1" eq "$rc" 1
# prints nothing when the JSON says what happened, else why not
said() {
	python3 - out.json <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))[0]
if "truncated while reading" not in (o.get("error") or ""):
    sys.exit("error %r" % o.get("error"))
if not o["packets"] > 0 or o["status"] != "read error" or o["exit_code"] != 1:
    sys.exit("packets %r, status %r, exit_code %r" % (o["packets"], o["status"], o["exit_code"]))
PY
}
check "the JSON says 'truncated while reading' and reports the packets read before" said
tap_end
