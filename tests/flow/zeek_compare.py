#!/usr/bin/env python3
"""Flows of pidcap's flow table against Zeek's conn.log baselines (TAP).

usage: zeek_compare.py CONN_LOG_BINARY TRACE_DIR BASELINE_DIR

TRACE_DIR and BASELINE_DIR hold zeek/zeek's testing/btest/Traces and
Baseline files under their paths there (testdata/zeek and
testdata/zeek/Baseline in this repository). For every baseline below, conn_log reads the trace that
made it; flows are matched on protocol and the unordered pair of endpoints
(flows with no addresses in the baseline, zeek-cut projections of uid and
history, are matched on start time or as the only flow), several flows on
one 5-tuple are paired for the best agreement, and every field the
baseline has is compared. A flow Zeek has and pidcap lacks counts as wrong
in all its fields. Overall agreement below GATE percent fails the test.

Not compared (listed, counted apart): Zeek's connections of tunnel
endpoints (uids named in another row's tunnel_parents). pidcap keys a flow
on the innermost IP packet only (src/flow/flow.h), so the outer UDP flow of
Teredo or VXLAN is not one of its flows.
"""
import itertools
import os
import subprocess
import sys

GATE = 95.0

# Baseline directory -> (log file, trace, columns of header-less zeek-cut
# output). The trace is the one the baseline's test runs, per the command
# lines quoted in shared/testdata/public/SOURCES.md (zeek/zeek @ a13de64f,
# testing/btest/<test>: "zeek [-b] [-C] -r $TRACES/<trace> ...").
BASELINES = [
    ("core.tcp.missing-syn", "conn.log", "tcp/missing-syn.pcap", None),
    ("core.tcp.reassembly-known-ports", "conn.log", "http/get.pcap", None),
    ("core.vlan-mpls", "conn.log", "mixed-vlan-mpls.pcap", None),
    ("core.q-in-q", "conn.log", "q-in-q.pcap", None),
    ("core.vntag", "conn.log", "vntag.pcap", None),
    ("core.pcapng-pktsrc", "conn.log", "pcapng-multi-interface.pcapng", None),
    ("core.tunnels.teredo", "conn.log", "tunnels/Teredo.pcap", None),
    ("core.tunnels.vxlan", "conn.log", "tunnels/vxlan.pcap", None),
    ("core.udp-corrupt", "conn.log", "dns/dns-corrupt.pcap", None),
    ("opt.basic", "conn.log", "wikipedia.pcap", None),
    ("scripts.base.frameworks.logging.sqlite.wikipedia", "conn.select", "wikipedia.pcap",
     ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
      "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
      "missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
      "tunnel_parents", "ip_proto"]),
    ("scripts.base.protocols.dhcp.dhcp-all-msg-types", "conn.log", "dhcp/dhcp.pcap", None),
    ("scripts.base.protocols.dns.max-compression-depth", "conn.log",
     "dns/max-compression-depth.pcap", None),
    ("scripts.base.protocols.ssh.pre-banner", "conn.log", "ssh/server-pre-banner-data.pcap", None),
    ("scripts.base.protocols.quic.chromium", "conn.log.cut",
     "quic/chromium-115.0.5790.110-api-cirrus-com.pcap", None),
    ("scripts.base.protocols.quic.quicv2-http3-443", "conn.log.cut",
     "quic/quicv2-http3-443.pcap", None),
    ("scripts.base.protocols.quic.interop.quic-go_quic-go.handshake", "conn.log.cut",
     "quic/interop/quic-go_quic-go/handshake.pcap", None),
    ("scripts.policy.protocols.conn.community-id-logging", "conn.log.cut", "http/get.pcap",
     ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "community_id"]),
    ("scripts.policy.protocols.conn.community-id-logging-flipped", "conn.log.cut",
     "tcp/handshake-reorder.pcap",
     ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "community_id"]),
]

# Fields in the gate (the list), and the flow's orientation.
FIELDS = ["direction", "conn_state", "history", "orig_pkts", "resp_pkts", "orig_bytes",
          "resp_bytes", "orig_ip_bytes", "resp_ip_bytes"]
