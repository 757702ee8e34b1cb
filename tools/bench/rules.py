#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One ruleset of N reject rules, written for sslv or for nftables.

  rules.py N sslv        a file for `sslvctl rule replace`
  rules.py N nft-chain   `nft -f` input: table bridge sslvbench, one rule
                         per line in a prerouting chain (evaluated in turn)
  rules.py N nft-set     the same rules as one interval set of
                         address . port, looked up once per packet

Rule i is a distinct IPv4 destination, as in match_bench: two thirds a /32
from 20.0.0.0 up with one port, one third a /24 from 100.0.0.0 up with a
range of 100 ports. None covers 10.0.0.0/8, where the benchmark's traffic
runs, so every test packet is forwarded (cut) after the whole lookup.
"""
import sys

PORTS = (443, 8443, 993, 465)


def addr(n):
    return "%d.%d.%d.%d" % (n >> 24, n >> 16 & 255, n >> 8 & 255, n & 255)


def rules(n):
    """(prefix, port range) of each rule, e.g. ("20.0.30.239", "443")."""
    for i in range(n):
        if i % 3:
            yield addr((20 << 24) + i * 7919), str(PORTS[i % 4])
        else:
            lo = 1024 + i % 50000
            yield addr((100 << 24) + (i << 8)) + "/24", "%d-%d" % (lo, lo + 99)


def main():
    n, kind = int(sys.argv[1]), sys.argv[2]
    out = sys.stdout
    if kind == "sslv":
        for dst, port in rules(n):
            out.write("dst %s dport %s action reject\n" % (dst, port))
        return
    out.write("table bridge sslvbench {\n")
    if kind == "nft-set":
        out.write("\tset r {\n\t\ttype ipv4_addr . inet_service; flags interval\n"
                  "\t\telements = {\n")
        out.write(",\n".join("\t\t\t%s . %s" % r for r in rules(n)))
        out.write("\n\t\t}\n\t}\n")
    out.write("\tchain c {\n\t\ttype filter hook prerouting priority 0;\n")
    if kind == "nft-set":
        out.write("\t\tip daddr . tcp dport @r reject with tcp reset\n")
    elif kind == "nft-chain":
        for dst, port in rules(n):
            out.write("\t\tip daddr %s tcp dport %s reject with tcp reset\n"
                      % (dst, port))
    else:
        sys.exit("rules.py: unknown kind " + kind)
    out.write("\t}\n}\n")


main()
