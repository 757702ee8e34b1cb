#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RST forensics in passive-tap mode: resets seen only through a mirror port
# are explained and counted as inline, and sslv still transmits nothing.
#   7001 a SYN to a closed port   server handshake-refused rst-ack seq-exact
#   7002 SO_LINGER {1, 0} close    client data rst-ack ttl-match seq-exact

source "$(dirname "$0")/../lib.sh"

cst=$OUT/client.status sst=$OUT/server.status
rm -f "$cst" "$sst"

# For wait_for, which runs it again at every try.
rst_seen_is() { (($(stat_get "$BOX" rst_seen) == $1)); }

module_load
topo_up
mirror_up
n_box "$SSLVCTL" mode set passive-tap dev "$MIR"
capture_start "$BOX" "$MIR" "$OUT/mir-out.pcap" -Q out

# 7001: nothing listens; the server's stack refuses the SYN.
n_cli "$SOCK" client "$SRV_IP4" 7001 "$cst"
check "7001: client connect() error" "$(grep ^end "$cst")" == "end ECONNREFUSED"
wait_for rst_seen_is 1
check "7001: rst_handshake_refused" "$(stat_get "$BOX" rst_handshake_refused)" -eq 1
check "7001: rst_seq_exact" "$(stat_get "$BOX" rst_seq_exact)" -eq 1

# 7002: the client reads the answer, then closes with SO_LINGER {1, 0}.
n_srv "$SOCK" server 7002 "$sst" &
wait_for grep -q listening "$sst"
n_cli /usr/bin/python3 -c '
import socket, struct, sys
c = socket.create_connection((sys.argv[1], 7002))
c.sendall(b"ping"); c.recv(4)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()' "$SRV_IP4"
wait_for grep -q "^end" "$sst"
check "7002: server socket error" "$(grep ^end "$sst")" == "end ECONNRESET"
wait_for rst_seen_is 2
check "7002: rst_data" "$(stat_get "$BOX" rst_data)" -eq 1
check "7002: rst_seq_exact" "$(stat_get "$BOX" rst_seq_exact)" -eq 2
check "7002: rst_ttl_anomaly" "$(stat_get "$BOX" rst_ttl_anomaly)" -eq 0
check "rst_bare" "$(stat_get "$BOX" rst_bare)" -eq 0

check "sslv sent nothing (rst_sent)" "$(stat_get "$BOX" rst_sent)" -eq 0
capture_stop
check "frames sent by $MIR" "$(pkts "$OUT/mir-out.pcap")" -eq 0
