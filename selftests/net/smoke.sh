#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test bed itself, without the module: a client sends 1 MiB to a server
# over TCP across the bridge box, IPv4 and IPv6, on plain and VLAN-tagged
# links; the bytes arrive intact and the wire shows each end's TTL.

source "$(dirname "$0")/../lib.sh"

data=$(mktemp -d)
on_exit rm -rf "$data"
head -c 1048576 /dev/urandom >"$data/sent"

# transfer NAME FAMILY [MATCH]: client -> server over IPvFAMILY to port 5000,
# captured on the bridge's server port into $OUT/NAME.pcap. MATCH starts
# every capture filter ("vlan 10 and" on tagged links).
transfer()
{
	local name=$1 family=$2 match=${3:-} pcap=$OUT/$1.pcap cli srv dst ttl pid

	if ((family == 4)); then
		cli=$CLI_IP4 srv=$SRV_IP4 dst=$SRV_IP4 ttl="ip[8]"
	else
		cli=$CLI_IP6 srv=$SRV_IP6 dst="[$SRV_IP6]" ttl="ip6[7]"
	fi

	capture_start "$BOX" "$PORT_SRV" "$pcap" $match tcp port 5000
	n_srv socat -u "TCP$family-LISTEN:5000,reuseaddr" \
		"OPEN:$data/received,creat,trunc" &
	pid=$!
	wait_for listening "$SRV" 5000
	n_cli socat -u "OPEN:$data/sent" "TCP$family:$dst:5000"
	check_run "server done ($name)" wait $pid
	capture_stop

	check "bytes received ($name)" "$(stat -c %s "$data/received")" -eq 1048576
	check_run "bytes intact ($name)" cmp -s "$data/sent" "$data/received"
	check "client frames with TTL $CLI_TTL ($name)" \
		"$(pkts "$pcap" $match src "$cli" and "$ttl == $CLI_TTL")" -gt 0
	check "server frames with TTL $SRV_TTL ($name)" \
		"$(pkts "$pcap" $match src "$srv" and "$ttl == $SRV_TTL")" -gt 0
	check "frames with other TTLs ($name)" \
		"$(pkts "$pcap" $match not "$ttl == $CLI_TTL" and not "$ttl == $SRV_TTL")" -eq 0
}

topo_up
transfer plain-ipv4 4
transfer plain-ipv6 6
topo_down

topo_up vlan 10
transfer vlan10-ipv4 4 "vlan 10 and"
transfer vlan10-ipv6 6 "vlan 10 and"
