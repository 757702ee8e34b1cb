#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt and the upstream server: what sslvd shows the client when
# the rules or the server's certificate say it must not decrypt as usual.
# nginx serves server.test on three ports; the client trusts only the box
# CA unless said otherwise:
#   - an SNI cut rule before the decrypt rule (5410): the flow is diverted,
#     but relayed untouched: the client, trusting the server's own CA, gets
#     the page and the server's real certificate; the event says cut;
#   - an expired (5411) and a self-signed (5412) server: curl fails
#     verification (exit 60: the untrusted CA signed the leaf, s_client
#     shows it), the event says unverified with the X509 error (10, 18);
#     with upstream-invalid reject the client is reset, the event's close
#     reason is upstream-invalid, and both ends' RSTs count in
#     T_ssl_policy_reject.
# decrypt_matrix.sh has the protocols, decrypt.sh upstream-invalid cut.
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

conf=()
for x in 5410:srv 5411:expired 5412:self; do
	conf+=("server {
		listen ${x%%:*} ssl;
		ssl_certificate $W/${x#*:}.crt;
		ssl_certificate_key $W/${x#*:}.key;
		root $W/www;
	}")
done
decrypt_nginx_up "${conf[@]}"
for p in 5410 5411 5412; do
	wait_for listening "$SRV" $p
done

session_log_up
ctl rule add dst "$SRV_IP4" dport 5410 sni server.test action cut >/dev/null
ctl rule add dst "$SRV_IP4" dport 5410-5419 action decrypt >/dev/null

sslvd_up --mark "$SSLVD_MARK"

# An SNI cut rule before the decrypt rule: diverted, relayed untouched
sport=42100
https_get "$SRV_IP4" 5410 srvca.crt --local-port $sport
check "SNI cut: curl exit status (trusting the server's own CA)" "$HTTPS_RC" -eq 0
check "SNI cut: body" "$HTTPS_BODY" == "hello from nginx"
check "SNI cut: the real certificate" \
	"$(shown '^\* +issuer: CN=sslv test server CA$')" -eq 1
check_run "SNI cut: session event" poll has_session $sport
check "SNI cut: event action" "$(session_word $sport action)" == cut
check "SNI cut: the flow was diverted" \
	"$(ctl flow list sport $sport | grep -c diverted || true)" -eq 1

# Servers sslvd cannot verify: expired, self-signed (the session log's
# probe was one policy reset already)
policy=$(stat_get "$BOX" T_ssl_policy_reject)
for t in expired:5411:10 self-signed:5412:18; do
	IFS=: read -r name port code <<<"$t"
	sport=$((sport + 1))
	https_get "$SRV_IP4" "$port" box.crt --local-port $sport
	check "$name: curl fails verification" "$HTTPS_RC" -eq 60
	check "$name: the leaf is the untrusted CA's (s_client)" \
		"$(leaf_issuer "$SRV_IP4" "$port")" == "issuer=CN = sslv test untrusted CA"
	check_run "$name: session event" poll has_session $sport
	check "$name: event: upstream unverified, its X509 error" \
		"$(session_word $sport upstream) $(session_word $sport verify)" == "unverified $code"
	ctl config set upstream-invalid reject
	sport=$((sport + 1))
	https_get "$SRV_IP4" "$port" box.crt --local-port $sport
	check "$name, reject: curl failed" "$HTTPS_RC" -ne 0
	check "$name, reject: the client was reset" \
		"$(shown 'Connection reset by peer')" -ge 1
	policy=$((policy + 2))
	check "$name, reject: one RST each end, the policy's" \
		"$(stat_get "$BOX" T_ssl_policy_reject)" -eq "$policy"
	check_run "$name, reject: session event" poll has_session $sport
	check "$name, reject: event close" "$(session_word $sport close)" == upstream-invalid
	ctl config set upstream-invalid untrusted
done

sslvd_down
check "sslvd: exit status" "$SSLVD_RC" -eq 0
cp sslvd.log access.log "$OUT/" 2>/dev/null || true
