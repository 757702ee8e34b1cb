#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Reject latency: from the packet that gets a flow rejected to each end's
socket failing. Both ends run on one machine, so CLOCK_MONOTONIC is shared.

  reject_latency.py server PORT N LOG
      accept N connections; echo what each sends; when one fails, append
      "SPORT T_NS ERRNO" to LOG (SPORT: the client's port)
  reject_latency.py client ADDR PORT N LOG GO
      open N connections and time 5 one-byte echoes on each (the round
      trip before any reject); print "ready"; once the file GO exists,
      send one byte on each connection in turn (the trigger) and wait for
      it to fail; then read the server's LOG and print medians in
      microseconds: rtt, client (trigger to the client's error), server
      (trigger to the server's error), both (to the later of the two),
      and how many connections each end saw reset
"""
import errno
import os
import socket
import statistics
import sys
import threading
import time

WAIT = 10


def now():
    return time.monotonic_ns()


def name(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "TIMEOUT"


def server(port, n, log):
    lock = threading.Lock()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", port))
    s.listen(n)

    def serve(c, sport):
        try:
            while True:
                b = c.recv(64)
                if not b:
                    end = "EOF"
                    break
                c.sendall(b)
        except OSError as e:
            end = name(e)
        t = now()
        with lock, open(log, "a") as f:
            f.write("%d %d %s\n" % (sport, t, end))

    threads = []
    for _ in range(n):
        c, peer = s.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t = threading.Thread(target=serve, args=(c, peer[1]))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


def client(addr, port, n, log, go):
    conns, rtts, lat_s, lat_both = [], [], [], []
    for _ in range(n):
        c = socket.create_connection((addr, port), WAIT)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(5):
            t0 = now()
            c.sendall(b"p")
            c.recv(1)
            rtts.append(now() - t0)
        conns.append(c)
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.05)

    trig, failed = {}, {}
    resets = 0
    for c in conns:
        sport = c.getsockname()[1]
        c.settimeout(WAIT)
        trig[sport] = now()
        c.send(b"x")
        try:
            c.recv(64)
        except OSError as e:
            failed[sport] = now()
            resets += e.errno == errno.ECONNRESET
        time.sleep(0.05)

    deadline = time.time() + WAIT
    lines = []
    while time.time() < deadline:
        with open(log) as f:
            lines = f.read().split("\n")[:-1]
        if len(lines) >= n:
            break
        time.sleep(0.1)
    server_resets = 0
    for line in lines:
        sport, t2, end = line.split()
        sport, t2 = int(sport), int(t2)
        if sport not in trig:
            continue
        server_resets += end == "ECONNRESET"
        lat_s.append(t2 - trig[sport])
        if sport in failed:
            lat_both.append(max(failed[sport], t2) - trig[sport])
    lat_c = [failed[p] - trig[p] for p in failed]

    def med(v):
        return "%.0f" % (statistics.median(v) / 1000) if v else "nan"

    print("rtt_us %s client_us %s server_us %s both_us %s client_resets %d "
          "server_resets %d" % (med(rtts), med(lat_c), med(lat_s),
                                med(lat_both), resets, server_resets))


if sys.argv[1] == "server":
    server(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
           sys.argv[6])
