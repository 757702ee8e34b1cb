#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvd's attached IPS without the module (--no-module --ips-out ips0
# --ips-in ips1, on sslvd_tproxy.sh's routed box): the plaintext of each
# decrypted connection is carried as a generated TCP connection with the
# connection's own addresses and ports between sslvd's private namespaces,
# out of ips0 and back in at ips1, through an IPS stand-in: a bridge in the
# box joining the two, with nft bridge rules. curl fetches from nginx:
#   - an allowed download arrives intact (sha256); tcpdump on ips0 shows the
#     generated SYN and the plaintext GET between the client's and the
#     server's own addresses and ports, and both FINs; the metadata line
#     (--ips-meta) names the connection and the server's certificate;
#   - a rule dropping "GET /forbidden": both real ends reset within the
#     feedback timeout and a margin (curl's reset; nginx keeps no ESTABLISHED
#     socket), session close=ips-drop;
#   - the same rule with `reject with tcp reset`: close=ips-reset, and the
#     RSTs sslvd counted equal those tcpdump saw the IPS send on ips0/ips1;
#   - a rule dropping the generated SYN: ips-drop;
#   - netem on ips1: a delay below the timeout passes, above it resets;
#   - ips1 down: sslvd says the IPS is down; up again: a probe, up; ips1
#     down while a lost probe has the IPS down already: the link is named;
#   - SIGTERM: ips0 and ips1 gone, sslvd's namespaces too;
#   - passive-inline (--ips-copy ips2): the copy port sees the generated
#     connection's handshake, request, response and FINs; with ips2 down the
#     download still completes.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
modprobe -a tls bridge nft_reject_bridge sch_netem sch_ingress cls_matchall act_mirred \
	2>/dev/null || ksft_skip "no bridge, nft_reject_bridge, netem or tc mirred modules"

workdir_up
cd "$W"
TIMEOUT_MS=1000
FORBIDDEN=0x474554202f666f7262696464656e	# "GET /forbidden"

tproxy_topo_up 443
decrypt_pki
decrypt_nginx_up
head -c 3000000 /dev/urandom >www/big

sslvd_up --no-module --ips-out ips0 --ips-in ips1 --ips-timeout "$TIMEOUT_MS" \
	--ips-meta "$W/meta.json"
check "ips0 and ips1 made" "$(n_box ip -br link | grep -c '^ips[01]@' || true)" -eq 2

# The IPS: a bridge in the box joining the two interfaces sslvd made
ips_standin_up


# fetch PATH: https_get of PATH, the body in $W/got; AFTER_TLS_MS
fetch()
{
	HTTPS_PATH=$1 HTTPS_TIMEOUT=15 https_get "$SRV4" 443 box.crt -o "$W/got" \
		-w '%{time_appconnect} %{time_total}'
	# from the end of the client's TLS handshake to the end (ms)
	AFTER_TLS_MS=$(awk '{ printf "%d", ($2 - $1) * 1000 }' <<<"$HTTPS_BODY")
}
no_established() { [[ -z $(n_srv ss -Htn state established '( sport = :443 )') ]]; }
# logged REGEX N: sslvd's log has N lines matching REGEX
logged() { (($(grep -cE -- "$1" sslvd.log || true) == $2)); }
last_rsts() { grep "close=$1 " sslvd.log | tail -n 1 | sed -n 's/.* ips_rsts=\([0-9]*\).*/\1/p'; }

# A page: its plaintext on ips0, between the real addresses and ports
capture_start "$BOX" ips0 "$OUT/ips0.pcap" tcp port 443
fetch /hello
check "allowed: curl exit status" "$HTTPS_RC" -eq 0
check "allowed: body" "$(cat got)" == "hello from nginx"
check_run "allowed: session done, through the IPS" poll logged 'close=done ips=active' 1
capture_stop
check "ips0: the generated SYN, client's address to the server's port 443" \
	"$(pkts "$OUT/ips0.pcap" "tcp[tcpflags] == tcp-syn and src $CLI4 and dst $SRV4 and dst port 443")" -eq 1
# a segment whose payload starts "GET ", between the client and the server
GET_FIRST='tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420'
check "ips0: the plaintext GET /hello, from the client's address to the server's" \
	"$(tcpdump -r "$OUT/ips0.pcap" -nn -A "src $CLI4 and dst $SRV4 and dst port 443 and $GET_FIRST" \
	   2>/dev/null | grep -c 'GET /hello HTTP/1.1' || true)" -eq 1