# Also shown, outside the gate.
EXTRA = ["missed_bytes", "duration"]
TUPLE = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"]
KNOWN = set(FIELDS + EXTRA + TUPLE + ["ts", "uid", "service", "tunnel_parents"])


def parse_baseline(path, columns):
    """Rows of a conn.log, a zeek-cut projection or an SQLite select, as dicts."""
    rows, fields, sep = [], columns, "\t"
    if path.endswith(".select"):
        sep = "|"
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("### "):
                continue
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#"):
                continue
            parts = line.split(sep)
            if fields is None and set(parts) <= KNOWN:
                fields = parts          # zeek-cut -m header line
                continue
            if fields is None or len(parts) != len(fields):
                raise ValueError(f"{path}: cannot read {line!r}")
            row = dict(zip(fields, parts))
            if sep == "|":
                row = {k: (v if v != "" else "-") for k, v in row.items()}
                if row.get("duration", "-") != "-":
                    row["duration"] = f"{float(row['duration']):.6f}"
            rows.append(row)
    return rows


def run_conn_log(binary, trace):
    res = subprocess.run([binary, trace], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"conn_log {trace}: exit {res.returncode}: {res.stderr.strip()}")
    rows, fields = [], None
    for line in res.stdout.splitlines():
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line and not line.startswith("#"):
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows


def endpoints(row):
    a = (row["id.orig_h"], row["id.orig_p"])
    b = (row["id.resp_h"], row["id.resp_p"])
    return (row["proto"],) + tuple(sorted([a, b]))


def value(row, field):
    if field == "direction":
        if "id.orig_h" not in row:
            return None
        return "%s:%s>%s:%s" % (row["id.orig_h"], row["id.orig_p"], row["id.resp_h"],
                                row["id.resp_p"])
    return row.get(field)


def compared_fields(zrow):
    return [f for f in FIELDS + EXTRA if value(zrow, f) is not None]


def agreement(zrow, prow):
    return sum(1 for f in compared_fields(zrow) if f in FIELDS and value(zrow, f) == value(prow, f))


def best_pairing(zrows, prows):
    """Pairs flows sharing one 5-tuple for the most agreeing fields."""
    if len(zrows) > 6 or len(prows) > 6:
        pairs, free = [], list(prows)
        for z in zrows:
            p = max(free, key=lambda r: agreement(z, r)) if free else None
            if p is not None:
                free.remove(p)
            pairs.append((z, p))
        return pairs, free
    best, best_score = None, -1
    n = len(zrows)
    padded = list(prows) + [None] * max(0, n - len(prows))
    for perm in itertools.permutations(padded, n):
        score = sum(agreement(z, p) for z, p in zip(zrows, perm) if p is not None)
        if score > best_score:
            best, best_score = perm, score
    used = [p for p in best if p is not None]
    return list(zip(zrows, best)), [p for p in prows if p not in used]


def match(zrows, prows):
    """Returns (pairs, extra pidcap rows)."""
    if zrows and "id.orig_h" not in zrows[0]:
        # Projections without addresses: start times, else the only flow.
        if "ts" in zrows[0] and not zrows[0]["ts"].startswith("X"):
            by_ts = {p["ts"]: p for p in prows}
            pairs = [(z, by_ts.get(z["ts"])) for z in zrows]
        elif len(zrows) == 1 and len(prows) == 1:
            pairs = [(zrows[0], prows[0])]
        else:
            pairs = [(z, None) for z in zrows]
        used = [id(p) for _, p in pairs if p is not None]
        return pairs, [p for p in prows if id(p) not in used]
    groups = {}
    for z in zrows:
        groups.setdefault(endpoints(z), ([], []))[0].append(z)
    for p in prows:
        groups.setdefault(endpoints(p), ([], []))[1].append(p)
    pairs, extra = [], []
    for zs, ps in groups.values():
        if not zs:
            extra.extend(ps)
            continue
        got, left = best_pairing(zs, ps)
        pairs.extend(got)
        extra.extend(left)
    return pairs, extra


