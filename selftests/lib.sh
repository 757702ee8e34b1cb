# SPDX-License-Identifier: GPL-2.0
#
# selftests/lib.sh: sourced by every test script under selftests/net/.
#
# Topology (topo_up): three network namespaces, a client and a server joined
# by a bridge box that bridges two veth ports; the bridge has no address.
#
#   $CLI eth0 ---- $PORT_CLI [br0 in $BOX] $PORT_SRV ---- eth0 $SRV
#   10.0.1.1/24 fd00::1/64                        10.0.1.2/24 fd00::2/64
#   TTL/hop limit 64                              TTL/hop limit 128
#
# With "topo_up vlan VID" the addresses sit on eth0.VID at both ends and the
# bridge carries tagged frames. With "topo_up access VID" br0 filters VLANs:
# $PORT_CLI is an access port (PVID VID, untagged) and the client untagged,
# $PORT_SRV a trunk (VID tagged) and the server's addresses on eth0.VID. $IPS names the namespace an inline IPS will
# sit in. Files a test writes to $OUT come back to the host: the runner keeps
# them under build/results/<test>/.
#
# Checks count passes and failures and do not stop the test; at exit the
# test prints "N passed, N failed" and exits 0, 1 (a failure, or the script
# stopped on an error) or 4 (ksft_skip).

set -eEuo pipefail

REPO=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
TEST=$(basename "$0" .sh)
OUT=${SSLV_OUT:-$(mktemp -d)}

NS=sslv-$TEST-$$
CLI=$NS-cli
BOX=$NS-box
SRV=$NS-srv
IPS=$NS-ips
PORT_CLI=veth-cli
PORT_SRV=veth-srv
CLI_IP4=10.0.1.1 SRV_IP4=10.0.1.2
CLI_IP6=fd00::1 SRV_IP6=fd00::2
CLI_TTL=64 SRV_TTL=128

passed=0
failed=0
topo=()
captures=()
exit_hooks=()
module_loaded=

n_cli() { ip netns exec "$CLI" "$@"; }
n_box() { ip netns exec "$BOX" "$@"; }
n_srv() { ip netns exec "$SRV" "$@"; }

# on_exit CMD...: run CMD when the test ends (last registered, first run).
on_exit() { exit_hooks+=("$(printf '%q ' "$@")"); }

ksft_pass() { exit 0; }
ksft_fail() { echo "FAIL: $*" >&2; exit 1; }
ksft_skip() { echo "SKIP: $*" >&2; exit 4; }

# check DESC SEEN OP WANT: passes when `test SEEN OP WANT` holds, OP being
# one of == != -eq -ne -lt -le -gt -ge.
check()
{
	local desc=$1 seen=$2 op=$3 want=$4

	case $op in
	==|!=|-eq|-ne|-lt|-le|-gt|-ge) ;;
	*) ksft_fail "check: unknown operator '$op'" ;;
	esac
	if test "$seen" "$op" "$want" 2>/dev/null; then
		echo "ok: $desc ($seen)"
		passed=$((passed + 1))
	else
		echo "FAIL: $desc: expected $op $want, saw '$seen'"
		failed=$((failed + 1))
	fi
}

# check_run DESC CMD...: passes when CMD exits 0.
check_run()
{
	local desc=$1 rc=0

	shift
	"$@" || rc=$?
	if ((rc == 0)); then
		echo "ok: $desc"
		passed=$((passed + 1))
	else
		echo "FAIL: $desc: expected '$*' to succeed, it exited $rc"
		failed=$((failed + 1))
	fi
}

