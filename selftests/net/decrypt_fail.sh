#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt when things go wrong: every failure of a decrypted flow
# resets both real ends, says why, and is counted. Real TLS ends
# (tls_peer.py, curl, openssl s_client) talk through the bridge while
# sslvd terminates both legs; each case checks the errno (or exit status)
# at both ends, the RSTs each end received (tcpdump at the ends), the close
# reason of the flow's session event (sslvctl -j monitor) and the counters
# (decrypt_failed, and T_tcp_reject: each RST sslvd's sockets sent):
#   - nothing listens upstream: curl exit 35, reset; upstream-refused;
#   - a record that fails authentication from the client, and from the
#     server: both ends ECONNRESET; proto;
#   - a KeyUpdate from the client (s_client's "k"): both ends reset;
#     keyupdate, and sslvd logs it;
#   - `sslvctl flow reject ID` on a diverted flow: both ends ECONNRESET
#     (the server's RST carries the server leg's numbers); rejected; its
#     two RSTs count in T_ssl_policy_reject, not T_tcp_reject;
#   - a TLS rule that rejects a diverted flow at its hello: the client gets
#     exactly one RST (sslvd's, counted in T_ssl_policy_reject), the server
#     nothing; one that drops it: the client gets no RST at all, and
#     nothing of it is left on the box;
#   - a client that leaves in the middle of its hello, before sslvd learnt
#     the module's decision: one session event for the flow, sslvd's report
#     when the module had decided (client-reset), else the module's own
#     (error incomplete);
#   - sslvd killed (SIGKILL) in the middle of a transfer: both ends
#     ECONNRESET, no socket left on either end or the box; then new flows
#     follow decrypt-unavailable: cut (the real certificate) and reject
#     (ECONNREFUSED).
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require

ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
on_exit cp -f "$W/mon.json" "$W/sslvd.log" "$W/cli.pcap" "$W/srv.pcap" "$OUT/"
cd "$W"

module_load
topo_up
decrypt_box_up
decrypt_pki

ctl rule add dst "$SRV_IP4" dport 4008 sni server.test action decrypt >/dev/null
ctl rule add dst "$SRV_IP4" dport 4009 sni server.test action reject >/dev/null
ctl rule add dst "$SRV_IP4" dport 4010 sni server.test action drop >/dev/null
ctl rule add dst "$SRV_IP4" action decrypt >/dev/null
# a closed flow is released, and its handshake's session logged, in 1 s
ctl config set timeout-closed 1
sslvd_up --mark "$SSLVD_MARK"
ip netns exec "$BOX" "$SSLVCTL" -j monitor session rejected >mon.json &
wait_for grep -q skb_wait "/proc/$!/wchan"
capture_start "$CLI" eth0 cli.pcap tcp
capture_start "$SRV" eth0 srv.pcap tcp

# sessions PORT: whether the monitor printed a session event for PORT
sessions() { [[ -n $(peer_closed "$1") ]]; }

failed() { stat_get "$BOX" decrypt_failed; }

# -- nothing listens upstream: the client is reset
rc=0
n_cli curl -sS -m 10 --cacert box.crt --resolve "server.test:444:$SRV_IP4" \
	https://server.test:444/ 2>curl.err || rc=$?
check "refused: curl exit 35" "$rc" -eq 35
check "refused: curl saw a reset" "$(grep -c 'Connection reset by peer' curl.err || true)" -eq 1
poll sessions 444 || true
check "refused: close reason" "$(peer_closed 444)" == upstream-refused
check "refused: the client got one RST" "$(peer_rsts 444 | cut -d' ' -f1)" -eq 1
check "refused: decrypt_failed" "$(failed)" -eq 1

