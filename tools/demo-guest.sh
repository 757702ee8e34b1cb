#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: client -- [br0 + sslv] -- server, nginx serving
# TLS on the server, curl and plain sockets on the client. Each step prints
# what a user would see; the closing line counts the claims it checked.

source "$(dirname "$0")/../selftests/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# For wait_for, which runs its command again at every try.
no_conn_443() { [[ -z $(n_srv ss -Htn state established '( sport = :443 )') ]]; }
has_flow() { [[ -n $(n_box "$SSLVCTL" flow list "$@") ]]; }
# Both of sslv's RSTs of step 3 are in the JSON monitor's log.
operator_rsts() { (($(grep -c '"event":"rst".*"reason":"operator"' "$OUT/monitor.json") >= 2)); }
sessions_at_least() { (($(grep -c '^session' "$OUT/monitor.txt") >= $1)); }
box() { echo "box# sslvctl $*"; n_box "$SSLVCTL" "$@"; }

say "topology: client $CLI_IP4 -- br0 (sslv) -- server $SRV_IP4"
module_load
topo_up
box mode

say "nginx on the server: TLS on 443 and 8443, and on 9443 asking for a client certificate"
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
	server {
		listen 9443 ssl;
		ssl_protocols TLSv1.2;
		ssl_certificate /tmp/demo/cert.pem;
		ssl_certificate_key /tmp/demo/key.pem;
		ssl_verify_client on;
		ssl_client_certificate /tmp/demo/cert.pem;
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
# sslv's log of what it did, for rstscope in step 4.
n_box "$SSLVCTL" -j monitor >"$OUT/monitor.json" 2>&1 &
json_monitor=$!
sleep 1		# the monitor joins the event group
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
wait_for has_flow dport 443 state established
id=$(flow_id dport 443 state established)
box flow list dport 443 state established
echo "server# ss -tn state established '( sport = :443 )'"
n_srv ss -Htn state established "( sport = :443 )"
box flow reject "$id"
wait_for test -s "$OUT/curl.rc"
echo "client$ curl: $(cat "$OUT/curl.err")"
check "curl ends with a reset (exit 56)" "$(cat "$OUT/curl.rc")" -eq 56
wait_for no_conn_443
check "nginx's side of the connection is gone" \
	"$(n_srv ss -Htn state established '( sport = :443 )' | wc -l)" -eq 0
wait_rsts "$OUT/demo-client.pcap" 1
wait_rsts "$OUT/demo-server.pcap" 1
capture_stop
echo "RST reaching the client (impersonating the server, TTL $SRV_TTL):"
tcpdump -r "$OUT/demo-client.pcap" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null
echo "RST reaching the server (impersonating the client, TTL $CLI_TTL):"
tcpdump -r "$OUT/demo-server.pcap" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null

say "4. what rstscope makes of the client's capture, given sslv's log"
wait_for operator_rsts
kill "$json_monitor"
echo "box# sslvctl -j monitor > monitor.json   (kept running since step 2)"
echo "\$ rstscope --sslv-log monitor.json demo-client.pcap"
"$REPO/tools/rstscope/rstscope" --sslv-log "$OUT/monitor.json" \
	"$OUT/demo-client.pcap" | tee "$OUT/rstscope.txt"
check "rstscope explains the RST the client got as sslv's operator reject" \
	"$(grep -c "| sslv: operator reject (sslvctl flow reject); sslv reset the client in the server's name" \
		"$OUT/rstscope.txt")" -eq 1

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

say "6. TLS policy: a server name refused at its ClientHello; a client certificate"
n_box "$SSLVCTL" monitor >"$OUT/monitor.txt" 2>&1 &
monitor=$!
sleep 1		# the monitor joins the event group
box rule add dport 443 sni '*.blocked.example' action reject
rc=0
n_cli curl -sSk --resolve "www.blocked.example:443:$SRV_IP4" -o /dev/null \
	https://www.blocked.example/ 2>"$OUT/curl.err" || rc=$?
echo "client$ curl https://www.blocked.example/: $(cat "$OUT/curl.err")"
check "curl to a blocked name is reset at its hello (exit 35)" "$rc" -eq 35
n_cli curl -sk --resolve "www.example:443:$SRV_IP4" -o /dev/null \
	-w 'client$ curl https://www.example/ -> HTTP %{http_code}\n' \
	https://www.example/cert.pem
rc=0
n_cli curl -sSk -o /dev/null "https://$SRV_IP4:9443/" 2>"$OUT/curl.err" || rc=$?
echo "client$ curl https://server:9443/: $(cat "$OUT/curl.err")"
check "a server asking for a client certificate: reset (exit 35), undecryptable" \
	"$rc" -eq 35
wait_for sessions_at_least 3
kill "$monitor"
echo "box# sslvctl monitor   (the session log)"
grep '^session' "$OUT/monitor.txt"
check "three sessions logged" "$(grep -c '^session' "$OUT/monitor.txt")" -eq 3

say "counters"
box stats
check "T_ssl_policy_reject: 1 (SYN) + 2 (download) + 2 (sockets) + 2 (name) + 2 (certificate)" \
	"$(stat_get "$BOX" T_ssl_policy_reject)" -eq 9
n_srv kill "$(cat /tmp/demo/nginx.pid)"
