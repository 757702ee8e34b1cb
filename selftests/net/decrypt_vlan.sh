#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt for flows in VLANs, end to end through sslvd, on two
# bridges in the box:
#   - br0 filters VLANs: the client on an access port (PVID 10, untagged),
#     the server on a trunk (VLAN 10, tagged);
#   - br1 does not: both ends tagged (VLAN 30, and VLAN 20 beside it), the
#     tagged frames bridged as they are.
# For IPv4 and IPv6 in VLAN 10 and VLAN 30, curl (trusting only the box
# CA) gets the page through sslvd: the served leaf is the box CA's, nginx
# logs the client's own address, the flow is diverted (decrypt_diverted,
# decrypt_sessions). On both bridge ports every frame of the flow carries
# the ends' MACs only, untagged on the access port and tagged with the
# flow's VLAN on the trunks. A flow to the same server port in VLAN 20,
# which no decrypt rule names, is left alone: the client sees the server's
# own certificate and the module does not divert it.
# br1 is created after sslvd started: sslvd sets it up as it does the
# bridges it found (rp_filter off, IPv6 on), and sets it back at exit.
# br0 going down and up takes sslvd's way out with it: sslvd puts it back,
# and a flow through br0 is decrypted after it. A port STP left learning
# (set by hand) lets nothing of a diverted flow out: sslvd's SYN-ACK to the
# client, its SYN to the server are held back (decrypt_out_held).
# Overlapping address spaces: a client and server in VLAN 40 with VLAN
# 30's addresses; while a VLAN 30 flow is diverted (held in the middle of
# its download by drops in the client's namespace), the VLAN 40 flow with
# the same addresses and ports is not (decrypt-unavailable, cut: the
# server's own certificate; decrypt_tuple_busy), and the VLAN 30 flow's
# download arrives whole.
#
# SSLVD=path: another build of the daemon.

source "$(dirname "$0")/../lib.sh"

sslvd_require
ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"

module_load
topo_up access 10

# The box: nothing set up by hand for sslvd; br_netfilter loaded and
# calling iptables and ip6tables, which diverted frames never meet.
modprobe br_netfilter
n_box sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
	net.bridge.bridge-nf-call-ip6tables=1
# sysctls BRIDGE...: the values of what sslvd sets, on BRIDGE... and lo.
sysctls()
{
	local br

	{
		for br in "$@"; do
			n_box sysctl -n net.ipv4.conf.$br.rp_filter \
				net.ipv6.conf.$br.addr_gen_mode \
				net.ipv6.conf.$br.disable_ipv6
		done
		n_box sysctl -n net.ipv6.conf.lo.disable_ipv6
	} | xargs
}
sysctls_are() { [[ $(sysctls br0 br1) == "$1" ]]; }
# New devices in the box are born with loose rp_filter and IPv6 off, as
# with systemd's sysctl defaults and IPv6 off by default: br1, created
# after sslvd started, must be set up by sslvd all the same.
n_box sysctl -qw net.ipv4.conf.default.rp_filter=2 \
	net.ipv6.conf.default.disable_ipv6=1
before=$(sysctls br0)

decrypt_pki
decrypt_nginx_up

ctl rule add vlan 10 dport 443 action decrypt >/dev/null
ctl rule add vlan 30 dport 443 action decrypt >/dev/null

sslvd_up --mark "$SSLVD_MARK"

# br1, without VLAN filtering: the ends' eth1, tagged 30 and 20.
ip -n "$BOX" link add br1 type bridge forward_delay 0
P1_CLI=veth-cli1 P1_SRV=veth-srv1
ip -n "$CLI" link add eth1 type veth peer name $P1_CLI netns "$BOX"
ip -n "$SRV" link add eth1 type veth peer name $P1_SRV netns "$BOX"
for port in $P1_CLI $P1_SRV; do
	ip -n "$BOX" link set $port master br1 up
done
ip -n "$CLI" link set eth1 up
ip -n "$SRV" link set eth1 up
ip -n "$BOX" link set br1 up
for vid in 30 20; do
	ip -n "$CLI" link add link eth1 name eth1.$vid type vlan id $vid
	ip -n "$SRV" link add link eth1 name eth1.$vid type vlan id $vid
	ip -n "$CLI" link set eth1.$vid up
	ip -n "$SRV" link set eth1.$vid up
	ip -n "$CLI" addr add 10.0.$vid.1/24 dev eth1.$vid
	ip -n "$SRV" addr add 10.0.$vid.2/24 dev eth1.$vid
	ip -n "$CLI" addr add fd$vid::1/64 dev eth1.$vid nodad
	ip -n "$SRV" addr add fd$vid::2/64 dev eth1.$vid nodad
