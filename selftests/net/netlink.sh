#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control plane's guarantees, from inside the bridge box's namespace:
#   - without CAP_NET_ADMIN every command fails with EPERM, reads included,
#     and the events group cannot be joined; nothing changes;
#   - sslvctl refuses bad arguments itself, naming the token; nothing changes;
#   - hand-built malformed requests draw an NLMSG_ERROR with the errno of
#     the kernel's strict validation and an extended ack message pointing at
#     the attribute at fault; nothing changes; missing ids are ENOENT;
#   - `sslvctl monitor` reports an operator's reject once, then sslv's two
#     RSTs with their reason, in text and JSON.

source "$(dirname "$0")/../lib.sh"

# For wait_for: the count is taken again at every try.
lines_at_least() { (($(wc -l <"$2") >= $1)); }

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
EPERM_MSG="Error: Operation not permitted (CAP_NET_ADMIN required)"

# ctl ARGS...: sslvctl in the box, as root.
ctl() { n_box "$SSLVCTL" "$@"; }

# state: everything a refused command must leave alone.
state()
{
	ctl rule list
	ctl domains
	ctl mode
	ctl config
	ctl stats
}

# settled: the state is the same twice in a row (late ACKs have crossed);
# it is kept in $OUT/state for unchanged.
settled()
{
	state >"$OUT/state.prev"
	sleep 0.3
	state >"$OUT/state"
	cmp -s "$OUT/state.prev" "$OUT/state"
}

# unchanged DESC: the state is still the one settled kept (a diff if not).
unchanged()
{
	state >"$OUT/state.now"
	check_run "$1: state unchanged" diff -u "$OUT/state" "$OUT/state.now"
}

