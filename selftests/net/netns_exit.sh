#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslv's per-namespace state outlives nothing that uses it. Two topologies
# carry a TCP stream each, and short connections leave closed flows for the
# collector to expire (timeout-closed 1):
#
#   A  passive-tap on a mirror device in its box: the box namespace is
#      deleted with live flows in it, the tap hook attached and the
#      collector running (its tap device goes first, then sslv's state)
#   B  inline: still tracked after A is gone; then the module is unloaded
#      while B's stream crosses the bridge and other namespaces still hold
#      devices (unloading the netdevice notifier replays their removal)
#
# What fails is a kernel splat (tools/vm/run fails the run on one): on a
# KASAN kernel (make check-debug) a use of freed per-namespace state. B's
# stream delivers every byte through it all.

source "$(dirname "$0")/../lib.sh"

port=6101

# stream TAG: a paced sender (64 KiB every 10 ms until $OUT/TAG.stop
# appears) and a receiver counting bytes, reporting to $OUT/TAG.*.
stream()
{
	local tag=$1

	rm -f "$OUT/$tag".*
	n_srv /usr/bin/python3 -S -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2] + ".listening", "w").close()
c, _ = s.accept(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
open(sys.argv[2] + ".received", "w").write(str(n))
' $port "$OUT/$tag" &
	wait_for test -e "$OUT/$tag.listening"
	n_cli /usr/bin/python3 -S -c '
import os, socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2]))); n = 0
buf = b"x" * 65536
while not os.path.exists(sys.argv[3] + ".stop"):
    c.sendall(buf); n += len(buf); time.sleep(0.01)
c.shutdown(socket.SHUT_WR); c.recv(1)
open(sys.argv[3] + ".sent", "w").write(str(n))
' "$SRV_IP4" $port "$OUT/$tag" &
}

# closed_flows N: N connections to a closed server port, each refused by
# the server: N flows closed by its RST.
closed_flows()
{
	n_cli /usr/bin/python3 -S -c '
import socket, sys
for i in range(int(sys.argv[2])):
    try:
        socket.create_connection((sys.argv[1], 6199), 2).close()
    except OSError:
        pass
' "$SRV_IP4" "$1"
}

# box_counter BOX NAME: counter NAME of namespace BOX, "" if none.
box_counter()
{
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' \
		/proc/net/sslv_stats 2>/dev/null
}

# more_packets BOX N: whether BOX has counted more than N packets.
more_packets() { (($(box_counter "$1" packets) > $2)); }

# Hold the bridge's netfilter static key on (see module_load.sh): loading
# and unloading sslv then patches no code, which TCG can trip over.
nft -f - <<-'EOF'
	table bridge sslv_test_key {
		chain pre { type filter hook prerouting priority 0; }
	}
EOF
on_exit nft delete table bridge sslv_test_key

module_load

# A: the tap.
topo_up
box_a=$BOX
mirror_up
n_box "$SSLVCTL" mode set passive-tap dev "$MIR"
n_box "$SSLVCTL" config set timeout-closed 1
stream a
closed_flows 5
wait_for more_packets "$box_a" 20
check "A: the tap tracks flows" "$(box_counter "$box_a" flows_current)" -ge 1

# B: inline.
NS=$NS-2 CLI=$NS-2-cli BOX=$NS-2-box SRV=$NS-2-srv
topo_up
box_b=$BOX
n_box "$SSLVCTL" config set timeout-closed 1
stream b
closed_flows 5
wait_for more_packets "$box_b" 20
check "B: flows tracked" "$(box_counter "$box_b" flows_current)" -ge 1

# A's box goes while its flows live; the namespace is gone once a name for
# it can no longer be resolved, its cleanup running in the background.
ip netns del "$box_a"
topo=("${topo[@]/$box_a}")
topo=(${topo[@]})
closed_flows 5
before=$(box_counter "$box_b" packets)
wait_for more_packets "$box_b" "$((before + 20))"
check "B: tracked after A's box is gone" \
	"$(box_counter "$box_b" packets)" -gt "$before"

# Unload while B's stream crosses its bridge; the unload waits for the
# cleanup of A's box to end.
before=$(box_counter "$box_b" packets)
wait_for more_packets "$box_b" "$((before + 20))"
module_unload
check "module unloaded" "$(grep -c '^sslv ' /proc/modules || true)" -eq 0

touch "$OUT/b.stop" "$OUT/a.stop"
wait_for -t 30 test -s "$OUT/b.received"
wait_for test -s "$OUT/b.sent"
check "B: bytes received == bytes sent" "$(cat "$OUT/b.received")" -eq \
	"$(cat "$OUT/b.sent")"
check "B: carried data" "$(cat "$OUT/b.sent")" -gt 0
