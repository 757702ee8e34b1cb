#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvd without the module: a routed box whose nft tproxy rule hands the
# client's connections to sslvd (--no-module, every connection decrypted),
# the way the module's diversion will on a bridge. This tests the daemon on
# its own: curl, trusting only the box CA, fetches a page from nginx through
# sslvd, for TLS 1.2 and 1.3 and over IPv6: 200 and the page, the forged
# leaf (issuer the box CA, subject and SAN the server's), nginx logs the
# client's own address, /proc/net/tls_stat's TlsTxSw and TlsRxSw grow by 2
# each per connection (both legs on kTLS), sslvd logs the session as done.
# A client trusting only the server's real CA fails verification; a server
# sslvd cannot verify is forged by the untrusted CA (curl exit 60); a port
# where nothing listens resets the client, and a KeyUpdate resets both
# sides. SIGTERM removes the routes.
#
#   $CLI eth0 10.0.1.1 ---- b0 [$BOX, sslvd] b1 ---- eth0 10.0.2.1 $SRV
#            fd00:1::1        10.0.1.254  10.0.2.254          fd00:2::1
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
modprobe -a tls nft_tproxy nft_socket nf_tproxy_ipv4 nf_tproxy_ipv6 veth 2>/dev/null ||
	ksft_skip "no tls or nft tproxy modules"

workdir_up
cd "$W"

tproxy_topo_up 443 4443 444 4445

decrypt_pki
decrypt_nginx_up
sslvd_up --no-module
check "rule fwmark 0x5c1d installed" "$(n_box ip rule | grep -c 'fwmark 0x5c1d')" -eq 1

# sessions_done N: sslvd has logged N sessions that ended done
sessions_done() { [[ $(grep -c 'close=done' sslvd.log) -ge $1 ]]; }

n=0
for v in 1.2 1.3; do
	tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
	https_get "$SRV4" 443 box.crt --tlsv"$v" --tls-max "$v"
	n=$((n + 1))
	check "TLS $v: curl exit status" "$HTTPS_RC" -eq 0
	check "TLS $v: body" "$HTTPS_BODY" == "hello from nginx"
	check "TLS $v: issuer is the box CA" \
		"$(shown '\* *issuer: CN=sslv test box CA')" -eq 1
	check "TLS $v: subject is the server's" \
		"$(shown '\* *subject: CN=server.test; O=sslv test')" -eq 1
	check "TLS $v: SAN is the server's" \
		"$(shown 'subjectAltName: host "server.test" matched')" -eq 1
	check "TLS $v: negotiated" "$(shown "SSL connection using TLSv$v")" -eq 1
	check "TLS $v: nginx saw the client's address" \
		"$(tail -n 1 access.log | cut -d' ' -f1-2)" == "$CLI4 TLSv$v"
	check_run "TLS $v: session logged done" poll sessions_done "$n"
	check "TLS $v: TlsTxSw +2" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
	check "TLS $v: TlsRxSw +2" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
done

# IPv6, and a second connection to the same server (the leaf cache)
https_get "[$SRV6]" 443 box.crt -6
n=$((n + 1))
check "IPv6: curl exit status" "$HTTPS_RC" -eq 0
check "IPv6: body" "$HTTPS_BODY" == "hello from nginx"
check "IPv6: nginx saw the client's address" "$(tail -n 1 access.log | cut -d' ' -f1)" == "$CLI6"
check_run "IPv6: session logged done" poll sessions_done "$n"
check "leaf cache hit on a later connection" "$(grep 'close=done' sslvd.log | grep -c 'cache=hit')" -ge 1

# A client trusting only the server's real CA: sslvd's leaf fails it
https_get "$SRV4" 443 srvca.crt
check "client trusting only the original CA: curl exit 60" "$HTTPS_RC" -eq 60

# A server sslvd cannot verify: the untrusted CA signs its leaf
https_get "$SRV4" 4443 box.crt
check "unverified server: curl exit 60" "$HTTPS_RC" -eq 60
check "unverified server: leaf issued by the untrusted CA" \
	"$(leaf_issuer "$SRV4" 4443)" == "issuer=CN = sslv test untrusted CA"
check "unverified server logged" "$(grep -c 'the server did not verify' sslvd.log)" -ge 1

# Nothing listens upstream: the client is reset
https_get "$SRV4" 444 box.crt
check "upstream refused: curl failed" "$HTTPS_RC" -ne 0
check "upstream refused: the client saw a reset" \
	"$(shown 'Connection reset by peer')" -ge 1
check_run "upstream refused logged" poll grep -q 'close=upstream-refused' sslvd.log

# KeyUpdate from the server (s_server sends one on a line "k"): kTLS cannot
# follow it, so sslvd resets both sides and says why
mkfifo srvin
ip netns exec "$SRV" openssl s_server -tls1_3 -accept 4445 -cert srv.crt -key srv.key \
	-naccept 1 <srvin >ku-server.out 2>&1 &
exec 3>srvin
wait_for listening "$SRV" 4445
(sleep 30 | n_cli openssl s_client -connect "$SRV4:4445" -servername server.test \
	-CAfile box.crt >ku-client.out 2>&1) &
ku_client=$!
wait_for grep -q "Verify return code: 0" ku-client.out
echo k >&3
check_run "KeyUpdate: the session ended with keyupdate" \
	poll -t 10 grep -q 'close=keyupdate' sslvd.log
check "KeyUpdate: logged as the server's" \
	"$(grep -c 'KeyUpdate from the server, which kTLS cannot follow' sslvd.log)" -eq 1
check_run "KeyUpdate: the client was reset" \
	poll -t 10 grep -q 'errno=104' ku-client.out
exec 3>&-
kill "$ku_client" 2>/dev/null || true

sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
check "SIGTERM: rule removed" "$(n_box ip rule | grep -c 'fwmark 0x5c1d' || true)" -eq 0
check "SIGTERM: routes removed" "$(n_box ip route show table all | grep -c 'table 23581' || true)" -eq 0
echo "--- sslvd log"
cat sslvd.log
