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
      A session_ips ID FAMILY CLIENT SERVER SPORT DPORT CLOSE RSTS IPS
                            a report of a session the attached IPS saw:
                            CLOSE a word of enum sslv_close (ips-drop ...),
                            RSTS its SSLV_SESS_IPS_RSTS, IPS its SSLV_SESS_IPS
      A ips_set OUT IN [COPY|- [TIMEOUT|- [STATE]]]
                            SSLV_CMD_IPS_SET with these raw values ("''"
                            an empty name, \\s a space, \\0 a NUL)
      A ips_state STATE     SSLV_CMD_IPS_STATE (1 down, 2 up)
      A close               close socket A (a registration ends)
  decrypt.py relay PORT MARK LOG
                            register as sslvd, listen transparently on PORT
                            (IPv4 and IPv6), and for each connection: ask the
                            module what it decided (FLOW_GET), connect to its
                            server from the client's own address and port,
                            copy bytes both ways until both ends close, then
                            report the session. LOG gets "listening", then
                            per connection "flow ID action A diverted D" and
                            "relayed CLIENT SPORT SERVER DPORT UP DOWN".
                            Lines on its stdin: "state down|up" reports the
                            IPS's state (logs "state WORD ANSWER"); "next
                            ips-reset|abort" makes the next connection,
                            once client and server spoke, end aborted (both
                            sockets SO_LINGER 0, "aborted" logged), after a
                            report saying the IPS reset it, or none
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

    def session(self, flow_id, fam, client, server, sport, dport, up, down,
                close="SSLV_CLOSE_DONE", extra=b""):
        rep = u8("SSLV_SESS_VERIFIED", 0) + u32("SSLV_SESS_VERIFY", 18) + \
            u8("SSLV_SESS_KTLS", 0xf) + \
            u64("SSLV_SESS_BYTES_ORIG", up) + \
            u64("SSLV_SESS_BYTES_REPLY", down) + \
            u8("SSLV_SESS_CLOSE", E[close]) + extra
        return self.request("SSLV_CMD_DECRYPT_SESSION",
                            u32("SSLV_A_FLOW_ID", flow_id) +
                            nest("SSLV_A_FLOW", ends(fam, client, server,
                                                     sport, dport)) +
                            nest("SSLV_A_SESSION", rep))


    def ips_set(self, out, in_, copy=None, timeout=None, state=None):
        def name(kind, v):
            v = v.replace("\\s", " ").replace("\\0", "\0")
            return nla(kind, b"" if v == "''" else v.encode() + b"\0")
        body = name("SSLV_IPS_OUT", out) + name("SSLV_IPS_IN", in_)
        if copy not in (None, "-"):
            body += name("SSLV_IPS_COPY", copy)
        if timeout not in (None, "-"):
            body += u32("SSLV_IPS_FEEDBACK_TIMEOUT", int(timeout))
        if state is not None:
            body += u8("SSLV_IPS_STATE", int(state))
        return self.request("SSLV_CMD_IPS_SET", nest("SSLV_A_IPS", body))

    def ips_state(self, state):
        return self.request("SSLV_CMD_IPS_STATE",
                            nest("SSLV_A_IPS", u8("SSLV_IPS_STATE", state)))


def close_name(word):
    """enum sslv_close's name of a word: ips-drop -> SSLV_CLOSE_IPS_DROP."""
    return "SSLV_CLOSE_" + word.upper().replace("-", "_")


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
    if name == "session_ips":
        return sock.session(int(args[0]), int(args[1]), args[2], args[3],
                            int(args[4]), int(args[5]), 0, 0,
                            close_name(args[6]),
                            u32("SSLV_SESS_IPS_RSTS", int(args[7])) +
                            u8("SSLV_SESS_IPS", int(args[8])))
    if name == "ips_set":
        return sock.ips_set(*args)
    if name == "ips_state":
        return sock.ips_state(int(args[0]))
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


def abort(*socks):
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("=ii", 1, 0))
        s.close()


def relay_one(nl, conn, path, end):
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
    if end:
        # One exchange, then the end sslvd gives a flow the IPS killed
        # (its report first), or one in error (no report).
        data = conn.recv(65536)
        up.sendall(data)
        answer = up.recv(65536)
        if end == "ips-reset":
            log(path, "report " + nl.session(
                fid, fam, client, server, sport, dport, len(data),
                len(answer), "SSLV_CLOSE_IPS_RESET",
                u32("SSLV_SESS_IPS_RSTS", 1) + u8("SSLV_SESS_IPS", 1)))
        abort(conn, up)
        log(path, "aborted")
        return
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
    nxt = []

    def control():
        for line in sys.stdin:
            words = line.split()
            if words[:1] == ["state"]:
                state = E["SSLV_IPS_STATE_" + words[1].upper()]
                log(path, "state %s %s" % (words[1], nl.ips_state(state)))
            elif words[:1] == ["next"]:
                nxt.append(words[1])
                log(path, "next " + words[1])

    threading.Thread(target=control, daemon=True).start()
    log(path, "listening")
    while True:
        for s in select.select(lsocks, [], [])[0]:
            conn, _ = s.accept()
            end = nxt.pop(0) if nxt else None
            threading.Thread(target=relay_one, args=(nl, conn, path, end),
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
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(b"pong:" + data)
        log(path, "end")
    except OSError as e:
        log(path, "end " + errno.errorcode.get(e.errno, "TIMEOUT"))
    conn.close()


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