done
wait_for n_cli busybox ping -c 1 -W 1 10.0.30.2
wait_for n_cli busybox ping6 -c 1 -W 1 fd30::2

check_run "br1, created after sslvd started: rp_filter off, IPv6 on (no address)" \
	poll sysctls_are "0 1 0 0 1 0 0"
check "br1, created after sslvd started: logged" \
	"$(grep -c 'bridge br1: set up for diverted flows' "$W/sslvd.log")" -eq 1
OUT_MARK=$(printf '0x%x' $((SSLVD_MARK + 1)))
check "sslvd: its sockets' rule" \
	"$(n_box ip rule | grep -c "fwmark $OUT_MARK lookup $((0x5c1e))" || true)" -eq 1
check "sslvd: its sockets' IPv6 rule" \
	"$(n_box ip -6 rule | grep -c "fwmark $OUT_MARK lookup $((0x5c1e))" || true)" -eq 1
check "sslvd: the way out, IPv4" \
	"$(n_box ip route show table $((0x5c1e)) | grep -c '^default dev br0 ' || true)" -eq 1
check "sslvd: the way out, IPv6" \
	"$(n_box ip -6 route show table $((0x5c1e)) | grep -c '^default dev br0 ' || true)" -eq 1
check "sslvd: no address on br0" "$(n_box ip -br addr show br0 | awk '{print $3}')" == ""

# l2 PCAP: "SRC>DST VLAN" of the frames of TCP port 443 in PCAP, each once,
# sorted; VLAN "none" if untagged.
l2()
{
	tshark -r "$1" -Y 'tcp.port == 443' -T fields -E separator=' ' \
		-e eth.src -e eth.dst -e vlan.id 2>/dev/null |
		awk '{ print $1 ">" $2, NF == 3 ? $3 : "none" }' | sort -u | xargs
}

# pair CMAC SMAC CTAG STAG: what l2 shows for the flow on the client's
# port (tagged CTAG) and on the server's (STAG).
pair() { printf '%s\n' "$1>$2 $3" "$2>$1 $3" | sort | xargs; }

# one TAG VLAN ADDR CLIENT CPORT SPORT CMAC SMAC CTAG STAG CURL-ARGS...:
# one flow through sslvd, to ADDR, from CLIENT, in VLAN, captured on the
# bridge ports CPORT and SPORT.
n=0
one()
{
	local tag=$1 vid=$2 addr=$3 cli=$4 cport=$5 sport=$6 cmac=$7 smac=$8
	local ctag=$9 stag=${10}

	shift 10
	capture_start "$BOX" "$cport" "$W/$tag.cli.pcap" tcp port 443 or \
		\( vlan and tcp port 443 \)
	capture_start "$BOX" "$sport" "$W/$tag.srv.pcap" tcp port 443 or \
		\( vlan and tcp port 443 \)
	https_get "$addr" 443 box.crt "$@"
	n=$((n + 1))
	check "$tag: curl exit status" "$HTTPS_RC" -eq 0
	check "$tag: body" "$HTTPS_BODY" == "hello from nginx"
	check "$tag: issuer is the box CA" \
		"$(shown '\* *issuer: CN=sslv test box CA')" -eq 1
	check "$tag: nginx saw the client's address" \
		"$(tail -n 1 access.log | cut -d' ' -f1)" == "$cli"
	check_run "$tag: session reported" poll sessions_are "$n"
	check "$tag: diverted" "$(stat_get "$BOX" decrypt_diverted)" -eq "$n"
	capture_stop
	check "$tag: client's port: the ends' MACs, VLAN $ctag" \
		"$(l2 "$W/$tag.cli.pcap")" == "$(pair "$cmac" "$smac" "$ctag")"
	check "$tag: server's port: the ends' MACs, VLAN $stag" \
		"$(l2 "$W/$tag.srv.pcap")" == "$(pair "$cmac" "$smac" "$stag")"
}

diverted_are() { (($(stat_get "$BOX" decrypt_diverted) == $1)); }
sessions_are() { (($(stat_get "$BOX" decrypt_sessions) == $1)); }
mac1() { ip -n "$1" -br link show eth1 | awk '{print $3}'; }
CMAC=$(mac "$CLI") SMAC=$(mac "$SRV")
CMAC1=$(mac1 "$CLI") SMAC1=$(mac1 "$SRV")

one "vlan_filtering ipv4" 10 "$SRV_IP4" "$CLI_IP4" "$PORT_CLI" "$PORT_SRV" \
	"$CMAC" "$SMAC" none 10 -4
