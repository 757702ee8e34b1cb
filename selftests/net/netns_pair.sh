#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two namespaces' flows never meet. Two topologies, X and Y, have the same
# addresses, and their clients open the same connections at the same time:
# connection i leaves from port 20000+i in both, once to port 7443 and once
# to 7444. X's box rejects port 7444 at the SYN, Y's box has no rule. With
# timeout-closed 1 the collector frees closed flows while new ones are made,
# so flow objects (SLAB_TYPESAFE_BY_RCU) pass from one namespace's table to
# the other's under the lookups of both.
#
# Each namespace must see exactly its own: X refuses every 7444 connection
# and passes every 7443 one, Y passes all, and the counters of each box
# count its own flows and SYN rejects, none of the other's. On a KASAN
# kernel (make check-debug) a flow found in the wrong table would also show
# as a use of the other namespace's state.

source "$(dirname "$0")/../lib.sh"

N=${SSLV_PAIR_CONNS:-300}

# serve: echo one byte on 7443 and 7444 for every connection.
serve()
{
	{ n_srv /usr/bin/python3 -S -c '
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in (7443, 7444):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(128)
    sel.register(s, selectors.EVENT_READ)
open(sys.argv[1], "w").close()
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        c.settimeout(5)
        try:
            c.sendall(c.recv(1))
        except OSError:
            pass
        c.close()
' "$OUT/$1.listening" || true; } &
	wait_for test -e "$OUT/$1.listening"
}

# churn TAG: the N connection pairs; prints "PORT RESULT COUNT" lines.
churn()
{
	n_cli /usr/bin/python3 -S -c '
import collections, errno, socket, sys
n, addr = int(sys.argv[1]), sys.argv[2]
seen = collections.Counter()
for i in range(n):
    for port in (7443, 7444):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        try:
            s.bind(("0.0.0.0", 20000 + i))
            s.connect((addr, port))
            s.sendall(b"x")
            res = "ok" if s.recv(1) == b"x" else "short"
        except OSError as e:
            res = errno.errorcode.get(e.errno, str(e))
        s.close()
        seen[port, res] += 1
for (port, res), count in sorted(seen.items()):
    print(port, res, count)
' "$N" "$SRV_IP4" >"$OUT/$1.churn"
}

module_load

topo_up
box_x=$BOX cli_x=$CLI
n_box "$SSLVCTL" config set timeout-closed 1
n_box "$SSLVCTL" rule add dport 7444 action reject >/dev/null
serve x

NS=$NS-y CLI=$NS-y-cli BOX=$NS-y-box SRV=$NS-y-srv
topo_up
box_y=$BOX
n_box "$SSLVCTL" config set timeout-closed 1
serve y

CLI=$cli_x churn x &
pid_x=$!
churn y
wait $pid_x

check "X: every 7443 connection passes" "$(grep '^7443 ' "$OUT/x.churn")" \
	== "7443 ok $N"
check "X: every 7444 connection is refused" \
	"$(grep '^7444 ' "$OUT/x.churn")" == "7444 ECONNREFUSED $N"
check "Y: every connection passes" "$(cat "$OUT/y.churn" | tr '\n' ' ')" \
	== "7443 ok $N 7444 ok $N "
check "X: syn_rejected" "$(stat_get "$box_x" syn_rejected)" -eq "$N"
check "X: flows_total" "$(stat_get "$box_x" flows_total)" -eq "$N"
check "X: flows_reopened" "$(stat_get "$box_x" flows_reopened)" -eq 0
check "Y: syn_rejected" "$(stat_get "$box_y" syn_rejected)" -eq 0
check "Y: flows_total" "$(stat_get "$box_y" flows_total)" -eq $((2 * N))
check "Y: flows_reopened" "$(stat_get "$box_y" flows_reopened)" -eq 0
check "X: the collector freed flows" \
	"$(stat_get "$box_x" flows_expired)" -gt 0
check "Y: the collector freed flows" \
	"$(stat_get "$box_y" flows_expired)" -gt 0
