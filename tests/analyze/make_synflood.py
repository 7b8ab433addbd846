#!/usr/bin/env python3
"""Writes a pcap of N TCP SYN packets, each from a different source (address,
port) to one server: N SYN-only flows, as a SYN flood or a scan makes them.

usage: make_synflood.py OUT.pcap N
"""
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    dst = bytes([192, 0, 2, 80])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            src = bytes([10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])
            sport = 1024 + i % 60000
            tcp = struct.pack("!HHIIBBHHH", sport, 80, i, 0, 5 << 4, 0x02, 64240, 0, 0)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xFFFF, 0, 64, 6, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
            frame = eth + ip + tcp
            ts = 1700000000 + i // 100000
            f.write(struct.pack("<IIII", ts, (i % 100000) * 10, len(frame), len(frame)))
            f.write(frame)


if __name__ == "__main__":
    main()
