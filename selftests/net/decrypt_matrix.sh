#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt against real peers, protocol by protocol. nginx (http2 on)
# has a certificate from a CA sslvd trusts and takes one cipher suite a
# port; the client trusts only the box CA:
#   - TLS 1.2 and 1.3 x AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305 x
#     HTTP/1.1 and h2 (curl): 200 and the page; the leaf's issuer is the box
#     CA, its subject and SAN the server's; ALPN carried through (curl and
#     nginx speak h2); nginx logs the client's own address; the cipher
#     asked for on the client leg (curl), on the server leg (nginx's log)
#     and in the module's session event, with the flow's version and
#     action decrypt, upstream verified, kTLS on all four directions (15),
#     closed done; /proc/net/tls_stat's TlsTxSw and TlsRxSw +2 each;
#   - openssl s_client and python's ssl, trusting only the box CA, verify
#     the leaf too;
#   - an SNI cut rule before the decrypt rule: the flow is diverted, but
#     the client gets the server's real certificate and the event says cut;
#   - an expired and a self-signed server: with the box CA trusted, curl
#     fails verification (the untrusted CA signed the leaf, exit 60); with
#     upstream-invalid reject the client is reset.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"

module_load
topo_up
decrypt_box_up
decrypt_pki
# an expired certificate for server.test from the server's CA, and a
# self-signed one
tls_leaf expired srvca -days -1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout self.key -out self.crt -days 10 -subj "/CN=server.test" \
	-addext subjectAltName=DNS:server.test 2>/dev/null

# One port a cipher suite (TLS 1.2 and 1.3 both), each also speaking h2.
declare -A PORT12=([aes128]=5401 [aes256]=5402 [chacha]=5403)
declare -A SUITE12=([aes128]=ECDHE-ECDSA-AES128-GCM-SHA256
	[aes256]=ECDHE-ECDSA-AES256-GCM-SHA384
	[chacha]=ECDHE-ECDSA-CHACHA20-POLY1305)
declare -A ID12=([aes128]=0xc02b [aes256]=0xc02c [chacha]=0xcca9)
declare -A SUITE13=([aes128]=TLS_AES_128_GCM_SHA256
	[aes256]=TLS_AES_256_GCM_SHA384 [chacha]=TLS_CHACHA20_POLY1305_SHA256)
declare -A ID13=([aes128]=0x1301 [aes256]=0x1302 [chacha]=0x1303)
conf=()
for c in aes128 aes256 chacha; do
	conf+=("server {
		listen ${PORT12[$c]} ssl http2;
		ssl_certificate $W/srv.crt;
		ssl_certificate_key $W/srv.key;
		ssl_ciphers ${SUITE12[$c]};
		ssl_conf_command Ciphersuites ${SUITE13[$c]};
		root $W/www;
	}")
done
# 5410: SNI cut; 5411: expired; 5412: self-signed
conf+=("server {
		listen 5410 ssl;
		ssl_certificate $W/srv.crt;
		ssl_certificate_key $W/srv.key;
		root $W/www;
	}" "server {
		listen 5411 ssl;
		ssl_certificate $W/expired.crt;
		ssl_certificate_key $W/expired.key;
		root $W/www;
	}" "server {
		listen 5412 ssl;
		ssl_certificate $W/self.crt;
		ssl_certificate_key $W/self.key;
		root $W/www;
	}")
decrypt_nginx_up "${conf[@]}"
for p in 5401 5402 5403 5410 5411 5412; do
	wait_for listening "$SRV" $p
done

# The session log, listening once a rejected probe (port 1) shows in it.
ip netns exec "$BOX" "$SSLVCTL" monitor >"$OUT/monitor.txt" &
ctl rule add dport 1 action reject >/dev/null
probe() { n_cli "$SOCK" client "$SRV_IP4" 1 "$W/probe"; grep -q ":1 " "$OUT/monitor.txt"; }
wait_for probe
ctl rule flush

ctl rule add dst "$SRV_IP4" dport 5410 sni server.test action cut >/dev/null
ctl rule add dst "$SRV_IP4" dport 5400-5419 action decrypt >/dev/null

sslvd_up --mark "$SSLVD_MARK"

# session SPORT: the module's session event for the client port SPORT.
session()
{
	grep -E "^session flow [0-9]+ $CLI_IP4:$1 " "$OUT/monitor.txt" | tail -n 1
}
has_session() { [[ -n $(session "$1") ]]; }
# word SPORT KEY: the word after KEY in SPORT's session event.
word()
{
	session "$1" | awk -v key="$2" \
		'{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'
}