one "vlan_filtering ipv6" 10 "[$SRV_IP6]" "$CLI_IP6" "$PORT_CLI" "$PORT_SRV" \
	"$CMAC" "$SMAC" none 10 -6
one "tagged ipv4" 30 10.0.30.2 10.0.30.1 "$P1_CLI" "$P1_SRV" \
	"$CMAC1" "$SMAC1" 30 30 -4
one "tagged ipv6" 30 "[fd30::2]" fd30::1 "$P1_CLI" "$P1_SRV" \
	"$CMAC1" "$SMAC1" 30 30 -6

# br0 down and up: the kernel drops sslvd's IPv4 way out (a route through
# br0) with it, and sslvd puts it back.
way_out_is() { n_box ip route show table $((0x5c1e)) | grep -q "^default dev $1 "; }
n_box ip link set br0 down
n_box ip link set br0 up
check_run "br0 down and up: the way out is back" poll way_out_is br0
check "br0 down and up: logged" \
	"$(grep -c 'IPv4 way out of the bridges restored, through br0' "$W/sslvd.log")" -ge 1
wait_for n_cli busybox ping -c 1 -W 1 "$SRV_IP4"
one "br0 down and up, ipv4" 10 "$SRV_IP4" "$CLI_IP4" "$PORT_CLI" "$PORT_SRV" \
	"$CMAC" "$SMAC" none 10 -4

# A port that STP left learning forwards nothing. What the box sends for a
# diverted flow goes to the bridge, which holds it back like anything else
# for that port; those frames are counted (decrypt_out_held). The client's
# port learning: its SYN still goes up (sslv cannot read a port's STP state
# on the packet path), but sslvd's SYN-ACK is held back, so no connection
# comes up and nothing reaches the server. The server's port learning:
# sslvd's SYN to the server is held back; once the port forwards again the
# session goes on and ends (curl gave up), reported. $lost: flows diverted
# that never made a session.
learning() { n_box bridge link set dev "$1" state 2; }
forwarding() { n_box bridge link set dev "$1" state 3; }
requests=$(wc -l <access.log)
learning "$PORT_CLI"
HTTPS_TIMEOUT=3 https_get "$SRV_IP4" 443 box.crt -4
forwarding "$PORT_CLI"
lost=1
check "client's port learning: curl timed out" "$HTTPS_RC" -eq 28
check "client's port learning: sslvd's SYN-ACKs held back, counted" \
	"$(stat_get "$BOX" decrypt_out_held)" -ge 1
check "client's port learning: no request reached the server" \
	"$(wc -l <access.log)" -eq "$requests"
held=$(stat_get "$BOX" decrypt_out_held)
learning "$PORT_SRV"
HTTPS_TIMEOUT=3 https_get "$SRV_IP4" 443 box.crt -4
forwarding "$PORT_SRV"
n=$((n + 1))
check "server's port learning: curl timed out" "$HTTPS_RC" -eq 28
check "server's port learning: diverted" \
	"$(stat_get "$BOX" decrypt_diverted)" -eq $((n + lost))
check "server's port learning: sslvd's SYN held back, counted" \
	"$(stat_get "$BOX" decrypt_out_held)" -gt "$held"
check_run "server's port learning: the session ends, reported" poll -t 30 sessions_are "$n"

# VLAN 20: no decrypt rule, the server's own certificate.
https_get 10.0.20.2 443 srvca.crt
check "VLAN 20: curl exit status" "$HTTPS_RC" -eq 0
check "VLAN 20: the server's own certificate" \
	"$(shown '\* *issuer: CN=sslv test server CA')" -eq 1
check "VLAN 20: nginx saw the client's address" \
	"$(tail -n 1 access.log | cut -d' ' -f1)" == 10.0.20.1
check "VLAN 20: not diverted" "$(stat_get "$BOX" decrypt_diverted)" -eq $((n + lost))
check "decrypt_unavailable" "$(stat_get "$BOX" decrypt_unavailable)" -eq 0
check "decrypt_tuple_busy" "$(stat_get "$BOX" decrypt_tuple_busy)" -eq 0

# Overlapping address spaces: VLAN 40 on br1 has its own client and server
# with VLAN 30's addresses. While a flow of VLAN 30 is diverted, a flow of
# VLAN 40 with its addresses and ports is not (sslvd's sockets could not
# tell them apart): decrypt-unavailable, cut, the server's own
# certificate. The VLAN 30 flow goes on untouched.
CLI2=$NS-cli2 SRV2=$NS-srv2
for ns in "$CLI2" "$SRV2"; do
	ip netns add "$ns"
	topo+=("$ns")
	ip -n "$ns" link set lo up
