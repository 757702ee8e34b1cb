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

The netlink encoding is sslv_genl.py's.
"""
import struct
import sys

sys.dont_write_bytecode = True
from sslv_genl import E, flag, nest, nla, ops, strz, u8  # noqa: E402


def rule(dport, domset=None):
    body = nla("SSLV_RULE_DPORT_MIN", struct.pack("=H", dport))
    body += u8("SSLV_RULE_ACTION", E["SSLV_ACT_CUT"])
    if domset:
        body += strz("SSLV_RULE_DOMSET", domset)
    return nest("SSLV_A_RULE", body)


def run(sock, op, args):
    stage = b""
    if args and args[0] == "stage":
        stage, args = flag("SSLV_A_STAGE"), args[1:]
    if op == "rule_add":
        return sock.request("SSLV_CMD_RULE_ADD", stage +
                            b"".join(rule(int(p)) for p in args))
    if op == "rule_add_set":
        return sock.request("SSLV_CMD_RULE_ADD",
                            stage + rule(int(args[1]), args[0]))
    if op == "rule_flush":
        return sock.request("SSLV_CMD_RULE_FLUSH", stage)
    if op == "rule_commit":
        return sock.request("SSLV_CMD_RULE_COMMIT", b"")
    if op == "domset_add":
        return sock.request("SSLV_CMD_DOMSET_ADD",
                            strz("SSLV_A_DOMSET_NAME", args[0]) + stage +
                            b"".join(strz("SSLV_A_DOMAIN", n)
                                     for n in args[1:]))
    if op == "domset_commit":
        return sock.request("SSLV_CMD_DOMSET_COMMIT",
                            strz("SSLV_A_DOMSET_NAME", args[0]))
    sys.exit("unknown op " + op)


ops(run)