check "ips0: the plaintext response" \
	"$(tcpdump -r "$OUT/ips0.pcap" -nn -A "src $SRV4 and src port 443" 2>/dev/null |
	   grep -c 'hello from nginx' || true)" -eq 1
check "ips0: both FINs" "$(pkts "$OUT/ips0.pcap" "tcp[tcpflags] & tcp-fin != 0")" -eq 2
sport=$(tcpdump -r "$OUT/ips0.pcap" -nn -c 1 'tcp[tcpflags] == tcp-syn' 2>/dev/null |
	awk '{ split($3, a, "."); print a[5] }')

# Its metadata line, out of band
meta()
{
	/usr/bin/python3 -c 'import json, sys
m = json.loads(open(sys.argv[1]).readline())
k = sys.argv[2]
print(m["tls"][k[4:]] if k.startswith("tls.") else m[k])' meta.json "$1"
}
check "meta: one line" "$(wc -l <meta.json)" -eq 1
check "meta: src_ip" "$(meta src_ip)" == "$CLI4"
check "meta: src_port the generated SYN's" "$(meta src_port)" -eq "$sport"
check "meta: dest_ip" "$(meta dest_ip)" == "$SRV4"
check "meta: dest_port" "$(meta dest_port)" -eq 443
check "meta: proto" "$(meta proto)" == "TCP"
check "meta: sni" "$(meta tls.sni)" == "server.test"
check "meta: version" "$(meta tls.version)" == "TLSv1.3"
check "meta: subject" "$(meta tls.subject)" == "CN=server.test, O=sslv test"
check "meta: issuer" "$(meta tls.issuer)" == "CN=sslv test server CA"
check "meta: fingerprint" "$(meta tls.fingerprint_sha256)" == \
	"$(openssl x509 -in srv.crt -noout -fingerprint -sha256 | cut -d= -f2 | tr A-F a-f)"
check "meta: verified" "$(meta tls.verified)" == "True"
check "meta: ja4 of a TLS 1.3 hello with SNI" "$(meta tls.ja4 | cut -c1-4)" == "t13d"


# A download (3 MB) through the IPS: intact
fetch /big
check "download: curl exit status" "$HTTPS_RC" -eq 0
check "download: intact (sha256)" "$(sha256sum <got | cut -d' ' -f1)" == \
	"$(sha256sum <www/big | cut -d' ' -f1)"
check_run "download: session done, through the IPS" poll logged 'close=done ips=active' 2

# A rule that drops the forbidden request
ipsrule @ih,0,112 "$FORBIDDEN" drop
fetch /forbidden
check "drop: curl failed" "$HTTPS_RC" -ne 0
check "drop: the client was reset" "$(shown 'Connection reset by peer')" -ge 1
check "drop: reset not before the timeout" "$AFTER_TLS_MS" -ge "$TIMEOUT_MS"
check "drop: reset within the timeout and 1 s" "$AFTER_TLS_MS" -lt $((TIMEOUT_MS + 1000))
check_run "drop: nginx keeps no ESTABLISHED socket" poll no_established
check_run "drop: session ips-drop" poll logged 'close=ips-drop ' 1
check "drop: nginx never got the request" "$(grep -c 'GET /forbidden' access.log || true)" -eq 0

# The same with reject: the IPS's RSTs end the flow and are counted
ipsrule @ih,0,112 "$FORBIDDEN" reject with tcp reset
capture_start "$BOX" ips0 "$OUT/rst0.pcap" -Q out "tcp port 443 and tcp[tcpflags] == tcp-rst"
capture_start "$BOX" ips1 "$OUT/rst1.pcap" -Q out "tcp port 443 and tcp[tcpflags] == tcp-rst"
fetch /forbidden
check "reject: curl failed" "$HTTPS_RC" -ne 0
check "reject: the client was reset" "$(shown 'Connection reset by peer')" -ge 1
check_run "reject: nginx keeps no ESTABLISHED socket" poll no_established
check_run "reject: session ips-reset" poll logged 'close=ips-reset ' 1
capture_stop
wire=$(($(pkts "$OUT/rst0.pcap") + $(pkts "$OUT/rst1.pcap")))
check "reject: the IPS sent RSTs" "$wire" -ge 1
check "reject: the RSTs sslvd counted equal those on the wire" "$(last_rsts ips-reset)" -eq "$wire"

# A rule that drops the generated SYN
ipsrule tcp flags syn tcp dport 443 drop
fetch /hello
check "SYN dropped: curl failed" "$HTTPS_RC" -ne 0
check_run "SYN dropped: session ips-drop" poll logged 'close=ips-drop ' 2
ipsrule

