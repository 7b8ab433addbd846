#!/usr/bin/env python3
"""Writes mutants of capture files, as an attacker would shape them.

usage: mutate.py OUTDIR N SEED FILE...

Each mutant takes one of the files and applies 1 to 8 of: flip a bit, set a
byte to 0x00/0xff/0x7f/0x80, set a 16- or 32-bit field to 0, 1, 0xffff...,
0x7fffffff, 0xffffffff (length fields are where parsers break), cut the file
short, duplicate or delete a chunk, or swap two chunks. Deterministic for a
given SEED, so a failing mutant can be made again.
"""
import os
import random
import struct
import sys

EDGE16 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff]
EDGE32 = [0, 1, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc]


def mutate(data, rnd):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        if not b:
            break
        op = rnd.randrange(8)
        i = rnd.randrange(len(b))
        if op == 0:
            b[i] ^= 1 << rnd.randrange(8)
        elif op == 1:
            b[i] = rnd.choice([0, 0xff, 0x7f, 0x80])
        elif op == 2 and i + 2 <= len(b):
            b[i:i + 2] = struct.pack(rnd.choice("<>") + "H", rnd.choice(EDGE16))
        elif op == 3 and i + 4 <= len(b):
            b[i:i + 4] = struct.pack(rnd.choice("<>") + "I", rnd.choice(EDGE32))
        elif op == 4:
            del b[rnd.randrange(len(b)):]
        elif op == 5:
            n = rnd.randint(1, 256)
            b[i:i] = b[i:i + n]
        elif op == 6:
            del b[i:i + rnd.randint(1, 256)]
        else:
            j = rnd.randrange(len(b))
            n = rnd.randint(1, 64)
            b[i:i + n], b[j:j + n] = b[j:j + n], b[i:i + n]
    return bytes(b)


def main():
    out, n, seed, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    rnd = random.Random(seed)
    inputs = [open(f, "rb").read() for f in files]
    os.makedirs(out, exist_ok=True)
    for k in range(n):
        src = rnd.randrange(len(inputs))
        with open(os.path.join(out, "m%05d-%d.pcap" % (k, src)), "wb") as f:
            f.write(mutate(inputs[src], rnd))


main()
