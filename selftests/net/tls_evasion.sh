#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Segments that could show sslv one ClientHello and the server another.
# Rule: `sni evil.example action reject`.
#
#   rexmit         (after) a complete hello naming good.example, then a
#                  retransmission of the same bytes naming evil.example
#                  (crafted segments): the first copy is what was read, the
#                  second conflicts with it, never reaches the server, and
#                  both ends are reset; (during) the same while the hello is
#                  still being read: its first 70 bytes (to "good.exam"),
#                  then the whole evil hello
#   tfo            a real client sends its hello in the SYN (TCP Fast Open,
#                  cookie cached by a first connection): the SYN's payload
#                  is read, the SYN is dropped, the client is refused and the
#                  server never accepts the connection
#
# Crafted segments run on ports no socket owns; nft in both end namespaces
# drops them before the stacks, which would otherwise answer with RSTs.

source "$(dirname "$0")/../lib.sh"

TFO=$REPO/selftests/net/tfo.py
P_CRAFT=4443 P_TFO=4444
CAP_SRV=$OUT/srv.pcap
CAP_CLI=$OUT/cli.pcap

ctl() { n_box "$SSLVCTL" "$@"; }

# table PCAP: one line per packet, "SPORT DPORT RST SYN ACK LEN PAYLOAD",
# read once per capture (each tshark start is slow under TCG).
table()
{
	tshark -r "$1" -T fields -E separator=' ' -e tcp.srcport \
		-e tcp.dstport -e tcp.flags.reset -e tcp.flags.syn \
		-e tcp.flags.ack -e tcp.len -e tcp.payload 2>/dev/null
}

# with TABLE SPORT HEX: segments from SPORT whose payload holds HEX.
with() { awk -v p="$2" -v h="$3" '$1 == p && index($7, h)' "$1" | wc -l; }

# rsts_to TABLE PORT: RSTs of the flow with crafted port PORT.
rsts_to() { awk -v p="$2" '($1 == p || $2 == p) && $3 == 1' "$1" | wc -l; }

# syn_data TABLE PORT: SYNs to PORT with a payload.
syn_data()
{
	awk -v p="$2" '$2 == p && $4 == 1 && $5 == 0 && $6 > 0' "$1" | wc -l
}

GOOD_HEX=$(printf good.example | od -An -tx1 | tr -d ' \n')
EVIL_HEX=$(printf evil.example | od -An -tx1 | tr -d ' \n')

# conflicts N: the box counted N conflicting retransmissions or more.
conflicts() { (($(stat_get "$BOX" tls_conflict) >= $1)); }

