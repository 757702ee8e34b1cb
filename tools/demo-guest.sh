#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: client -- [br0 + sslv] -- server, nginx serving
# TLS on the server, curl and plain sockets on the client. Each step prints
# what a user would see; the closing line counts the claims it checked.

source "$(dirname "$0")/../selftests/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
box() { echo "box# sslvctl $*"; n_box "$SSLVCTL" "$@"; }

say "topology: client $CLI_IP4 -- br0 (sslv) -- server $SRV_IP4"
module_load
topo_up
box mode

say "nginx on the server: TLS on 443 and 8443"
mkdir -p /tmp/demo
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=server.example \
	-keyout /tmp/demo/key.pem -out /tmp/demo/cert.pem -days 1 2>/dev/null
head -c 50M /dev/zero >/tmp/demo/big
cat >/tmp/demo/nginx.conf <<NGINX
user root;
pid /tmp/demo/nginx.pid;
error_log /tmp/demo/error.log;
events {}
http {
	access_log off;
	server {
		listen 443 ssl; listen 8443 ssl;
		ssl_certificate /tmp/demo/cert.pem;
		ssl_certificate_key /tmp/demo/key.pem;
		root /tmp/demo;
	}
}
NGINX
n_srv nginx -c /tmp/demo/nginx.conf
wait_for n_srv ss -Hltn "sport = :443"

say "1. no rule: curl through the bridge is cut through"
n_cli curl -sk -o /dev/null -w 'client$ curl https://server/ -> HTTP %{http_code}\n' \
	"https://$SRV_IP4/cert.pem"
box flow list

say "2. a reject rule: the SYN gets one RST back, the server never sees it"
box rule add dst "$SRV_IP4" dport 8443 action reject
rc=0
n_cli curl -sSk -o /dev/null "https://$SRV_IP4:8443/" || rc=$?
check "curl to a rejected port fails at once with 'connection refused' (exit 7)" "$rc" -eq 7
box rule list

say "3. rejecting a live TLS download: both ends are reset"
capture_start "$CLI" eth0 "$OUT/demo-client.pcap" tcp port 443
capture_start "$SRV" eth0 "$OUT/demo-server.pcap" tcp port 443
rm -f "$OUT/curl.rc"
{ n_cli curl -sSk --limit-rate 200k -o /dev/null "https://$SRV_IP4/big" \
	2>"$OUT/curl.err" || echo $? >"$OUT/curl.rc"; } &
wait_for n_box "$SSLVCTL" flow list dport 443 state established
id=$(flow_id dport 443 state established)
box flow list dport 443 state established
echo "server# ss -tn state established '( sport = :443 )'"
n_srv ss -Htn state established "( sport = :443 )"
box flow reject "$id"
wait_for test -s "$OUT/curl.rc"
echo "client$ curl: $(cat "$OUT/curl.err")"
check "curl ends with a reset (exit 56)" "$(cat "$OUT/curl.rc")" -eq 56
wait_for test -z "$(n_srv ss -Htn state established '( sport = :443 )')"
check "nginx's side of the connection is gone" \
	"$(n_srv ss -Htn state established '( sport = :443 )' | wc -l)" -eq 0
wait_rsts "$OUT/demo-client.pcap" 1
wait_rsts "$OUT/demo-server.pcap" 1
capture_stop
echo "RST reaching the client (impersonating the server, TTL $SRV_TTL):"
tcpdump -r "$OUT/demo-client.pcap" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null
echo "RST reaching the server (impersonating the client, TTL $CLI_TTL):"
tcpdump -r "$OUT/demo-server.pcap" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null

say "4. what rstscope makes of the client's capture"
"$REPO/tools/rstscope/rstscope" "$OUT/demo-client.pcap"

say "5. plain sockets: the errno each end sees"
rm -f "$OUT/c" "$OUT/s"
n_srv "$SOCK" server 7000 "$OUT/s" &
wait_for grep -q listening "$OUT/s"
n_cli "$SOCK" client "$SRV_IP4" 7000 "$OUT/c" &
wait_for grep -q talked "$OUT/c"
box flow reject "$(flow_id dport 7000)"
wait_for grep -q ^end "$OUT/c"
wait_for grep -q ^end "$OUT/s"
check "client socket: $(grep ^end "$OUT/c")" "$(grep ^end "$OUT/c")" == "end ECONNRESET"
check "server socket: $(grep ^end "$OUT/s")" "$(grep ^end "$OUT/s")" == "end ECONNRESET"

say "counters"
box stats
check "T_ssl_policy_reject: 1 (SYN) + 2 (download) + 2 (sockets)" \
	"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 5
n_srv kill "$(cat /tmp/demo/nginx.pid)"
