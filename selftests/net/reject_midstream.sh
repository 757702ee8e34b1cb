#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An established flow rejected by the operator: both real sockets fail with
# ECONNRESET (not a timeout), IPv4 and IPv6, untagged and VLAN-tagged. On the
# wire each end receives exactly one RST, with ACK, carrying the TTL and the
# source MAC of the end it impersonates and the VLAN tag of the flow; the
# counters count exactly two policy RSTs per flow.

source "$(dirname "$0")/../lib.sh"

# one ADDR PORT TAG [VID]
one()
{
	local addr=$1 port=$2 tag=$3 vid=${4:-} id
	local cst=$OUT/$tag.client.status sst=$OUT/$tag.server.status

	rm -f "$cst" "$sst"
	n_box "$SSLVCTL" stats reset
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port $port or \
		\( vlan and tcp port $port \)
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port $port or \
		\( vlan and tcp port $port \)

	n_srv "$SOCK" server $port "$sst" &
	wait_for grep -q listening "$sst"
	n_cli "$SOCK" client "$addr" $port "$cst" &
	wait_for grep -q talked "$cst"
	wait_for grep -q talked "$sst"
	# The tombstone is checked last: on a loaded host the captures'
	# checks can take longer than the default timeout-rejected (60 s).
	n_box "$SSLVCTL" config set timeout-rejected 3600

	id=$(flow_id dport $port)
	check "$tag: flow is established" "$(flow_state dport $port)" \
		== established
	n_box "$SSLVCTL" flow reject "$id"

	wait_for grep -q "^end" "$cst"
	wait_for grep -q "^end" "$sst"
	check "$tag: client socket error" "$(grep ^end "$cst")" == "end ECONNRESET"
	check "$tag: server socket error" "$(grep ^end "$sst")" == "end ECONNRESET"
	wait_rsts "$OUT/$tag.cli.pcap" 1
	wait_rsts "$OUT/$tag.srv.pcap" 1
	capture_stop

	# Each end got exactly one RST, and it came from sslv, impersonating
	# the other end: its MAC, its TTL, ACK set.
	check "$tag: RSTs reaching the client" \
		"$(rst_fields "$OUT/$tag.cli.pcap" | wc -l)" -eq 1
	check "$tag: RST to the client" "$(rst_fields "$OUT/$tag.cli.pcap")" \
		== "$(mac "$SRV") $SRV_TTL 1 ${vid:-none}"
	check "$tag: RSTs reaching the server" \
		"$(rst_fields "$OUT/$tag.srv.pcap" | wc -l)" -eq 1
	check "$tag: RST to the server" "$(rst_fields "$OUT/$tag.srv.pcap")" \
		== "$(mac "$CLI") $CLI_TTL 1 ${vid:-none}"

	check "$tag: T_ssl_policy_reject" \
		"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 2
	check "$tag: rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 2
	check "$tag: flows_rejected" "$(stat_get "$BOX" flows_rejected)" -eq 1
	check "$tag: flow is a tombstone" "$(flow_state dport $port)" \
		== rejected
}

module_load

topo_up
one "$SRV_IP4" 5001 ipv4
one "$SRV_IP6" 5002 ipv6
topo_down

topo_up vlan 10
one "$SRV_IP4" 5003 vlan-ipv4 10
one "$SRV_IP6" 5004 vlan-ipv6 10
