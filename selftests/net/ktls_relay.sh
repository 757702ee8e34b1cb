#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvd's building blocks end to end, through userspace/sslvd/ktls_relay (a
# test harness, not the daemon): curl trusting only the box CA fetches a
# 4 MiB file from openssl s_server through the harness, which terminates
# both legs. For TLS 1.2 and 1.3 with AES-128-GCM, AES-256-GCM and
# ChaCha20-Poly1305: curl sees the forged leaf (issuer the box CA), the body
# arrives intact, and /proc/net/tls_stat's TlsTxSw and TlsRxSw each grow by
# exactly 2 per connection (both legs, both directions, in the kernel). An
# upstream certificate failing verification is forged by the untrusted CA
# (curl refuses it), and a KeyUpdate from s_server ends the relay with the
# KeyUpdate result.
#
# About 5 minutes under TCG (TLS and 4 MiB per cipher), so it is not in
# TEST_PROGS; run it with
#   tools/vm/run -k 6.1 -t 480 -- ./selftests/net/ktls_relay.sh

source "$(dirname "$0")/../lib.sh"

# KTLS_RELAY: another build of the harness (to see this test fail)
RELAY=${KTLS_RELAY:-$REPO/userspace/sslvd/ktls_relay}
[[ -x $RELAY ]] || ksft_skip "no $RELAY (make userspace)"
modprobe tls 2>/dev/null || ksft_skip "no tls module"
[[ -r /proc/net/tls_stat ]] || ksft_skip "no /proc/net/tls_stat"

d=$(mktemp -d)
on_exit rm -rf "$d"
cd "$d"

# CAs and the server's certificate, made here
ca()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
ca box "sslv test box CA"
ca untrusted "sslv test untrusted CA"
ca srvca "sslv test server CA"
ca other "sslv test other CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key \
	-out srv.csr -subj "/CN=server.test/O=sslv test" 2>/dev/null
printf 'subjectAltName=DNS:server.test,IP:127.0.0.1\n' >srv.ext
openssl x509 -req -in srv.csr -CA srvca.crt -CAkey srvca.key -CAcreateserial \
	-days 10 -extfile srv.ext -out srv.crt 2>/dev/null

mkdir www
head -c 4194304 /dev/urandom >www/body
want=$(sha256sum <www/body | cut -d' ' -f1)

tls_stat() { awk -v k="$1" '$1 == k {print $2}' /proc/net/tls_stat; }

# relay PORT UPSTREAM_PORT COUNT TRUST: the harness in the background
relay()
{
	"$RELAY" --listen "$1" --connect "127.0.0.1:$2" --count "$3" \
		--ca-cert box.crt --ca-key box.key \
		--untrusted-ca-cert untrusted.crt --untrusted-ca-key untrusted.key \
		--trust-store "$4" --idle-ms 20000 >"relay-$1.out" 2>"relay-$1.err" &
	relay_pid=$!
	wait_for here_listening "$1"
}
here_listening() { [[ -n $(ss -Hltn "sport = :$1") ]]; }

# field NAME LINE: the value of NAME=value in a harness line
field() { grep -o " $1=[^ ]*" <<<"$2" | cut -d= -f2- || true; }