# poll [-t SECONDS] CMD...: whether CMD, tried every 0.1 s, succeeds within
# SECONDS (default 5); for check_run, or to wait without failing.
poll()
{
	local timeout=5 tries

	if [[ $1 == -t ]]; then
		timeout=$2
		shift 2
	fi
	for ((tries = timeout * 10; tries > 0; tries--)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_for [-t SECONDS] CMD...: poll CMD until it succeeds (default 10 s,
# times SSLV_TIMEOUT_SCALE on a slow kernel); fail the test if it never does.
wait_for()
{
	local timeout=10

	if [[ $1 == -t ]]; then
		timeout=$2
		shift 2
	fi
	timeout=$((timeout * ${SSLV_TIMEOUT_SCALE:-1}))
	poll -t "$timeout" "$@" ||
		ksft_fail "wait_for: '$*' still failing after $timeout s"
}

# listening NS PORT: whether a TCP socket in NS listens on PORT.
listening()
{
	[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]
}

# topo_up [vlan VID | access VID]: build the topology drawn above.
topo_up()
{
	local vid= dev=eth0 ns port access=

	while (($#)); do
		case $1 in
		vlan) vid=$2; dev=eth0.$vid; shift 2 ;;
		access) access=$2; shift 2 ;;
		*) ksft_fail "topo_up: unknown argument '$1'" ;;
		esac
	done
	modprobe -a bridge veth ${vid:+8021q} ${access:+8021q}

	for ns in "$CLI" "$BOX" "$SRV"; do
		ip netns add "$ns"
		topo+=("$ns")
		ip -n "$ns" link set lo up
	done

	n_box sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$BOX" link add br0 type bridge forward_delay 0 \
		${access:+vlan_filtering 1}
	ip -n "$CLI" link add eth0 type veth peer name "$PORT_CLI" netns "$BOX"
	ip -n "$SRV" link add eth0 type veth peer name "$PORT_SRV" netns "$BOX"
	for port in "$PORT_CLI" "$PORT_SRV"; do
		ip -n "$BOX" link set "$port" master br0 up
	done
	if [[ -n $access ]]; then
		n_box bridge vlan del dev "$PORT_CLI" vid 1
		n_box bridge vlan add dev "$PORT_CLI" vid "$access" pvid untagged
		n_box bridge vlan del dev "$PORT_SRV" vid 1
		n_box bridge vlan add dev "$PORT_SRV" vid "$access"
	fi
	ip -n "$BOX" link set br0 up

	topo_end "$CLI" "$dev" "$vid" "$CLI_IP4" "$CLI_IP6" "$CLI_TTL"
	[[ -z $access ]] || { vid=$access; dev=eth0.$access; }
	topo_end "$SRV" "$dev" "$vid" "$SRV_IP4" "$SRV_IP6" "$SRV_TTL"
	wait_for n_cli busybox ping -c 1 -W 1 "$SRV_IP4"
	wait_for n_cli busybox ping6 -c 1 -W 1 "$SRV_IP6"
}

# topo_end NS DEV VID IP4 IP6 TTL: one endpoint's addresses and TTLs.
topo_end()
{
	local ns=$1 dev=$2 vid=$3 ip4=$4 ip6=$5 ttl=$6

	ip netns exec "$ns" sysctl -qw net.ipv4.ip_default_ttl="$ttl" \
		net.ipv6.conf.all.hop_limit="$ttl" \
		net.ipv6.conf.default.hop_limit="$ttl"
	ip -n "$ns" link set eth0 up
	if [[ -n $vid ]]; then
		ip -n "$ns" link add link eth0 name "$dev" type vlan id "$vid"
		ip -n "$ns" link set "$dev" up
	fi
	ip netns exec "$ns" sysctl -qw net/ipv6/conf/eth0/hop_limit="$ttl" \
		net/ipv6/conf/"$dev"/hop_limit="$ttl"
	ip -n "$ns" addr add "$ip4/24" dev "$dev"
	ip -n "$ns" addr add "$ip6/64" dev "$dev" nodad
}

# topo_down: end the processes left in the namespaces, delete them.
topo_down()
{
	local ns

	for ns in "${topo[@]}"; do
		ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
		ip netns del "$ns"
	done
	topo=()
}

# capture_start NS DEV FILE [FILTER...]: tcpdump on DEV in NS into FILE,
# returning once tcpdump listens. capture_stop ends every capture.
capture_start()
{
	local ns=$1 dev=$2 file=$3

	shift 3
	# --immediate-mode: without it tcpdump reads the kernel's ring a block
	# at a time, and the frames of a block not yet handed over when it is
	# stopped are counted "received by filter" but never written.
	ip netns exec "$ns" tcpdump -i "$dev" -U --immediate-mode -Z root \
		-w "$file" "$@" 2>"$file.log" &
	captures+=($!)
	wait_for grep -q "listening on" "$file.log"
}

capture_stop()
{
	local pid

	for pid in "${captures[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" || true
	done
	captures=()
}

# pkts FILE FILTER...: how many packets in FILE match the tcpdump FILTER.
pkts()
{
	local file=$1

	shift
	tcpdump -r "$file" -nn "$@" 2>/dev/null | wc -l
}

# pcap_ms FILE FROM TO: milliseconds from the first packet in FILE matching
# the tcpdump filter FROM to the first matching TO, or "none" when either
# is missing.
pcap_ms()
{
	local file=$1 a b

	a=$(tcpdump -r "$file" -nn -tt -c 1 "$2" 2>/dev/null | cut -d' ' -f1)
	b=$(tcpdump -r "$file" -nn -tt -c 1 "$3" 2>/dev/null | cut -d' ' -f1)
	awk -v a="$a" -v b="$b" \
		'BEGIN { if (a == "" || b == "") print "none"; else printf "%d", (b - a) * 1000 }'
}

# stat_get NS NAME: the counter NAME from /proc/net/sslv_stats in NS.
stat_get()
{
	ip netns exec "$1" awk -v name="$2" \
		'$1 == name { print $2; found = 1 } END { exit !found }' \
		/proc/net/sslv_stats || ksft_fail "stat_get: no counter '$2'"
}

# module_load [PARAM=VALUE...]: insmod kmod/sslv.ko after the modules it
# and the tests need. module_unload removes it.
module_load()
{
	local ko=$REPO/build/$(uname -r)/sslv.ko

	[[ -e $ko ]] || ksft_fail "module_load: $ko is not built"
	modprobe -a bridge veth 8021q nf_reject_ipv4 nf_reject_ipv6 \
		$(modinfo -F depends "$ko" | tr , ' ')
	insmod "$ko" "$@"
	module_loaded=1
}

module_unload()
{
	rmmod sslv
	module_loaded=
}

cleanup()
{
	local rc=$? i

	set +eE
	trap - ERR
	for ((i = ${#exit_hooks[@]} - 1; i >= 0; i--)); do
		eval "${exit_hooks[i]}"
	done
	capture_stop
	topo_down
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	if [[ -n $module_loaded ]] && ! rmmod sslv; then
		echo "FAIL: cleanup: rmmod sslv failed"
		failed=$((failed + 1))
	fi

	if ((rc != 0 && rc != 4)); then
		failed=$((failed + 1))
	fi
	echo "$passed passed, $failed failed"
	if ((failed > 0)); then
		exit 1
	fi
	exit "$rc"
}

trap cleanup EXIT
# A failing command is named, except in a background job that the test
# stopped on purpose (SIGTERM, 143).
trap 'err_rc=$?; ((err_rc == 143 && BASHPID != $$)) ||
	echo "error: ${BASH_SOURCE[0]}:$LINENO: \"$BASH_COMMAND\" exited $err_rc" >&2' ERR

# ---- sslv helpers ---------------------------------------------------------

SSLVCTL=$REPO/userspace/sslvctl/sslvctl
SOCK=$REPO/selftests/net/sock.py
CRAFT=$REPO/selftests/net/craft.py

# mtls_nginx_up: one nginx in $SRV, three TLS servers for $NAME with a
# self-signed certificate, its files in $W:
#   443   TLS 1.2 only, asks for a client certificate
#   4443  TLS 1.2 and 1.3, asks for a client certificate
#   8443  TLS 1.2 and 1.3, no client certificate
mtls_nginx_up()
{
	n_srv openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 2 \
		-subj "/CN=$NAME" 2>/dev/null
	cat >"$W/nginx.conf" <<-EOF
	daemon off;
	master_process off;
	pid $W/nginx.pid;
	error_log $W/nginx.err;
	events {}
	http {
		access_log off;
		client_body_temp_path $W/body;
		proxy_temp_path $W/proxy;
		ssl_certificate $W/cert.pem;
		ssl_certificate_key $W/key.pem;
		server {
			listen 443 ssl;
			ssl_protocols TLSv1.2;
			ssl_verify_client on;
			ssl_client_certificate $W/cert.pem;
			location / { return 200 "ok\n"; }
		}
		server {
			listen 4443 ssl;
			ssl_protocols TLSv1.2 TLSv1.3;
			ssl_verify_client on;
			ssl_client_certificate $W/cert.pem;
			location / { return 200 "ok\n"; }
		}
		server {
			listen 8443 ssl;
			ssl_protocols TLSv1.2 TLSv1.3;
			location / { return 200 "ok\n"; }
		}
	}
	EOF
	ip netns exec "$SRV" nginx -c "$W/nginx.conf" -e "$W/nginx.err" &
	wait_for listening "$SRV" 443
	wait_for listening "$SRV" 4443
	wait_for listening "$SRV" 8443
}

# curl_get SPORT PORT [CURL ARGS...]: GET https://$NAME:PORT/ from source
# port SPORT; sets CURL_RC, CURL_CODE (HTTP status) and CURL_ERR (stderr).
curl_get()
{
	local sport=$1 port=$2

	shift 2
	CURL_RC=0
	CURL_CODE=$(n_cli curl -sSk -m 10 --local-port "$sport" \
		--resolve "$NAME:$port:$SRV_IP4" -o /dev/null -w '%{http_code}' \
		"$@" "https://$NAME:$port/" 2>"$W/curl.err") || CURL_RC=$?
	CURL_ERR=$(cat "$W/curl.err")
}

# ---- decrypt: sslvd between real TLS peers --------------------------------
#
# What the tests of action decrypt (and of sslvd alone) share: a scratch
# directory, the test CAs and server certificates, nginx serving them,
# sslvd in $BOX and the box's routing around it, and ways to look at what
# the client was shown. The files live in $W; a test may `cd "$W"`.

SSLVD=${SSLVD:-$REPO/userspace/sslvd/sslvd}
SSLVD_PORT=8443
SSLVD_MARK=0x5c1d

# sslvd_require: skip the test unless sslvd is built and kTLS is there.
sslvd_require()
{
	[[ -x $SSLVD ]] || ksft_skip "no $SSLVD (make userspace)"
	modprobe tls 2>/dev/null || ksft_skip "no tls module"
	[[ -r /proc/net/tls_stat ]] || ksft_skip "no /proc/net/tls_stat"
}

# workdir_up: a scratch directory $W that every namespace's daemons can
# read (nginx drops to nobody), removed when the test ends.
workdir_up()
{
	W=$(mktemp -d)
	chmod 755 "$W"
	on_exit rm -rf "$W"
}

# tls_ca NAME CN: a P-256 CA, $W/NAME.crt and $W/NAME.key, for 30 days.
tls_ca()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$W/$1.key" -out "$W/$1.crt" -days 30 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# tls_leaf NAME CA [X509-ARGS...]: $W/NAME.crt and .key, subject
# "CN=server.test, O=sslv test", SAN DNS:server.test, signed by $W/CA for
# 10 days; X509-ARGS go to `openssl x509 -req` (after -days 10).
tls_leaf()
{
	local name=$1 ca=$2

	shift 2
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$W/$name.key" -out "$W/$name.csr" \
		-subj "/CN=server.test/O=sslv test" 2>/dev/null
	printf 'subjectAltName=DNS:server.test\n' >"$W/$name.ext"
	openssl x509 -req -in "$W/$name.csr" -CA "$W/$ca.crt" \
		-CAkey "$W/$ca.key" -CAcreateserial -days 10 "$@" \
		-extfile "$W/$name.ext" -out "$W/$name.crt" 2>/dev/null
}

# decrypt_pki: the certificates of a decrypt test, in $W:
#   box        the box CA sslvd forges leaves with (clients trust it)
#   untrusted  the CA of leaves for servers sslvd could not verify
#   srvca      the server's CA, in sslvd's trust store (srvca.crt)
#   other      a CA sslvd does not trust
#   srv        server.test's certificate from srvca
#   odd        server.test's certificate from other
decrypt_pki()
{
	tls_ca box "sslv test box CA"
	tls_ca untrusted "sslv test untrusted CA"
	tls_ca srvca "sslv test server CA"
	tls_ca other "sslv test other CA"
	tls_leaf srv srvca
	tls_leaf odd other
}

# decrypt_nginx_up [CONF...]: nginx in $SRV serving $W/www, where "hello"
# holds "hello from nginx":
#   443 (IPv4 and IPv6)  with srv (a server sslvd verifies)
#   4443                 with odd (one it does not)
# Each CONF argument is more nginx configuration inside http {} (e.g. a
# server block); the test waits for its ports. The access log,
# $W/access.log, has one line a request:
#   CLIENT-ADDR PROTOCOL CIPHER PORT REQUEST-LINE
# e.g. "10.0.1.1 TLSv1.3 TLS_AES_256_GCM_SHA384 443 GET /hello HTTP/1.1".
decrypt_nginx_up()
{
	local extra

	mkdir -p "$W/www" "$W/tmp"
	echo "hello from nginx" >"$W/www/hello"
	extra=$(printf '%s\n' "$@")
	cat >"$W/nginx.conf" <<-EOF
	daemon off;
	master_process off;
	pid $W/nginx.pid;
	error_log $W/nginx.err;
	events {}
	http {
		log_format peer '\$remote_addr \$ssl_protocol \$ssl_cipher \$server_port \$request';
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
	$extra
	}
	EOF
	ip netns exec "$SRV" nginx -c "$W/nginx.conf" -e "$W/nginx.err" &
	wait_for listening "$SRV" 443
	wait_for listening "$SRV" 4443
}

# tproxy_topo_up PORT...: sslvd without the module, on a routed box whose nft
# tproxy rule hands the client's connections to PORT... to sslvd's listener
# ($SSLVD_PORT) and marks the server's answers to sslvd's sockets:
#
#   $CLI eth0 10.0.1.1 ---- b0 [$BOX, sslvd] b1 ---- eth0 10.0.2.1 $SRV
#            fd00:1::1        10.0.1.254  10.0.2.254          fd00:2::1
#
# The ends' addresses are $CLI4, $CLI6, $SRV4 and $SRV6.
SRV4=10.0.2.1 SRV6=fd00:2::1 CLI4=10.0.1.1 CLI6=fd00:1::1
tproxy_topo_up()
{
	local ports ns p4 p6 h dev e

	ports=$(IFS=,; echo "$*")
	modprobe -a veth nft_tproxy nft_socket nf_tproxy_ipv4 nf_tproxy_ipv6
	for ns in "$CLI" "$BOX" "$SRV"; do
		ip netns add "$ns"
		topo+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip -n "$CLI" link add eth0 type veth peer name b0 netns "$BOX"
	ip -n "$SRV" link add eth0 type veth peer name b1 netns "$BOX"
	n_box sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for dev in b0 b1; do ip -n "$BOX" link set "$dev" up; done
	ip -n "$BOX" addr add 10.0.1.254/24 dev b0
	ip -n "$BOX" addr add fd00:1::fe/64 dev b0 nodad
	ip -n "$BOX" addr add 10.0.2.254/24 dev b1
	ip -n "$BOX" addr add fd00:2::fe/64 dev b1 nodad
	for e in "$CLI 10.0.1 fd00:1 1" "$SRV 10.0.2 fd00:2 1"; do
		read -r ns p4 p6 h <<<"$e"
		ip -n "$ns" link set eth0 up
		ip -n "$ns" addr add "$p4.$h/24" dev eth0
		ip -n "$ns" addr add "$p6::$h/64" dev eth0 nodad
		ip -n "$ns" route add default via "$p4.254"
		ip -n "$ns" -6 route add default via "$p6::fe"
	done
	wait_for n_cli busybox ping -c 1 -W 1 "$SRV4"
	wait_for n_cli busybox ping6 -c 1 -W 1 "$SRV6"
	n_box nft -f - <<-EOF
	table inet divert {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			meta l4proto tcp socket transparent 1 meta mark set $SSLVD_MARK accept
			meta l4proto tcp tcp dport { $ports } tproxy to :$SSLVD_PORT meta mark set $SSLVD_MARK accept
		}
	}
	EOF
}

# decrypt_box_up: for a stand-in of sslvd (decrypt.py relay), part of
# what sslvd sets up itself: a way to the ends out of br0 (in the main
# table here), IPv6 on br0 (no address) and lo, no rp_filter, and
# br_netfilter kept out of the box's IP hooks (the module keeps diverted
# frames from it anyway).
decrypt_box_up()
{
	n_box sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.br0.rp_filter=0
	ip -n "$BOX" link set br0 addrgenmode none
	n_box sysctl -qw net.ipv6.conf.br0.accept_dad=0 \
		net.ipv6.conf.br0.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0
	n_box ip route add 10.0.1.0/24 dev br0
	n_box ip -6 route add fd00::/64 dev br0
	if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
		n_box sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0
	fi
}

# sslvd_up [ARGS...]: sslvd in $BOX, in the foreground of a background job
# (its pid in $SSLVD_PID, its log $W/sslvd.log), with decrypt_pki's CAs,
# srvca as its trust store, listening on $SSLVD_PORT; returns once it
# listens. ARGS add to or override $SSLVD_ARGS, the common part (e.g.
# --mark "$SSLVD_MARK" under the module, --no-module without it).
sslvd_up()
{
	SSLVD_ARGS=(-f --port "$SSLVD_PORT" --ca-cert "$W/box.crt"
		--ca-key "$W/box.key" --untrusted-ca-cert "$W/untrusted.crt"
		--untrusted-ca-key "$W/untrusted.key"
		--trust-store "$W/srvca.crt" --idle-timeout 20 "$@")
	# Not through n_box: $! must be sslvd itself, to signal it.
	ip netns exec "$BOX" "$SSLVD" "${SSLVD_ARGS[@]}" 2>>"$W/sslvd.log" &
	SSLVD_PID=$!
	wait_for listening "$BOX" "$SSLVD_PORT"
}

# sslvd_down: SIGTERM to sslvd; its exit status in $SSLVD_RC.
sslvd_down()
{
	kill -TERM "$SSLVD_PID"
	SSLVD_RC=0
	wait "$SSLVD_PID" || SSLVD_RC=$?
}

# ---- tls_peer.py ends, through a decrypted flow ----------------------------
#
# decrypt_fail.sh and decrypt_stall.sh: real TLS ends that say how their
# connection ended, with the client's and the server's captures in
# $W/cli.pcap and $W/srv.pcap and `sslvctl -j monitor session` in $W/mon.json.

TLS_PEER=$REPO/selftests/net/tls_peer.py

# peer_serve PORT MODE: a tls_peer.py server in $SRV, its lines in srv-PORT;
# returns once it listens
peer_serve()
{
	ip netns exec "$SRV" /usr/bin/python3 "$TLS_PEER" server "$1" srv.crt srv.key "$2" \
		>"srv-$1" 2>&1 &
	wait_for grep -q listening "srv-$1"
}

# peer_connect PORT MODE [CAFILE]: a tls_peer.py client in $CLI, its lines
# in cli-PORT
peer_connect()
{
	ip netns exec "$CLI" /usr/bin/python3 "$TLS_PEER" client "$SRV_IP4" "$1" \
		"${3:-box.crt}" "$2" >"cli-$1" 2>&1 &
}

# peer_ended FILE: how the end whose lines FILE holds ended (waits up to 15 s)
peer_ended()
{
	poll -t 15 grep -q '^end:' "$1" || true
	sed -n 's/^end: //p' "$1"
}

# peer_rsts PORT: "RSTs the client got, RSTs the server got" on PORT
peer_rsts()
{
	local rst='tcp[tcpflags] & tcp-rst != 0'

	echo "$(pkts cli.pcap "tcp port $1 and dst host $CLI_IP4 and $rst")" \
		"$(pkts srv.pcap "tcp port $1 and dst host $SRV_IP4 and $rst")"
}

# peer_closed PORT: the close reasons in the session events of flows to PORT
peer_closed()
{
	jq -r --argjson p "$1" \
		'select(.event == "session" and .flow.dport == $p) | .close // .error // "-"' \
		mon.json | paste -sd' '
}

# tls_stat NAME: the counter NAME of /proc/net/tls_stat in $BOX (it counts
# the kTLS sockets of the namespace that reads it).
tls_stat()
{
	n_box awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat
}

# leaf_issuer ADDR PORT: "issuer=..." of the leaf certificate openssl
# s_client is shown at ADDR:PORT, asking for server.test.
leaf_issuer()
{
	n_cli openssl s_client -connect "$1:$2" -servername server.test \
		</dev/null 2>/dev/null | openssl x509 -noout -issuer 2>/dev/null
}

# https_get ADDR PORT CAFILE [CURL-ARGS...]: curl -v in $CLI fetches
# https://server.test:PORT/hello (server.test being ADDR, "[ADDR]" for
# IPv6) trusting only CAFILE; sets HTTPS_RC (curl's exit status),
# HTTPS_BODY and HTTPS_ERR (curl's stderr: the certificate it was shown,
# the protocol). HTTPS_PATH replaces /hello, HTTPS_TIMEOUT the 20 s.
https_get()
{
	local addr=$1 port=$2 cafile=$3

	shift 3
	HTTPS_RC=0
	HTTPS_BODY=$(n_cli curl -sS -v -m "${HTTPS_TIMEOUT:-20}" \
		--cacert "$cafile" --resolve "server.test:$port:$addr" "$@" \
		"https://server.test:$port${HTTPS_PATH:-/hello}" \
		2>"$W/curl.err") || HTTPS_RC=$?
	HTTPS_ERR=$(cat "$W/curl.err")
}

# shown PATTERN: how many lines of the last https_get's stderr match the
# extended regular expression PATTERN.
shown() { grep -cE -- "$1" <<<"$HTTPS_ERR" || true; }

# session_log_up: `sslvctl monitor` in $BOX writes the session log to
# $OUT/monitor.txt; returns once it does (a probe to port 1, rejected by a
# rule that is flushed again: call it before adding the test's rules).
session_log_up()
{
	ip netns exec "$BOX" "$SSLVCTL" monitor >"$OUT/monitor.txt" &
	n_box "$SSLVCTL" rule add dport 1 action reject >/dev/null
	wait_for session_log_probe
	n_box "$SSLVCTL" rule flush
}
session_log_probe()
{
	n_cli "$SOCK" client "$SRV_IP4" 1 "$W/probe"
	grep -q ":1 " "$OUT/monitor.txt"
}

# session_event SPORT: the last session event in the session log of the
# flow from client port SPORT (IPv4); session_word SPORT KEY: the word
# after KEY in it; has_session SPORT: whether there is one.
session_event()
{
	grep -E "^session flow [0-9]+ $CLI_IP4:$1 " "$OUT/monitor.txt" | tail -n 1
}
session_word()
{
	session_event "$1" | awk -v key="$2" \
		'{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'
}
has_session() { [[ -n $(session_event "$1") ]]; }

# mac NS: the MAC of eth0 in NS.
mac() { ip -n "$1" -br link show eth0 | awk '{print $3}'; }

# flow_id FILTER...: the id of the one flow `sslvctl flow list FILTER` shows.
flow_id()
{
	local ids

	ids=$(n_box "$SSLVCTL" flow list "$@" | awk '$1 == "flow" {print $2}')
	[[ $(wc -w <<<"$ids") -eq 1 ]] ||
		ksft_fail "flow_id: expected one flow for '$*', got '$ids'"
	echo "$ids"
}

# rst_fields PCAP: one line per RST in PCAP: "SRCMAC TTL ACKFLAG VLAN", the
# TTL being the IPv4 TTL or the IPv6 hop limit, VLAN "none" if untagged.
rst_fields()
{
	tshark -r "$1" -Y tcp.flags.reset==1 -T fields -E separator=' ' \
		-e eth.src -e ip.ttl -e ipv6.hlim -e tcp.flags.ack -e vlan.id \
		2>/dev/null |
		awk '{ print $1, $2, $3, NF == 4 ? $4 : "none" }'
}

# flow_state FILTER...: the state of the one flow `sslvctl flow list FILTER`
# shows, from its JSON.
flow_state()
{
	n_box "$SSLVCTL" -j flow list "$@" 2>&1 | /usr/bin/python3 -c \
		'import json, sys; t = sys.stdin.read()
try: f = json.loads(t)
except ValueError: sys.exit(print("unparsable: " + t.strip()))
print(f[0]["state"] if len(f) == 1 else "%d flows" % len(f))'
}

# wait_rsts PCAP N: give a running capture up to 20 s to hold N RSTs (the
# counting check that follows says whether it did). The 20 s are wall time:
# each look runs tshark, which takes seconds under TCG, so that 50 looks at
# RSTs that never come took about 140 s and pushed vlan_bridge.sh, against
# a module that sent no RST where it should, past its timeout; and 5 s were
# one or two looks on a host running four guests, too few for an RST that
# tcpdump had not yet written.
wait_rsts()
{
	local end=$((SECONDS + 20))

	while (($(rst_fields "$1" | wc -l) < $2)); do
		((SECONDS < end)) || return 0
		sleep 0.1
	done
	return 0
}

# mirror_up: a tap for passive-tap mode. Every frame entering the bridge
# through either port is copied to mir0 and arrives on $MIR (mir1), which
# belongs to no bridge.
MIR=mir1
mirror_up()
{
	local port

	modprobe -a sch_ingress cls_matchall act_mirred
	ip -n "$BOX" link add mir0 type veth peer name "$MIR"
	ip -n "$BOX" link set mir0 up
	ip -n "$BOX" link set "$MIR" up
	for port in "$PORT_CLI" "$PORT_SRV"; do
		n_box tc qdisc add dev "$port" clsact
		n_box tc filter add dev "$port" ingress matchall \
			action mirred egress mirror dev mir0
	done
}

# craft NS PEER_NS: send craft.py segments (stdin) from NS's eth0 to PEER_NS.
craft()
{
	ip netns exec "$1" "$CRAFT" eth0 "$(mac "$1")" "$(mac "$2")"
}

# deaf NS PORT: the stack in NS never sees TCP segments to or from PORT,
# which craft.py then plays by hand.
deaf()
{
	ip netns exec "$1" nft -f - <<-EOF
	table inet deaf {
		chain in {
			type filter hook prerouting priority -300;
			tcp dport $2 drop
			tcp sport $2 drop
		}
	}
	EOF
}

# ips_standin_up [OUT IN]: the attached IPS's stand-in in $BOX: a bridge
# "ipsbr" joining OUT and IN (default ips0 and ips1, made by sslvd), and an
# nft bridge table "ips" whose prerouting chain holds the IPS's rule
# (ipsrule); returns once sslvd says a probe got through it ($W/sslvd.log).
# An nft bridge chain sees the frames of every bridge, so ipsrule's rules
# match only frames that came in on ipsbr: never the real flow on br0.
ips_standin_up()
{
	local out=${1:-ips0} in=${2:-ips1}

	n_box ip link add ipsbr type bridge forward_delay 0
	n_box ip link set "$out" master ipsbr
	n_box ip link set "$in" master ipsbr
	n_box ip link set ipsbr up
	n_box nft add table bridge ips
	n_box nft add chain bridge ips filter \
		'{ type filter hook prerouting priority 0; policy accept; }'
	wait_for grep -q "ips: a probe got through $out and $in: up" "$W/sslvd.log"
}

# ipsrule RULE...: the stand-in IPS's one rule (nft bridge syntax), replacing
# the one before; none: pass everything.
ipsrule()
{
	n_box nft flush chain bridge ips filter
	(($# == 0)) || n_box nft add rule bridge ips filter meta ibrname ipsbr "$@"
}

# suricata_start NS IF1 IF2 RULES [DIR]: Suricata in NS as an inline IPS
# between interfaces IF1 and IF2 (af-packet, copy-mode ips: what enters one
# leaves by the other unless a rule drops it) with the rules of file RULES;
# returns once its engine has started. Its logs go to DIR ($OUT/suricata by
# default): eve.json (alert, drop, http, flow records), http.log,
# suricata.log. Offloads are turned off on both interfaces (af-packet
# wants real frames), checksums are not checked (veths carry partial
# ones). It needs `-cpu max` under TCG (tools/vm/run); starting takes
# some 8 s there. suricata_stop ends it. SKIPs when Suricata is missing.
# Its rejects (reject, rejectboth) leave by IF1 as whole frames (host-mode
# sniffer-only with --reject-dev: Suricata 7 otherwise sends them as raw IP
# by the namespace's routes, which here lead to the real ends, or nowhere).
suricata_start()
{
	local ns=$1 if1=$2 if2=$3 rules=$4 dir=${5:-$OUT/suricata} i

	command -v suricata >/dev/null ||
		ksft_skip "suricata is not installed (tools/deps.sh --test)"
	mkdir -p "$dir"
	rm -f "$dir"/{eve.json,http.log,suricata.log,suricata.pid}
	for i in "$if1" "$if2"; do
		ip netns exec "$ns" ethtool -K "$i" gro off gso off tso off \
			tx off rx off >/dev/null 2>&1 || true
	done
	cat >"$dir/suricata.yaml" <<-YAML
	%YAML 1.1
	---
	vars:
	  address-groups:
	    HOME_NET: "any"
	    EXTERNAL_NET: "any"
	  port-groups:
	    HTTP_PORTS: "any"
	default-log-dir: $dir
	classification-file: /etc/suricata/classification.config
	reference-config-file: /etc/suricata/reference.config
	default-rule-path: $(dirname "$(readlink -f "$rules")")
	rule-files:
	  - $(readlink -f "$rules")
	outputs:
	  - eve-log:
	      enabled: yes
	      filetype: regular
	      filename: eve.json
	      types:
	        - alert
	        - drop:
	            alerts: yes
	            flows: all
	        - http:
	            extended: yes
	        - flow
	  - http-log:
	      enabled: yes
	      filename: http.log
	logging:
	  default-log-level: info
	  outputs:
	    - console:
	        enabled: no
	    - file:
	        enabled: yes
	        filename: $dir/suricata.log
	af-packet:
	  - interface: $if1
	    threads: 1
	    cluster-id: 91
	    cluster-type: cluster_flow
	    copy-mode: ips
	    copy-iface: $if2
	    use-mmap: yes
	    tpacket-v3: no
	    checksum-checks: no
	  - interface: $if2
	    threads: 1
	    cluster-id: 92
	    cluster-type: cluster_flow
	    copy-mode: ips
	    copy-iface: $if1
	    use-mmap: yes
	    tpacket-v3: no
	    checksum-checks: no
	app-layer:
	  protocols:
	    http:
	      enabled: yes
	    tls:
	      enabled: yes
	stream:
	  inline: auto
	  checksum-validation: no
	host-mode: sniffer-only
	YAML
	ip netns exec "$ns" suricata -c "$dir/suricata.yaml" --af-packet \
		-k none --runmode workers --pidfile "$dir/suricata.pid" \
		--reject-dev "$if1" >"$dir/stdout" 2>&1 &
	SURICATA_PID=$!
	wait_for -t 90 grep -q "Engine started" "$dir/suricata.log"
}

suricata_stop()
{
	[[ -n ${SURICATA_PID-} ]] || return 0
	kill -INT "$SURICATA_PID" 2>/dev/null || true
	wait "$SURICATA_PID" 2>/dev/null || true
	SURICATA_PID=
}
