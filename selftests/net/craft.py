#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made TCP segments, fast to start (no scapy).

  craft.py IFACE SMAC DMAC < SEGMENTS

Each line of SEGMENTS is "SRC DST SPORT DPORT FLAGS SEQ ACK [PAYLOAD]" with
IPv4 or IPv6 addresses and FLAGS a string of F S R P A letters; each becomes
one Ethernet frame sent on IFACE, with correct checksums and TTL 64. A
PAYLOAD starting with "x:" is hexadecimal bytes.
"""
import ipaddress
import socket
import struct
import sys

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def segment(src, dst, sport, dport, flags, seq, ack, payload):
    src, dst = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    bits = sum(FLAGS[c] for c in flags)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits,
                      512, 0, 0) + payload
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64,
                         6, 0, src.packed, dst.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return 0x0800, ip + tcp
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, src.packed,
                     dst.packed)
    return 0x86dd, ip + tcp


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    iface, smac, dmac = sys.argv[1:]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    eth = bytes.fromhex(dmac.replace(":", "")) + \
        bytes.fromhex(smac.replace(":", ""))
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        payload = f[7].encode() if len(f) > 7 else b""
        if payload.startswith(b"x:"):
            payload = bytes.fromhex(f[7][2:])
        etype, pkt = segment(f[0], f[1], int(f[2]), int(f[3]), f[4],
                             int(f[5]), int(f[6]), payload)
        s.send(eth + struct.pack("!H", etype) + pkt)


if __name__ == "__main__":
    main()
