#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attached IPS, active-inline: sslvd carries each decrypted flow's
# plaintext as a generated TCP connection with the flow's own addresses and
# ports, out of ips0 and back in at ips1 (veth pairs sslvd makes, their
# peers in its private namespaces). The IPS is a stand-in: a bridge in the
# box joining ips0 and ips1, with nft bridge rules. curl in the client
# fetches pages from nginx through the sslv bridge (action decrypt):
#   - an allowed download arrives intact (sha256), and tcpdump on ips0 shows
#     the plaintext GET between the client's and the server's own addresses
#     and ports; sslvd's veths and namespaces are gone after SIGTERM;
#   - a rule dropping "GET /forbidden": both real ends are reset within the
#     feedback timeout and a margin (curl fails with a reset; nginx keeps no
#     ESTABLISHED socket), ips_drop_flows +1, the session ips-drop;
#   - the same rule with `reject with tcp reset`: ips-reset, ips_reset_flows
#     +1, T_ssl_ips_reject equal to the RSTs the IPS sent as tcpdump counts
#     them on ips0 and ips1;
#   - one segment of a download dropped by the IPS: the generated
#     connection retransmits it, the download arrives intact, nothing killed;
#   - a rule dropping the generated SYN (the IPS's rules see only ipsbr's
#     frames: the real SYN on br0 passes, the client's TLS handshake
#     completes): ips-drop, both ends reset, ips_drop_flows +1;
#   - IPv6: the generated connection carries the flow's IPv6 addresses and
#     ports (the plaintext GET on ips0, sslvd's metadata line), and an IPS
#     drop resets both IPv6 ends;
#   - netem on the IPS: a delay below the feedback timeout passes, one above
#     it resets both ends after the timeout (ips-drop); the health probes
#     then fail, sslvd reports the IPS down, and up again once the delay is
#     gone.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
modprobe -a bridge nft_reject_bridge sch_netem 2>/dev/null ||
	ksft_skip "no bridge, nft_reject_bridge or sch_netem module"
"$SSLVCTL" help 2>&1 | grep -q 'sslvctl ips set' || ksft_skip "sslvctl without ips"

ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"
TIMEOUT_MS=1000
FORBIDDEN=0x474554202f666f7262696464656e	# "GET /forbidden"

module_load
topo_up
decrypt_box_up
decrypt_pki
decrypt_nginx_up
head -c 3000000 /dev/urandom >www/big
echo "forbidden" >www/forbidden

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP6" dport 443 action decrypt >/dev/null
ctl ips set out ips0 in ips1 feedback-timeout "$TIMEOUT_MS"
sslvd_up --mark "$SSLVD_MARK" --ips-meta "$W/meta.json"
wait_for n_box ip link show ips1

# The IPS: a bridge in the box joining the two interfaces sslvd made
ips_standin_up


# fetch PATH [ADDR]: https_get of PATH from ADDR (default the server's IPv4
# address), the body in $W/got; AFTER_TLS_MS
fetch()
{
	HTTPS_PATH=$1 HTTPS_TIMEOUT=15 https_get "${2:-$SRV_IP4}" 443 box.crt -o "$W/got" \
		-w '%{time_appconnect} %{time_total}'
	# from the end of the client's TLS handshake to the end (ms)
	AFTER_TLS_MS=$(awk '{ printf "%d", ($2 - $1) * 1000 }' <<<"$HTTPS_BODY")
}

# When sslvd's clock starts at the generated SYN, it starts as soon as sslvd
# has the client's Finished: possibly before curl, still printing the
# server's certificate, marks its handshake done (time_appconnect). Such a
# lower bound is measured on the client's wire instead, from the
# ChangeCipherSpec record it sends with its Finished to the first RST it
# gets: fetch_wire PATH, then RESET_MS (or "none" when either is missing).
fetch_wire()
{
	capture_start "$CLI" eth0 "$OUT/wire.pcap" tcp port 443
	fetch "$1"
	capture_stop
	RESET_MS=$(pcap_ms "$OUT/wire.pcap" \
		"src $CLI_IP4 and tcp[((tcp[12:1] & 0xf0) >> 2):1] = 0x14" \
		"dst $CLI_IP4 and tcp[tcpflags] & tcp-rst != 0")
}

# nginx_established: nginx's ESTABLISHED sockets on 443
nginx_established() { n_srv ss -Htn state established '( sport = :443 )' | wc -l; }
no_established() { (($(nginx_established) == 0)); }
stat() { stat_get "$BOX" "$1"; }
# stat_is NAME N: the counter NAME is N
stat_is() { (($(stat_get "$BOX" "$1") == $2)); }

# A page: its plaintext on ips0, between the real addresses and ports
capture_start "$BOX" ips0 "$OUT/ips0.pcap" tcp port 443
fetch /hello
check "allowed: curl exit status" "$HTTPS_RC" -eq 0
check "allowed: body" "$(cat got)" == "hello from nginx"
check_run "allowed: session reported" poll stat_is decrypt_sessions 1
capture_stop
# a segment whose payload starts "GET ", between the client and the server
GET_FIRST='tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420'
check "ips0: the plaintext GET /hello, from the client's address to the server's" \
	"$(tcpdump -r "$OUT/ips0.pcap" -nn -A "src $CLI_IP4 and dst $SRV_IP4 and dst port 443 and $GET_FIRST" \
	   2>/dev/null | grep -c 'GET /hello HTTP/1.1' || true)" -eq 1
