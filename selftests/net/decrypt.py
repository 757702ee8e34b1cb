#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sslv's decrypt interface from a test's side: raw generic netlink, and a
plain TCP relay standing in for sslvd.

  decrypt.py ops            requests from stdin, one a line, "SOCK OP ARGS":
                            SOCK a letter naming a socket (opened at its
                            first use); prints "OK" or the errno name and
                            the extended ack message for each
      A register PORT MARK
      A session ID FAMILY CLIENT SERVER SPORT DPORT BYTES_ORIG BYTES_REPLY
                            a report: upstream unverified, kTLS on all four
                            directions, closed "done"
      A close               close socket A (a registration ends)
  decrypt.py relay PORT MARK LOG
                            register as sslvd, listen transparently on PORT
                            (IPv4 and IPv6), and for each connection: ask the
                            module what it decided (FLOW_GET), connect to its
                            server from the client's own address and port,
                            copy bytes both ways until both ends close, then
                            report the session. LOG gets "listening", then
                            per connection "flow ID action A diverted D" and
                            "relayed CLIENT SPORT SERVER DPORT UP DOWN"
  decrypt.py server PORT LOG
                            accept one connection (IPv4 or IPv6), write its
                            peer "peer ADDR PORT" to LOG, answer each read
                            with "pong:" and the bytes, until EOF
  decrypt.py client ADDR PORT LOG
                            connect, send "ping", write "local PORT" and
                            "reply TEXT" to LOG, close

The netlink encoding is sslv_genl.py's (numbers from include/uapi/linux/sslv.h).
"""
import errno
import select
import socket
import struct
import sys
import threading

sys.dont_write_bytecode = True
import sslv_genl  # noqa: E402
from sslv_genl import E, attrs, nest, nla, u16, u32, u64, u8  # noqa: E402

IP_TRANSPARENT, IPV6_TRANSPARENT = 19, 75


class Sock(sslv_genl.Sock):
    """A socket speaking sslvd's side of the decrypt interface."""

    def register(self, port, mark):
        return self.request("SSLV_CMD_DECRYPT_REGISTER",
                            u16("SSLV_A_DECRYPT_PORT", port) +
                            u32("SSLV_A_DECRYPT_MARK", mark))

    def flow_get(self, fam, client, server, sport, dport):
        """The SSLV_A_FLOW nests of the flows with these ends."""
        replies = self.dump("SSLV_CMD_FLOW_GET",
                            nest("SSLV_A_FLOW",
                                 ends(fam, client, server, sport, dport)))
        flows = []
        for msg in replies:
            top = dict(attrs(msg[4:]))
            flows.append(dict(attrs(top[E["SSLV_A_FLOW"]])))
        return flows

    def session(self, flow_id, fam, client, server, sport, dport, up, down):
        rep = u8("SSLV_SESS_VERIFIED", 0) + u32("SSLV_SESS_VERIFY", 18) + \
            u8("SSLV_SESS_KTLS", 0xf) + \
            u64("SSLV_SESS_BYTES_ORIG", up) + \
            u64("SSLV_SESS_BYTES_REPLY", down) + \
            u8("SSLV_SESS_CLOSE", E["SSLV_CLOSE_DONE"])
        return self.request("SSLV_CMD_DECRYPT_SESSION",
                            u32("SSLV_A_FLOW_ID", flow_id) +
                            nest("SSLV_A_FLOW", ends(fam, client, server,
                                                     sport, dport)) +
                            nest("SSLV_A_SESSION", rep))


def ends(fam, client, server, sport, dport):
    af = socket.AF_INET if fam == 4 else socket.AF_INET6
    return u8("SSLV_FLOW_FAMILY", af) + \
        nla("SSLV_FLOW_SADDR", socket.inet_pton(af, client)) + \
        nla("SSLV_FLOW_DADDR", socket.inet_pton(af, server)) + \
        u16("SSLV_FLOW_SPORT", sport) + u16("SSLV_FLOW_DPORT", dport)


