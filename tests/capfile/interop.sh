#!/bin/sh
# The pcapng writer against other readers: tcpdump (libpcap 1.10), tshark and
# editcap (Wireshark 4.0) read write_sample's file with the bytes and the
# nanosecond timestamps written; an editcap round trip keeps what Wireshark
# copies (copyable custom blocks and options, comments, flags) and drops
# only what it is known to drop (option 8, do-not-copy blocks).
set -u
P=${PIDCAP:?}
S=${SRCDIR:?}
B=${BUILDDIR:?}
for tool in tshark tcpdump editcap python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		# A TAP skip: the plan says why; the driver counts exit 77 as an error.
		echo "1..0 # SKIP $tool is not installed (apt-get install tshark tcpdump python3)"
		exit 0
	fi
done
. "$S/tests/tap.sh"
F=$T/sample.pcapng
OUT=$T/edited.pcapng

# Comparisons in Python; each mode exits 0 on agreement, else explains on stderr.
cat >"$T/cmp.py" <<'EOF'
import json, re, subprocess, sys

mode, manifest = sys.argv[1], sys.argv[2]
want_pkts, expect = [], {}
for line in open(manifest):
    f = line.split()
    if f[0] == "packet":
        want_pkts.append((f[1], f[2]))
    elif f[0] == "expect":
        expect[f[1]] = int(f[2])

def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)

def same_packets(got, who):
    if len(got) != len(want_pkts):
        fail("%s: %d packets, want %d" % (who, len(got), len(want_pkts)))
    for i, (g, w) in enumerate(zip(got, want_pkts)):
        if g != w:
            fail("%s: packet %d is %s, want %s" % (who, i + 1, g, w))

def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail("%s exited %d: %s" % (cmd[0], r.returncode, r.stderr.strip()))
    return r.stdout

def tcpdump(path):
    # -tt with nanosecond precision: "SECONDS.NNNNNNNNN ..." then "\t0xOFFS:  hhhh hhhh ..." lines.
    pkts = []
    for line in run("tcpdump", "-r", path, "-nn", "-tt", "--time-stamp-precision=nano", "-xx").splitlines():
        m = re.match(r"\s+0x[0-9a-f]+:\s+(.*)", line)
        if m:
            pkts[-1][1] += m.group(1).replace(" ", "")
        elif line and not line[0].isspace():
            pkts.append([line.split()[0], ""])
    return [tuple(p) for p in pkts]

def tshark(path):
    # Wireshark 4.0 turns every Custom Block into a row of its own ("PCAPNG
    # Custom Block: PEN ..."), without a timestamp; those rows, and only
    # they, carry frame.cb_pen, so "not frame.cb_pen" keeps the packets.
    rows = json.loads(run("tshark", "-r", path, "-Y", "not frame.cb_pen", "-T", "json", "-x"))
    return [(r["_source"]["layers"]["frame"]["frame.time_epoch"],
             r["_source"]["layers"]["frame_raw"][0]) for r in rows]

