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
#     the leaf too.
# decrypt_upstream.sh has the upstream's side: an SNI cut rule, servers
# sslvd cannot verify.
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
decrypt_nginx_up "${conf[@]}"
for p in 5401 5402 5403; do
	wait_for listening "$SRV" $p
done

session_log_up
ctl rule add dst "$SRV_IP4" dport 5400-5409 action decrypt >/dev/null

sslvd_up --mark "$SSLVD_MARK"

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
			check "$t: session event: version" "$(session_word $sport tls)" == "$v"
			check "$t: session event: cipher" "$(session_word $sport cipher)" == "$id"
			check "$t: session event: action, upstream, kTLS, close" \
				"$(for k in action upstream ktls close; do session_word $sport $k; done | xargs)" \
				== "decrypt verified 15 done"
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

sslvd_down
check "sslvd: exit status" "$SSLVD_RC" -eq 0
cp sslvd.log access.log "$OUT/" 2>/dev/null || true
