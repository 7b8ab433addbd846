#!/usr/bin/env python3
"""Per-conversation packets and bytes of pidcap's flows against tshark (TAP).

usage: tshark_conv.py CONN_LOG_BINARY CAPTURE...

tshark -q -n -z conv,tcp -z conv,udp lists one conversation per 5-tuple
over the whole capture, with frames and frame bytes (frame.len, the wire
length) per direction. pidcap's flows follow Zeek: the same 5-tuple becomes
several flows after a timeout, a close or a port reuse. So pidcap's flows
are summed per 5-tuple and direction before comparing; that is what is
comparable. Frames must agree exactly; bytes must agree with what tshark
prints (it rounds down to whole kB, MB, GB from 10 units up, SI).

Not comparable, listed and counted apart: conversations of tunnel endpoints
(Teredo, VXLAN, GRE ... carriers: pidcap keys flows on the innermost packet,
src/flow/flow.h), recognised as the outer tuple of some pidcap flow.

The test fails when fewer than GATE percent of the compared 5-tuples agree
in all four numbers.
"""
import concurrent.futures
import os
import re
import subprocess
import sys

GATE = 95.0
UNITS = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}
ROW = re.compile(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+(\d+) (bytes|kB|MB|GB)\s+"
                 r"(\d+)\s+(\d+) (bytes|kB|MB|GB)\s+")


def shown_bytes(n, unit):
    """The interval of byte counts tshark prints as "n unit" (it rounds down)."""
    scale = UNITS[unit]
    return (n * scale, n * scale + scale - 1)


def tshark_convs(path):
    """{(proto, end, end): {(src, dst): [frames, bytes_lo, bytes_hi]}}: tshark's
    conversations summed per 5-tuple (it splits some, e.g. SNMP, in several)."""
    res = subprocess.run(["tshark", "-q", "-n", "-r", path, "-z", "conv,tcp", "-z", "conv,udp"],
                         capture_output=True, text=True, check=False)
    convs, proto = {}, None
    for line in res.stdout.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "tcp"
        elif line.startswith("UDP Conversations"):
            proto = "udp"
        m = ROW.match(line)
        if not m or proto is None:
            continue
        a = (norm_addr(m.group(1)), int(m.group(2)))
        b = (norm_addr(m.group(3)), int(m.group(4)))
        d = convs.setdefault((proto,) + tuple(sorted([a, b])), {})
        # "<-" is B to A, "->" is A to B.
        for src, dst, frames, n, unit in ((a, b, m.group(8), m.group(9), m.group(10)),
                                          (b, a, m.group(5), m.group(6), m.group(7))):
            lo, hi = shown_bytes(int(n), unit)
            acc = d.setdefault((src, dst), [0, 0, 0])
            acc[0] += int(frames)
            acc[1] += lo
            acc[2] += hi
    return convs, res.returncode


def norm_addr(a):
    return a.lower()


def pidcap_flows(binary, path):
    res = subprocess.run([binary, path], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"conn_log exit {res.returncode}: {res.stderr.strip()}")
    rows, carriers, fields = [], [], None
    for line in res.stdout.splitlines():
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line.startswith("#carrier\t"):
            carriers.append(line.split("\t")[1])
        elif line:
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows, carriers


def endpoint_key(proto, a, b):
    return (proto,) + tuple(sorted([a, b]))


def sum_flows(rows, carrier_lines):
    """(proto, end, end) -> {(src, dst): [frames, bytes]}, and the tunnel carriers."""
    sums, outers = {}, set()
    for r in rows:
        o = (norm_addr(r["id.orig_h"]), int(r["id.orig_p"]))
        p = (norm_addr(r["id.resp_h"]), int(r["id.resp_p"]))
        d = sums.setdefault(endpoint_key(r["proto"], o, p), {})
        for src, dst, side in ((o, p, "orig"), (p, o, "resp")):
            acc = d.setdefault((src, dst), [0, 0])
            acc[0] += int(r[side + "_pkts"])
            acc[1] += int(r[side + "_frame_bytes"])
    for c in carrier_lines:
        proto, src, sport, dst, dport = c.split(" ")
        outers.add(endpoint_key(proto, (norm_addr(src), int(sport)), (norm_addr(dst), int(dport))))
    return sums, outers


