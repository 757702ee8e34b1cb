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
#     untrusted CA (curl exit 60), is reset with reject, and with cut the
#     client sees the real certificate;
#   - a second sslvd in the namespace is refused (exit 9); SIGTERM ends
#     sslvd with exit 0, its rule removed and its registration gone.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

SSLVD=${SSLVD:-$REPO/userspace/sslvd/sslvd}
[[ -x $SSLVD ]] || ksft_skip "no $SSLVD (make userspace)"
modprobe tls 2>/dev/null || ksft_skip "no tls module"
[[ -r /proc/net/tls_stat ]] || ksft_skip "no /proc/net/tls_stat"

ctl() { n_box "$SSLVCTL" "$@"; }
W=$(mktemp -d)
chmod 755 "$W"
on_exit rm -rf "$W"
cd "$W"
MARK=0x5c1d
PORT=8443

module_load
topo_up

# The box: no address on br0; a way to the ends through it (the operator's
# part), IPv6 on br0 and lo, br_netfilter kept out of it.
n_box sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.conf.br0.rp_filter=0
ip -n "$BOX" link set br0 addrgenmode none
n_box sysctl -qw net.ipv6.conf.br0.accept_dad=0 net.ipv6.conf.br0.disable_ipv6=0 \
	net.ipv6.conf.lo.disable_ipv6=0
n_box ip route add 10.0.1.0/24 dev br0
n_box ip -6 route add fd00::/64 dev br0
if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
	n_box sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0
fi