# -- a record that fails authentication: from the client, from the server
n=1
for c in "4001 hold bad-record client" "4002 bad-record hold server"; do
	read -r port smode cmode who <<<"$c"
	peer_serve "$port" "$smode"
	peer_connect "$port" "$cmode"
	n=$((n + 1))
	check "bad record from the $who: client" "$(peer_ended "cli-$port")" == ECONNRESET
	check "bad record from the $who: server" "$(peer_ended "srv-$port")" == ECONNRESET
	check "bad record from the $who: relayed before" "$(grep -c '^echo' "cli-$port")" -eq 1
	poll sessions "$port" || true
	check "bad record from the $who: close reason" "$(peer_closed "$port")" == proto
	check "bad record from the $who: one RST each end" "$(peer_rsts "$port")" == "1 1"
	check "bad record from the $who: decrypt_failed" "$(failed)" -eq "$n"
	check "bad record from the $who: logged" \
		"$(grep -c "bad record or fatal alert from the $who" sslvd.log)" -eq 1
done

# -- a KeyUpdate from the client: kTLS cannot follow it
peer_serve 4003 hold
mkfifo ku.in
n_cli openssl s_client -tls1_3 -connect "$SRV_IP4:4003" -servername server.test \
	-CAfile box.crt <ku.in >ku.out 2>&1 &
exec 3>ku.in
wait_for grep -q "Verify return code: 0" ku.out
echo k >&3
n=$((n + 1))
check "KeyUpdate: server" "$(peer_ended srv-4003)" == ECONNRESET
check_run "KeyUpdate: client reset" poll -t 10 grep -q 'errno=104' ku.out
exec 3>&-
poll sessions 4003 || true
check "KeyUpdate: close reason" "$(peer_closed 4003)" == keyupdate
check "KeyUpdate: one RST each end" "$(peer_rsts 4003)" == "1 1"
check "KeyUpdate: decrypt_failed" "$(failed)" -eq "$n"
check "KeyUpdate: logged" \
	"$(grep -c 'KeyUpdate from the client, which kTLS cannot follow' sslvd.log)" -eq 1

# -- the operator rejects a diverted flow
peer_serve 4004 hold
peer_connect 4004 hold
wait_for grep -q '^echo' cli-4004
ctl flow reject "$(flow_id dport 4004)"
n=$((n + 1))
check "flow reject: client" "$(peer_ended cli-4004)" == ECONNRESET
check "flow reject: server" "$(peer_ended srv-4004)" == ECONNRESET
poll sessions 4004 || true
check "flow reject: close reason" "$(peer_closed 4004)" == rejected
check "flow reject: one RST each end" "$(peer_rsts 4004)" == "1 1"
check "flow reject: rejected event" \
	"$(jq -c 'select(.event == "rejected" and .flow.dport == 4004)' mon.json | wc -l)" -eq 1
check "flow reject: decrypt_failed" "$(failed)" -eq "$n"
check "flow reject: T_ssl_policy_reject" "$(stat_get "$BOX" T_ssl_policy_reject)" -eq 2

# -- rejected, then dropped, at the hello by a TLS rule: sslvd had only the
# client leg, the module's decision stops the hello
peer_connect 4009 hold
check "hello reject: client" "$(peer_ended cli-4009)" == ECONNRESET
check "hello reject: one RST to the client, none to the server" "$(peer_rsts 4009)" == "1 0"
check "hello reject: rejected event" \
	"$(jq -c 'select(.event == "rejected" and .flow.dport == 4009)' mon.json | wc -l)" -eq 1
check "hello reject: T_ssl_policy_reject" "$(stat_get "$BOX" T_ssl_policy_reject)" -eq 3
check "hello reject: tls_rejected" "$(stat_get "$BOX" tls_rejected)" -eq 1
rc=0
n_cli curl -sS -m 3 --cacert box.crt --resolve "server.test:4010:$SRV_IP4" \
	https://server.test:4010/ 2>/dev/null || rc=$?
check "hello drop: curl timed out (28)" "$rc" -eq 28
check "hello drop: no RST to either end" "$(peer_rsts 4010)" == "0 0"
check "hello drop: tls_dropped" "$(stat_get "$BOX" tls_dropped)" -eq 1
box_4010() { [[ -z $(n_box ss -Htan state all '( sport = :4010 or dport = :4010 )') ]]; }
check_run "hello drop: nothing left on the box" poll box_4010
check "hello drop: T_ssl_policy_reject" "$(stat_get "$BOX" T_ssl_policy_reject)" -eq 3

