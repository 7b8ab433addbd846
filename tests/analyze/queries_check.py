#!/usr/bin/env python3
"""TAP checks of the README's example queries (see queries.sh for the inputs).

usage: queries_check.py WORKDIR SRCDIR
"""
import os
import sqlite3
import sys
from collections import defaultdict

work, src = sys.argv[1], sys.argv[2]
n = failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:12]:
            print("#   " + line)


def zeek_conns():
    """Zeek's conn log of wikipedia.pcap (its SQLite writer's test baseline)."""
    path = os.path.join(src, "testdata/zeek/Baseline/scripts.base.frameworks.logging.sqlite.wikipedia/conn.select")
    rows = []
    for line in open(path):
        if line.startswith("#"):
            continue
        f = line.rstrip("\n").split("|")
        rows.append(dict(orig_h=f[2], orig_p=int(f[3]), resp_h=f[4], resp_p=int(f[5]), proto=f[6],
                         conn_state=f[11], history=f[15], orig_ip_bytes=int(f[17]),
                         resp_ip_bytes=int(f[19])))
    return rows


sql = open(os.path.join(work, "all.sql")).read()
queries = {}
for part in [p.strip() for p in sql.split("\n\n") if p.strip()]:
    queries[part.splitlines()[0].lstrip("- ").strip()] = part
ok(len(queries) >= 9, "the README has its nine example queries (%d)" % len(queries))
wiki = sqlite3.connect(os.path.join(work, "wiki.db"))
proc = sqlite3.connect(os.path.join(work, "proc.db"))
syn = sqlite3.connect(os.path.join(work, "syn.db"))


def run(db, title):
    q = [v for k, v in queries.items() if k.startswith(title)]
    if not q:
        ok(False, "query '%s' is in the README" % title)
        return []
    try:
        return db.execute(q[0]).fetchall()
    except sqlite3.Error as e:
        ok(False, "query '%s' runs" % title, e)
        return []


# every query runs on both databases
for title, q in queries.items():
    for name, db in (("bundled capture", wiki), ("process records", proc)):
        try:
            db.execute(q).fetchall()
            ok(True, "%s: runs on the %s" % (title, name))
        except sqlite3.Error as e:
            ok(False, "%s: runs on the %s" % (title, name), e)

zeek = zeek_conns()

# Processes: write_sample's dig (pid 4343) sends 10 DNS queries of 29 bytes
# from 10 source ports to 10.0.0.1:53; its curl (pid 4242) one HTTP connection
# 10.0.0.2:50000 -> 93.184.216.34:80 with 5 requests (43+43+43+44+44 = 217
# bytes) and 5 responses (37+37+38+38+38 = 188 bytes): 405 payload bytes.
got = run(proc, "Which processes talked")
want = [(4242, "curl", "curl -s http://example.org/item/1", "93.184.216.34", 80, "tcp", 405)] + \
       [(4343, "dig", "dig example.org", "10.0.0.1", 53, "udp", 29)] * 10
ok(got == want, "which processes talked: curl's HTTP flow, then dig's 10 DNS flows", "got %r" % got)

got = run(proc, "Packets and flows per process")
want = [(4343, "dig", None, None, 10, 10), (4242, "curl", None, None, 5, 1)]
ok(got == want, "packets and flows per process (write_sample: 10 + 5 packets with option 8)", "got %r" % got)

# The bundled capture has no process data: every flow is unattributed.
got = run(wiki, "Flows no process claims")
zset = {(r["orig_h"], r["orig_p"], r["resp_h"], r["resp_p"], r["proto"], r["conn_state"]) for r in zeek}
ok(len(got) == min(20, len(zeek)) and all(r in zset for r in got),
   "unattributed flows: %d rows, each a Zeek conn.log connection" % len(got),
   "not in Zeek's log: %r" % [r for r in got if r not in zset])
ok(run(proc, "Flows no process claims") == [], "no unattributed flow in the recording with processes")

got = sorted(run(wiki, "Connection attempts"))
want = sorted((r["orig_h"], r["resp_h"], r["resp_p"], r["conn_state"], r["history"]) for r in zeek
              if r["proto"] == "tcp" and r["conn_state"] in ("S0", "REJ", "RSTOS0"))
ok(got == want, "unanswered or refused TCP attempts on the bundled capture equal Zeek's (%d)" % len(want),
   "got %r\nwant %r" % (got, want))
got = run(syn, "Connection attempts")
ok(len(got) == 20 and all(r[1:] == ("192.0.2.80", 80, "S0", "S") and r[0].startswith("10.") for r in got)
   and len({r[0] for r in got}) == 20,
   "unanswered SYNs: 20 rows (LIMIT 20 of 30), each S0 with history S to 192.0.2.80:80", "got %r" % got[:5])

agg = defaultdict(lambda: [0, 0])
for r in zeek:
    for h in (r["orig_h"], r["resp_h"]):
        agg[h][0] += 1
        agg[h][1] += r["orig_ip_bytes"] + r["resp_ip_bytes"]
got = run(wiki, "Top talkers")
top = sorted((v[1] for v in agg.values()), reverse=True)[:10]
ok(len(got) == 10 and [r[2] for r in got] == top and all(tuple(agg[r[0]]) == (r[1], r[2]) for r in got),
   "top talkers: hosts, flows and IP bytes as Zeek's conn.log adds them up",
   "got %r\nwant bytes %r" % (got, top))

tshark_cid = open(os.path.join(work, "tshark_cid")).read().split()
got = run(wiki, "Join with Zeek")
ok(tshark_cid != [] and got == [(tshark_cid[0], "141.142.220.118", "208.80.152.2", 80, "tcp")],
   "the Community ID lookup finds the one flow tshark gives that ID", "got %r, tshark %r" % (got, tshark_cid))

# write_sample's manifest and testdata/malformed/EXPECTED (packets read).
manifest = dict(l.split()[1:3] for l in open(os.path.join(work, "sample.manifest")) if l.startswith("expect "))
expected = {l.split()[0]: l.split() for l in open(os.path.join(src, "testdata/malformed/EXPECTED"))
            if not l.startswith("#") and l.strip()}
cut = expected["pcap_cut_mid_record.pcap"]
got = [(os.path.basename(r[0]),) + tuple(r[1:]) for r in run(proc, "How much of each capture")]
want_sample = ("sample.pcapng", int(manifest["packets"]), int(manifest["packets_with_process_id"]), 0, 11, 0)
ok(len(got) == 2 and got[0] == want_sample and got[1][:2] == ("pcap_cut_mid_record.pcap", int(cut[2])),
   "attribution per capture: sample 20 packets, 15 attributed, 11 flows; the cut file's packets",
   "got %r" % got)

got = [(os.path.basename(r[0]),) + tuple(r[1:]) for r in run(proc, "Which files were damaged")]
ok(any(r[0] == "pcap_cut_mid_record.pcap" and r[1] == cut[1] and r[3] == "truncated_file" and r[4] == 1
       for r in got) and all(r[0] != "sample.pcapng" for r in got),
   "damaged files: the cut file, status '%s', one truncated_file anomaly; not the sample" % cut[1],
   "got %r" % got)

got = run(wiki, "Busiest minutes")
ok(sum(r[1] for r in got) == len(zeek) and all(r[0].startswith("20") for r in got),
   "busiest minutes: the new flows add up to Zeek's %d connections" % len(zeek), "got %r" % got)

print("1..%d" % n)
sys.exit(1 if failed else 0)
