#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write hostile frames for the bridge into a pcap, and how sslv classes them.

  hostile.py PCAP N SEED CLI_MAC SRV_MAC CLI4 SRV4 CLI6 SRV6 LIVE...

N frames, each built to land in exactly one of sslv's classes (kmod/packet.c
and Documentation/counters.md), in this order of precedence:

  vlan_unsupported  stacked VLANs (QinQ, 802.1ad), whole or cut short
  malformed_ip   IPv4/IPv6 headers cut short, bad versions, header lengths,
                 total or payload lengths past the frame, payload length 0
                 without a valid jumbo option
  frag_tcp       IPv4 and IPv6 fragments of TCP: first ones holding a SYN,
                 later, tiny and overlapping ones
  malformed_tcp  TCP headers cut short, data offsets below 5 or past the end
  bad_csum       well-formed TCP with random flags, options, IP options,
                 extension headers, VLAN tags, padding and payload, but a
                 TCP checksum (or IPv4 header checksum) the receiver refuses;
                 some of them on the LIVE flows ("SPORT:DPORT", IPv4, client
                 port first), both ways, with random seq and ack

Every frame goes from the client's MAC to the server's. Prints one line,
"vlan_unsupported A malformed_ip B frag_tcp C malformed_tcp D bad_csum E".
Built with struct rather than scapy: scapy builds about 200 frames a second
on the build machine, far too few under TCG.
"""
import array
import ipaddress
import random
import struct
import sys

CLASSES = ("vlan_unsupported", "malformed_ip", "frag_tcp", "malformed_tcp",
           "bad_csum")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(array.array("H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def swap16(v):
    """csum() sums native (little-endian) words: bring it to network order."""
    return ((v & 0xff) << 8) | (v >> 8)


class Gen:
    def __init__(self, rnd, cli_mac, srv_mac, cli4, srv4, cli6, srv6, live):
        self.r = rnd
        self.eth = bytes.fromhex(srv_mac.replace(":", "")) + \
            bytes.fromhex(cli_mac.replace(":", ""))
        self.a4 = (ipaddress.ip_address(cli4).packed,
                   ipaddress.ip_address(srv4).packed)
        self.a6 = (ipaddress.ip_address(cli6).packed,
                   ipaddress.ip_address(srv6).packed)
        self.live = live

    def rb(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    # ---- building blocks -------------------------------------------------

    def l2(self, etype, tags=None):
        """Ethernet header, with 0 or 1 802.1Q tag (random if None)."""
        r = self.r
        if tags is None:
            tags = r.choice((0, 0, 0, 1))
        h = self.eth
        if tags:
            h += struct.pack("!HH", 0x8100, r.randrange(1, 4095))
        return h + struct.pack("!H", etype)

    def ip4(self, payload, proto=6, opts=b"", frag=0, ident=None,
            tot_len=None, ihl=None, version=4, src=None, dst=None,
            bad_csum=False):
        src = src or self.a4[0]
        dst = dst or self.a4[1]
        if ihl is None:
            ihl = 5 + len(opts) // 4
        if tot_len is None:
            tot_len = 20 + len(opts) + len(payload)
        if ident is None:
            ident = self.r.getrandbits(16)
        h = struct.pack("!BBHHHBBH4s4s", version << 4 | (ihl & 15), 0,
                        tot_len & 0xffff, ident, frag, self.r.randrange(1, 256),
                        proto, 0, src, dst) + opts
        c = swap16(csum(h))
        if bad_csum:
            c ^= self.r.randrange(1, 0x10000)
        return h[:10] + struct.pack("!H", c) + h[12:] + payload

    def ip6(self, payload, nexthdr=6, plen=None, version=6, src=None,
            dst=None):
        src = src or self.a6[0]
        dst = dst or self.a6[1]
        if plen is None:
            plen = len(payload)
        return struct.pack("!IHBB16s16s", version << 28 | self.r.getrandbits(20),
                           plen & 0xffff, nexthdr, self.r.randrange(1, 256),
                           src, dst) + payload

    def tcp(self, src, dst, v6, sport=None, dport=None, seq=None, ack=None,
            flags=None, opts=b"", payload=b"", doff=None, bad=False):
        r = self.r
        sport = r.randrange(1, 65536) if sport is None else sport
        dport = r.randrange(1, 65536) if dport is None else dport
        seq = r.getrandbits(32) if seq is None else seq
        ack = r.getrandbits(32) if ack is None else ack
        flags = r.getrandbits(8) if flags is None else flags
        if doff is None:
            doff = 5 + len(opts) // 4
        h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 15) << 4,
                        flags, r.getrandbits(16), 0, r.getrandbits(16))
        seg = h + opts + payload
        if v6:
            pseudo = src + dst + struct.pack("!I3xB", len(seg), 6)
        else:
            pseudo = src + dst + struct.pack("!BBH", 0, 6, len(seg))
        c = swap16(csum(pseudo + seg))
        if bad:
            c ^= r.randrange(1, 0x10000)
        return seg[:16] + struct.pack("!H", c) + seg[18:]

    def tcp_opts(self):
        """Up to 40 bytes of options, sane or not, a multiple of 4."""
        r = self.r
        n = r.randrange(0, 11) * 4
        if r.random() < 0.5:
            return self.rb(n)
        o = b""
        while len(o) < n:
            o += r.choice((b"\x01", b"\x00", b"\x02\x04\x05\xb4",
                           b"\x03\x03\x07", b"\x04\x02", b"\x08\x0a" +
                           self.rb(8), b"\x03\x00", b"\x05\xff"))
        return o[:n]

    # ---- one frame of each class ---------------------------------------

    def vlan_unsupported(self):
        r = self.r
        seg = self.tcp(self.a4[0], self.a4[1], False, bad=r.random() < 0.5)
        if r.random() < 0.5:	# 802.1ad alone
            return self.eth + struct.pack("!HHH", 0x88a8, r.randrange(
                1, 4095), 0x0800) + self.ip4(seg)
        # two tags; the inner one whole, or cut short
        inner = struct.pack("!HH", r.randrange(1, 4095), 0x0800) + \
            self.ip4(seg)
        return self.eth + struct.pack("!HHH", r.choice((0x8100, 0x88a8)),
                                      r.randrange(1, 4095), 0x8100) + \
            inner[:r.choice((2, 3, len(inner)))]

    def malformed_ip(self):
        r = self.r
        seg = self.tcp(self.a4[0], self.a4[1], False,
                       payload=self.rb(r.randrange(0, 64)))
        seg6 = self.tcp(self.a6[0], self.a6[1], True,
                        payload=self.rb(r.randrange(0, 64)))
        kind = r.randrange(9)
        if kind == 0:
            return self.l2(0x0800) + self.ip4(
                seg, tot_len=20 + len(seg) + r.randrange(1, 1000))
        if kind == 1:
            return self.l2(0x0800) + self.ip4(seg, ihl=r.randrange(0, 5))
        if kind == 2:
            ihl = r.randrange(6, 16)
            return self.l2(0x0800) + self.ip4(
                seg, opts=b"\x01" * (ihl * 4 - 20), tot_len=r.randrange(
                    1, ihl * 4))
        if kind == 3:
            return self.l2(0x0800) + self.ip4(
                seg, version=r.choice((0, 1, 5, 6, 7, 15)))
        if kind == 4:
            # untagged: a tag needs two bytes after it to be taken off
            return self.l2(0x0800, 0) + self.ip4(seg)[:r.randrange(1, 20)]
        if kind == 5:
            return self.l2(0x86dd) + self.ip6(
                seg6, plen=len(seg6) + r.randrange(1, 1000))
        if kind == 6:
            return self.l2(0x86dd) + self.ip6(
                seg6, version=r.choice((0, 4, 5, 7, 15)))
        if kind == 7:
            # payload length 0: a jumbogram without its option, or with a
            # jumbo length under 65536
            if r.random() < 0.5:
                return self.l2(0x86dd) + self.ip6(seg6, plen=0)
            hbh = struct.pack("!BBBBI", 6, 0, 0xc2, 4,
                              r.randrange(0, 65536))
            return self.l2(0x86dd) + self.ip6(hbh + seg6, nexthdr=0, plen=0)
        return self.l2(0x86dd, 0) + self.ip6(seg6)[:r.randrange(1, 40)]

    def frag_tcp(self):
        r = self.r
        kind = r.randrange(6)
        src, dst = self.a4
        syn = self.tcp(src, dst, False, flags=r.choice((0x02, 0x02,
                                                       r.getrandbits(8))),
                       opts=self.tcp_opts(),
                       payload=self.rb(r.randrange(0, 200)))
        ident = r.getrandbits(16)
        if kind == 0:	# first fragment, holding the TCP header
            cut = max(24, (len(syn) // 2) & ~7)
            return self.l2(0x0800) + self.ip4(syn[:cut], frag=0x2000,
                                              ident=ident)
        if kind == 1:	# a later fragment, the last or not
            return self.l2(0x0800) + self.ip4(
                self.rb(r.randrange(8, 200)), ident=ident,
                frag=r.choice((0, 0x2000)) | r.randrange(1, 0x1fff))
        if kind == 2:	# tiny first fragment: 8 bytes, no flags in it
            return self.l2(0x0800) + self.ip4(syn[:8], frag=0x2000,
                                              ident=ident)
        if kind == 3:	# offset 1: overwrites the TCP flags of a tiny one
            return self.l2(0x0800) + self.ip4(syn[8:], ident=ident,
                                              frag=r.choice((0, 0x2000)) | 1)
        src, dst = self.a6
        syn = self.tcp(src, dst, True, flags=0x02, opts=self.tcp_opts(),
                       payload=self.rb(r.randrange(0, 200)))
        if kind == 4:	# IPv6 first fragment, M set
            cut = max(24, (len(syn) // 2) & ~7)
            fh = struct.pack("!BBHI", 6, 0, 1, r.getrandbits(32))
            return self.l2(0x86dd) + self.ip6(fh + syn[:cut], nexthdr=44)
        fh = struct.pack("!BBHI", 6, 0, r.randrange(1, 0x1fff) << 3 |
                         r.getrandbits(1), r.getrandbits(32))
        return self.l2(0x86dd) + self.ip6(fh + self.rb(r.randrange(8, 200)),
                                          nexthdr=44)

    def malformed_tcp(self):
        r = self.r
        v6 = r.random() < 0.4
        src, dst = self.a6 if v6 else self.a4
        kind = r.randrange(3)
        payload = self.rb(r.randrange(0, 40))
        if kind == 0:
            seg = self.tcp(src, dst, v6, doff=r.randrange(0, 5),
                           payload=payload)
        elif kind == 1:
            seg = self.tcp(src, dst, v6, payload=payload,
                           doff=r.randrange(6 + len(payload) // 4, 16)
                           if len(payload) < 36 else 15)
            seg = seg[:20]		# the header claims more than is there
        else:
            # at least a byte: an IPv6 payload length of 0 is malformed_ip
            seg = self.tcp(src, dst, v6)[:r.randrange(1, 20)]
        pad = self.rb(r.choice((0, 0, 30)))	# bytes past the IP packet
        if v6:
            return self.l2(0x86dd) + self.ip6(seg) + pad
        return self.l2(0x0800) + self.ip4(seg) + pad

    def bad_csum(self):
        r = self.r
        v6 = r.random() < 0.4
        src, dst = self.a6 if v6 else self.a4
        sport = dport = None
        if self.live and r.random() < 0.1:
            sport, dport = r.choice(self.live)
            if r.random() < 0.5:
                sport, dport, src, dst = dport, sport, dst, src
            v6 = False
        bad_ip = not v6 and r.random() < 0.1
        seg = self.tcp(src, dst, v6, sport=sport, dport=dport,
                       opts=self.tcp_opts(), bad=not bad_ip,
                       payload=self.rb(r.choice((0, 0, r.randrange(1, 300)))))
        pad = self.rb(r.choice((0, 0, 0, 17)))
        if v6:
            nexthdr = 6
            if r.random() < 0.3:	# destination options, PadN
                seg = struct.pack("!BBBB4x", 6, 0, 1, 4) + seg
                nexthdr = 60
            return self.l2(0x86dd) + self.ip6(seg, nexthdr=nexthdr) + pad
        opts = b"\x01" * (4 * r.choice((0, 0, 0, 1, 5, 10)))
        return self.l2(0x0800) + self.ip4(seg, opts=opts, src=src, dst=dst,
                                          bad_csum=bad_ip) + pad


def main():
    if len(sys.argv) < 10:
        sys.exit(__doc__)
    path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    live = [tuple(int(x) for x in t.split(":")) for t in sys.argv[10:]]
    g = Gen(random.Random(seed), *sys.argv[4:10], live=live)
    counts = dict.fromkeys(CLASSES, 0)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            cls = CLASSES[i % len(CLASSES)]
            frame = getattr(g, cls)()
            counts[cls] += 1
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000,
                                len(frame), len(frame)) + frame)
    print(" ".join("%s %d" % (c, counts[c]) for c in CLASSES))


if __name__ == "__main__":
    main()