# genl_raw CASE...: send each hand-built sslv request CASE from the box and
# print the kernel's answer to each, one line per CASE: "OK", or the errno
# name, the extended ack message and where its offset points ("at-fault"
# when at the attribute CASE spoiled, "offset N" elsewhere, "no-offset" when
# none was given).
genl_raw()
{
	n_box /usr/bin/python3 - "$@" <<'EOF'
import errno
import itertools
import socket
import struct
import sys

SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSG_ERROR, NLM_F_REQUEST, NLM_F_ACK = 2, 1, 4
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

# include/uapi/linux/sslv.h
MODE_SET, CONFIG_SET, RULE_ADD, RULE_DEL, FLOW_REJECT = 2, 4, 5, 6, 11
A_MODE, A_MAX_FLOWS, A_TIMEOUT_HANDSHAKE = 1, 3, 4
A_RULE, A_RULE_ID, A_FLOW_ID = 9, 10, 13
RULE_FAMILY, RULE_SRC, RULE_DST, RULE_DST_LEN, RULE_ACTION = 2, 3, 5, 6, 13
ACT_DROP = 2
RULE_SNI, RULE_DOMSET, RULE_TLS_VER_MIN = 16, 17, 19
RULE_NONTLS, RULE_UNDECRYPTABLE = 21, 22
DOMSET_ADD, DOMSET_COMMIT = 15, 16
A_DOMSET_NAME, A_DOMAIN = 22, 23
A_STAGE, A_RULE_INDEX, A_RULE_BEFORE, A_RULE_AFTER = 11, 36, 37, 38
RULE_COMMENT = 23
SEQ = itertools.count(1)


def nla(kind, data):
    head = struct.pack("=HH", 4 + len(data), kind)
    return head + data + b"\0" * (-len(data) % 4)


def u8(kind, v):
    return nla(kind, struct.pack("=B", v))


def u16(kind, v):
    return nla(kind, struct.pack("=H", v))


def u32(kind, v):
    return nla(kind, struct.pack("=I", v))


def strz(kind, text):
    return nla(kind, text.encode() + b"\0")


def rule(*attrs):
    return nla(A_RULE | NLA_F_NESTED, b"".join(attrs))


FAMILY4 = u8(RULE_FAMILY, socket.AF_INET)
DST = nla(RULE_DST, socket.inet_aton("10.7.0.0")) + u8(RULE_DST_LEN, 16)
DROP = u8(RULE_ACTION, ACT_DROP)
GOOD_RULE = rule(FAMILY4, DST, DROP)
SRC5 = nla(RULE_SRC, b"\x0a\x00\x00\x01\x05")
NO_ACTION = rule(FAMILY4, DST)
UNKNOWN = u8(200, 1)
MODE7 = u8(A_MODE, 7)
TIMEOUT0 = u32(A_TIMEOUT_HANDSHAKE, 0)
TRUNCATED = struct.pack("=HH", 64, A_MODE) + b"\0" * 4
SNI_BAD = strz(RULE_SNI, "a..example")
SNI_OK = strz(RULE_SNI, "x.example")
VER_0305 = u16(RULE_TLS_VER_MIN, 0x0305)
UD_BIT5 = u32(RULE_UNDECRYPTABLE, 1 << 5)
NO_SET = strz(RULE_DOMSET, "nosuch")
NONTLS = nla(RULE_NONTLS, b"")
SET_BAD = strz(A_DOMSET_NAME, "a b")
DOMAIN_BAD = strz(A_DOMAIN, "*.*.example")
COMMENT_129 = strz(RULE_COMMENT, "x" * 129)
COMMENT_NUL = nla(RULE_COMMENT, b"a\0b\0")
COMMENT_EMPTY = nla(RULE_COMMENT, b"\0")
INDEX_FAR = u32(A_RULE_INDEX, 100000)
BEFORE_NONE = u32(A_RULE_BEFORE, 99999)
AFTER_1 = u32(A_RULE_AFTER, 1)

# name: (command, attributes, the attribute at fault, reserved byte)
CASES = {
    "good-rule": (RULE_ADD, GOOD_RULE, None, 0),
    "src-5-bytes": (RULE_ADD, rule(FAMILY4, SRC5, DROP), SRC5, 0),
    "no-action": (RULE_ADD, NO_ACTION, NO_ACTION, 0),
    "unknown-attr": (RULE_ADD, GOOD_RULE + UNKNOWN, UNKNOWN, 0),
    "reserved": (RULE_ADD, GOOD_RULE, None, 1),
    "mode-7": (MODE_SET, MODE7, MODE7, 0),
    "timeout-0": (CONFIG_SET, u32(A_MAX_FLOWS, 10) + TIMEOUT0, TIMEOUT0, 0),
    "truncated": (RULE_ADD, GOOD_RULE + TRUNCATED, None, 0),
    "del-missing": (RULE_DEL, u32(A_RULE_ID, 99999), u32(A_RULE_ID, 99999), 0),
    "reject-missing": (FLOW_REJECT, u32(A_FLOW_ID, 99999),
                       u32(A_FLOW_ID, 99999), 0),
    "sni-bad": (RULE_ADD, rule(SNI_BAD, DROP), SNI_BAD, 0),
    "tls-version-0305": (RULE_ADD, rule(VER_0305, DROP), VER_0305, 0),
    "undecryptable-bit5": (RULE_ADD, rule(UD_BIT5, DROP), UD_BIT5, 0),
    "nontls-sni": (RULE_ADD, rule(NONTLS, SNI_OK, DROP), None, 0),
    "sni-list-missing": (RULE_ADD, rule(NO_SET, DROP), NO_SET, 0),
    "set-name-bad": (DOMSET_COMMIT, SET_BAD, SET_BAD, 0),
    "domain-bad": (DOMSET_ADD, strz(A_DOMSET_NAME, "x") + DOMAIN_BAD,
                   DOMAIN_BAD, 0),
    "comment-129": (RULE_ADD, rule(DROP, COMMENT_129), COMMENT_129, 0),
    "comment-nul": (RULE_ADD, rule(DROP, COMMENT_NUL), COMMENT_NUL, 0),
    "comment-empty": (RULE_ADD, rule(DROP, COMMENT_EMPTY), COMMENT_EMPTY, 0),
    "index-far": (RULE_ADD, INDEX_FAR + GOOD_RULE, INDEX_FAR, 0),
    "before-missing": (RULE_ADD, BEFORE_NONE + GOOD_RULE, BEFORE_NONE, 0),
    "two-positions": (RULE_ADD, u32(A_RULE_INDEX, 0) + AFTER_1 + GOOD_RULE,
                      AFTER_1, 0),
    "position-staged": (RULE_ADD, nla(A_STAGE, b"") + INDEX_FAR + GOOD_RULE,
                        INDEX_FAR, 0),
    "good-comment": (RULE_ADD, rule(FAMILY4, DST, DROP,
                                    strz(RULE_COMMENT, "\u00e9" * 64)),
                     None, 0),
}


def attrs(data):
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        yield kind & 0x3fff, data[4:length]
        data = data[(length + 3) & ~3:]


def transact(sock, family, cmd, payload, reserved=0):
    """Send one request; return (replies, error, ack message, ack offset)."""
    seq = next(SEQ)
    body = struct.pack("=BBH", cmd, 1, reserved) + payload
    sock.send(struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    replies = []
    while True:
        data = sock.recv(65536)
        while len(data) >= 16:
            length, kind, flags, rseq, _ = struct.unpack_from("=IHHII", data)
            msg, data = data[16:length], data[(length + 3) & ~3:]
            if rseq != seq:
                continue
            if kind != NLMSG_ERROR:
                replies.append(msg)
                continue
            err = -struct.unpack_from("=i", msg)[0]
            tlvs = dict(attrs(msg[20:]))    # capped: after the request header
            text = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
            offs = tlvs.get(NLMSGERR_ATTR_OFFS)
            offs = struct.unpack("=I", offs)[0] if offs else None
            return replies, err, text, offs


def family_id(sock, name):
    replies, err, text, _ = transact(
        sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
        nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    if err:
        sys.exit("%s: %s %s" % (name, errno.errorcode[err], text))
    fid = dict(attrs(replies[0][4:]))[CTRL_ATTR_FAMILY_ID]
    return struct.unpack("=H", fid)[0]


def answer(sock, family, case):
    cmd, payload, fault, reserved = CASES[case]
    _, err, text, offs = transact(sock, family, cmd, payload, reserved)
    if not err:
        return "OK"
    if offs is None:
        where = "no-offset"
    elif fault is not None and offs == 16 + 4 + payload.find(fault):
        where = "at-fault"
    else:
        where = "offset %d" % offs
    return "%s %s %s" % (errno.errorcode[err], text, where)


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.bind((0, 0))
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    family = family_id(sock, "sslv")
    for case in sys.argv[1:]:
        print(answer(sock, family, case))


main()
EOF
}

# finished_flow: a short connection that has come and gone, leaving
# counters and a closed flow behind.
finished_flow()
{
	n_srv socat -u TCP-LISTEN:5000,reuseaddr OPEN:/dev/null &
	wait_for listening "$SRV" 5000
	echo hello | n_cli socat -u - "TCP:$SRV_IP4:5000"
	wait_for flow_closed
}

flow_closed() { [[ $(flow_state dport 5000) == closed ]]; }

# Without CAP_NET_ADMIN: each command fails with EPERM, exit 2.
unprivileged()
{
	local id=$1 args err rc

	for args in "rule add dst 10.0.0.0/8 action reject" "rule flush" \
		    "rule del 1" "mode set passive-inline" \
		    "config set max-flows 10" "stats reset" "flow reject $id" \
		    "rule list" "stats"; do
		rc=0
		err=$(n_box "${NOBODY[@]}" "$SSLVCTL" $args 2>&1 >/dev/null) ||
			rc=$?
		check "unprivileged '$args': message" "$err" == "$EPERM_MSG"
		check "unprivileged '$args': exit status" $rc -eq 2
	done

	rc=0
	err=$(n_box timeout 5 "${NOBODY[@]}" "$SSLVCTL" monitor 2>&1) || rc=$?
	check "unprivileged monitor: message" "$err" == "$EPERM_MSG"
	check "unprivileged monitor: exit status" $rc -eq 2

	unchanged unprivileged
	check "unprivileged: flow not rejected" "$(flow_state dport 5000)" \
		== closed
}

# Bad command lines: the exact error naming the token, exit 1.
bad_arguments()
{
	local args want err rc

	while IFS='|' read -r args want; do
		rc=0
		err=$(ctl $args 2>&1 >/dev/null) || rc=$?
		check "'$args': message" "$err" == "$want"
		check "'$args': exit status" $rc -eq 1
	done <<-'EOF'
	rule add dst 10.0.0.0/33 action reject|Error: invalid prefix "10.0.0.0/33"
	rule add action foo|Error: invalid action "foo"
	rule add dst 10.0.0.1 src fd00::1 action reject|Error: address family mismatch "fd00::1"
	rule add dport 20-10 action drop|Error: invalid port "20-10"
	rule add dst 10.0.0.1|Error: "action" is required
	rule del abc|Error: invalid rule id "abc"
	flow reject|Error: missing flow id after "reject"
	mode set bogus|Error: invalid mode "bogus"
	config set max-flows 0|Error: invalid max-flows "0"
	EOF
	unchanged "bad arguments"
}

# Hand-built requests: the kernel's answer to each, exactly.
malformed_requests()
{
	local cases=() wants=() answers i

	while IFS='|' read -r case want; do
		cases+=("$case")
		wants+=("$want")
	done <<-'EOF'
	src-5-bytes|EINVAL address length does not fit the family at-fault
	no-action|EINVAL a rule needs an action at-fault
	unknown-attr|EINVAL Unknown attribute type at-fault
	reserved|EINVAL genlmsghdr.reserved field is not 0 no-offset
	mode-7|ERANGE integer out of range at-fault
	timeout-0|ERANGE integer out of range at-fault
	truncated|EINVAL bytes leftover after parsing attributes no-offset
	del-missing|ENOENT no rule with this id at-fault
	reject-missing|ENOENT no flow with this id at-fault
	sni-bad|EINVAL empty label at-fault
	tls-version-0305|ERANGE integer out of range at-fault
	undecryptable-bit5|EINVAL reserved bit set at-fault
	nontls-sni|EINVAL nontls carries no other TLS attribute no-offset
	sni-list-missing|ENOENT no domain set of this name at-fault
	set-name-bad|EINVAL a set name is 1 to 31 of A-Z a-z 0-9 _ . - at-fault
	domain-bad|EINVAL misplaced wildcard at-fault
	comment-129|ERANGE comment longer than 128 bytes at-fault
	comment-nul|EINVAL comment holds a NUL byte at-fault
	comment-empty|EINVAL empty comment at-fault
	index-far|ERANGE index past the end of the ruleset at-fault
	before-missing|ENOENT no rule with this id at-fault
	two-positions|EINVAL a rule has one position at most at-fault
	position-staged|EINVAL a position is for the live ruleset, not a staged one at-fault
	EOF
	answers=$(genl_raw "${cases[@]}")
	mapfile -t answers <<<"$answers"
	for i in "${!cases[@]}"; do
		check "request ${cases[i]}" "${answers[i]:-}" == "${wants[i]}"
	done
	unchanged "malformed requests"

	# The builder is right: the same rule, well formed, is taken.
	check "request good-rule" "$(genl_raw good-rule)" == OK
	check "good-rule is listed" \
		"$(ctl rule list | tail -n 1 | cut -d' ' -f3-)" \
		== "dst 10.7.0.0/16 action drop hits 0"
	ctl rule del "$(ctl rule list | tail -n 1 | cut -d' ' -f2)"
	unchanged "good-rule deleted"

	# 128 bytes of comment (64 times U+00E9) are taken and shown whole.
	check "request good-comment" "$(genl_raw good-comment)" == OK
	check "good-comment is listed" \
		"$(ctl -j rule list | jq -r '.[-1].comment')" == \
		"$(printf '\u00e9%.0s' $(seq 64))"
	ctl rule del "$(ctl rule list | tail -n 1 | cut -d' ' -f2)"
	unchanged "good-comment deleted"
}

# monitor: an operator's reject of a live connection is one flow-rejected
# event followed by one rst event for each RST sslv sent, in text and JSON.
monitor()
{
	local cst=$OUT/client.status sst=$OUT/server.status
	local id cport pid pid_json flow line

	rm -f "$cst" "$sst"
	# ip netns exec execs sslvctl: $! is the monitor itself.
	ip netns exec "$BOX" "$SSLVCTL" monitor >"$OUT/monitor.txt" &
	pid=$!
	ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$OUT/monitor.json" &
	pid_json=$!
	# Both have joined the group once they sleep in netlink's recvmsg.
	wait_for grep -q skb_wait "/proc/$pid/wchan"
	wait_for grep -q skb_wait "/proc/$pid_json/wchan"

	n_srv "$SOCK" server 5001 "$sst" &
	wait_for grep -q listening "$sst"
	n_cli "$SOCK" client "$SRV_IP4" 5001 "$cst" &
	wait_for grep -q talked "$cst"
	wait_for grep -q talked "$sst"
	id=$(flow_id dport 5001)
	cport=$(awk '/^connected/ { print $2 }' "$cst")

	ctl flow reject "$id"
	wait_for grep -q "^end" "$cst"
	check "client reset by the reject" "$(grep ^end "$cst")" \
		== "end ECONNRESET"
	wait_for lines_at_least 3 "$OUT/monitor.txt"
	wait_for lines_at_least 3 "$OUT/monitor.json"

	flow="flow $id tcp $CLI_IP4:$cport -> $SRV_IP4:5001 rejected age Nms"
	flow+=" orig-if $PORT_CLI ttl $CLI_TTL reply-if $PORT_SRV ttl $SRV_TTL action reject"
	check "monitor: events" "$(wc -l <"$OUT/monitor.txt")" -eq 3
	check "monitor: the event" \
		"$(head -n 1 "$OUT/monitor.txt" | sed -E 's/ age [0-9]+ms / age Nms /')" \
		== "rejected $flow reason operator"
	check "monitor: sslv's RSTs, with their reason" \
		"$(grep -c "^rst flow $id tcp .* sslv(operator) |" "$OUT/monitor.txt")" -eq 2

	check "monitor -j: events" "$(wc -l <"$OUT/monitor.json")" -eq 3
	line=$(/usr/bin/python3 -c 'import json, sys
e = json.loads(sys.stdin.readline())
f = e["flow"]
print(e["event"], e["reason"], f["id"], f["src"], f["sport"], f["dst"],
      f["dport"], f["state"], f["orig_if_name"], f["reply_if_name"])' \
		<"$OUT/monitor.json") || line="not JSON: $(cat "$OUT/monitor.json")"
	check "monitor -j: the event" "$line" == "rejected operator $id $CLI_IP4 \
$cport $SRV_IP4 5001 rejected $PORT_CLI $PORT_SRV"
	kill "$pid" "$pid_json"
}

module_load
topo_up

# A state worth protecting: rules, a non-default config, counters, a flow.
ctl rule add dst 10.9.0.0/16 dport 443 action reject >/dev/null
ctl rule add src fd00::99 action drop >/dev/null
ctl config set max-flows 5000 timeout-closed 3600
finished_flow
wait_for settled

unprivileged "$(flow_id dport 5000)"
bad_arguments
malformed_requests
monitor
