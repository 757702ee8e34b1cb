#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Real TCP endpoints for the guest tests, reporting what a user would see.

  sock.py server PORT STATUS           listen on [::]:PORT (v4 and v6), accept
                                       one connection, answer "pong" to
                                       "ping", then wait for the connection to
                                       end
  sock.py client ADDR PORT STATUS [--sport P]
                                       connect, send "ping", read "pong", then
                                       wait for the connection to end

Each writes progress lines to STATUS ("listening", "connected", "talked") and
finally one of: "end ECONNRESET", "end ECONNREFUSED", "end EOF",
"end TIMEOUT", "end <errno name>". Waiting ends after 30 s, or after
$SSLV_SOCK_WAIT seconds for a test that keeps a connection up longer.
"""
import errno
import os
import socket
import sys

WAIT = float(os.environ.get("SSLV_SOCK_WAIT", 30))


def report(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def wait_end(conn, status):
    conn.settimeout(WAIT)
    try:
        while True:
            if not conn.recv(4096):
                report(status, "end EOF")
                return
    except socket.timeout:
        report(status, "end TIMEOUT")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))


def server(port, status):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(1)
    report(status, "listening")
    s.settimeout(WAIT)
    try:
        conn, _ = s.accept()
    except socket.timeout:
        report(status, "end TIMEOUT")
        return
    report(status, "connected")
    conn.settimeout(WAIT)
    try:
        if conn.recv(4) == b"ping":
            conn.sendall(b"pong")
            report(status, "talked")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))
        return
    wait_end(conn, status)


def client(addr, port, status, sport):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    c = socket.socket(family, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        c.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", sport))
    c.settimeout(WAIT)
    try:
        c.connect((addr, port))
    except OSError as e:
        name = "TIMEOUT" if isinstance(e, socket.timeout) else \
            errno.errorcode.get(e.errno, str(e.errno))
        report(status, "end " + name)
        return
    report(status, "connected %d" % c.getsockname()[1])
    try:
        c.sendall(b"ping")
        if c.recv(4) == b"pong":
            report(status, "talked")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))
        return
    wait_end(c, status)


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "server":
        server(int(args[1]), args[2])
    elif len(args) in (4, 6) and args[0] == "client":
        sport = int(args[5]) if len(args) == 6 and args[4] == "--sport" else 0
        client(args[1], int(args[2]), args[3], sport)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