# -- clients that leave in the middle of their hello, before sslvd learnt
# the module's decision: one session event each (counted again at the end,
# in case a second one came). Decided at the SYN (4007): sslvd reports it.
# Undecided (4008: an sni rule waits for the hello): the module logs it as
# its handshake ends, with the flow.
peer_connect 4007 partial
n=$((n + 1))
check "partial hello, decided: the client is reset" "$(peer_ended cli-4007)" == ECONNRESET
poll -t 10 sessions 4007 || true
check "partial hello, decided: close reason" "$(peer_closed 4007)" == client-reset
check "partial hello, decided: reported" "$(failed)" -eq "$n"
peer_connect 4008 partial
check "partial hello, undecided: the client is reset" "$(peer_ended cli-4008)" == ECONNRESET
poll -t 15 sessions 4008 || true
check "partial hello, undecided: its error" "$(peer_closed 4008)" == incomplete
check "partial hello, undecided: not reported" "$(failed)" -eq "$n"

# T_tcp_reject counts each RST sslvd's sockets sent for a diverted flow
# that was not rejected, as it leaves: as many as the ends got on those
# flows, one a reset end
wire=0
for port in 444 4001 4002 4003 4007 4008; do
	read -r rc rs <<<"$(peer_rsts "$port")"
	wire=$((wire + rc + rs))
done
check "T_tcp_reject: the RSTs the ends got" "$(stat_get "$BOX" T_tcp_reject)" -eq "$wire"
check "T_tcp_reject: one a reset end" "$wire" -eq 9

# -- sslvd killed in the middle of a transfer: both ends reset, nothing left
peer_serve 4005 stream
peer_connect 4005 read
wait_for -t 15 grep -q '^got 64k' cli-4005
kill -KILL "$SSLVD_PID"
wait "$SSLVD_PID" 2>/dev/null || true
check "sslvd killed: client" "$(peer_ended cli-4005)" == ECONNRESET
check "sslvd killed: server" "$(peer_ended srv-4005)" == ECONNRESET
read -r rc rs <<<"$(peer_rsts 4005)"
check "sslvd killed: RSTs to the client" "$rc" -ge 1
check "sslvd killed: RSTs to the server" "$rs" -ge 1
check "sslvd killed: T_tcp_reject" "$(stat_get "$BOX" T_tcp_reject)" -eq $((wire + rc + rs))
# none_left NS: no TCP socket of port 4005 in NS
none_left()
{
	[[ -z $(ip netns exec "$1" ss -Htan state all '( sport = :4005 or dport = :4005 )') ]]
}
for ns in "$CLI" "$BOX" "$SRV"; do
	check_run "sslvd killed: no socket left in ${ns##*-}" poll none_left "$ns"
done
unregistered() { [[ $(ctl config | awk '$1 == "decrypt-daemon" { print $2 }') == 0 ]]; }
check_run "sslvd killed: registration gone" poll unregistered
check "sslvd killed: no report" "$(failed)" -eq "$n"

# new flows: decrypt-unavailable cut, then reject
peer_serve 4006 hold
ip netns exec "$CLI" /usr/bin/python3 "$TLS_PEER" client "$SRV_IP4" 4006 srvca.crt hello \
	>cli-4006 2>&1 || true
check "unavailable cut: the server's own certificate" \
	"$(sed -n 's/^handshake issuer=//p' cli-4006)" == "sslv test server CA"
check "unavailable cut: decrypt_unavailable" "$(stat_get "$BOX" decrypt_unavailable)" -eq 1
ctl config set decrypt-unavailable reject
ip netns exec "$CLI" /usr/bin/python3 "$TLS_PEER" client "$SRV_IP4" 4006 srvca.crt hello \
	>cli-4006b 2>&1 || true
check "unavailable reject: refused" "$(peer_ended cli-4006b)" == ECONNREFUSED
check "unavailable reject: decrypt_unavailable" \
	"$(stat_get "$BOX" decrypt_unavailable)" -eq 2

for port in 4007 4008; do
	check "partial hello to $port: one session event" "$(peer_closed $port | wc -w)" -eq 1
done

capture_stop
echo "--- sslvd log"
cat sslvd.log