def tshark_fields(path, filt, *fields):
    args = ["tshark", "-r", path, "-Y", filt, "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    return [l.split("\t") for l in run(*args).splitlines()]

def info(path):
    d = json.loads(run(sys.argv[3], "info", "--json", path))[0]
    if d["exit_code"] != 0 or d["status"] != "complete" or d["bad_blocks"] or d["blocks_with_bad_options"]:
        fail("pidcap info: exit_code %s, status %s, bad blocks %s, bad options %s" %
             (d["exit_code"], d["status"], d["bad_blocks"], d["blocks_with_bad_options"]))
    return d

def counts(d, drop_pid):
    for k in ("packets", "packets_with_flags", "packets_with_comments",
              "packets_with_custom_options", "process_records", "packets_with_process_id"):
        want = 0 if drop_pid and k == "packets_with_process_id" else expect[k]
        if d[k] != want:
            fail("%s = %s, want %s" % (k, d[k], want))

def customs(d, keep_nocopy):
    want = [{"pen": 32622, "copyable": True, "count": expect["custom_32622_copyable"]}]
    if keep_nocopy:
        want.append({"pen": 32473, "copyable": False, "count": expect["custom_32473_nocopy"]})
    key = lambda c: (c["pen"], c["copyable"])
    if sorted(d["custom_blocks"], key=key) != sorted(want, key=key):
        fail("custom_blocks %s, want %s" % (d["custom_blocks"], want))

def processes(d):
    got = [(p["pid"], p["name"], p["cmdline"], p.get("starttime_ns") is not None, p["custom_options"])
           for p in d["processes"]]
    want = [(4242, "curl", ["curl", "-s", "http://example.org/item/1"], True, 1),
            (4343, "dig", ["dig", "example.org"], True, 0)]
    if got != want or any(p["malformed"] for p in d["processes"]):
        fail("processes %s, want %s" % (got, want))

path = sys.argv[4] if len(sys.argv) > 4 else None
if mode == "tcpdump":
    same_packets(tcpdump(path), "tcpdump")
elif mode == "tshark":
    same_packets(tshark(path), "tshark")
elif mode == "tshark-custom":
    got = sorted(tuple(r) for r in tshark_fields(path, "frame.cb_pen", "frame.cb_pen", "frame.cb_copy"))
    want = sorted([("32622", "1")] * expect["custom_32622_copyable"] +
                  [("32473", "0")] * expect["custom_32473_nocopy"])
    if got != want:
        fail("tshark custom block rows %s, want %s" % (got, want))
elif mode == "tshark-comments":
    got = [r for r in tshark_fields(path, "frame.comment", "frame.comment")]
    if len(got) != expect["packets_with_comments"]:
        fail("tshark shows comments on %d packets, want %d" % (len(got), expect["packets_with_comments"]))
elif mode == "same-comments":
    a = tshark_fields(path, "not frame.cb_pen", "frame.comment")
    b = tshark_fields(sys.argv[5], "not frame.cb_pen", "frame.comment")
    if a != b or not any(r != [""] for r in a):
        fail("comments differ after editcap: %s vs %s" % (a, b))
elif mode == "info":
    d = info(path)
    counts(d, False)
    customs(d, True)
    processes(d)
elif mode == "info-edited":
    d = info(path)
    counts(d, True)
    customs(d, False)
    processes(d)
else:
    fail("unknown mode " + mode)
EOF
cmp() { python3 "$T/cmp.py" "$1" "$T/manifest" "$P" "$2" ${3:+"$3"}; }

check "write_sample writes $F" sh -c "'$B/tests/capfile/write_sample' '$F' >'$T/manifest'"
check "the manifest lists the sample's packets" sh -c "grep -c '^packet ' '$T/manifest' | grep -qx 20"

# tcpdump / libpcap: reads the packets, ignores custom blocks and options.
check "tcpdump -r reads the whole file (-w /dev/null)" tcpdump -r "$F" -w /dev/null
check "tcpdump -r counts 20 packets" sh -c "tcpdump -r '$F' -nn 2>/dev/null | wc -l | grep -qx 20"
check "tcpdump: ns timestamps and bytes as written" cmp tcpdump "$F"

# tshark: the same packets, plus one row per custom block.
check "tshark -r reads the file without complaint" \
	sh -c "tshark -r '$F' >/dev/null 2>'$T/tshark.err' && ! grep -v 'Running as user' '$T/tshark.err' | grep -q ."
check "tshark: ns timestamps and bytes as written" cmp tshark "$F"
check "tshark: custom block rows are 2 copyable PEN 32622 + 1 do-not-copy" cmp tshark-custom "$F"
check "tshark: comments on the packets that have them" cmp tshark-comments "$F"
check "pidcap info: every count and process of the sample" cmp info "$F"

# editcap rewrites the file as Wireshark 4.0 understands it.
check "editcap round trip" editcap "$F" "$OUT"
check "after editcap: copyable blocks, processes, comments, custom options kept; option 8 and the do-not-copy block gone" \
	cmp info-edited "$OUT"
check "after editcap: tcpdump sees the same packets" cmp tcpdump "$OUT"
check "after editcap: tshark sees the same packets" cmp tshark "$OUT"
check "after editcap: the same comments on the same packets" cmp same-comments "$F" "$OUT"

tap_end
