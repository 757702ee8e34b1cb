#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A vlan_filtering bridge with the client on an access port (PVID 10,
# untagged) and the server on a trunk (VLAN 10, tagged). sslv sees one flow
# in VLAN 10, not two half-flows, and its reject resets both sockets
# (ECONNRESET): the RST to the access port leaves untagged, the RST to the
# trunk tagged 10. sslv's RSTs obey the bridge's egress rules: a port that
# is not forwarding (STP state) gets none, nor does an isolated port from an
# isolated port's end, and each one held back is counted in
# rst_egress_blocked.

source "$(dirname "$0")/../lib.sh"

VID=10

# start ADDR PORT TAG: a real connection on PORT through the bridge, with a
# capture at each end.
start()
{
	local addr=$1 port=$2 tag=$3

	rm -f "$OUT/$tag".*.status
	n_box "$SSLVCTL" stats reset
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port $port or \
		\( vlan and tcp port $port \)
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port $port or \
		\( vlan and tcp port $port \)
	n_srv "$SOCK" server "$port" "$OUT/$tag.server.status" &
	wait_for grep -q listening "$OUT/$tag.server.status"
	n_cli "$SOCK" client "$addr" "$port" "$OUT/$tag.client.status" &
	wait_for grep -q talked "$OUT/$tag.client.status"
	wait_for grep -q talked "$OUT/$tag.server.status"
}

# flows PORT: "COUNT VLAN..." of the flows sslv tracks with dport PORT.
flows()
{
	n_box "$SSLVCTL" -j flow list dport "$1" | /usr/bin/python3 -c \
		'import json, sys; f = json.load(sys.stdin)
print(len(f), *[x.get("vlan", 0) for x in f])'
}

# reject PORT: the operator rejects the (first) flow with dport PORT.
reject()
{
	n_box "$SSLVCTL" flow reject "$(n_box "$SSLVCTL" flow list dport "$1" |
		awk '$1 == "flow" {print $2; exit}')"
}

# counter NAME: sslv's counter NAME in the box, or "absent".
counter()
{
	n_box awk -v name="$1" '$1 == name { print $2; found = 1 }
		END { if (!found) print "absent" }' /proc/net/sslv_stats
}

# turned_back: sslv has turned back a packet of a rejected flow.
turned_back() { (($(counter rst_turnaround) >= 1)); }

# both ADDR PORT TAG: one flow, both ends reset, each RST tagged as the
# bridge tags what leaves by that port.
both()
{
	local addr=$1 port=$2 tag=$3

	start "$addr" "$port" "$tag"
	check "$tag: one flow, in VLAN $VID" "$(flows "$port")" == "1 $VID"
	reject "$port"
	wait_for grep -q "^end" "$OUT/$tag.client.status"
	wait_for grep -q "^end" "$OUT/$tag.server.status"
	check "$tag: client socket error" \
		"$(grep ^end "$OUT/$tag.client.status")" == "end ECONNRESET"
	check "$tag: server socket error" \
		"$(grep ^end "$OUT/$tag.server.status")" == "end ECONNRESET"
	wait_rsts "$OUT/$tag.cli.pcap" 1
	wait_rsts "$OUT/$tag.srv.pcap" 1
	capture_stop
	check "$tag: RST to the access port, untagged" \
		"$(rst_fields "$OUT/$tag.cli.pcap")" == "$(mac "$SRV") $SRV_TTL 1 none"
	check "$tag: RST to the trunk, tagged $VID" \
		"$(rst_fields "$OUT/$tag.srv.pcap")" == "$(mac "$CLI") $CLI_TTL 1 $VID"
	check "$tag: rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 2
	check "$tag: rst_no_port" "$(stat_get "$BOX" rst_no_port)" -eq 0
}

# held PORT TAG CLI_RSTS SRV_RSTS BLOCKED: with the bridge's port state
# set by the caller, a reject sends CLI_RSTS and SRV_RSTS RSTs to the ends
# and holds BLOCKED back. The counters are read as the reject returns: the
# ends that were not reset send more on their own timers later.
held()
{
	local port=$1 tag=$2 cli=$3 srv=$4 blocked=$5 sent held

	reject "$port"
	sent=$(counter rst_sent)
	held=$(counter rst_egress_blocked)
	((srv == 0)) || wait_rsts "$OUT/$tag.srv.pcap" "$srv"
	((cli == 0)) || wait_rsts "$OUT/$tag.cli.pcap" "$cli"
	capture_stop
	check "$tag: RSTs reaching the client" \
		"$(rst_fields "$OUT/$tag.cli.pcap" | wc -l)" -eq "$cli"
	check "$tag: RSTs reaching the server" \
		"$(rst_fields "$OUT/$tag.srv.pcap" | wc -l)" -eq "$srv"
	check "$tag: rst_sent" "$sent" -eq $((cli + srv))
	check "$tag: rst_egress_blocked" "$held" -eq "$blocked"
}

module_load
topo_up access $VID

both "$SRV_IP4" 5301 ipv4

# STP: the client's port stops forwarding after the flow is up; only the
# server is reset. Without STP running, the bridge puts a port set to
# blocking straight back to forwarding; "disabled" stays, and the bridge
# forwards nothing out of it either.
start "$SRV_IP4" 5303 stp-disabled
n_box bridge link set dev "$PORT_CLI" state 0
held 5303 stp-disabled 0 1 1
n_box bridge link set dev "$PORT_CLI" state 3
# Its client was never reset: end it now, so that the RST its FIN draws
# is not counted in the next case.
pkill -f "sock.py client $SRV_IP4 5303 " || true
wait_for turned_back

# Isolation: the bridge forwards nothing between two isolated ports.
start "$SRV_IP4" 5305 both-isolated
n_box bridge link set dev "$PORT_CLI" isolated on
n_box bridge link set dev "$PORT_SRV" isolated on
held 5305 both-isolated 0 0 2
n_box bridge link set dev "$PORT_CLI" isolated off
n_box bridge link set dev "$PORT_SRV" isolated off

# sslv gives an untagged frame its port's PVID only while a bridge of the
# namespace filters VLANs, which it learns from the bridge's notifications
# (hook.c). Each case first has it learn "no filtering" (vlan_filtering 0,
# then the bridge down and up), then turns filtering on one way: by
# netlink, by sysfs, and by netlink while the bridge is down. The flow
# between the access port and the trunk must then still be one, in VLAN
# $VID, not two halves.
filtering() { n_box ip link set br0 type bridge vlan_filtering "$1"; }
bridge_bounce() { n_box ip link set br0 down && n_box ip link set br0 up; }

filtering 0
bridge_bounce
filtering 1
start "$SRV_IP4" 5307 netlink
check "vlan_filtering on by netlink: one flow, in VLAN $VID" \
	"$(flows 5307)" == "1 $VID"
capture_stop

filtering 0
bridge_bounce
n_box sh -c 'echo 1 >/sys/class/net/br0/bridge/vlan_filtering'
start "$SRV_IP4" 5309 sysfs
check "vlan_filtering on by sysfs: one flow, in VLAN $VID" \
	"$(flows 5309)" == "1 $VID"
capture_stop

filtering 0
bridge_bounce
n_box ip link set br0 down
filtering 1
n_box ip link set br0 up
start "$SRV_IP4" 5311 down
check "vlan_filtering on while down: one flow, in VLAN $VID" \
	"$(flows 5311)" == "1 $VID"
capture_stop
