#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TLS server-name policy through the bridge: real clients (curl, openssl
# s_client, gnutls-cli, a python replay of a recorded ClientHello) against
# one real nginx (TLS 1.2 and 1.3, one self-signed certificate).
#
#   sni_reject     an `sni NAME action reject` rule resets every client that
#                  names NAME at its ClientHello: no hello byte reaches the
#                  server, each end gets one RST, the counters count each
#                  flow once; other names get the page
#   session_log    `monitor -j` logged one session per connection of
#                  sni_reject, with its name, versions, action and rule
#   sni_patterns   "*.suffix" matches any name below suffix, in any case,
#                  and not suffix itself
#   sni_list       a 100000-name domain set rejects its names only; a set a
#                  rule uses cannot be deleted
#   alpn_reject    `alpn h2` rejects a client offering h2, not one that
#                  offers only http/1.1
#   split_hello    a ClientHello spanning two segments (client MTU 576) is
#                  read whole: the first segment passes, the second is
#                  dropped and both ends are reset
#   ooo_hello      the same when the second segment arrives first (netem
#                  holds the first back): tls_ooo counts it, and the RST
#                  to the server carries the server's rcv_nxt
#   sni_drop       `action drop` silences the flow from its ClientHello on
#
# Every program started in the guest costs up to a second under TCG, so
# counters and sockets are read from /proc/PID/net of a process inside the
# namespace, and two captures run for the whole test: each scenario whose
# packets are counted has its own server port.

source "$(dirname "$0")/../lib.sh"

P_REJECT=443 P_SPLIT=4435 P_OOO=4436 P_DROP=4437
NGX=$(mktemp -d)
on_exit rm -rf "$NGX"
MON=$OUT/monitor.json
CAP_SRV=$OUT/srv.pcap
CAP_CLI=$OUT/cli.pcap

ctl() { n_box "$SSLVCTL" "$@"; }

# nginx_up: nginx in $SRV serving index.html over TLS 1.2 and 1.3, HTTP/2
# and HTTP/1.1, with a self-signed certificate, on every scenario's port.
nginx_up()
{
	local port

	mkdir -p "$NGX/www"
	echo "tls_sni" >"$NGX/www/index.html"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=sslv.test -keyout "$NGX/key.pem" \
		-out "$NGX/cert.pem" 2>/dev/null
	cat >"$NGX/nginx.conf" <<-EOF
	user root;
	worker_processes 1;
	pid $NGX/nginx.pid;
	error_log $NGX/error.log;
	events { worker_connections 64; }
	http {
		access_log off;
		client_body_temp_path $NGX/body;
		proxy_temp_path $NGX/proxy;
		fastcgi_temp_path $NGX/fastcgi;
		uwsgi_temp_path $NGX/uwsgi;
		scgi_temp_path $NGX/scgi;
		server {
			listen $P_REJECT ssl http2;
			listen $P_SPLIT ssl http2;
			listen $P_OOO ssl http2;
			listen $P_DROP ssl http2;
			ssl_certificate $NGX/cert.pem;
			ssl_certificate_key $NGX/key.pem;
			ssl_protocols TLSv1.2 TLSv1.3;
			root $NGX/www;
		}
	}
	EOF
	n_srv nginx -c "$NGX/nginx.conf" -e "$NGX/error.log"
	wait_for test -s "$NGX/nginx.pid"
	wait_for nginx_listening
}

nginx_listening()
{
	local port

	for port in $P_REJECT $P_SPLIT $P_OOO $P_DROP; do
		(($(srv_sockets $port 0A) == 1)) || return 1
	done
}

# srv_sockets PORT STATE: how many TCP sockets of the server's namespace
# are bound to local PORT in STATE (hex, as /proc/net/tcp: 01 established,
# 0A listen). Read through nginx's /proc/PID/net.
srv_sockets()
{
	local state=$2 n=0 port sl laddr raddr st rest

	printf -v port '%04X' "$1"
	while read -r sl laddr raddr st rest; do
		if [[ $laddr == *:$port && $st == "$state" ]]; then
			n=$((n + 1))
		fi
	done <"/proc/$(<"$NGX/nginx.pid")/net/tcp"
	echo "$n"
}

