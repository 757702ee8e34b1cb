#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt when a side goes quiet, or the server changes its keys,
# with the module diverting (decrypt_fail.sh has the other failures).
# sslvd runs with a 2 s idle window (--idle-timeout 2):
#   - an unreachable server (its namespace drops everything to the port):
#     sslvd's connect makes no progress within the window; the client gets
#     one RST (curl exit 35, a reset), the server none (it never answered);
#     upstream-unreachable;
#   - a decrypted flow on which neither end sends anything is left alone
#     past the idle window; after the quiet window (--quiet-timeout 5)
#     both ends get one RST (ECONNRESET), close reason idle;
#   - a client that stops reading while the server sends: the bytes wait
#     and do not move, so after the idle window both ends get one RST,
#     close reason idle, logged as bytes waiting;
#   - a KeyUpdate from the server (openssl s_server's "k"), which kTLS
#     cannot follow: both ends reset, one RST each, keyupdate, logged as
#     the server's.
# Each case checks decrypt_failed, and T_tcp_reject counts exactly the RSTs
# the ends got.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require

IDLE=2
QUIET=5
ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
on_exit cp -f "$W/mon.json" "$W/sslvd.log" "$OUT/"
cd "$W"

module_load
topo_up
decrypt_box_up
decrypt_pki

ctl rule add dst "$SRV_IP4" action decrypt >/dev/null
sslvd_up --mark "$SSLVD_MARK" --idle-timeout "$IDLE" --quiet-timeout "$QUIET"
ip netns exec "$BOX" "$SSLVCTL" -j monitor session >mon.json &
wait_for grep -q skb_wait "/proc/$!/wchan"
capture_start "$CLI" eth0 cli.pcap tcp
capture_start "$SRV" eth0 srv.pcap tcp

sessions() { [[ -n $(peer_closed "$1") ]]; }
failed() { stat_get "$BOX" decrypt_failed; }

# -- an unreachable server: nothing comes back from port 4010
n_srv nft add table inet blackhole
n_srv nft add chain inet blackhole in '{ type filter hook input priority 0; policy accept; }'
n_srv nft add rule inet blackhole in tcp dport 4010 drop
rc=0
n_cli curl -sS -m 15 --cacert box.crt --resolve "server.test:4010:$SRV_IP4" \
	https://server.test:4010/ 2>curl.err || rc=$?
# from the client's SYN to the RST it got, on its wire: curl's own start
# (slow on a debug kernel) is not sslvd's
RST4010="tcp src port 4010 and tcp[tcpflags] & tcp-rst != 0"
rst_seen() { (($(pkts cli.pcap -c 1 "$RST4010") == 1)); }
poll rst_seen || true
ms=$(pcap_ms cli.pcap "tcp dst port 4010 and tcp[tcpflags] == tcp-syn" "$RST4010")
check "unreachable: curl exit 35" "$rc" -eq 35
check "unreachable: curl saw a reset" "$(grep -c 'Connection reset by peer' curl.err || true)" -eq 1
check "unreachable: reset after the window" "$ms" -ge $((IDLE * 1000))
check "unreachable: reset within the window and 3 s" "$ms" -lt $((IDLE * 1000 + 3000))
poll sessions 4010 || true
check "unreachable: close reason" "$(peer_closed 4010)" == upstream-unreachable
check "unreachable: one RST to the client, none to the server" "$(peer_rsts 4010)" == "1 0"
check "unreachable: decrypt_failed" "$(failed)" -eq 1
check "unreachable: the server saw sslvd's SYNs" \
	"$(pkts srv.pcap "tcp port 4010 and tcp[tcpflags] == tcp-syn and src host $CLI_IP4")" -ge 1
check "unreachable: logged" "$(grep -c 'no progress in state connect' sslvd.log)" -eq 1

# -- a flow on which nobody speaks: left alone past the idle window, both
# ends reset after the quiet window
peer_serve 4011 hold
peer_connect 4011 hold
wait_for grep -q '^echo' cli-4011
t0=$(date +%s%N)
check "quiet: client" "$(peer_ended cli-4011)" == ECONNRESET
ms=$((($(date +%s%N) - t0) / 1000000))
check "quiet: server" "$(peer_ended srv-4011)" == ECONNRESET
check "quiet: not before the quiet window" "$ms" -ge $((QUIET * 1000 - 500))
poll sessions 4011 || true
check "quiet: close reason" "$(peer_closed 4011)" == idle
check "quiet: one RST each end" "$(peer_rsts 4011)" == "1 1"
check "quiet: decrypt_failed" "$(failed)" -eq 2
check "quiet: logged" "$(grep -c 'nothing sent for '"$QUIET"' s' sslvd.log)" -eq 1

# -- a client that stops reading: the server's bytes wait, both ends reset
peer_serve 4013 stream
peer_connect 4013 deaf
wait_for grep -q '^deaf' cli-4013
check "stalled: client" "$(peer_ended cli-4013)" == ECONNRESET
check "stalled: server" "$(peer_ended srv-4013)" == ECONNRESET
poll sessions 4013 || true
check "stalled: close reason" "$(peer_closed 4013)" == idle
check "stalled: one RST each end" "$(peer_rsts 4013)" == "1 1"
check "stalled: decrypt_failed" "$(failed)" -eq 3
check "stalled: logged" \
	"$(grep -c 'no progress in '"$IDLE"' s with bytes waiting' sslvd.log)" -eq 1

# -- a KeyUpdate from the server
mkfifo srvin
ip netns exec "$SRV" openssl s_server -tls1_3 -accept 4012 -cert srv.crt -key srv.key \
	-naccept 1 <srvin >ku-server.out 2>&1 &
exec 3>srvin
wait_for listening "$SRV" 4012
(sleep 30 | n_cli openssl s_client -connect "$SRV_IP4:4012" -servername server.test \
	-CAfile box.crt >ku-client.out 2>&1) &
ku_client=$!
wait_for grep -q "Verify return code: 0" ku-client.out
echo k >&3
check_run "KeyUpdate: the client was reset" poll -t 10 grep -q 'errno=104' ku-client.out
poll sessions 4012 || true
check "KeyUpdate: close reason" "$(peer_closed 4012)" == keyupdate
check "KeyUpdate: one RST each end" "$(peer_rsts 4012)" == "1 1"
check "KeyUpdate: decrypt_failed" "$(failed)" -eq 4
check "KeyUpdate: logged as the server's" \
	"$(grep -c 'KeyUpdate from the server, which kTLS cannot follow' sslvd.log)" -eq 1
exec 3>&-
kill "$ku_client" 2>/dev/null || true

# T_tcp_reject counts each RST sslvd's sockets sent, as they leave
wire=0
for port in 4010 4011 4012 4013; do
	read -r rc rs <<<"$(peer_rsts "$port")"
	wire=$((wire + rc + rs))
done
check "T_tcp_reject: the RSTs the ends got" "$(stat_get "$BOX" T_tcp_reject)" -eq "$wire"
check "T_tcp_reject: seven" "$wire" -eq 7

capture_stop
echo "--- sslvd log"
cat sslvd.log
