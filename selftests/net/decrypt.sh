#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt end to end: the module diverts the flow to sslvd, which
# terminates TLS on both legs. nginx in the server namespace has a
# certificate from a test CA that sslvd trusts; curl in the client trusts
# only the box CA and goes through the bridge:
#   - TLS 1.2 and 1.3 over IPv4, and IPv6: 200 and the page; the served
#     leaf's issuer is the box CA, its subject and SAN the server's; nginx
#     logs the client's own address; /proc/net/tls_stat's TlsTxSw and
#     TlsRxSw grow by 2 each per flow (both legs on kTLS both ways); the
#     module counts sslvd's report of each session (decrypt_sessions);
#   - a client trusting only the server's real CA fails verification;
#   - upstream-invalid: a server sslvd cannot verify gets a leaf from the
#     untrusted CA (curl exit 60), is reset with reject (both ends: two
#     RSTs in T_ssl_policy_reject), and with cut the client sees the real
#     certificate;
#   - a second sslvd in the namespace is refused (exit 9); SIGTERM ends
#     sslvd with exit 0, its rule removed and its registration gone.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"

module_load
topo_up
# Nothing set up by hand around sslvd: it sets up what it needs.
decrypt_pki
decrypt_nginx_up

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP6" dport 443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP4" dport 4443 action decrypt >/dev/null

sslvd_up --mark "$SSLVD_MARK"
check "registered" "$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -ne 0

# a second one: refused by the module, the first one untouched
rc=0
n_box "$SSLVD" "${SSLVD_ARGS[@]}" --port $((SSLVD_PORT + 1)) 2>second.log || rc=$?
check "second sslvd: exit 9" "$rc" -eq 9
check "second sslvd: says why" "$(grep -c 'another sslvd' second.log || true)" -eq 1
check "second sslvd: the first one's rule stays" \
	"$(n_box ip rule | grep -c "fwmark $SSLVD_MARK" || true)" -eq 1

sessions() { stat_get "$BOX" decrypt_sessions; }
sessions_are() { [[ $(sessions) -eq $1 ]]; }

n=0
for v in 1.2 1.3 ipv6; do
	if [[ $v == ipv6 ]]; then
		addr="[$SRV_IP6]" cli=$CLI_IP6 args=(-6) proto=
	else
		addr="$SRV_IP4" cli=$CLI_IP4 args=(--tlsv"$v" --tls-max "$v") proto=TLSv$v
	fi
	tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
	https_get "$addr" 443 box.crt "${args[@]}"
	n=$((n + 1))
	check "$v: curl exit status" "$HTTPS_RC" -eq 0
	check "$v: body" "$HTTPS_BODY" == "hello from nginx"
	check "$v: issuer is the box CA" \
		"$(shown '\* *issuer: CN=sslv test box CA')" -eq 1
	check "$v: subject is the server's" \
		"$(shown '\* *subject: CN=server.test; O=sslv test')" -eq 1
	check "$v: SAN is the server's" \
		"$(shown 'subjectAltName: host "server.test" matched')" -eq 1
	check "$v: nginx saw the client's address" \
		"$(tail -n 1 access.log | cut -d' ' -f1)" == "$cli"
	[[ -z $proto ]] || check "$v: negotiated" "$(tail -n 1 access.log | cut -d' ' -f2)" == "$proto"
	check_run "$v: session reported" poll sessions_are "$n"
	check "$v: TlsTxSw +2" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
	check "$v: TlsRxSw +2" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
done
check "plaintext bytes client to server counted" "$(stat_get "$BOX" decrypt_bytes_orig)" -gt 0
check "plaintext bytes server to client counted" "$(stat_get "$BOX" decrypt_bytes_reply)" -gt 0

# A client trusting only the server's real CA: sslvd's leaf fails it
https_get "$SRV_IP4" 443 srvca.crt
check "client trusting only the original CA: curl exit 60" "$HTTPS_RC" -eq 60

# upstream-invalid: untrusted (default), reject, cut
https_get "$SRV_IP4" 4443 box.crt
check "untrusted: curl exit 60" "$HTTPS_RC" -eq 60
check "untrusted: leaf issued by the untrusted CA" \
	"$(leaf_issuer "$SRV_IP4" 4443)" == "issuer=CN = sslv test untrusted CA"
ctl config set upstream-invalid reject
tr0=$(stat_get "$BOX" T_tcp_reject)
https_get "$SRV_IP4" 4443 other.crt
check "reject: curl failed" "$HTTPS_RC" -ne 0
check "reject: the client was reset" \
	"$(shown 'Connection reset by peer')" -ge 1
check "reject: its RSTs are the policy's (T_ssl_policy_reject)" \
	"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 2
check "reject: not an error in the flow (T_tcp_reject)" \
	"$(stat_get "$BOX" T_tcp_reject)" -eq "$tr0"
ctl config set upstream-invalid cut
https_get "$SRV_IP4" 4443 other.crt
check "cut: curl exit status" "$HTTPS_RC" -eq 0
check "cut: body" "$HTTPS_BODY" == "hello from nginx"
check "cut: the real certificate" \
	"$(shown 'issuer: CN=sslv test other CA')" -eq 1
ctl config set upstream-invalid untrusted

sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
check "SIGTERM: rule removed" "$(n_box ip rule | grep -c "fwmark $SSLVD_MARK" || true)" -eq 0
check "SIGTERM: registration gone" \
	"$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -eq 0
echo "--- sslvd log"
cat sslvd.log