# server PORT OPTS...: s_server -WWW serving www/ in the background
server()
{
	local port=$1

	shift
	( cd www && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$port" \
		-cert ../srv.crt -key ../srv.key "$@" ) >"server-$port.out" 2>&1 &
	server_pid=$!
	wait_for here_listening "$port"
}

combos=(
	"1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
	"1.2 ECDHE-ECDSA-AES256-GCM-SHA384"
	"1.2 ECDHE-ECDSA-CHACHA20-POLY1305"
	"1.3 TLS_AES_128_GCM_SHA256"
	"1.3 TLS_AES_256_GCM_SHA384"
	"1.3 TLS_CHACHA20_POLY1305_SHA256"
)
n=0
for c in "${combos[@]}"; do
	read -r ver cipher <<<"$c"
	n=$((n + 1))
	# the server and the client both allow only this version and cipher
	if [[ $ver == 1.2 ]]; then
		server $((4440 + n)) -tls1_2 -cipher "$cipher"
		copt=(--tlsv1.2 --tls-max 1.2 --ciphers "$cipher")
		want_k="up_tx=openssl up_rx=openssl cl_tx=openssl cl_rx=openssl"
	else
		server $((4440 + n)) -tls1_3 -ciphersuites "$cipher"
		copt=(--tlsv1.3 --tls-max 1.3 --tls13-ciphers "$cipher")
		want_k="up_tx=openssl up_rx=derived cl_tx=openssl cl_rx=derived"
	fi
	relay $((8440 + n)) $((4440 + n)) 1 srvca.crt
	tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
	rm -f got
	rc=0
	curl -sS -v --http1.1 --cacert box.crt \
		--resolve "server.test:$((8440 + n)):127.0.0.1" "${copt[@]}" \
		-o got "https://server.test:$((8440 + n))/body" 2>curl.err || rc=$?
	check "curl exit status (TLS $ver $cipher)" "$rc" -eq 0
	check "issuer curl saw (TLS $ver $cipher)" \
		"$(grep -c 'issuer: CN=sslv test box CA' curl.err || true)" -eq 1
	check "body sha256 (TLS $ver $cipher)" \
		"$(sha256sum <got 2>/dev/null | cut -d' ' -f1)" == "$want"
	check_run "harness done (TLS $ver $cipher)" wait "$relay_pid"
	line=$(grep "^conn=1 " "relay-$((8440 + n)).out" || true)
	echo "relay: $line"
	check "relay result (TLS $ver $cipher)" "$(field result "$line")" == done
	check "upstream verified (TLS $ver $cipher)" "$(field verify "$line")" == 0
	check "upstream cipher (TLS $ver $cipher)" "$(field cipher "$line")" == "$cipher"
	check "client cipher (TLS $ver $cipher)" "$(field client_cipher "$line")" == "$cipher"
	check "kTLS in all four directions (TLS $ver $cipher)" \
		"$(grep -c "$want_k" <<<"$line" || true)" -eq 1
	check "bytes server to client (TLS $ver $cipher)" "$(field s2c "$line")" -gt 4194304
	if [[ $ver == 1.3 ]]; then
		check "session tickets dropped upstream (TLS $ver $cipher)" \
			"$(field tickets "$line")" -eq 2
	fi
	check "TlsTxSw +2 (TLS $ver $cipher)" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
	check "TlsRxSw +2 (TLS $ver $cipher)" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
done

# An upstream the trust store does not vouch for: the untrusted CA signs
# the leaf, and curl, trusting only the box CA, refuses it.
server 4433
relay 8444 4433 1 other.crt
rc=0
curl -sS --cacert box.crt --resolve server.test:8444:127.0.0.1 -o /dev/null \
	"https://server.test:8444/body" 2>curl.err || rc=$?
check "curl refuses an unverified upstream (exit 60)" "$rc" -eq 60
wait_for grep -q "^conn=1 " relay-8444.out
check "unverified upstream: untrusted CA, verify=20" \
	"$(grep -c ' verify=20 .*ca=untrusted CA' relay-8444.out || true)" -eq 1

# KeyUpdate: s_server sends one when a line starting with k comes on stdin
mkfifo srvin
openssl s_server -tls1_3 -accept 127.0.0.1:4434 -cert srv.crt -key srv.key \
	<srvin >ku-server.out 2>&1 &
exec 3>srvin
wait_for here_listening 4434
relay 8445 4434 1 srvca.crt
(sleep 30 | openssl s_client -connect 127.0.0.1:8445 -servername server.test \
	-CAfile box.crt >ku-client.out 2>&1) &
wait_for grep -q "Verify return code: 0" ku-client.out
echo k >&3
wait_for -t 20 grep -q "^conn=1 " relay-8445.out
line=$(grep "^conn=1 " relay-8445.out || true)
echo "relay: $line"
check "KeyUpdate from the server reported" "$(field result "$line")" == keyupdate
check "... on the server-to-client direction" "$(field which "$line")" -eq 1
exec 3>&-
echo "# took $SECONDS s"