def op(sock, name, args):
    if name == "register":
        return sock.register(int(args[0]), int(args[1]))
    if name == "session":
        return sock.session(int(args[0]), int(args[1]), args[2], args[3],
                            int(args[4]), int(args[5]), int(args[6]),
                            int(args[7]))
    sys.exit("unknown op " + name)


def ops():
    sslv_genl.ops(op, Sock)


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def pump(a, b):
    """Copy both ways until both directions ended; bytes a->b, b->a."""
    moved = {a: 0, b: 0}
    peer = {a: b, b: a}
    open_ = {a, b}
    while open_:
        for s in select.select(list(open_), [], [], 30)[0]:
            data = s.recv(65536)
            if not data:
                open_.discard(s)
                peer[s].shutdown(socket.SHUT_WR)
                continue
            peer[s].sendall(data)
            moved[s] += len(data)
    return moved[a], moved[b]


def relay_one(nl, conn, path):
    client, sport = conn.getpeername()[:2]
    server, dport = conn.getsockname()[:2]
    fam = 6 if conn.family == socket.AF_INET6 else 4
    flows = nl.flow_get(fam, client, server, sport, dport)
    fid = 0
    for f in flows:
        fid = struct.unpack("=I", f[E["SSLV_FLOW_ID"]])[0]
        act = f.get(E["SSLV_FLOW_ACTION"])
        flags = struct.unpack("=I", f[E["SSLV_FLOW_FLAGS"]])[0]
        log(path, "flow %d action %s diverted %d" %
            (fid, act[0] if act else "none",
             bool(flags & 4)))
    up = socket.socket(conn.family, socket.SOCK_STREAM)
    if fam == 4:
        up.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    else:
        up.setsockopt(socket.IPPROTO_IPV6, IPV6_TRANSPARENT, 1)
    up.bind((client, sport))
    up.settimeout(10)
    up.connect((server, dport))
    up.settimeout(None)
    n_up, n_down = pump(conn, up)
    log(path, "relayed %s %d %s %d %d %d" %
        (client, sport, server, dport, n_up, n_down))
    log(path, "report " + nl.session(fid, fam, client, server, sport,
                                     dport, n_up, n_down))
    conn.close()
    up.close()


def relay(port, mark, path):
    nl = Sock()
    answer = nl.register(port, mark)
    if answer != "OK":
        sys.exit("register: " + answer)
    lsocks = []
    for af, lvl, opt, addr in ((socket.AF_INET, socket.SOL_IP,
                                IP_TRANSPARENT, "0.0.0.0"),
                               (socket.AF_INET6, socket.IPPROTO_IPV6,
                                IPV6_TRANSPARENT, "::")):
        s = socket.socket(af, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(lvl, opt, 1)
        if af == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            s.bind((addr, port))
        except OSError:
            if af == socket.AF_INET6:
                continue	# IPv6 off in this namespace
            raise
        s.listen(16)
        lsocks.append(s)
    log(path, "listening")
    while True:
        for s in select.select(lsocks, [], [])[0]:
            conn, _ = s.accept()
            threading.Thread(target=relay_one, args=(nl, conn, path),
                             daemon=True).start()


def server(port, path):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(4)
    log(path, "listening")
    conn, peer = s.accept()
    addr = peer[0]
    if addr.startswith("::ffff:"):
        addr = addr[7:]
    log(path, "peer %s %d" % (addr, peer[1]))
    conn.settimeout(30)
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(b"pong:" + data)
    conn.close()
    log(path, "end")


def client(addr, port, path):
    af = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(af, socket.SOCK_STREAM)
    s.settimeout(20)
    try:
        s.connect((addr, port))
        log(path, "local %d" % s.getsockname()[1])
        s.sendall(b"ping")
        log(path, "reply " + s.recv(4096).decode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        log(path, "end EOF")
    except OSError as e:
        log(path, "end " + (errno.errorcode.get(e.errno, "TIMEOUT")
                            if e.errno else "TIMEOUT"))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ops":
        ops()
    elif cmd == "relay":
        relay(int(args[0]), int(args[1]), args[2])
    elif cmd == "server":
        server(int(args[0]), args[1])
    elif cmd == "client":
        client(args[0], int(args[1]), args[2])
    else:
        sys.exit("unknown command " + cmd)


main()