# netem on the way in
n_box tc qdisc add dev ips1 root netem delay $((TIMEOUT_MS / 3))ms
fetch /hello
check "delay below the timeout: curl exit status" "$HTTPS_RC" -eq 0
check "delay below the timeout: body" "$(cat got)" == "hello from nginx"
n_box tc qdisc change dev ips1 root netem delay $((TIMEOUT_MS * 3 / 2))ms
fetch /hello
check "delay above the timeout: curl failed" "$HTTPS_RC" -ne 0
check_run "delay above the timeout: session ips-drop" poll logged 'close=ips-drop ' 3
check_run "delay above the timeout: nginx keeps no ESTABLISHED socket" poll no_established
n_box tc qdisc del dev ips1 root

# Health: a link down, then up again (after the netem SYNs' probes got through)
ips_up_last() { grep -E 'ips: .*: (up|down)$' sslvd.log | tail -n 1 | grep -q ': up$'; }
wait_for ips_up_last
ups=$(grep -c 'ips: a probe got through ips0 and ips1: up' sslvd.log)
n_box ip link set ips1 down
check_run "link down: sslvd says the IPS is down" poll \
	grep -q 'ips: link ips1 (or its peer) is down: down' sslvd.log
n_box ip link set ips1 up
check_run "link up: a probe got through, up" poll \
	logged 'ips: a probe got through ips0 and ips1: up' $((ups + 1))
fetch /hello
check "link up: curl exit status" "$HTTPS_RC" -eq 0

# A link that goes down while a lost probe has the IPS down already: named too
LOST="ips: no probe got through ips0 and ips1 within $TIMEOUT_MS ms: down"
lost=$(grep -c "$LOST" sslvd.log)
n_box tc qdisc add dev ips1 root netem loss 100%
fetch /hello
check "all lost: curl failed" "$HTTPS_RC" -ne 0
check_run "all lost: a probe lost, down" poll logged "$LOST" $((lost + 1))
downs=$(grep -c 'ips: link ips1 (or its peer) is down: down' sslvd.log)
n_box ip link set ips1 down
check_run "all lost, link down: sslvd names the link" poll \
	logged 'ips: link ips1 \(or its peer\) is down: down' $((downs + 1))
n_box tc qdisc del dev ips1 root
n_box ip link set ips1 up
check_run "all lost, link up: a probe got through, up" poll \
	logged 'ips: a probe got through ips0 and ips1: up' $((ups + 2))

sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
check "SIGTERM: ips0 and ips1 gone" "$(n_box ip -br link | grep -c '^ips[01]' || true)" -eq 0
echo "--- sslvd log"
cat sslvd.log

# passive-inline: the copy port sees the generated connection
: >sslvd.log
sslvd_up --no-module --ips-out ips0 --ips-in ips1 --ips-copy ips2
wait_for n_box ip link show ips2
capture_start "$BOX" ips2 "$OUT/copy.pcap" tcp port 443
fetch /hello
check "passive: curl exit status" "$HTTPS_RC" -eq 0
check "passive: body" "$(cat got)" == "hello from nginx"
check_run "passive: session done" poll logged 'close=done ips=passive' 1
capture_stop
check "copy: the generated SYN" \
	"$(pkts "$OUT/copy.pcap" "tcp[tcpflags] == tcp-syn and src $CLI4 and dst $SRV4 and dst port 443")" -eq 1
check "copy: the SYN-ACK" \
	"$(pkts "$OUT/copy.pcap" "tcp[tcpflags] == tcp-syn|tcp-ack and src $SRV4 and src port 443")" -eq 1
check "copy: the plaintext request" \
	"$(tcpdump -r "$OUT/copy.pcap" -nn -A 2>/dev/null | grep -c 'GET /hello HTTP/1.1' || true)" -eq 1
check "copy: the plaintext response" \
	"$(tcpdump -r "$OUT/copy.pcap" -nn -A 2>/dev/null | grep -c 'hello from nginx' || true)" -eq 1
check "copy: both FINs" "$(pkts "$OUT/copy.pcap" "tcp[tcpflags] & tcp-fin != 0")" -eq 2
n_box ip link set ips2 down
fetch /big
check "passive, copy port down: curl exit status" "$HTTPS_RC" -eq 0
check "passive, copy port down: download intact" "$(sha256sum <got | cut -d' ' -f1)" == \
	"$(sha256sum <www/big | cut -d' ' -f1)"
sslvd_down
check "passive, SIGTERM: ips0, ips1 and ips2 gone" \
	"$(n_box ip -br link | grep -c '^ips[012]' || true)" -eq 0
echo "--- sslvd log (passive)"
cat sslvd.log