ca()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf()
{
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.csr" -subj "/CN=server.test/O=sslv test" 2>/dev/null
	printf 'subjectAltName=DNS:server.test\n' >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
		-days 10 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
ca box "sslv test box CA"
ca untrusted "sslv test untrusted CA"
ca srvca "sslv test server CA"
ca other "sslv test other CA"
leaf srv srvca
leaf odd other

mkdir -p www tmp
echo "hello from nginx" >www/hello
cat >nginx.conf <<EOF
daemon off;
master_process off;
pid $W/nginx.pid;
error_log $W/nginx.err;
events {}
http {
	log_format peer '\$remote_addr \$ssl_protocol \$request';
	access_log $W/access.log peer;
	client_body_temp_path $W/tmp;
	proxy_temp_path $W/tmp;
	ssl_protocols TLSv1.2 TLSv1.3;
	server {
		listen 443 ssl;
		listen [::]:443 ssl;
		ssl_certificate $W/srv.crt;
		ssl_certificate_key $W/srv.key;
		root $W/www;
	}
	server {
		listen 4443 ssl;
		ssl_certificate $W/odd.crt;
		ssl_certificate_key $W/odd.key;
		root $W/www;
	}
}
EOF
ip netns exec "$SRV" nginx -c "$W/nginx.conf" -e "$W/nginx.err" &
wait_for listening "$SRV" 443
wait_for listening "$SRV" 4443

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP6" dport 443 action decrypt >/dev/null
ctl rule add dst "$SRV_IP4" dport 4443 action decrypt >/dev/null

SSLVD_ARGS=(-f --port "$PORT" --mark "$MARK" --ca-cert box.crt --ca-key box.key
	--untrusted-ca-cert untrusted.crt --untrusted-ca-key untrusted.key
	--trust-store srvca.crt --idle-timeout 20)
ip netns exec "$BOX" "$SSLVD" "${SSLVD_ARGS[@]}" 2>sslvd.log &
sslvd_pid=$!
wait_for listening "$BOX" "$PORT"
check "registered" "$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -ne 0

# a second one: refused by the module, the first one untouched
rc=0
n_box "$SSLVD" "${SSLVD_ARGS[@]}" --port $((PORT + 1)) 2>second.log || rc=$?
check "second sslvd: exit 9" "$rc" -eq 9
check "second sslvd: says why" "$(grep -c 'another sslvd' second.log || true)" -eq 1
check "second sslvd: the first one's rule stays" \
	"$(n_box ip rule | grep -c "fwmark $MARK" || true)" -eq 1

# /proc/net/tls_stat counts the sockets of the namespace that reads it
tls_stat() { n_box awk -v k="$1" '$1 == k {print $2}' /proc/net/tls_stat; }

# issuer ADDR PORT: the issuer of the leaf the client is shown
issuer()
{
	n_cli openssl s_client -connect "$1:$2" -servername server.test </dev/null 2>/dev/null |
		openssl x509 -noout -issuer 2>/dev/null
}

# get ADDR PORT CAFILE CURL-ARGS...: sets rc, body and err (curl -v)
get()
{
	local addr=$1 port=$2 cafile=$3

	shift 3
	rc=0
	body=$(n_cli curl -sS -v -m 20 --cacert "$cafile" \
		--resolve "server.test:$port:$addr" "$@" \
		"https://server.test:$port/hello" 2>curl.err) || rc=$?
	err=$(cat curl.err)
}
sessions() { stat_get "$BOX" decrypt_sessions; }

n=0
for v in 1.2 1.3 ipv6; do
	if [[ $v == ipv6 ]]; then
		addr="[$SRV_IP6]" cli=$CLI_IP6 args=(-6) proto=
	else
		addr="$SRV_IP4" cli=$CLI_IP4 args=(--tlsv"$v" --tls-max "$v") proto=TLSv$v
	fi
	tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
	get "$addr" 443 box.crt "${args[@]}"
	n=$((n + 1))
	check "$v: curl exit status" "$rc" -eq 0
	check "$v: body" "$body" == "hello from nginx"
	check "$v: issuer is the box CA" \
		"$(grep -c '\* *issuer: CN=sslv test box CA' <<<"$err" || true)" -eq 1
	check "$v: subject is the server's" \
		"$(grep -c '\* *subject: CN=server.test; O=sslv test' <<<"$err" || true)" -eq 1
	check "$v: SAN is the server's" \
		"$(grep -c 'subjectAltName: host "server.test" matched' <<<"$err" || true)" -eq 1
	check "$v: nginx saw the client's address" \
		"$(tail -n 1 access.log | cut -d' ' -f1)" == "$cli"
	[[ -z $proto ]] || check "$v: negotiated" "$(tail -n 1 access.log | cut -d' ' -f2)" == "$proto"
	check_run "$v: session reported" poll test "$(sessions)" -eq "$n"
	check "$v: TlsTxSw +2" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
	check "$v: TlsRxSw +2" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
done
check "plaintext bytes client to server counted" "$(stat_get "$BOX" decrypt_bytes_orig)" -gt 0
check "plaintext bytes server to client counted" "$(stat_get "$BOX" decrypt_bytes_reply)" -gt 0

# A client trusting only the server's real CA: sslvd's leaf fails it
get "$SRV_IP4" 443 srvca.crt
check "client trusting only the original CA: curl exit 60" "$rc" -eq 60

# upstream-invalid: untrusted (default), reject, cut
get "$SRV_IP4" 4443 box.crt
check "untrusted: curl exit 60" "$rc" -eq 60
check "untrusted: leaf issued by the untrusted CA" \
	"$(issuer "$SRV_IP4" 4443)" == "issuer=CN = sslv test untrusted CA"
ctl config set upstream-invalid reject
get "$SRV_IP4" 4443 other.crt
check "reject: curl failed" "$rc" -ne 0
check "reject: the client was reset" \
	"$(grep -c 'Connection reset by peer' <<<"$err" || true)" -ge 1
ctl config set upstream-invalid cut
get "$SRV_IP4" 4443 other.crt
check "cut: curl exit status" "$rc" -eq 0
check "cut: body" "$body" == "hello from nginx"
check "cut: the real certificate" \
	"$(grep -c 'issuer: CN=sslv test other CA' <<<"$err" || true)" -eq 1
ctl config set upstream-invalid untrusted

kill -TERM "$sslvd_pid"
rc=0
wait "$sslvd_pid" || rc=$?
check "SIGTERM: exit status" "$rc" -eq 0
check "SIGTERM: rule removed" "$(n_box ip rule | grep -c "fwmark $MARK" || true)" -eq 0
check "SIGTERM: registration gone" \
	"$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -eq 0
echo "--- sslvd log"
cat sslvd.log
