#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Drive sslv's staging from several netlink sockets at once.

Reads one request a line from stdin (UTF-8; names are sent in Latin-1), "SOCK OP ARGS...", SOCK a letter naming
a socket (opened at its first use), and prints the kernel's answer to each:
"OK", or the errno name and the extended ack message.

  A rule_add [stage] DPORT...       one cut rule per DPORT (SSLV_A_STAGE)
  A rule_add_set [stage] SET DPORT  a rule with sni-list SET
  A rule_flush [stage]
  A rule_commit
  A domset_add [stage] SET NAME...
  A domset_commit SET
  A close                           close socket A (its stage goes away)
"""
import errno
import socket
import struct
import sys

SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSG_ERROR, NLM_F_REQUEST, NLM_F_ACK = 2, 1, 4
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

# include/uapi/linux/sslv.h
RULE_ADD, RULE_FLUSH, RULE_COMMIT = 5, 8, 9
DOMSET_ADD, DOMSET_COMMIT = 15, 16
A_RULE, A_STAGE, A_DOMSET_NAME, A_DOMAIN = 9, 11, 22, 23
RULE_DPORT_MIN, RULE_ACTION, RULE_DOMSET = 9, 13, 17


def nla(kind, data):
    return struct.pack("=HH", 4 + len(data), kind) + data + \
        b"\0" * (-len(data) % 4)


def strz(kind, text):
    return nla(kind, text.encode("latin-1") + b"\0")


def attrs(data):
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        yield kind & 0x3fff, data[4:length]
        data = data[(length + 3) & ~3:]


class Sock:
    seq = 0

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        replies, err, text = self.transact(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            strz(CTRL_ATTR_FAMILY_NAME, "sslv"))
        if err:
            sys.exit("sslv: %s %s" % (errno.errorcode[err], text))
        fid = dict(attrs(replies[0][4:]))[CTRL_ATTR_FAMILY_ID]
        self.family = struct.unpack("=H", fid)[0]

    def transact(self, family, cmd, payload):
        Sock.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family,
                                NLM_F_REQUEST | NLM_F_ACK, Sock.seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(65536)
            while len(data) >= 16:
                length, kind, _, rseq, _ = struct.unpack_from("=IHHII", data)
                msg, data = data[16:length], data[(length + 3) & ~3:]
                if rseq != Sock.seq:
                    continue
                if kind != NLMSG_ERROR:
                    replies.append(msg)
                    continue
                err = -struct.unpack_from("=i", msg)[0]
                tlvs = dict(attrs(msg[20:]))
                text = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                return replies, err, text.decode()

    def request(self, cmd, payload):
        _, err, text = self.transact(self.family, cmd, payload)
        return "OK" if not err else ("%s %s" % (errno.errorcode[err],
                                                text)).strip()


def rule(dport, domset=None):
    body = struct.pack("=HHH", 6, RULE_DPORT_MIN, dport) + b"\0\0"
    body += nla(RULE_ACTION, b"\0")
    if domset:
        body += strz(RULE_DOMSET, domset)
    return nla(A_RULE | NLA_F_NESTED, body)


def run(sock, op, args):
    stage = b""
    if args and args[0] == "stage":
        stage, args = nla(A_STAGE, b""), args[1:]
    if op == "rule_add":
        return sock.request(RULE_ADD, stage +
                            b"".join(rule(int(p)) for p in args))
    if op == "rule_add_set":
        return sock.request(RULE_ADD, stage + rule(int(args[1]), args[0]))
    if op == "rule_flush":
        return sock.request(RULE_FLUSH, stage)
    if op == "rule_commit":
        return sock.request(RULE_COMMIT, b"")
    if op == "domset_add":
        return sock.request(DOMSET_ADD, strz(A_DOMSET_NAME, args[0]) + stage +
                            b"".join(strz(A_DOMAIN, n) for n in args[1:]))
    if op == "domset_commit":
        return sock.request(DOMSET_COMMIT, strz(A_DOMSET_NAME, args[0]))
    sys.exit("unknown op " + op)


def main():
    socks = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name, op, args = words[0], words[1], words[2:]
        if op == "close":
            socks.pop(name).s.close()
            print("OK")
        else:
            if name not in socks:
                socks[name] = Sock()
            print(run(socks[name], op, args))
        sys.stdout.flush()


main()
