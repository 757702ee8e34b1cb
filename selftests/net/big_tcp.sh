#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BIG TCP through the bridge (6.3 and later for IPv4). With gso_max_size,
# gro_max_size, gso_ipv4_max_size and gro_ipv4_max_size at 185000 on both
# ends and both bridge ports, the client's stack sends GSO packets of up to
# 185000 bytes, which veth hands to the bridge whole: IPv6 ones with
# payload_len 0 and a hop-by-hop jumbo option, IPv4 ones with tot_len 0.
# (Every device on the way needs the size: a port's own gso_max_size below
# the packet makes dev_queue_xmit() segment it, gso_features_check().)
# An nft counter at the bridge's prerouting hook, where sslv's hook sits,
# shows packets over 64 KiB crossing. sslv takes their length as the kernel
# does: nothing is malformed, every TCP frame is one of sslv's packets, the
# flow stays established and its tracked seq covers every byte sent. The
# client's last data is one BIG packet on an idle connection (nothing
# after it tells sslv its end), and a `flow reject` then resets both ends:
# the server accepts the RST only at exactly its rcv_nxt, that packet's
# end. A module that counted BIG packets malformed_ip, forwarding them
# untracked, fails the tail's seq, the server's reset, malformed_ip and
# the packet count.

source "$(dirname "$0")/../lib.sh"

BIG=$REPO/selftests/net/big_tcp.py
SIZE=185000
COUNT=$((2 << 20))
TAIL=120000

# nft_count NAME: the packets nft's counter NAME in the box has seen.
nft_count()
{
	n_box nft list counter bridge big "$1" | awk '$1 == "packets" { print $2 }'
}

# orig_seq PORT: sslv's next seq from the client of the flow to PORT.
orig_seq()
{
	n_box "$SSLVCTL" -j flow list dport "$1" | /usr/bin/python3 -c \
		'import json, sys; print(json.load(sys.stdin)[0]["orig_seq"])'
}

# big FAMILY ADDR PORT: COUNT bytes from the client to ADDR:PORT, then, on
# the idle connection, TAIL bytes in one BIG packet, so that the client's
# last data is a packet only BIG TCP parsing reads; then the operator
# rejects the flow.
big()
{
	local fam=$1 addr=$2 port=$3 cst=$OUT/$1.cli sst=$OUT/$1.srv
	local cap=$OUT/$1.pcap ctr=big${1#ipv} isn seq big data

	rm -f "$cst" "$sst" "$sst.go"
	# The handshake, for the client's ISN (frames over 64 KiB do not
	# match the filter: IPv6 ones start with a hop-by-hop header).
	capture_start "$CLI" eth0 "$cap" -s 128 tcp port "$port"
	n_srv "$BIG" server "$port" $COUNT $TAIL "$sst" &
	wait_for grep -q listening "$sst"
	n_cli "$BIG" client "$addr" "$port" $COUNT $TAIL "$cst" &
	wait_for -t 30 grep -q "^got $COUNT\$" "$sst"
	capture_stop
	check "$fam: the flow is established" \
		"$(flow_state dport "$port")" == established
	check "$fam: packets over 64 KiB at the bridge's prerouting" \
		"$(nft_count "$ctr")" -gt 0
	# sslv's next seq from the client is one past the SYN and every byte
	# the client sent.
	isn=$(tcpdump -r "$cap" -nn -S 2>/dev/null |
		sed -n 's/.* Flags \[S\], seq \([0-9]*\),.*/\1/p')
	seq=$(orig_seq "$port")
	check "$fam: bytes sslv tracked from the client" \
		$(((seq - ${isn:-0} - 1) & 0xffffffff)) -eq $COUNT

	big=$(nft_count "$ctr")
	data=$(nft_count data)
	touch "$sst.go"
	wait_for grep -q "^got $((COUNT + TAIL))\$" "$sst"
	check "$fam: the tail crossed as one data frame" \
		$(($(nft_count data) - data)) -eq 1
	check "$fam: ... and it was over 64 KiB" \
		$(($(nft_count "$ctr") - big)) -eq 1
	check "$fam: the tail's bytes sslv tracked" \
		$((($(orig_seq "$port") - seq) & 0xffffffff)) -eq $TAIL

	# The server accepts the RST only at exactly the tail's end.
	n_box "$SSLVCTL" flow reject "$(flow_id dport "$port")"
	poll grep -q "^end" "$cst" || true
	poll grep -q "^end" "$sst" || true
	check "$fam: the client's socket" "$(grep ^end "$cst")" == "end ECONNRESET"
	check "$fam: the server's socket" "$(grep ^end "$sst")" == "end ECONNRESET"
}

module_load
topo_up
for nsdev in "$CLI eth0" "$SRV eth0" "$BOX $PORT_CLI" "$BOX $PORT_SRV"; do
	read -r ns dev <<<"$nsdev"
	ip -n "$ns" link set "$dev" gso_max_size $SIZE gro_max_size $SIZE ||
		ksft_skip "no BIG TCP on veth"
	ip netns exec "$ns" "$BIG" v4size "$dev" $SIZE ||
		ksft_skip "no IPv4 BIG TCP on $(uname -r)"
done
n_box nft -f - <<EOF
table bridge big {
	counter big4 { }
	counter big6 { }
	counter segs { }
	counter data { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ether type ip meta length > 65535 counter name big4
		ether type ip6 meta length > 65535 counter name big6
		meta l4proto tcp counter name segs
		iifname "$PORT_CLI" meta length > 200 counter name data
	}
}
EOF

# TCP sizes its GSO packets by its pacing rate (about 1 ms of data), which
# a TCG guest keeps low, and by half the peer's largest window: make them
# as big as the device allows (127 segments, the sysctl's maximum), give
# the server 4 MiB to receive into from the start (autotuning grows it
# only as fast as the reader keeps up), and let nothing restart from a
# small window after the idle pause.
n_cli sysctl -qw net.ipv4.tcp_min_tso_segs=127 \
	net.ipv4.tcp_slow_start_after_idle=0 \
	net.ipv4.tcp_wmem="4096 4194304 8388608"
n_srv sysctl -qw net.ipv4.tcp_rmem="4096 4194304 8388608"
big ipv6 "$SRV_IP6" 5401
big ipv4 "$SRV_IP4" 5402

# Every TCP frame that crossed the bridge is one of sslv's packets, none
# malformed.
for c in malformed_l2 malformed_ip malformed_tcp bad_csum frag_tcp; do
	check "$c" "$(stat_get "$BOX" "$c")" -eq 0
done
check "packets: every TCP frame at prerouting" \
	"$(stat_get "$BOX" packets)" -eq "$(nft_count segs)"
