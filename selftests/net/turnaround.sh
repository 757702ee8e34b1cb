#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# After a reject, the flow is a tombstone: every later packet of it, from
# either end, draws exactly one RST back to its sender (seq = its ack, ack =
# its seq + length) and goes no further; an RST is never answered.

source "$(dirname "$0")/../lib.sh"

port=5201
cst=$OUT/client.status sst=$OUT/server.status
rm -f "$cst" "$sst"

# inject NS PEER: send the segments on stdin ("SRC DST SPORT DPORT FLAGS SEQ
# ACK [PAYLOAD]") from NS's eth0 to PEER's MAC.
inject()
{
	ip netns exec "$1" "$REPO/selftests/net/craft.py" eth0 "$(mac "$1")" \
		"$(mac "$2")"
}

module_load
topo_up

n_srv "$SOCK" server $port "$sst" &
wait_for grep -q listening "$sst"
n_cli "$SOCK" client "$SRV_IP4" $port "$cst" &
wait_for grep -q talked "$cst"
cport=$(awk '/^connected/ {print $2}' "$cst")
n_box "$SSLVCTL" flow reject "$(flow_id dport $port)"
wait_for grep -q "^end" "$cst"
wait_for grep -q "^end" "$sst"
check "client socket error" "$(grep ^end "$cst")" == "end ECONNRESET"
check "server socket error" "$(grep ^end "$sst")" == "end ECONNRESET"
n_box "$SSLVCTL" stats reset

capture_start "$CLI" eth0 "$OUT/cli.pcap" tcp port $port
capture_start "$SRV" eth0 "$OUT/srv.pcap" tcp port $port

# Three segments from the client, two from the server, one RST from each.
inject "$CLI" "$SRV" <<-EOT
	$CLI_IP4 $SRV_IP4 $cport $port PA 1000 7000 hello
	$CLI_IP4 $SRV_IP4 $cport $port PA 2000 7000 hello
	$CLI_IP4 $SRV_IP4 $cport $port PA 3000 7000 hello
	$CLI_IP4 $SRV_IP4 $cport $port R 9000 0
EOT
inject "$SRV" "$CLI" <<-EOT
	$SRV_IP4 $CLI_IP4 $port $cport A 7000 4000
	$SRV_IP4 $CLI_IP4 $port $cport A 8000 4000
	$SRV_IP4 $CLI_IP4 $port $cport RA 9000 4000
EOT
wait_rsts "$OUT/cli.pcap" 4
wait_rsts "$OUT/srv.pcap" 3
capture_stop

# What each end received from the bridge: RSTs answering its own segments.
answers()
{
	tshark -r "$1" -Y "tcp.flags.reset==1 && eth.src != $2" -T fields \
		-E separator=' ' -e tcp.seq_raw -e tcp.ack_raw -e ip.ttl \
		-e tcp.flags.ack 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
check "RSTs back to the client (seq ack ttl ACK)" \
	"$(answers "$OUT/cli.pcap" "$(mac "$CLI")")" == \
	"7000 1005 $SRV_TTL 1 7000 2005 $SRV_TTL 1 7000 3005 $SRV_TTL 1"
check "RSTs back to the server (seq ack ttl ACK)" \
	"$(answers "$OUT/srv.pcap" "$(mac "$SRV")")" == \
	"4000 7000 $CLI_TTL 1 4000 8000 $CLI_TTL 1"
# The crafted segments themselves went no further: what arrives with the
# other end's MAC is only sslv's RSTs (the injected ones all differ from
# those: no RST flag, or seq 9000).
crossed()
{
	tshark -r "$1" -Y "eth.src == $2 && (tcp.flags.reset == 0 || tcp.seq_raw == 9000)" \
		2>/dev/null | wc -l
}
check "client segments reaching the server" \
	"$(crossed "$OUT/srv.pcap" "$(mac "$CLI")")" -eq 0
check "server segments reaching the client" \
	"$(crossed "$OUT/cli.pcap" "$(mac "$SRV")")" -eq 0
check "rst_turnaround" "$(stat_get "$BOX" rst_turnaround)" -eq 5
check "rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 5
check "rst_not_answered" "$(stat_get "$BOX" rst_not_answered)" -eq 2
check "T_ssl_policy_reject unchanged by turnarounds" \
	"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 0

# A new connection from the same client port is not a packet of the old
# flow: its SYN (a fresh ISN) is decided afresh and the connection works.
# A retransmission of a rejected flow's own SYN would still be turned back.
rm -f "$cst" "$sst"
n_srv "$SOCK" server $port "$sst" &
wait_for grep -q listening "$sst"
n_cli "$SOCK" client "$SRV_IP4" $port "$cst" --sport "$cport" &
wait_for grep -Eq "talked|^end" "$cst"
check "same ports again: a new connection" "$(grep -c talked "$cst")" -eq 1
check "same ports again: one new flow" "$(stat_get "$BOX" flows_total)" -eq 1
check "same ports again: no RST" "$(stat_get "$BOX" rst_turnaround)" -eq 5
