#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TLS ClientHellos for the guest tests, over TCP Fast Open or as hex.

  tfo.py hello SNI...                  print a ClientHello naming each SNI,
                                       in hex, one a line
  tfo.py server PORT STATUS            listen on PORT with TCP_FASTOPEN;
                                       for each connection accepted, write
                                       "accepted N" (N: bytes it sent first)
  tfo.py client ADDR PORT SNI STATUS   send a ClientHello naming SNI with
                                       MSG_FASTOPEN (in the SYN once a cookie
                                       is cached), then wait for the end

The client writes "end EOF", "end TIMEOUT" or "end <errno name>". Waiting
ends after 10 s.
"""
import errno
import socket
import struct
import sys

WAIT = 10
TCP_FASTOPEN = 23
MSG_FASTOPEN = 0x20000000


def report(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def hello(sni):
    """A TLS 1.2 ClientHello: one suite, server_name, nothing else."""
    name = sni.encode()
    sn = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    exts = struct.pack("!HH", 0, len(sn)) + sn
    body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x02\xc0\x2f" +
            b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    msg = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(msg)) + msg


def server(port, status):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN, 16)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    report(status, "listening")
    while True:
        conn, _ = s.accept()
        conn.settimeout(2)
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        report(status, "accepted %d" % len(data))
        conn.close()


def client(addr, port, sni, status):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.sendto(hello(sni), MSG_FASTOPEN, (addr, port))  # blocking
        s.settimeout(WAIT)
        while s.recv(4096):
            pass
        report(status, "end EOF")
    except socket.timeout:
        report(status, "end TIMEOUT")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))


def main():
    a = sys.argv[1:]
    if a[:1] == ["hello"] and len(a) >= 2:
        for sni in a[1:]:
            print(hello(sni).hex())
    elif a[:1] == ["server"] and len(a) == 3:
        server(int(a[1]), a[2])
    elif a[:1] == ["client"] and len(a) == 5:
        client(a[1], int(a[2]), a[3], a[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