sport=42000
for v in 1.2 1.3; do
	for c in aes128 aes256 chacha; do
		for h in http1.1 http2; do
			t="TLS $v $c $h"
			sport=$((sport + 1))
			if [[ $v == 1.2 ]]; then
				suite=${SUITE12[$c]} id=${ID12[$c]}
				args=(--tlsv1.2 --tls-max 1.2 --ciphers "$suite")
			else
				suite=${SUITE13[$c]} id=${ID13[$c]}
				args=(--tlsv1.3 --tls13-ciphers "$suite")
			fi
			tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
			https_get "$SRV_IP4" "${PORT12[$c]}" box.crt "${args[@]}" \
				--"$h" --local-port $sport
			check "$t: curl exit status" "$HTTPS_RC" -eq 0
			check "$t: body" "$HTTPS_BODY" == "hello from nginx"
			check "$t: issuer is the box CA" \
				"$(shown '^\* +issuer: CN=sslv test box CA$')" -eq 1
			check "$t: subject and SAN the server's" \
				"$(shown '^\* +subject: CN=server.test; O=sslv test$|subjectAltName: host "server.test" matched')" -eq 2
			check "$t: client leg: version and cipher" \
				"$(shown "^\* SSL connection using TLSv$v / $suite\$")" -eq 1
			if [[ $h == http2 ]]; then
				check "$t: ALPN h2 accepted" "$(shown '^\* ALPN: server accepted h2$')" -eq 1
				req="GET /hello HTTP/2.0"
			else
				check "$t: ALPN http/1.1 accepted" \
					"$(shown '^\* ALPN: server accepted http/1.1$')" -eq 1
				req="GET /hello HTTP/1.1"
			fi
			check "$t: nginx: the client's address, version, cipher, request" \
				"$(tail -n 1 access.log)" == \
				"$CLI_IP4 TLSv$v $suite ${PORT12[$c]} $req"
			check_run "$t: session event" poll has_session $sport
			check "$t: session event: version" "$(word $sport tls)" == "$v"
			check "$t: session event: cipher" "$(word $sport cipher)" == "$id"
			check "$t: session event: action, upstream, kTLS, close" \
				"$(word $sport action) $(word $sport upstream) $(word $sport ktls) $(word $sport close)" == \
				"decrypt verified 15 done"
			check "$t: TlsTxSw +2" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
			check "$t: TlsRxSw +2" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
		done
	done
done
check "decrypt_sessions counted every flow" "$(stat_get "$BOX" decrypt_sessions)" -eq 12

# openssl s_client and python's ssl, trusting the box CA only
out=$(n_cli openssl s_client -connect "$SRV_IP4:5401" -servername server.test \
	-CAfile box.crt -verify_return_error </dev/null 2>&1 || true)
check "s_client: verified" "$(grep -c '^Verify return code: 0 (ok)' <<<"$out" || true)" -eq 1
check "s_client: issuer the box CA" \
	"$(grep -c '^issuer=CN = sslv test box CA' <<<"$out" || true)" -eq 1
py=$(n_cli /usr/bin/python3 - "$SRV_IP4" box.crt <<'EOF' 2>&1 || true
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection((sys.argv[1], 5402), timeout=20) as s:
    with ctx.wrap_socket(s, server_hostname="server.test") as t:
        t.sendall(b"GET /hello HTTP/1.1\r\nHost: server.test\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = t.recv(65536)
            if not b:
                break
            data += b
        issuer = dict(x[0] for x in t.getpeercert()["issuer"])["commonName"]
        print(t.version(), t.cipher()[0], issuer, data.split(b"\r\n")[0].decode(),
              data.split(b"\r\n\r\n", 1)[1].decode().strip())
EOF
)
check "python ssl: verified, TLS 1.3, issuer, 200, body" "$py" == \
	"TLSv1.3 TLS_AES_256_GCM_SHA384 sslv test box CA HTTP/1.1 200 OK hello from nginx"

# An SNI cut rule before the decrypt rule: diverted, relayed untouched
sport=$((sport + 1))
https_get "$SRV_IP4" 5410 srvca.crt --local-port $sport
check "SNI cut: curl exit status (trusting the server's own CA)" "$HTTPS_RC" -eq 0
check "SNI cut: body" "$HTTPS_BODY" == "hello from nginx"
check "SNI cut: the real certificate" \
	"$(shown '^\* +issuer: CN=sslv test server CA$')" -eq 1
check_run "SNI cut: session event" poll has_session $sport
check "SNI cut: event action" "$(word $sport action)" == cut
check "SNI cut: the flow was diverted" \
	"$(ctl flow list sport $sport | grep -c diverted || true)" -eq 1

# Servers sslvd cannot verify: expired, self-signed
for t in expired:5411:10 self-signed:5412:18; do
	IFS=: read -r name port code <<<"$t"
	sport=$((sport + 1))
	https_get "$SRV_IP4" "$port" box.crt --local-port $sport
	check "$name: curl fails verification" "$HTTPS_RC" -eq 60
	check "$name: the leaf is the untrusted CA's (s_client)" \
		"$(leaf_issuer "$SRV_IP4" "$port")" == "issuer=CN = sslv test untrusted CA"
	check_run "$name: session event" poll has_session $sport
	check "$name: event: upstream unverified, its X509 error" \
		"$(word $sport upstream) $(word $sport verify)" == "unverified $code"
	ctl config set upstream-invalid reject
	sport=$((sport + 1))
	https_get "$SRV_IP4" "$port" box.crt --local-port $sport
	check "$name, reject: curl failed" "$HTTPS_RC" -ne 0
	check "$name, reject: the client was reset" \
		"$(shown 'Connection reset by peer')" -ge 1
	check_run "$name, reject: session event" poll has_session $sport
	check "$name, reject: event close" "$(word $sport close)" == upstream-invalid
	ctl config set upstream-invalid untrusted
done

sslvd_down
check "sslvd: exit status" "$SSLVD_RC" -eq 0
cp sslvd.log access.log "$OUT/" 2>/dev/null || true
