#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attached IPS is a real Suricata (af-packet, copy-mode ips) between
# ips0 and ips1, the interfaces sslvd makes for the generated connections.
# curl in the client fetches pages from nginx through the sslv bridge
# (action decrypt), and Suricata sees each flow's plaintext:
#   - an allowed download arrives intact (sha256); Suricata's eve.json has
#     its http record (the URI, the client's and the server's own addresses
#     and ports), and sslvd's metadata line (--ips-meta) names the same
#     4-tuple and the SNI;
#   - a `drop` rule on a URI: both real ends are reset within the feedback
#     timeout and a margin (curl: reset; nginx keeps no ESTABLISHED socket),
#     ips_drop_flows +1, the session ends ips-drop; eve.json's drop record
#     names the original client and server;
#   - a `rejectboth` rule: both real ends are reset, ips_reset_flows +1, the
#     session ends ips-reset, and T_ssl_ips_reject grows by exactly the RSTs
#     Suricata sent on the generated connection as tcpdump counts them.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
command -v suricata >/dev/null || ksft_skip "suricata is not installed (tools/deps.sh --test)"
"$SSLVCTL" help 2>&1 | grep -q 'sslvctl ips set' || ksft_skip "sslvctl without ips"

ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"
TIMEOUT_MS=1000

module_load
topo_up
decrypt_box_up
decrypt_pki
decrypt_nginx_up
head -c 2000000 /dev/urandom >www/big
echo "forbidden" >www/forbidden
echo "evil" >www/evil

cat >rules <<'RULES'
drop http any any -> any any (msg:"sslv test: forbidden"; flow:to_server,established; http.uri; content:"/forbidden"; sid:1000001; rev:1;)
rejectboth http any any -> any any (msg:"sslv test: evil"; flow:to_server,established; http.uri; content:"/evil"; sid:1000002; rev:1;)
RULES

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
ctl ips set out ips0 in ips1 feedback-timeout "$TIMEOUT_MS"
sslvd_up --mark "$SSLVD_MARK" --ips-meta "$W/meta.json"
wait_for n_box ip link show ips1

# Suricata between them; its RSTs leave by ips0, toward the generated client socket
suricata_start "$BOX" ips0 ips1 "$W/rules" "$OUT/suricata"
on_exit suricata_stop
EVE=$OUT/suricata/eve.json
# sslvd probes the path through the IPS, and reports it UP once one gets through
wait_for -t 30 grep -q 'ips: a probe got through ips0 and ips1: up' sslvd.log

# fetch PATH: https_get of PATH, the body in $W/got; AFTER_TLS_MS
fetch()
{
	HTTPS_PATH=$1 HTTPS_TIMEOUT=20 https_get "$SRV_IP4" 443 box.crt -o "$W/got" \
		-w '%{time_appconnect} %{time_total} %{local_port}'
	# from the end of the client's TLS handshake to the end (ms)
	AFTER_TLS_MS=$(awk '{ printf "%d", ($2 - $1) * 1000 }' <<<"$HTTPS_BODY")
	CLI_PORT=$(awk '{ print $3 }' <<<"$HTTPS_BODY")
}

nginx_established() { n_srv ss -Htn state established '( sport = :443 )' | wc -l; }
no_established() { (($(nginx_established) == 0)); }
stat() { stat_get "$BOX" "$1"; }
stat_is() { (($(stat_get "$BOX" "$1") == $2)); }

# eve TYPE PORT EXPR: EXPR (python, on record r) of eve.json's first record
# of event_type TYPE from the client's port PORT, or "none".
eve()
{
	/usr/bin/python3 - "$EVE" "$1" "$2" "$3" <<-'PY'
	import json, sys
	path, kind, port, expr = sys.argv[1:]
	for line in open(path):
	    r = json.loads(line)
	    if r.get("event_type") == kind and str(r.get("src_port")) == port:
	        print(eval(expr))
	        break
	else:
	    print("none")
	PY
}
# eve_has TYPE PORT: eve.json has such a record yet (Suricata writes late)
eve_has() { [[ $(eve "$1" "$2" 1) == 1 ]]; }
# meta PORT KEY: sslvd's metadata line for the client's port PORT, KEY
# ("tls.sni" for a nested one)
meta()
{
	/usr/bin/python3 - meta.json "$1" "$2" <<-'PY'
	import json, sys
	path, port, key = sys.argv[1:]
	for line in open(path):
	    r = json.loads(line)
	    if str(r.get("src_port")) == port:
	        for k in key.split("."):
	            r = r[k]
	        print(r)
	        break
	else:
	    print("none")
	PY
}

# An allowed download: intact, seen in plaintext by Suricata
fetch /big
check "allowed: curl exit status" "$HTTPS_RC" -eq 0
check "allowed: intact (sha256)" "$(sha256sum <got | cut -d' ' -f1)" == \
	"$(sha256sum <www/big | cut -d' ' -f1)"
