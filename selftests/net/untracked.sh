#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flow the table has no room for (flows_untracked) still gets its verdict:
# with max-flows 1 and one established connection holding the table, each
# packet of a new flow is decided on its own.
#
#   drop     a client connecting to a `drop` port times out: none of its
#            SYNs reaches the server; each is one hit of the rule and one
#            drop_rule
#   reject   a connection set up untracked, before a `reject` rule for its
#            port existed, is reset on both ends by its next packet
#
# The new flows are checked to be untracked (not in `flow list`): they would
# be tracked only if the table's one flow sat in one of the 8 buckets from
# theirs, which a new server port then avoids.

source "$(dirname "$0")/../lib.sh"

P_HOLD=5001

# PEER_PY MODE ...:
#   echo PORT STATUS        accept one connection ("connected"), answer each
#                           "ping" with "pong"; "end ERRNO" or "end EOF"
#   chat PORT STATUS        connect ("talked 1" after a ping/pong), then,
#                           once STATUS.go exists, ping again: "talked 2",
#                           or "end ERRNO" when the connection fails
#   connect PORT STATUS     connect with a 3 s timeout: "connected" or
#                           "end TIMEOUT" / "end ERRNO"
PEER_PY='
import errno, os, socket, sys, time

def add(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")

def why(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "TIMEOUT"

def echo(port, status):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    s.listen(1)
    add(status, "listening")
    c, _ = s.accept()
    add(status, "connected")
    try:
        while True:
            if not c.recv(4):
                add(status, "end EOF")
                return
            c.sendall(b"pong")
    except OSError as e:
        add(status, "end " + why(e))

def chat(port, status):
    try:
        c = socket.create_connection((os.environ["SRV_IP4"], int(port)), 10)
        c.sendall(b"ping")
        add(status, "talked 1" if c.recv(4) == b"pong" else "no pong")
        while not os.path.exists(status + ".go"):
            time.sleep(0.05)
        c.sendall(b"ping")
        add(status, "talked 2" if c.recv(4) == b"pong" else "end EOF")
    except OSError as e:
        add(status, "end " + why(e))

def connect(port, status):
    try:
        socket.create_connection((os.environ["SRV_IP4"], int(port)), 3)
        add(status, "connected")
    except OSError as e:
        add(status, "end " + why(e))

globals()[sys.argv[1]](*sys.argv[2:])
'
PEER=(env SRV_IP4="$SRV_IP4" /usr/bin/python3 -S -c "$PEER_PY")

ctl() { n_box "$SSLVCTL" "$@"; }

# hits ID: the hit count of rule ID, from `rule list`.
hits()
{
	ctl rule list | awk -v id="$1" '$1 == "rule" && $2 == id { print $NF }'
}

untracked() { [[ -z $(ctl flow list dport "$1") ]]; }

# hold_table: one established connection fills the table (max-flows 1).
hold_table()
{
	local sst=$OUT/hold.srv cst=$OUT/hold.cli

	ctl config set max-flows 1 timeout-closed 600
	ip netns exec "$SRV" "${PEER[@]}" echo $P_HOLD "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "${PEER[@]}" chat $P_HOLD "$cst" &
	wait_for grep -q "talked 1" "$cst"
	check "the table holds one flow" \
		"$(stat_get "$BOX" flows_current)" -eq 1
}

# drop PORT: the drop scenario above on server port PORT.
drop()
{
	local p=$1 rule sst=$OUT/drop.$1.srv cst=$OUT/drop.$1.cli

	rule=$(ctl rule add dport "$p" action drop)
	rule=${rule#rule }
	ip netns exec "$SRV" "${PEER[@]}" echo "$p" "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "${PEER[@]}" connect "$p" "$cst"
	if ! untracked "$p"; then
		echo "# port $p was tracked (it evicted the table's flow)"
		ctl rule flush
		return 1
	fi
	check "drop: the client times out" "$(cat "$cst")" == "end TIMEOUT"
	check "drop: the server accepted nothing" \
		"$(grep -c connected "$sst")" -eq 0
	check "drop: flows_untracked counts each SYN" \
		"$(stat_get "$BOX" flows_untracked)" -ge 2
	check "drop: each SYN was dropped, one hit each" \
		"$(stat_get "$BOX" drop_rule)" -eq "$(hits "$rule")"
	check "drop: every SYN decided" "$(stat_get "$BOX" drop_rule)" -eq \
		"$(stat_get "$BOX" flows_untracked)"
	ctl rule flush
}

# reject PORT: the reject scenario above on server port PORT.
reject()
{
	local p=$1 sst=$OUT/reject.$1.srv cst=$OUT/reject.$1.cli

	ip netns exec "$SRV" "${PEER[@]}" echo "$p" "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "${PEER[@]}" chat "$p" "$cst" &
	wait_for grep -q "talked 1" "$cst"
	if ! untracked "$p"; then
		echo "# port $p was tracked (it evicted the table's flow)"
		touch "$cst.go"
		return 1
	fi
	ctl stats reset
	ctl rule add dport "$p" action reject >/dev/null
	touch "$cst.go"
	wait_for grep -q "^end\|talked 2" "$cst"
	wait_for grep -q "^end" "$sst"
	check "reject: client reset" "$(tail -n 1 "$cst")" == "end ECONNRESET"
	check "reject: server reset" "$(tail -n 1 "$sst")" == "end ECONNRESET"
	check "reject: the ping was the only packet decided" \
		"$(stat_get "$BOX" flows_untracked)" -eq 1
	check "reject: RSTs sent" "$(stat_get "$BOX" rst_sent)" -eq 2
	check "reject: still untracked" "$(ctl flow list dport "$p")" == ""
}

topo_up
module_load
hold_table
drop 5002 || drop 5012 || drop 5022
reject 5003 || reject 5013 || reject 5023