# srv_conns PORT: established connections the server has on PORT, once
# given up to 2 s to lose them.
srv_conns()
{
	local tries

	for ((tries = 20; tries > 0; tries--)); do
		(($(srv_sockets "$1" 01) == 0)) && break
		sleep 0.1
	done
	srv_sockets "$1" 01
}

# box_up: a process in $BOX, whose /proc/PID/net/sslv_stats are the box's.
box_up()
{
	# ip netns exec execs sleep: $! is the sleep itself.
	ip netns exec "$BOX" sleep 3600 &
	BOX_PID=$!
	wait_for in_box
}

in_box() { [[ /proc/$BOX_PID/ns/net -ef /run/netns/$BOX ]]; }

# st NAME: the box's counter NAME.
st()
{
	local name value

	while read -r name value; do
		[[ $name == "$1" ]] && echo "$value" && return
	done <"/proc/$BOX_PID/net/sslv_stats"
	ksft_fail "st: no counter '$1'"
}

# hits ID: the hit count of rule ID, from `rule list`.
hits()
{
	local line

	while read -r line; do
		if [[ $line =~ ^rule\ $1\ .*\ hits\ ([0-9]+)$ ]]; then
			echo "${BASH_REMATCH[1]}"
		fi
	done <<<"$(ctl rule list)"
}

# new_rule ARGS...: add a rule, print its id.
new_rule()
{
	local out

	out=$(ctl rule add "$@")
	echo "${out#rule }"
}

# fresh: no rules, zero counters.
fresh()
{
	ctl rule flush
	ctl stats reset
}

