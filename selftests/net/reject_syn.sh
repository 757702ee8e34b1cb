#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SYN that matches a reject rule: the client's connect() fails with
# ECONNREFUSED, exactly one RST+ACK (ack = SYN's seq + 1) comes back to it,
# the server never sees the SYN, and no flow is kept.

source "$(dirname "$0")/../lib.sh"

# one ADDR PORT TAG
one()
{
	local addr=$1 port=$2 tag=$3 syn_seq rst_ack
	local cst=$OUT/$tag.client.status sst=$OUT/$tag.server.status

	rm -f "$cst" "$sst"
	n_box "$SSLVCTL" stats reset
	n_box "$SSLVCTL" rule add dst "$addr" dport "$port" action reject >/dev/null
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port $port or \
		\( vlan and tcp port $port \)
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port $port or \
		\( vlan and tcp port $port \)

	n_srv "$SOCK" server "$port" "$sst" &
	wait_for grep -q listening "$sst"
	n_cli "$SOCK" client "$addr" "$port" "$cst"
	check "$tag: client connect() error" "$(grep ^end "$cst")" \
		== "end ECONNREFUSED"
	wait_rsts "$OUT/$tag.cli.pcap" 1
	capture_stop

	check "$tag: RSTs reaching the client" \
		"$(rst_fields "$OUT/$tag.cli.pcap" | wc -l)" -eq 1
	check "$tag: the RST carries ACK" \
		"$(rst_fields "$OUT/$tag.cli.pcap" | awk '{print $3}')" == 1
	syn_seq=$(tshark -r "$OUT/$tag.cli.pcap" -Y 'tcp.flags.syn==1' \
		-T fields -e tcp.seq_raw 2>/dev/null | head -n 1)
	rst_ack=$(tshark -r "$OUT/$tag.cli.pcap" -Y 'tcp.flags.reset==1' \
		-T fields -e tcp.ack_raw 2>/dev/null)
	check "$tag: RST acks the SYN" "$rst_ack" -eq $((syn_seq + 1))
	check "$tag: frames reaching the server" \
		"$(pkts "$OUT/$tag.srv.pcap" tcp port $port or \( vlan and tcp port $port \))" -eq 0

	check "$tag: syn_rejected" "$(stat_get "$BOX" syn_rejected)" -eq 1
	check "$tag: T_ssl_policy_reject" \
		"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 1
	check "$tag: rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 1
	check "$tag: no flow kept" \
		"$(n_box "$SSLVCTL" flow list dport "$port" | wc -l)" -eq 0
	check "$tag: rule hits" \
		"$(n_box "$SSLVCTL" -j rule list | /usr/bin/python3 -c \
		'import json, sys; print(json.load(sys.stdin)[-1]["hits"])')" -eq 1
}

module_load

topo_up
one "$SRV_IP4" 5101 ipv4
one "$SRV_IP6" 5102 ipv6
topo_down

topo_up vlan 10
one "$SRV_IP4" 5103 vlan-ipv4