module_load
topo_up
deaf "$CLI" $P_CRAFT
deaf "$SRV" $P_CRAFT
capture_start "$SRV" eth0 "$CAP_SRV" tcp port $P_CRAFT or tcp port $P_TFO
capture_start "$CLI" eth0 "$CAP_CLI" tcp port $P_CRAFT or tcp port $P_TFO
ctl rule add sni evil.example action reject >/dev/null
ctl -j monitor >"$OUT/monitor.json" &
MON_PID=$!
hellos=$(/usr/bin/python3 "$TFO" hello good.example evil.example)
good=${hellos%%$'\n'*}
evil=${hellos##*$'\n'}

# Both crafted flows at once (each program start is slow under TCG): three
# way handshakes from ports 40001 and 40002, client ISN 1000, server ISN
# 5000, then
#   40001  the whole good hello, then the whole evil one;
#   40002  the first 70 bytes of the good hello (its name ends at 73), then
#          the whole evil one.
rexmit()
{
	craft "$CLI" "$SRV" <<-EOT
	$CLI_IP4 $SRV_IP4 40001 $P_CRAFT S 1000 0
	$CLI_IP4 $SRV_IP4 40002 $P_CRAFT S 1000 0
	EOT
	craft "$SRV" "$CLI" <<-EOT
	$SRV_IP4 $CLI_IP4 $P_CRAFT 40001 SA 5000 1001
	$SRV_IP4 $CLI_IP4 $P_CRAFT 40002 SA 5000 1001
	EOT
	craft "$CLI" "$SRV" <<-EOT
	$CLI_IP4 $SRV_IP4 40001 $P_CRAFT A 1001 5001
	$CLI_IP4 $SRV_IP4 40002 $P_CRAFT A 1001 5001
	$CLI_IP4 $SRV_IP4 40001 $P_CRAFT PA 1001 5001 x:$good
	$CLI_IP4 $SRV_IP4 40001 $P_CRAFT PA 1001 5001 x:$evil
	$CLI_IP4 $SRV_IP4 40002 $P_CRAFT PA 1001 5001 x:${good:0:140}
	$CLI_IP4 $SRV_IP4 40002 $P_CRAFT PA 1001 5001 x:$evil
	EOT
	poll -t 1 conflicts 2 || true
	check "tls_conflict" "$(stat_get "$BOX" tls_conflict)" -eq 2
	check "tls_client_hello: the good one of 40001" \
		"$(stat_get "$BOX" tls_client_hello)" -eq 1
}

tfo()
{
	local sst=$OUT/tfo-srv.status cst=$OUT/tfo-cli.status

	rm -f "$sst" "$cst.1" "$cst.2"
	n_cli sysctl -qw net.ipv4.tcp_fastopen=3
	n_srv sysctl -qw net.ipv4.tcp_fastopen=3
	n_srv /usr/bin/python3 "$TFO" server $P_TFO "$sst" &
	wait_for grep -q listening "$sst"
	# The first connection gets the cookie; its hello follows the SYN.
	n_cli /usr/bin/python3 "$TFO" client "$SRV_IP4" $P_TFO good.example \
		"$cst.1"
	wait_for grep -q "^accepted" "$sst"
	n_cli /usr/bin/python3 "$TFO" client "$SRV_IP4" $P_TFO evil.example \
		"$cst.2"
	check "tfo: good client" "$(cat "$cst.1")" == "end EOF"
	check "tfo: evil client refused" "$(cat "$cst.2")" == \
		"end ECONNREFUSED"
	check "tfo: connections the server accepted" \
		"$(grep -c ^accepted "$sst")" -eq 1
	check "tfo: tls_client_hello" "$(stat_get "$BOX" tls_client_hello)" \
		-eq 3
}

rexmit
tfo
capture_stop
kill "$MON_PID"
table "$CAP_SRV" >"$OUT/srv.txt"
table "$CAP_CLI" >"$OUT/cli.txt"

check "tfo: SYNs with a payload the client sent" \
	"$(syn_data "$OUT/cli.txt" $P_TFO)" -ge 1
check "tfo: SYNs with a payload the server got" \
	"$(syn_data "$OUT/srv.txt" $P_TFO)" -eq 0
check "after: the good copy reached the server" \
	"$(with "$OUT/srv.txt" 40001 "$GOOD_HEX")" -eq 1
check "after: the evil copy did not" \
	"$(with "$OUT/srv.txt" 40001 "$EVIL_HEX")" -eq 0
check "after: RSTs to the server" "$(rsts_to "$OUT/srv.txt" 40001)" -eq 1
check "after: RSTs to the client" "$(rsts_to "$OUT/cli.txt" 40001)" -eq 1
check "during: the evil copy did not reach the server" \
	"$(with "$OUT/srv.txt" 40002 "$EVIL_HEX")" -eq 0
check "during: RSTs to the server" "$(rsts_to "$OUT/srv.txt" 40002)" -eq 1
check "during: RSTs to the client" "$(rsts_to "$OUT/cli.txt" 40002)" -eq 1
check "tls_rejected" "$(stat_get "$BOX" tls_rejected)" -eq 3
check "sessions logged with error conflict" \
	"$(grep -c '"error":"conflict"' "$OUT/monitor.json")" -eq 2