# fetch NAME [PORT [CURL_OPTION...]]: curl https://NAME:PORT/ at the
# server; prints "EXIT HTTP_CODE", curl's error in $OUT/curl.err.
fetch()
{
	local name=$1 port=${2:-$P_REJECT} code rc=0

	shift $(($# > 1 ? 2 : 1))
	code=$(n_cli curl -sSk -o /dev/null -w '%{http_code}' \
		--resolve "$name:$port:$SRV_IP4" "$@" "https://$name:$port/" \
		2>"$OUT/curl.err") || rc=$?
	echo "$rc $code"
}

# s_client NAME OPTION...: openssl s_client naming NAME; prints its exit
# status, its output in $OUT/s_client.out.
s_client()
{
	local name=$1 rc=0

	shift
	n_cli openssl s_client -connect "$SRV_IP4:$P_REJECT" \
		-servername "$name" "$@" </dev/null >"$OUT/s_client.out" 2>&1 ||
		rc=$?
	echo "$rc"
}

# gnutls NAME: gnutls-cli naming NAME; prints its exit status, its output
# in $OUT/gnutls.out.
gnutls()
{
	local rc=0

	n_cli gnutls-cli --insecure --sni-hostname "$1" -p $P_REJECT \
		"$SRV_IP4" </dev/null >"$OUT/gnutls.out" 2>&1 || rc=$?
	echo "$rc"
}

# has FILE REGEX: 1 if the text of FILE matches the extended REGEX, else 0.
has()
{
	[[ $(<"$1") =~ $2 ]] && echo 1 || echo 0
}

# reset_seen DESC FILE: FILE shows the connection reset by the peer.
reset_seen()
{
	check "$1" "$(has "$2" 'reset by peer|errno=104|pull function')" -eq 1
}

# wire PCAP PORT: the packets of the running capture PCAP to or from the
# server's PORT, one line each, seq numbers absolute, into the array WIRE.
wire()
{
	mapfile -t WIRE <<<"$(tcpdump -r "$1" -nn -S "tcp port $2" 2>/dev/null)"
	[[ -n ${WIRE[0]} ]] || WIRE=()
}

# seen DIR WHAT: how many packets of WIRE go DIR (to-srv: client to server,
# to-cli) and are WHAT: any, syn, data (carry payload), rst.
seen()
{
	local dir=$1 what=$2 line n=0 to

	[[ $dir == to-srv ]] && to=$SRV_IP4 || to=$CLI_IP4
	for line in "${WIRE[@]}"; do
		[[ $line =~ \ \>\ ${to//./\\.}\.[0-9]+: ]] || continue
		case $what in
		syn) [[ $line =~ Flags\ \[S\] ]] || continue ;;
		data) [[ $line =~ length\ [1-9][0-9]*$ ]] || continue ;;
		rst) [[ $line =~ Flags\ \[R ]] || continue ;;
		esac
		n=$((n + 1))
	done
	echo "$n"
}

# wait_seen PCAP PORT DIR WHAT N: give the capture up to 5 s to hold N such
# packets (the checks that follow count them).
wait_seen()
{
	local tries

	for ((tries = 50; tries > 0; tries--)); do
		wire "$1" "$2"
		(($(seen "$3" "$4") >= $5)) && return 0
		sleep 0.1
	done
	return 0
}

# rst_seqs: the seq of each RST toward the server in WIRE, one per line.
rst_seqs()
{
	local line re="> ${SRV_IP4//./\\.}\\.[0-9]+: Flags \\[R.* seq ([0-9]+)"

	for line in "${WIRE[@]}"; do
		if [[ $line =~ $re ]]; then
			echo "${BASH_REMATCH[1]}"
		fi
	done
}

# syn_seq: the seq of the client's SYN in WIRE (the first one).
syn_seq()
{
	local line

	for line in "${WIRE[@]}"; do
		[[ $line =~ Flags\ \[S\],\ seq\ ([0-9]+) ]] &&
			echo "${BASH_REMATCH[1]}" && return
	done
}

sni_reject()
{
	local rule line
	local -A ports=()

	fresh
	rule=$(new_rule dport $P_REJECT sni blocked.sslv.test action reject)
	echo "$rule" >"$OUT/reject.rule"

	check "curl blocked: exit, status" "$(fetch blocked.sslv.test)" \
		== "35 000"
	reset_seen "curl blocked: reset by peer" "$OUT/curl.err"
	check "s_client -tls1_2 blocked: exit" \
		"$(s_client blocked.sslv.test -tls1_2)" -eq 1
	reset_seen "s_client -tls1_2 blocked: reset" "$OUT/s_client.out"
	check "s_client -tls1_2 blocked: no handshake" \
		"$(has "$OUT/s_client.out" 'handshake has read 0 bytes')" -eq 1
	check "s_client -tls1_3 blocked: exit" \
		"$(s_client blocked.sslv.test -tls1_3)" -eq 1
	reset_seen "s_client -tls1_3 blocked: reset" "$OUT/s_client.out"
	check "s_client -tls1_3 blocked: no handshake" \
		"$(has "$OUT/s_client.out" 'handshake has read 0 bytes')" -eq 1
	check "gnutls-cli blocked: exit" "$(gnutls blocked.sslv.test)" -eq 1
	reset_seen "gnutls-cli blocked: reset" "$OUT/gnutls.out"
	check "gnutls-cli blocked: no handshake" \
		"$(has "$OUT/gnutls.out" 'Handshake was completed')" -eq 0

	wait_seen "$CAP_SRV" $P_REJECT to-srv rst 4
	check "server: connections opened" "$(seen to-srv syn)" -eq 4
	check "server: client segments with payload" "$(seen to-srv data)" \
		-eq 0
	check "server: RSTs toward nginx" "$(seen to-srv rst)" -eq 4
	for line in "${WIRE[@]}"; do
		if [[ $line =~ \.([0-9]+)\ \>\ ${SRV_IP4//./\\.}\..*Flags\ \[R ]]; then
			ports[${BASH_REMATCH[1]}]=1
		fi
	done
	check "server: connections with an RST" "${#ports[@]}" -eq 4
	wait_seen "$CAP_CLI" $P_REJECT to-cli rst 4
	check "client: RSTs from the server's side" "$(seen to-cli rst)" -eq 4
	check "server: no connection left" "$(srv_conns $P_REJECT)" -eq 0

	check "tls_rejected" "$(st tls_rejected)" -eq 4
	check "T_ssl_policy_reject" "$(st T_ssl_policy_reject)" -eq 8
	check "tls_client_hello" "$(st tls_client_hello)" -eq 4
	check "rule hits" "$(hits "$rule")" -eq 4

	check "curl allowed: exit, status" "$(fetch allowed.sslv.test)" \
		== "0 200"
	check "curl --tls-max 1.2 allowed: exit, status" \
		"$(fetch allowed.sslv.test $P_REJECT --tls-max 1.2)" == "0 200"
	check "tls_client_hello, allowed ones too" \
		"$(st tls_client_hello)" -eq 6
	check "tls_rejected, allowed ones too" "$(st tls_rejected)" -eq 4
	check "rule hits, allowed ones too" "$(hits "$rule")" -eq 4
	check "tls_sessions" "$(st tls_sessions)" -eq 6
}

# monitor_start: `sslvctl -j monitor` into $MON, returning once it listens.
monitor_start()
{
	# ip netns exec execs sslvctl: $! is the monitor itself.
	ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$MON" &
	MON_PID=$!
	wait_for grep -q skb_wait "/proc/$MON_PID/wchan"
}

# sessions: one line per session event of $MON: "SNI CLIENT-VERSION
# TLS-VERSION ACTION RULE REASON", "-" for what it lacks.
sessions()
{
	/usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "session":
        print(*[e.get(k, "-") for k in ("sni", "client_version",
                "tls_version", "action", "rule", "reason")])
' "$MON"
}

# sessions_logged N: $MON holds N session events or more.
sessions_logged()
{
	local line n=0

	while read -r line; do
		if [[ $line == '{"event":"session",'* ]]; then
			n=$((n + 1))
		fi
	done <"$MON"
	((n >= $1))
}

session_log()
{
	local rule want

	rule=$(<"$OUT/reject.rule")
	wait_for sessions_logged 6
	kill "$MON_PID"
	want="blocked.sslv.test 1.3 - reject $rule rule
blocked.sslv.test 1.2 - reject $rule rule
blocked.sslv.test 1.3 - reject $rule rule
blocked.sslv.test 1.3 - reject $rule rule
allowed.sslv.test 1.3 1.3 cut - -
allowed.sslv.test 1.2 1.2 cut - -"
	check "sessions: one per connection, sni, versions, action, rule" \
		"$(sessions)" == "$want"
}

sni_patterns()
{
	local rule

	fresh
	rule=$(new_rule dport $P_REJECT sni '*.corp.sslv.test' action reject)
	check "a.corp.sslv.test: reset" "$(fetch a.corp.sslv.test)" \
		== "35 000"
	check "A.B.CORP.sslv.test: exit" "$(s_client A.B.CORP.sslv.test)" -eq 1
	reset_seen "A.B.CORP.sslv.test: reset" "$OUT/s_client.out"
	check "corp.sslv.test: passes" "$(fetch corp.sslv.test)" == "0 200"
	check "xcorp.sslv.test: passes" "$(fetch xcorp.sslv.test)" == "0 200"
	check "patterns: tls_rejected" "$(st tls_rejected)" -eq 2
	check "patterns: rule hits" "$(hits "$rule")" -eq 2
}

sni_list()
{
	local file=$NGX/bad.txt rule t0 t1 rc=0 err

	fresh
	# 100000 names, every 20000th a "*." wildcard.
	awk 'BEGIN {
		for (i = 0; i < 100000; i++)
			if (i % 20000 == 7)
				print "*.w" i ".bad.sslv.test"
			else
				print "n" i ".bad.sslv.test"
	}' >"$file"
	t0=${EPOCHREALTIME/./}
	ctl domains load bad "$file"
	t1=${EPOCHREALTIME/./}
	echo "domains load of 100000 names: $(((t1 - t0) / 1000)) ms"
	check "domains: the set" "$(ctl domains)" == "domains bad size 100000"
	rule=$(new_rule dport $P_REJECT sni-list bad action reject)

	check "n50000.bad.sslv.test: reset" "$(fetch n50000.bad.sslv.test)" \
		== "35 000"
	check "x.w40007.bad.sslv.test: reset" \
		"$(fetch x.w40007.bad.sslv.test)" == "35 000"
	check "n100000.bad.sslv.test: passes" \
		"$(fetch n100000.bad.sslv.test)" == "0 200"
	check "sni-list: tls_rejected" "$(st tls_rejected)" -eq 2
	check "sni-list: rule hits" "$(hits "$rule")" -eq 2

	err=$(ctl domains del bad 2>&1) || rc=$?
	check "domains del of a used set: exit" "$rc" -eq 2
	check "domains del of a used set: error" "$err" == \
		"Error: a rule uses this domain set (Device or resource busy)"
	check "domains: still there" "$(ctl domains)" == \
		"domains bad size 100000"
	ctl rule flush
	check_run "domains del after rule flush" ctl domains del bad
	check "domains: none left" "$(ctl -j domains)" == "[]"
}

alpn_reject()
{
	local rule

	fresh
	rule=$(new_rule dport $P_REJECT alpn h2 action reject)
	check "curl --http2: reset" \
		"$(fetch h2.sslv.test $P_REJECT --http2)" == "35 000"
	reset_seen "curl --http2: reset by peer" "$OUT/curl.err"
	check "curl --http1.1: passes" \
		"$(fetch h2.sslv.test $P_REJECT --http1.1)" == "0 200"
	check "alpn: tls_rejected" "$(st tls_rejected)" -eq 1
	check "alpn: rule hits" "$(hits "$rule")" -eq 1
}

# OpenSSL pads a ClientHello of 256-511 bytes to 512: only a long server
# name (225 bytes here) takes curl's hello past one 536-byte segment.
split_hello()
{
	local label=split-the-client-hello-across-two-segments-of-mss-536
	local name=$label.$label.$label.$label.sslv.test rule line mss=

	fresh
	rule=$(new_rule dport $P_SPLIT sni "$name" action reject)
	# Without segmentation offload the client's TCP cuts the segments.
	ip -n "$CLI" link set eth0 mtu 576
	n_cli ethtool -K eth0 tso off gso off

	check "split: curl reset" "$(fetch "$name" $P_SPLIT)" == "35 000"
	reset_seen "split: curl reset by peer" "$OUT/curl.err"
	ip -n "$CLI" link set eth0 mtu 1500
	n_cli ethtool -K eth0 tso on gso on

	wait_seen "$CAP_CLI" $P_SPLIT to-cli rst 1
	for line in "${WIRE[@]}"; do
		[[ $line =~ Flags\ \[S\],.*mss\ ([0-9]+) ]] &&
			mss=${BASH_REMATCH[1]}
	done
	check "split: MSS the client announced" "$mss" -eq 536
	check "split: hello segments the client sent" "$(seen to-srv data)" \
		-eq 2
	check "split: RSTs to the client" "$(seen to-cli rst)" -eq 1
	wait_seen "$CAP_SRV" $P_SPLIT to-srv rst 1
	check "split: hello segments the server got" "$(seen to-srv data)" \
		-eq 1
	# The server ACKs the first part: if that ACK crosses the RSTs, the
	# rejected flow answers it with one more RST.
	check "split: RSTs toward nginx, one plus one per turnaround" \
		"$(seen to-srv rst)" -eq $((1 + $(st rst_turnaround)))
	check "split: RSTs toward nginx at its rcv_nxt" \
		"$(rst_seqs | sort -u)" == "$(($(syn_seq) + 1 + 524))"
	check "split: server has no connection left" "$(srv_conns $P_SPLIT)" \
		-eq 0
	check "split: tls_rejected" "$(st tls_rejected)" -eq 1
	check "split: tls_client_hello" "$(st tls_client_hello)" -eq 1
	check "split: T_ssl_policy_reject" "$(st T_ssl_policy_reject)" -eq 2
	check "split: tls_ooo" "$(st tls_ooo)" -eq 0
	check "split: rule hits" "$(hits "$rule")" -eq 1
}

# replay FILE CUT: connect to the server, send the ClientHello recorded in
# FILE as two segments split at byte CUT, print how the connection ended.
replay()
{
	n_cli /usr/bin/python3 -c 'import errno, socket, sys
path, cut = sys.argv[3], int(sys.argv[4])
hello = bytes.fromhex("".join(l.strip() for l in open(path)
                              if not l.startswith("#")))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.send(hello[:cut])
s.send(hello[cut:])
try:
    print("EOF" if not s.recv(4096) else "DATA")
except socket.timeout:
    print("TIMEOUT")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
' "$SRV_IP4" $P_OOO "$1" "$2"
}

# The first 300 bytes of curl's recorded 517-byte hello (a 352-byte IP
# packet with the timestamp option) are held back 100 ms by netem, so the
# other 217 overtake them. Loss recovery (SACK, RACK, tail loss probes) is
# off in the client so that nothing is sent again meanwhile.
ooo_hello()
{
	local hex=$REPO/selftests/unit/data/curl-client.hex rule

	fresh
	rule=$(new_rule dport $P_OOO sni curl.sslv.test action reject)
	modprobe -a sch_prio sch_netem cls_u32
	n_cli sysctl -qw net.ipv4.tcp_sack=0 net.ipv4.tcp_recovery=0 \
		net.ipv4.tcp_early_retrans=0
	n_cli tc qdisc add dev eth0 root handle 1: prio
	n_cli tc qdisc add dev eth0 parent 1:1 handle 10: netem delay 100ms
	n_cli tc filter add dev eth0 parent 1: protocol ip prio 1 u32 \
		match ip protocol 6 0xff match u16 352 0xffff at 2 flowid 1:1

	check "ooo: client's socket error" "$(replay "$hex" 300)" \
		== ECONNRESET
	n_cli tc qdisc del dev eth0 root
	n_cli sysctl -qw net.ipv4.tcp_sack=1 net.ipv4.tcp_recovery=1 \
		net.ipv4.tcp_early_retrans=3

	wait_seen "$CAP_SRV" $P_OOO to-srv rst 1
	check "ooo: hello segments the server got" "$(seen to-srv data)" -eq 1
	check "ooo: the part that got through" \
		"$(printf '%s\n' "${WIRE[@]}" | grep -o 'length [1-9][0-9]*')" \
		== "length 217"
	check "ooo: RSTs toward nginx" "$(seen to-srv rst)" -eq 1
	check "ooo: the RST toward nginx at its rcv_nxt" \
		"$(rst_seqs | head -n 1)" == "$(($(syn_seq) + 1))"
	check "ooo: server has no connection left" "$(srv_conns $P_OOO)" -eq 0
	check "ooo: tls_ooo" "$(st tls_ooo)" -eq 1
	check "ooo: tls_client_hello" "$(st tls_client_hello)" -eq 1
	check "ooo: tls_rejected" "$(st tls_rejected)" -eq 1
	check "ooo: T_ssl_policy_reject" "$(st T_ssl_policy_reject)" -eq 2
	check "ooo: rule hits" "$(hits "$rule")" -eq 1
}

sni_drop()
{
	local rule

	fresh
	rule=$(new_rule dport $P_DROP sni dropped.sslv.test action drop)
	check "drop: curl times out" \
		"$(fetch dropped.sslv.test $P_DROP -m 3)" == "28 000"
	wire "$CAP_CLI" $P_DROP
	check "drop: the client sent its hello" "$(seen to-srv data)" -ge 1
	check "drop: the client got the SYN-ACK only" "$(seen to-cli any)" -eq 1
	wire "$CAP_SRV" $P_DROP
	check "drop: the server got the SYN and the ACK only" \
		"$(seen to-srv any)" -eq 2
	check "drop: tls_dropped" "$(st tls_dropped)" -eq 1
	check "drop: tls_rejected" "$(st tls_rejected)" -eq 0
	check "drop: rule hits" "$(hits "$rule")" -eq 1
}

# First match wins across address rules and TLS rules: an address-only cut
# before a TLS reject lets the name through; a TLS rule that does not match
# falls through to the address-only reject after it, which then decides at
# the hello (the SYN passed: it could not know yet).
rule_order()
{
	local cut tls reject

	fresh
	cut=$(new_rule dport $P_REJECT src "$CLI_IP4" action cut)
	tls=$(new_rule dport $P_REJECT sni blocked.sslv.test action reject)
	check "order: cut first: the name passes" \
		"$(fetch blocked.sslv.test)" == "0 200"
	check "order: cut first: hits" "$(hits "$cut") $(hits "$tls")" == "1 0"

	fresh
	tls=$(new_rule dport $P_REJECT sni other.sslv.test action cut)
	reject=$(new_rule dport $P_REJECT action reject)
	check "order: the TLS cut decides its name" \
		"$(fetch other.sslv.test)" == "0 200"
	check "order: another name falls to the reject" \
		"$(fetch blocked.sslv.test)" == "35 000"
	reset_seen "order: reset by peer, at the hello" "$OUT/curl.err"
	check "order: hits" "$(hits "$tls") $(hits "$reject")" == "1 1"
	check "order: tls_rejected" "$(st tls_rejected)" -eq 1
	check "order: syn_rejected" "$(st syn_rejected)" -eq 0
}

module_load
topo_up
box_up
nginx_up
capture_start "$SRV" eth0 "$CAP_SRV" tcp
capture_start "$CLI" eth0 "$CAP_CLI" tcp

monitor_start
sni_reject
session_log
sni_patterns
sni_list
alpn_reject
split_hello
ooo_hello
sni_drop
rule_order
