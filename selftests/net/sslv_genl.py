# SPDX-License-Identifier: GPL-2.0
"""sslv's generic netlink family from a test's side, in raw netlink.

Imported by the tests' python clients (decrypt.py, stage.py): the
attribute encoders, the attribute walker, and Sock, one netlink socket
bound to the "sslv" family, whose request() answers "OK" or the errno's
name and the extended ack message. Every number comes from
include/uapi/linux/sslv.h itself, through E (every enumerator by name).
"""
import errno
import os
import re
import socket
import struct
import sys
import threading

SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "../../include/uapi/linux/sslv.h")


def enums():
    """Every enumerator of the uapi header, by name."""
    with open(UAPI) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    values = {}
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, flags=re.S):
        n = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, value = item.partition("=")
            if value.strip():
                n = int(value.strip(), 0)
            values[name.strip()] = n
            n += 1
    return values


E = enums()


def num(kind):
    """An attribute or command: its uapi name, or already its number."""
    return E[kind] if isinstance(kind, str) else kind


def nla(kind, data):
    return struct.pack("=HH", 4 + len(data), num(kind)) + data + \
        b"\0" * (-len(data) % 4)


def nest(kind, data):
    return nla(num(kind) | NLA_F_NESTED, data)


def flag(kind):
    return nla(kind, b"")


def strz(kind, text):
    """A NUL-terminated string; names are sent in Latin-1 (one byte a
    character, so a test can send any byte)."""
    return nla(kind, text.encode("latin-1") + b"\0")


def u8(kind, v):
    return nla(kind, struct.pack("=B", v))


def u16(kind, v):
    return nla(kind, struct.pack("=H", v))


def u32(kind, v):
    return nla(kind, struct.pack("=I", v))


def u64(kind, v):
    return nla(kind, struct.pack("=Q", v))


def attrs(data):
    """(type, payload) of each attribute in data, flags masked off."""
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        yield kind & 0x3fff, data[4:length]
        data = data[(length + 3) & ~3:]


class Sock:
    """One netlink socket talking to the sslv family."""
    seq = 0

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.lock = threading.Lock()
        replies, err, text = self.transact(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            strz(CTRL_ATTR_FAMILY_NAME, "sslv"))
        if err:
            sys.exit("sslv: %s %s" % (errno.errorcode[err], text))
        fid = dict(attrs(replies[0][4:]))[CTRL_ATTR_FAMILY_ID]
        self.family = struct.unpack("=H", fid)[0]

    def transact(self, family, cmd, payload, flags=NLM_F_ACK):
        """Send one request; (replies, errno, extack message). A dump ends
        at NLMSG_DONE, any other request at its ack."""
        Sock.seq += 1
        seq = Sock.seq
        body = struct.pack("=BBH", num(cmd), 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), family,
                                NLM_F_REQUEST | flags, seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(65536)
            while len(data) >= 16:
                length, kind, _, rseq, _ = struct.unpack_from("=IHHII", data)
                msg, data = data[16:length], data[(length + 3) & ~3:]
                if rseq != seq:
                    continue
                if kind == NLMSG_DONE:
                    return replies, 0, ""
                if kind != NLMSG_ERROR:
                    replies.append(msg)
                    continue
                err = -struct.unpack_from("=i", msg)[0]
                tlvs = dict(attrs(msg[20:]))
                text = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                return replies, err, text.decode()

    def dump(self, cmd, payload):
        """The replies of a dump request (none on an error)."""
        with self.lock:
            replies, err, _ = self.transact(self.family, cmd, payload,
                                            NLM_F_DUMP)
        return [] if err else replies

    def request(self, cmd, payload):
        """"OK", or the errno's name and the extended ack message."""
        with self.lock:
            _, err, text = self.transact(self.family, cmd, payload)
        return "OK" if not err else ("%s %s" % (errno.errorcode[err],
                                                text)).strip()

    def close(self):
        self.s.close()


def ops(run, cls=Sock):
    """The "SOCK OP ARGS..." loop of the clients: one request a stdin line,
    SOCK a letter naming a socket (opened at its first use, "close" closes
    it), run(sock, op, args) answering each; prints each answer. cls: a
    subclass of Sock to open."""
    socks = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name, op, args = words[0], words[1], words[2:]
        if op == "close":
            socks.pop(name).close()
            print("OK")
        else:
            if name not in socks:
                socks[name] = cls()
            print(run(socks[name], op, args))
        sys.stdout.flush()