check "ips0: the generated connection's SYN" \
	"$(pkts "$OUT/ips0.pcap" "tcp[tcpflags] == tcp-syn and src $CLI_IP4 and dst $SRV_IP4 and dst port 443")" -eq 1
check "ips0: the generated connection's FINs" \
	"$(pkts "$OUT/ips0.pcap" "tcp[tcpflags] & tcp-fin != 0")" -eq 2
check "ips_flows counts it" "$(stat ips_flows)" -eq 1

# Its metadata line, out of band
meta() { /usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]] if "." not in sys.argv[2] else json.loads(open(sys.argv[1]).readline())["tls"][sys.argv[2][4:]])' meta.json "$1"; }
check "meta: one line" "$(wc -l <meta.json)" -eq 1
check "meta: src_ip" "$(meta src_ip)" == "$CLI_IP4"
check "meta: dest_ip" "$(meta dest_ip)" == "$SRV_IP4"
check "meta: dest_port" "$(meta dest_port)" -eq 443
check "meta: src_port the flow's (the plaintext GET's)" "$(meta src_port)" -eq \
	"$(tcpdump -r "$OUT/ips0.pcap" -nn -c 1 'tcp[tcpflags] == tcp-syn' 2>/dev/null |
	   awk '{ split($3, a, "."); print a[5] }')"
check "meta: proto" "$(meta proto)" == "TCP"
check "meta: sni" "$(meta tls.sni)" == "server.test"
check "meta: subject" "$(meta tls.subject)" == "CN=server.test, O=sslv test"
check "meta: issuer" "$(meta tls.issuer)" == "CN=sslv test server CA"
check "meta: fingerprint" "$(meta tls.fingerprint_sha256)" == \
	"$(openssl x509 -in srv.crt -noout -fingerprint -sha256 | cut -d= -f2 | tr A-F a-f)"
check "meta: verified" "$(meta tls.verified)" == "True"
check "meta: ja4 of a TLS 1.3 hello with SNI" "$(meta tls.ja4 | cut -c1-4)" == "t13d"
check "meta: flow_id the module's" "$(meta flow_id)" -gt 0


# A download (3 MB) through the IPS: intact
fetch /big
check "download: curl exit status" "$HTTPS_RC" -eq 0
check "download: intact (sha256)" "$(sha256sum <got | cut -d' ' -f1)" == \
	"$(sha256sum <www/big | cut -d' ' -f1)"
check_run "download: session reported" poll stat_is decrypt_sessions 2

# One segment dropped by the IPS: the 300th full-sized one from the server
ipsrule tcp sport 443 meta length gt 1000 numgen inc mod 1000000 == 300 counter drop
drops0=$(stat ips_drop_flows)
fetch /big
check "one segment dropped: curl exit status" "$HTTPS_RC" -eq 0
check "one segment dropped: intact (sha256)" "$(sha256sum <got | cut -d' ' -f1)" == \
	"$(sha256sum <www/big | cut -d' ' -f1)"
check "one segment dropped: the IPS dropped exactly one" \
	"$(n_box nft list chain bridge ips filter | grep -o 'packets [0-9]*')" == "packets 1"
check_run "one segment dropped: session reported" poll stat_is decrypt_sessions 3
check "one segment dropped: no flow killed" "$(stat ips_drop_flows)" -eq "$drops0"
ipsrule

# A rule that drops the forbidden request: both ends reset within the timeout
ipsrule @ih,0,112 "$FORBIDDEN" drop
fetch /forbidden
check "drop: curl failed" "$HTTPS_RC" -ne 0
check "drop: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "drop: reset not before the timeout" "$AFTER_TLS_MS" -ge "$TIMEOUT_MS"
check "drop: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "drop: nginx keeps no ESTABLISHED socket" poll no_established
check_run "drop: ips_drop_flows 1" poll stat_is ips_drop_flows 1
check "drop: sslvd logs ips-drop" "$(grep -c 'close=ips-drop\|: ips-drop:' sslvd.log || true)" -ge 1

# The same with reject: the IPS's RSTs end the flow and are counted
ipsrule @ih,0,112 "$FORBIDDEN" reject with tcp reset
capture_start "$BOX" ips0 "$OUT/rst0.pcap" -Q out "tcp port 443 and tcp[tcpflags] == tcp-rst"
capture_start "$BOX" ips1 "$OUT/rst1.pcap" -Q out "tcp port 443 and tcp[tcpflags] == tcp-rst"
rej0=$(stat T_ssl_ips_reject)
fetch /forbidden
check "reject: curl failed" "$HTTPS_RC" -ne 0
check "reject: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check_run "reject: nginx keeps no ESTABLISHED socket" poll no_established
check_run "reject: ips_reset_flows 1" poll stat_is ips_reset_flows 1
capture_stop
wire=$(($(pkts "$OUT/rst0.pcap") + $(pkts "$OUT/rst1.pcap")))
check "reject: the IPS sent RSTs" "$wire" -ge 1
check "reject: T_ssl_ips_reject equals the RSTs on the wire" \
	"$(($(stat T_ssl_ips_reject) - rej0))" -eq "$wire"

