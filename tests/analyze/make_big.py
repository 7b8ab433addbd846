#!/usr/bin/env python3
"""Writes a large classic pcap for the crash-safety test: the packets of a
seed capture repeated COPIES times, each copy moved to other IPv4 addresses
(so every copy is a distinct set of flows) and later in time.

usage: make_big.py SEED.pcap OUT.pcap COPIES [FIRST]   (copies FIRST..FIRST+COPIES-1)
"""
import struct
import sys


def main():
    seed, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    data = open(seed, "rb").read()
    magic = data[:4]
    if magic != b"\xd4\xc3\xb2\xa1":
        sys.exit("make_big: the seed must be a little-endian microsecond pcap")
    linktype = struct.unpack("<I", data[20:24])[0]
    if linktype != 1:
        sys.exit("make_big: the seed must be Ethernet")
    records, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen, origlen = struct.unpack("<IIII", data[off:off + 16])
        records.append((sec, usec, origlen, bytearray(data[off + 16:off + 16 + caplen])))
        off += 16 + caplen
    with open(out, "wb") as f:
        f.write(data[:24])
        for c in range(first, first + copies):
            for sec, usec, origlen, frame in records:
                pkt = bytearray(frame)
                # IPv4 over Ethernet: rewrite the second octet of both addresses
                if len(pkt) >= 34 and pkt[12:14] == b"\x08\x00":
                    pkt[27] = (pkt[27] + c) % 256
                    pkt[31] = (pkt[31] + c) % 256
                    pkt[26] = (pkt[26] + c // 256) % 256
                    pkt[30] = (pkt[30] + c // 256) % 256
                f.write(struct.pack("<IIII", sec + 3600 * c, usec, len(pkt), origlen))
                f.write(pkt)


if __name__ == "__main__":
    main()
