#!/usr/bin/env python3
"""Compares `pidcap info --json` with Wireshark's capinfos on every file of a tree.

For each file capinfos reads completely, pidcap must report the same packet
count, the same interface link types and the same first/last packet times
(to the microsecond). For each file capinfos rejects or reads only in part,
pidcap must report the problem (status other than "complete", or "not a
capture") and exit non-zero without crashing. Prints TAP.

usage: capinfos_compare.py PIDCAP DIR
"""
import json
import os
import subprocess
import sys
from decimal import Decimal

# Wireshark's encapsulation short names (capinfos -E, "Encapsulation = ...")
# and the LINKTYPE values that produce them (wiretap/pcap-common.c).
WTAP_TO_LINKTYPES = {
    "ether": {1}, "null": {0}, "linux-sll": {113}, "linux-sll2": {276},
    "ppp": {9}, "ppi": {192}, "rawip": {101, 12, 14}, "rawip4": {228},
    "rawip6": {229}, "ip-ib": {242}, "ieee-802-11-radiotap": {127},
    "ieee-802-11": {105}, "loop": {108}, "pktap": {258}, "usb-linux-mmapped": {220},
}

# capinfos -t names of the pcap and pcapng formats (wiretap/file_access.c).
PCAP_FAMILY = {"pcap", "nsecpcap", "modpcap", "pcapng", "nokiapcap", "rh6_1pcap", "suse6_3pcap"}


def capinfos(path):
    """Returns (state, info): state is full, partial or rejected."""
    p = subprocess.run(["capinfos", "-M", "-T", "-r", "-t", "-c", "-a", "-e", "-S", path],
                       capture_output=True, text=True, errors="replace")
    if "isn't a capture file" in p.stderr or "unknown file format" in p.stderr.lower():
        return "rejected", None
    if p.returncode != 0 or p.stderr.strip():
        return "partial", None
    cols = p.stdout.rstrip("\n").split("\t")
    # Wireshark also reads JSON, MIME and dozens of other formats; pidcap reads
    # only the pcap family, and must call everything else "not a capture".
    if cols[1] not in PCAP_FAMILY:
        return "rejected", None
    info = {"packets": int(cols[2]), "first": cols[3], "last": cols[4]}
    v = subprocess.run(["capinfos", "-M", path], capture_output=True, text=True, errors="replace")
    encs = []
    groups = 0
    for line in v.stdout.splitlines():
        line = line.strip()
        # capinfos 4.0 repeats the whole interface list once per section
        if line.startswith("Number of interfaces in file"):
            groups += 1
            if groups > 1:
                break
        if line.startswith("Encapsulation = "):
            encs.append(line.rsplit("- ", 1)[1].rstrip(")"))
    info["encaps"] = encs
    return "full", info


def usec(value):
    """Seconds (Decimal string) to integer microseconds, truncated."""
    d = Decimal(value)
    return int((d * 1000000).to_integral_value(rounding="ROUND_FLOOR"))


TIMES_COMPARED = [0]


def compare(path, ci, pc):
    problems = []
    if pc["status"] != "complete" or pc["exit_code"] != 0:
        problems.append("pidcap status %s (%s), capinfos read it all" % (pc["status"], pc.get("error")))
        return problems
    if pc["packets"] != ci["packets"]:
        problems.append("packets %d, capinfos %d" % (pc["packets"], ci["packets"]))
    ours = [i["linktype"] for i in pc["interfaces"]]
    if len(ours) != len(ci["encaps"]):
        problems.append("%d interfaces, capinfos %d" % (len(ours), len(ci["encaps"])))
    for lt, enc in zip(ours, ci["encaps"]):
        if enc not in WTAP_TO_LINKTYPES:
            problems.append("capinfos encapsulation %s has no known link type (extend the table)" % enc)
        elif lt not in WTAP_TO_LINKTYPES[enc]:
            problems.append("link type %d, capinfos %s" % (lt, enc))
    # capinfos prints n/a when it has no time (no packets, or none with a timestamp)
    for key, ours_ns in (("first", pc.get("first_time_ns")), ("last", pc.get("last_time_ns"))):
        if ci[key] == "n/a":
            continue
        # A fraction of 10^9 ns or more makes capinfos print a negative one
        # ("1418145370.-2147483648"); pidcap carries it into the seconds and
        # must flag the packets instead.
        if ".-" in ci[key]:
            if not pc.get("packets_with_invalid_timestamp"):
                problems.append("capinfos shows an invalid %s time; pidcap flags none" % key)
            continue
        TIMES_COMPARED[0] += 1
        if ours_ns is None:
            problems.append("no %s time, capinfos %s" % (key, ci[key]))
        elif ours_ns // 1000 != usec(ci[key]):
            problems.append("%s time %d ns, capinfos %s" % (key, ours_ns, ci[key]))
    return problems


def main():
    pidcap, top = sys.argv[1], sys.argv[2]
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs)
    n = failed = 0
    counts = {"full": 0, "partial": 0, "rejected": 0}
    for path in files:
        state, ci = capinfos(path)
        counts[state] += 1
        p = subprocess.run([pidcap, "info", "--json", "--no-progress", path], capture_output=True,
                           text=True, errors="replace")
        rel = os.path.relpath(path, top)
        n += 1
        if p.returncode < 0 or p.returncode > 2:
            problems = ["pidcap died (exit %d): %s" % (p.returncode, p.stderr[-300:])]
        else:
            pc = json.loads(p.stdout)[0]
            if state == "full":
                problems = compare(path, ci, pc)
            elif p.returncode == 0 or pc["status"] == "complete":
                problems = ["capinfos: %s, but pidcap says complete" % state]
            else:
                problems = []
        print("%sok %d - %s (capinfos: %s)" % ("not " if problems else "", n, rel, state))
        for msg in problems:
            print("#   " + msg)
        failed += bool(problems)
    print("# capinfos read %(full)d files fully, %(partial)d partly, rejected %(rejected)d" % counts)
    print("# %d first/last times compared to the microsecond" % TIMES_COMPARED[0])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
