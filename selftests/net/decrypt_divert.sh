#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Diversion to sslvd, without sslvd: decrypt.py's plain TCP relay stands in
# for it (an IP_TRANSPARENT listener on the registered port, its upstream
# socket bound to the client's own address and port), registered through
# generic netlink, with the routing sslvd sets up (ip rule fwmark MARK to a
# table whose default route is local; a route to the ends' subnet through
# br0, which has no address). For IPv4, then IPv6:
#   - the client's connection through the bridge is relayed: the client gets
#     the server's answer, the relay moved the bytes both ways, and the
#     server sees the client's own address and port;
#   - the relay learns from FLOW_GET that the module diverted the flow and
#     decided decrypt, and its session report is counted;
#   - on both bridge ports every frame of the flow carries the ends' MACs,
#     never br0's: what the box sends toward the client has the server's
#     MAC as source, what it sends toward the server the client's;
#   - a flow no decrypt rule names, alongside, goes straight through: the
#     relay never sees it and the module does not divert it.

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }
DEC=$REPO/selftests/net/decrypt.py
MARK=7
LPORT=10443

# talk ADDR PORT TAG: the server on PORT answers one client; sets $reply,
# $end, $cport (the client's port) and $peer (who the server saw).
talk()
{
	local addr=$1 port=$2 tag=$3 pid

	rm -f "$OUT/$tag.srv" "$OUT/$tag.cli"
	n_srv /usr/bin/python3 "$DEC" server "$port" "$OUT/$tag.srv" &
	pid=$!
	wait_for grep -q listening "$OUT/$tag.srv"
	n_cli /usr/bin/python3 "$DEC" client "$addr" "$port" "$OUT/$tag.cli"
	reply=$(sed -n 's/^reply //p' "$OUT/$tag.cli")
	end=$(sed -n 's/^end //p' "$OUT/$tag.cli")
	cport=$(sed -n 's/^local //p' "$OUT/$tag.cli")
	poll grep -q '^end' "$OUT/$tag.srv" || true
	peer=$(sed -n 's/^peer //p' "$OUT/$tag.srv")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# macs PCAP PORT: "SRC>DST" MAC pairs of the frames of TCP port PORT, each
# once, sorted.
macs()
{
	tcpdump -e -nn -r "$1" tcp port "$2" 2>/dev/null |
		awk '{ sub(",", "", $4); print $2 ">" $4 }' | sort -u | xargs
}

# one FAMILY SRV_ADDR TAG: a relayed flow and a straight one.
one()
{
	local fam=$1 addr=$2 tag=$3 cmac smac
	local dport=8443 other=8080

	ctl stats reset
	: >"$OUT/$tag.relay"
	# Not through n_box: $! must be the relay itself, to end it.
	ip netns exec "$BOX" /usr/bin/python3 "$DEC" relay "$LPORT" "$MARK" \
		"$OUT/$tag.relay" &
	relay=$!
	wait_for grep -q listening "$OUT/$tag.relay"
	check "$tag: sslvd registered" \
		"$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -ne 0

	capture_start "$BOX" "$PORT_CLI" "$OUT/$tag.cli.pcap" tcp
	capture_start "$BOX" "$PORT_SRV" "$OUT/$tag.srv.pcap" tcp
	talk "$addr" $dport "$tag"
	check "$tag: the client got the server's answer" "$reply" == "pong:ping"
	check "$tag: the client's connection ended cleanly" "$end" == EOF
	check "$tag: the server saw the client's address and port" \
		"$peer" == "$CLI_ADDR $cport"
	wait_for grep -q '^report' "$OUT/$tag.relay"
	check "$tag: relayed both ways" \
		"$(grep '^relayed' "$OUT/$tag.relay")" == \
		"relayed $CLI_ADDR $cport $addr $dport 4 9"
	check "$tag: FLOW_GET: diverted, action decrypt" \
		"$(grep '^flow' "$OUT/$tag.relay" | cut -d' ' -f3-)" == \
		"action 3 diverted 1"
	check "$tag: the report accepted" \
		"$(grep '^report' "$OUT/$tag.relay")" == "report OK"

	talk "$addr" $other "$tag-straight"
	capture_stop
	check "$tag: straight flow answered" "$reply" == "pong:ping"
	check "$tag: straight flow: the server saw the client" \
		"$peer" == "$CLI_ADDR $cport"
	check "$tag: straight flow: not relayed" \
		"$(grep -c "^relayed.* $other " "$OUT/$tag.relay" || true)" -eq 0
	check "$tag: straight flow: not diverted" \
		"$(ctl flow list dport $other | grep -c diverted || true)" -eq 0

	check "$tag: decrypt_diverted" "$(stat_get "$BOX" decrypt_diverted)" -eq 1
	check "$tag: decrypt_sessions" "$(stat_get "$BOX" decrypt_sessions)" -eq 1
	check "$tag: decrypt_bytes_orig" "$(stat_get "$BOX" decrypt_bytes_orig)" -eq 4
	check "$tag: decrypt_bytes_reply" "$(stat_get "$BOX" decrypt_bytes_reply)" -eq 9
	check "$tag: decrypt_out" "$(stat_get "$BOX" decrypt_out)" -gt 0
	check "$tag: decrypt_unavailable" "$(stat_get "$BOX" decrypt_unavailable)" -eq 0

	cmac=$(mac "$CLI")
	smac=$(mac "$SRV")
	check "$tag: client port: the ends' MACs only" \
		"$(macs "$OUT/$tag.cli.pcap" $dport)" == \
		"$(printf '%s\n' "$cmac>$smac" "$smac>$cmac" | sort | xargs)"
	check "$tag: server port: the ends' MACs only" \
		"$(macs "$OUT/$tag.srv.pcap" $dport)" == \
		"$(printf '%s\n' "$cmac>$smac" "$smac>$cmac" | sort | xargs)"
	check "$tag: the relayed flow's SYN reached the server" \
		"$(tcpdump -nn -r "$OUT/$tag.srv.pcap" tcp port $dport 2>/dev/null |
		   grep -c 'Flags \[S\]' || true)" -eq 1
	check "$tag: no frame of br0's MAC" \
		"$(tcpdump -e -nn -r "$OUT/$tag.cli.pcap" 2>/dev/null |
		   grep -c "$(ip -n "$BOX" -br link show br0 | awk '{print $3}')" ||
		   true)" -eq 0

	kill "$relay"
	wait "$relay" 2>/dev/null || true
	wait_for no_sslvd
}

# no_sslvd: whether the namespace has no sslvd registered.
no_sslvd()
{
	[[ $(ctl config | awk '$1 == "decrypt-daemon" { print $2 }') == 0 ]]
}

module_load
topo_up

# What sslvd sets up in the box (the mark's local table), and the rest.
decrypt_box_up
n_box ip rule add fwmark $MARK lookup 107
n_box ip route add local 0.0.0.0/0 dev lo table 107
n_box ip -6 rule add fwmark $MARK lookup 107
n_box ip -6 route add local ::/0 dev lo table 107
ctl rule add dst "$SRV_IP4" dport 8443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP6" dport 8443 action decrypt >/dev/null

CLI_ADDR=$CLI_IP4
one 4 "$SRV_IP4" ipv4

CLI_ADDR=$CLI_IP6
one 6 "$SRV_IP6" ipv6