done
ip -n "$CLI2" link add eth0 type veth peer name veth-cli2 netns "$BOX"
ip -n "$SRV2" link add eth0 type veth peer name veth-srv2 netns "$BOX"
for port in veth-cli2 veth-srv2; do
	ip -n "$BOX" link set $port master br1 up
done
for x in "$CLI2 1" "$SRV2 2"; do
	set -- $x
	ip -n "$1" link set eth0 up
	ip -n "$1" link add link eth0 name eth0.40 type vlan id 40
	ip -n "$1" link set eth0.40 up
	ip -n "$1" addr add 10.0.30.$2/24 dev eth0.40
done
sed -e "s|$W/nginx.pid|$W/nginx2.pid|" -e "s|$W/access.log|$W/access2.log|" \
	-e "s|$W/nginx.err|$W/nginx2.err|" nginx.conf >nginx2.conf
ip netns exec "$SRV2" nginx -c "$W/nginx2.conf" -e "$W/nginx2.err" &
wait_for listening "$SRV2" 443
wait_for ip netns exec "$CLI2" busybox ping -c 1 -W 1 10.0.30.2
ctl rule add vlan 40 dport 443 action decrypt >/dev/null
head -c 400000 /dev/urandom >www/big

# The VLAN 30 download, held in the middle until the VLAN 40 flow is done
# with: the client's namespace lets the first 100 kB from port 443 in and
# drops the rest, so the flow stays diverted (its 4-tuple busy) whatever
# the guest's speed; the drops end once the VLAN 40 flow is checked.
n_cli nft add table inet hold
n_cli nft add chain inet hold in '{ type filter hook input priority 0; policy accept; }'
n_cli nft add rule inet hold in tcp sport 443 quota over 100 kbytes counter drop
n_cli curl -sS -m 60 --local-port 40443 --cacert box.crt \
	--resolve server.test:443:10.0.30.2 -o "$W/big.got" \
	https://server.test/big 2>"$W/big.err" &
big=$!
n=$((n + 1))
wait_for diverted_are $((n + lost))
holding() { n_cli nft list chain inet hold in | grep -q 'counter packets [1-9]'; }
check_run "VLAN 30 flow: held, past 100 kB dropped" poll holding
check "VLAN 30 flow: held in the middle of its download" \
	"$(stat -c %s big.got 2>/dev/null || echo 0)" -lt 400000
HTTPS_RC=0
HTTPS_BODY=$(ip netns exec "$CLI2" curl -sS -v -m 20 --local-port 40443 \
	--cacert srvca.crt --resolve server.test:443:10.0.30.2 \
	https://server.test/hello 2>"$W/curl.err") || HTTPS_RC=$?
HTTPS_ERR=$(cat "$W/curl.err")
check "VLAN 40, same 4-tuple: curl exit status" "$HTTPS_RC" -eq 0
check "VLAN 40, same 4-tuple: body" "$HTTPS_BODY" == "hello from nginx"
check "VLAN 40, same 4-tuple: the server's own certificate" \
	"$(shown '\* *issuer: CN=sslv test server CA')" -eq 1
check "VLAN 40, same 4-tuple: its own server saw it" \
	"$(tail -n 1 access2.log | cut -d' ' -f1,5)" == "10.0.30.1 GET"
check "VLAN 40, same 4-tuple: decrypt_tuple_busy" \
	"$(stat_get "$BOX" decrypt_tuple_busy)" -eq 1
check "VLAN 40, same 4-tuple: decrypt_unavailable" \
	"$(stat_get "$BOX" decrypt_unavailable)" -eq 1
n_cli nft delete table inet hold
rc=0
wait "$big" || rc=$?
check "VLAN 30 flow beside it: curl exit status" "$rc" -eq 0
check "VLAN 30 flow beside it: every byte, in order" \
	"$(cmp www/big big.got 2>&1 && echo same)" == same
check_run "VLAN 30 flow beside it: session reported" poll sessions_are "$n"

sslvd_down
check "sslvd: exit status" "$SSLVD_RC" -eq 0
check "sslvd gone: its rules removed" \
	"$({ n_box ip rule; n_box ip -6 rule; } | grep -c fwmark || true)" -eq 0
check "sslvd gone: its routes removed" \
	"$(n_box ip route show table all | grep -c "table $((0x5c1e))\|table $((0x5c1d))" || true)" -eq 0
# br0's and lo's as they were, br1's as it was born
check "sslvd gone: the sysctls as they were" "$(sysctls br0 br1)" == \
	"${before% *} 2 0 1 ${before##* }"
echo "--- sslvd log"
cat "$W/sslvd.log"
