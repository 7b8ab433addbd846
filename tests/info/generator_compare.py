#!/usr/bin/env python3
"""Checks `pidcap info --json --blocks` against the block counts and block
sequences written by hadrielk/pcapng-test-generator (testNNN.txt beside each
testNNN.pcapng, little- and big-endian). Prints TAP.

usage: generator_compare.py PIDCAP DIR
"""
import json
import os
import re
import subprocess
import sys


def expected(txt):
    counts, seq, in_counts = {}, None, False
    with open(txt, encoding="utf-8") as f:
        for line in f:
            if line.startswith("Block counts:"):
                in_counts = True
            elif line.startswith("Block sequence:"):
                seq = [b.strip() for b in line.split(":", 1)[1].split(",") if b.strip()]
                in_counts = False
            elif in_counts:
                m = re.match(r"\s+(\w+):\s*(\d+)", line)
                if m:
                    counts[m.group(1)] = int(m.group(2))
    return counts, seq


def main():
    pidcap, top = sys.argv[1], sys.argv[2]
    cases = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs
                   if f.endswith(".pcapng"))
    n = failed = 0
    for path in cases:
        want_counts, want_seq = expected(path[:-len(".pcapng")] + ".txt")
        p = subprocess.run([pidcap, "info", "--json", "--blocks", "--no-progress", path],
                           capture_output=True, text=True)
        problems = []
        if p.returncode != 0:
            problems.append("exit %d: %s" % (p.returncode, p.stderr.strip()[-200:]))
        else:
            got = json.loads(p.stdout)[0]
            if got["blocks"] != want_counts:
                problems.append("counts %s, want %s" % (got["blocks"], want_counts))
            if got["block_sequence"] != want_seq:
                problems.append("sequence %s, want %s" % (got["block_sequence"], want_seq))
            if got["packets"] != want_counts.get("EPB", 0) + want_counts.get("SPB", 0):
                problems.append("packets %d, want EPB+SPB" % got["packets"])
        n += 1
        print("%sok %d - %s" % ("not " if problems else "", n, os.path.relpath(path, top)))
        for msg in problems:
            print("#   " + msg)
        failed += bool(problems)
    print("1..%d" % n)
    return 1 if failed or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
