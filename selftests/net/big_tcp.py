#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""BIG TCP helpers for big_tcp.sh.

  big_tcp.py v4size DEV SIZE           set DEV's gso_ipv4_max_size and
                                       gro_ipv4_max_size (rtnetlink; the
                                       iproute2 here predates the keywords)
  big_tcp.py server PORT COUNT TAIL STATUS
                                       accept one connection on [::]:PORT,
                                       read COUNT bytes ("got COUNT"), wait
                                       for the file STATUS.go, answer one
                                       byte, read TAIL bytes ("got
                                       COUNT+TAIL"), then wait for the end
  big_tcp.py client ADDR PORT COUNT TAIL STATUS
                                       connect, write COUNT bytes, wait for
                                       the answer, write TAIL bytes in one
                                       send() on the idle connection ("sent
                                       COUNT+TAIL"), then wait for the end

STATUS gets "listening", "connected" and finally one of "end ECONNRESET",
"end EOF", "end TIMEOUT", "end <errno name>". Waiting ends after 30 s.
"""
import errno
import os
import socket
import struct
import sys
import time

WAIT = 30

RTM_NEWLINK = 16
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
IFLA_GSO_IPV4_MAX_SIZE = 63
IFLA_GRO_IPV4_MAX_SIZE = 64


def report(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def errname(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return errno.errorcode.get(e.errno, str(e.errno))


def v4size(dev, size):
    """Both IPv4 maxima of @dev in one RTM_NEWLINK; exits on the kernel's
    error (an old kernel rejects the unknown attributes)."""
    attrs = b"".join(struct.pack("=HHI", 8, t, size)
                     for t in (IFLA_GSO_IPV4_MAX_SIZE, IFLA_GRO_IPV4_MAX_SIZE))
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0,
                       socket.if_nametoindex(dev), 0, 0) + attrs
    msg = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK,
                      NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                      socket.NETLINK_ROUTE)
    s.send(msg)
    ack = s.recv(4096)
    _, mtype, _, _, _, err = struct.unpack_from("=IHHIIi", ack)
    if mtype != NLMSG_ERROR or err:
        sys.exit("v4size %s %d: %s" % (dev, size, os.strerror(-err)))


def wait_end(conn, status):
    conn.settimeout(WAIT)
    try:
        while True:
            if not conn.recv(1 << 20):
                return report(status, "end EOF")
    except OSError as e:
        report(status, "end " + errname(e))


def read(conn, count):
    """Reads @count bytes from @conn; False if it ended first."""
    while count:
        n = len(conn.recv(min(1 << 20, count)))
        if not n:
            return False
        count -= n
    return True


def server(port, count, tail, status):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(1)
    report(status, "listening")
    s.settimeout(WAIT)
    try:
        conn, _ = s.accept()
        report(status, "connected")
        conn.settimeout(WAIT)
        if not read(conn, count):
            return report(status, "end EOF")
        report(status, "got %d" % count)
        for _ in range(WAIT * 20):
            if os.path.exists(status + ".go"):
                break
            time.sleep(0.05)
        conn.sendall(b"k")
        if not read(conn, tail):
            return report(status, "end EOF")
        report(status, "got %d" % (count + tail))
    except OSError as e:
        return report(status, "end " + errname(e))
    wait_end(conn, status)


def client(addr, port, count, tail, status):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    c = socket.socket(family, socket.SOCK_STREAM)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.settimeout(WAIT)
    try:
        c.connect((addr, port))
        report(status, "connected")
        buf = bytes(1 << 20)
        left = count
        while left:
            c.sendall(buf[:min(left, len(buf))])
            left -= min(left, len(buf))
        if c.recv(1) != b"k":
            return report(status, "end EOF")
        c.sendall(bytes(tail))
        report(status, "sent %d" % (count + tail))
    except OSError as e:
        return report(status, "end " + errname(e))
    wait_end(c, status)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "v4size":
        v4size(a[1], int(a[2]))
    elif len(a) == 5 and a[0] == "server":
        server(int(a[1]), int(a[2]), int(a[3]), a[4])
    elif len(a) == 6 and a[0] == "client":
        client(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