def tunnel_parents(zrows):
    uids = set()
    for z in zrows:
        tp = z.get("tunnel_parents", "-")
        if tp not in ("-", "(empty)", ""):
            uids.update(tp.split(","))
    return uids


def describe(row):
    if row is None:
        return "(none)"
    if "id.orig_h" in row:
        return "%s %s:%s > %s:%s" % (row["proto"], row["id.orig_h"], row["id.orig_p"],
                                      row["id.resp_h"], row["id.resp_p"])
    return "uid %s ts %s" % (row.get("uid", "?"), row.get("ts", "?"))


class Tally:
    def __init__(self):
        self.agree = {f: 0 for f in FIELDS + EXTRA}
        self.total = {f: 0 for f in FIELDS + EXTRA}
        self.flows = self.missing = self.extra = self.excluded = 0
        self.mismatches = []

    def add(self, name, zrow, prow):
        self.flows += 1
        if prow is None:
            self.missing += 1
        for f in compared_fields(zrow):
            self.total[f] += 1
            zv, pv = value(zrow, f), (value(prow, f) if prow else None)
            if zv == pv:
                self.agree[f] += 1
            else:
                self.mismatches.append((name, describe(zrow), f, zv, pv))

    def gate_pct(self):
        a = sum(self.agree[f] for f in FIELDS)
        t = sum(self.total[f] for f in FIELDS)
        return 100.0 * a / t if t else 0.0, a, t


def compare_one(binary, trace_dir, base_dir, entry, tally):
    name, log, trace, columns = entry
    zrows = parse_baseline(os.path.join(base_dir, name, log), columns)
    prows = run_conn_log(binary, os.path.join(trace_dir, trace))
    outer = tunnel_parents(zrows)
    skip = [z for z in zrows if z.get("uid") in outer]
    zrows = [z for z in zrows if z.get("uid") not in outer]
    skip_keys = {endpoints(z) for z in skip}
    prows = [p for p in prows if endpoints(p) not in skip_keys]
    for z in skip:
        print(f"# {name}: not compared, tunnel endpoint flow: {describe(z)}")
    tally.excluded += len(skip)
    pairs, extra = match(zrows, prows)
    before = len(tally.mismatches)
    for z, p in pairs:
        tally.add(name, z, p)
    for p in extra:
        tally.extra += 1
        print(f"# {name}: pidcap flow with no Zeek row: {describe(p)} {p['conn_state']} "
              f"{p['history']}")
    return len(pairs), len(tally.mismatches) - before


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary, trace_dir, base_dir = sys.argv[1:4]
    tally, n = Tally(), 0
    for entry in BASELINES:
        n += 1
        try:
            flows, bad = compare_one(binary, trace_dir, base_dir, entry, tally)
        except (OSError, ValueError, RuntimeError) as e:
            print(f"not ok {n} - {entry[0]}: {e}")
            tally.mismatches.append((entry[0], "-", "error", str(e), None))
            continue
        print(f"ok {n} - {entry[0]}: {flows} flows, {bad} field mismatches")
    print(f"# flows compared {tally.flows} (missing in pidcap {tally.missing}), "
          f"pidcap-only {tally.extra}, tunnel endpoints not compared {tally.excluded}")
    for f in FIELDS + EXTRA:
        t = tally.total[f]
        pct = 100.0 * tally.agree[f] / t if t else 100.0
        gate = "" if f in FIELDS else " (not in the gate)"
        print(f"# field {f:14s} {tally.agree[f]:4d}/{t:<4d} {pct:6.2f}%{gate}")
    for name, flow, field, zv, pv in tally.mismatches:
        print(f"# mismatch {name}: {flow}: {field}: zeek {zv} pidcap {pv}")
    pct, a, t = tally.gate_pct()
    n += 1
    ok = pct >= GATE
    print(f"{'ok' if ok else 'not ok'} {n} - overall field agreement {pct:.2f}% ({a}/{t}), "
          f"gate {GATE:.0f}%")
    print(f"1..{n}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