def short(path):
    return path.rsplit("/", 1)[-1]


def compare_conv(path, key, conv, ours, stats):
    proto, a, b = key
    bad = []
    for src, dst in ((a, b), (b, a)):
        frames, lo, hi = conv.get((src, dst), [0, 0, 0])
        got = ours.get((src, dst), [0, 0])
        if got[0] != frames or not lo <= got[1] <= hi:
            shown = f"{lo}" if lo == hi else f"{lo}-{hi}"
            bad.append(f"{src[0]}:{src[1]} > {dst[0]}:{dst[1]} tshark {frames} pkts {shown} "
                       f"bytes, pidcap {got[0]} pkts {got[1]} bytes")
    if not bad:
        stats["agree"] += 1
        return True
    kind = "missing in pidcap" if not ours else "counts differ"
    stats["mismatches"].append(f"{short(path)}: {proto} {kind}: " + "; ".join(bad))
    return False


def compare_capture(binary, path, stats):
    convs, rc = tshark_convs(path)
    if rc != 0:
        stats["tshark_errors"].append(path)
    rows, carrier_lines = pidcap_flows(binary, path)
    sums, outers = sum_flows(rows, carrier_lines)
    bad = 0
    for key, conv in sorted(convs.items()):
        if key in outers:
            stats["tunnel"] += 1
            stats["notes"].append(f"# {short(path)}: not compared, tunnel carrier {key}")
            continue
        stats["compared"] += 1
        if not compare_conv(path, key, conv, sums.get(key, {}), stats):
            bad += 1
    for key in sums:
        if key[0] in ("tcp", "udp") and key not in convs:
            stats["pidcap_only"].append(f"{short(path)}: {key}")
    return len(convs), bad


def new_stats():
    return {"compared": 0, "agree": 0, "tunnel": 0, "mismatches": [], "pidcap_only": [],
            "tshark_errors": [], "notes": []}


def run_one(binary, path):
    """Compares one capture; returns (conversations, differing, stats, error)."""
    stats = new_stats()
    try:
        convs, bad = compare_capture(binary, path, stats)
    except (OSError, RuntimeError) as e:
        return 0, 0, stats, str(e)
    return convs, bad, stats, None


def merge(total, part):
    for k, v in part.items():
        total[k] += v


def main():
    if len(sys.argv) < 3:
        print("usage: tshark_conv.py CONN_LOG_BINARY CAPTURE...", file=sys.stderr)
        return 2
    binary, captures = sys.argv[1], sys.argv[2:]
    stats, n = new_stats(), 0
    workers = max(1, min(4, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = pool.map(lambda c: run_one(binary, c), captures)
        for path, (convs, bad, part, err) in zip(captures, results):
            n += 1
            merge(stats, part)
            for note in part["notes"]:
                print(note)
            if err is not None:
                print(f"not ok {n} - {short(path)}: {err}")
            else:
                print(f"ok {n} - {short(path)}: {convs} 5-tuples, {bad} differ")
    for m in stats["mismatches"]:
        print(f"# mismatch {m}")
    for m in stats["pidcap_only"]:
        print(f"# pidcap flow with no tshark conversation: {m}")
    for m in stats["tshark_errors"]:
        print(f"# tshark reported an error reading {m} (conversations up to the error kept)")
    pct = 100.0 * stats["agree"] / stats["compared"] if stats["compared"] else 0.0
    n += 1
    ok = pct >= GATE
    print(f"# 5-tuples compared {stats['compared']}, agree {stats['agree']}, "
          f"tunnel carriers not compared {stats['tunnel']}")
    print(f"{'ok' if ok else 'not ok'} {n} - 5-tuple agreement {pct:.2f}% "
          f"({stats['agree']}/{stats['compared']}), gate {GATE:.0f}%")
    print(f"1..{n}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