check_run "allowed: session reported" poll stat_is decrypt_sessions 1
check "allowed: ips_flows 1" "$(stat ips_flows)" -eq 1
check_run "allowed: Suricata's http record" poll eve_has http "$CLI_PORT"
check "allowed: eve http url" "$(eve http "$CLI_PORT" 'r["http"]["url"]')" == "/big"
check "allowed: eve http status" "$(eve http "$CLI_PORT" 'r["http"]["status"]')" -eq 200
check "allowed: eve src_ip the client's" "$(eve http "$CLI_PORT" 'r["src_ip"]')" == "$CLI_IP4"
check "allowed: eve dest_ip the server's" "$(eve http "$CLI_PORT" 'r["dest_ip"]')" == "$SRV_IP4"
check "allowed: eve dest_port 443" "$(eve http "$CLI_PORT" 'r["dest_port"]')" -eq 443
check "allowed: sslvd's metadata line for the same 4-tuple" \
	"$(meta "$CLI_PORT" src_ip) $(meta "$CLI_PORT" dest_ip) $(meta "$CLI_PORT" dest_port)" \
	== "$CLI_IP4 $SRV_IP4 443"
check "allowed: its SNI" "$(meta "$CLI_PORT" tls.sni)" == "server.test"
check "allowed: its flow_id the module's" "$(meta "$CLI_PORT" flow_id)" -gt 0

# drop: both ends reset within the feedback timeout
fetch /forbidden
check "drop: curl failed" "$HTTPS_RC" -ne 0
check "drop: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "drop: reset not before the timeout" "$AFTER_TLS_MS" -ge "$TIMEOUT_MS"
check "drop: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "drop: nginx keeps no ESTABLISHED socket" poll no_established
check_run "drop: ips_drop_flows 1" poll stat_is ips_drop_flows 1
check "drop: ips_reset_flows 0" "$(stat ips_reset_flows)" -eq 0
check "drop: sslvd logs ips-drop" "$(grep -c 'close=ips-drop\|: ips-drop:' sslvd.log || true)" -ge 1
check_run "drop: Suricata's drop record" poll eve_has drop "$CLI_PORT"
check "drop: eve drop names the client and the server" \
	"$(eve drop "$CLI_PORT" 'r["src_ip"] + " " + r["dest_ip"] + " " + str(r["dest_port"])')" \
	== "$CLI_IP4 $SRV_IP4 443"
check "drop: by the forbidden rule" "$(eve drop "$CLI_PORT" 'r["alert"]["signature_id"]')" -eq 1000001
check "drop: sslvd's metadata line for it" "$(meta "$CLI_PORT" dest_port)" -eq 443

# rejectboth: the IPS's RSTs end the flow, and are counted
capture_start "$BOX" ips0 "$OUT/rst0.pcap" -Q out "tcp port 443 and tcp[tcpflags] & tcp-rst != 0"
capture_start "$BOX" ips1 "$OUT/rst1.pcap" -Q out "tcp port 443 and tcp[tcpflags] & tcp-rst != 0"
rej0=$(stat T_ssl_ips_reject)
fetch /evil
check "rejectboth: curl failed" "$HTTPS_RC" -ne 0
check "rejectboth: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "rejectboth: before the feedback timeout" "$AFTER_TLS_MS" -lt "$TIMEOUT_MS"
check_run "rejectboth: nginx keeps no ESTABLISHED socket" poll no_established
check_run "rejectboth: ips_reset_flows 1" poll stat_is ips_reset_flows 1
check "rejectboth: ips_drop_flows still 1" "$(stat ips_drop_flows)" -eq 1
check "rejectboth: sslvd logs ips-reset" "$(grep -c 'close=ips-reset\|: ips-reset:' sslvd.log || true)" -ge 1
check_run "rejectboth: Suricata's record of the rule" poll eve_has alert "$CLI_PORT"
check "rejectboth: by the evil rule" "$(eve alert "$CLI_PORT" 'r["alert"]["signature_id"]')" -eq 1000002
capture_stop
wire=$(($(pkts "$OUT/rst0.pcap") + $(pkts "$OUT/rst1.pcap")))
echo "# RSTs on the generated connection: $(pkts "$OUT/rst0.pcap") out of ips0, $(pkts "$OUT/rst1.pcap") out of ips1"
check "rejectboth: Suricata sent RSTs" "$wire" -ge 1
check "rejectboth: T_ssl_ips_reject equals the RSTs on the wire" \
	"$(($(stat T_ssl_ips_reject) - rej0))" -eq "$wire"

suricata_stop
sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
echo "--- sslvd log"
cat sslvd.log