# A rule that drops the generated SYN; the real one on br0 passes
ipsrule tcp flags syn tcp dport 443 counter drop
fetch_wire /hello
check "SYN dropped: the client's TLS handshake completed" "$(shown 'SSL connection using')" -eq 1
check "SYN dropped: curl failed" "$HTTPS_RC" -ne 0
check "SYN dropped: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "SYN dropped: reset not before the timeout (on the wire)" "$RESET_MS" -ge "$TIMEOUT_MS"
check "SYN dropped: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "SYN dropped: nginx keeps no ESTABLISHED socket" poll no_established
check_run "SYN dropped: ips_drop_flows 2" poll stat_is ips_drop_flows 2
check "SYN dropped: the IPS dropped SYNs" \
	"$(n_box nft list chain bridge ips filter | grep -o 'packets [0-9]*' | cut -d' ' -f2)" -ge 1
ipsrule

state() { ctl -j ips show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("state", "?"))'; }
is_state() { [[ $(state) == "$1" ]]; }
# the SYN's timeout made sslvd probe; the probe passes
check_run "SYN dropped: the IPS still up" poll is_state up

# IPv6: the same generated connection, with the flow's IPv6 addresses
capture_start "$BOX" ips0 "$OUT/ips0v6.pcap" ip6 and tcp port 443
fetch /hello "[$SRV_IP6]"
check "IPv6: curl exit status" "$HTTPS_RC" -eq 0
check "IPv6: body" "$(cat got)" == "hello from nginx"
check "IPv6: the box CA's leaf" "$(shown 'issuer: CN=sslv test box CA')" -eq 1
capture_stop
check "IPv6, ips0: the plaintext GET /hello, from the client's address to the server's" \
	"$(tcpdump -r "$OUT/ips0v6.pcap" -nn -A "src $CLI_IP6 and dst $SRV_IP6 and dst port 443" \
	   2>/dev/null | grep -c 'GET /hello HTTP/1.1' || true)" -eq 1
check "IPv6, ips0: the generated connection's SYN" \
	"$(pkts "$OUT/ips0v6.pcap" "ip6[40 + 13] == 2 and src $CLI_IP6 and dst $SRV_IP6")" -eq 1
check "IPv6, meta: the flow's addresses" \
	"$(tail -n 1 meta.json | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["src_ip"], r["dest_ip"], r["dest_port"])')" \
	== "$CLI_IP6 $SRV_IP6 443"
drops0=$(stat ips_drop_flows)
ipsrule @ih,0,112 "$FORBIDDEN" drop
fetch /forbidden "[$SRV_IP6]"
check "IPv6 drop: curl failed" "$HTTPS_RC" -ne 0
check "IPv6 drop: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "IPv6 drop: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "IPv6 drop: nginx keeps no ESTABLISHED socket" poll no_established
check_run "IPv6 drop: ips_drop_flows +1" poll stat_is ips_drop_flows $((drops0 + 1))
ipsrule

# netem on the IPS, toward the server's side
n_box tc qdisc add dev ips1 root netem delay $((TIMEOUT_MS / 3))ms
fetch /hello
check "delay below the timeout: curl exit status" "$HTTPS_RC" -eq 0
check "delay below the timeout: body" "$(cat got)" == "hello from nginx"
down0=$(stat ips_down) up0=$(stat ips_up)
n_box tc qdisc change dev ips1 root netem delay $((TIMEOUT_MS * 3 / 2))ms
fetch_wire /hello
check "delay above the timeout: curl failed" "$HTTPS_RC" -ne 0
check "delay above the timeout: the client was reset" "$(shown 'Connection reset by peer|Recv failure')" -ge 1
check "delay above the timeout: reset not before the timeout (on the wire)" "$RESET_MS" -ge "$TIMEOUT_MS"
check "delay above the timeout: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "delay above the timeout: nginx keeps no ESTABLISHED socket" poll no_established
check_run "delay above the timeout: ips_drop_flows 4" poll stat_is ips_drop_flows 4
check_run "delay above the timeout: the probe fails too, the IPS down" poll is_state down
check "delay above the timeout: ips_down +1" "$(($(stat ips_down) - down0))" -eq 1
n_box tc qdisc del dev ips1 root
check_run "delay gone: the IPS up again" poll is_state up
check "delay gone: ips_up +1" "$(($(stat ips_up) - up0))" -eq 1
fetch /hello
check "delay gone: curl exit status" "$HTTPS_RC" -eq 0
check "delay gone: body" "$(cat got)" == "hello from nginx"

sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
check "SIGTERM: ips0 and ips1 gone" "$(n_box ip -br link | grep -c '^ips[01]' || true)" -eq 0
echo "--- sslvd log"
cat sslvd.log
