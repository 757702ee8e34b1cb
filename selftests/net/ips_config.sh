#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attached IPS, the module's half (sslvd's half is stood in for by
# decrypt.py: raw generic netlink, and a plain TCP relay as sslvd):
#   - ips set/show/del: the names, feedback timeout and copy port round-trip
#     (text, -j, save -> -f), and every set and del is multicast as an ips
#     event a listener sees;
#   - bad input (names empty, too long, with '/' or whitespace, a NUL
#     inside, out == in, copy == out, a timeout out of bounds, the state in
#     a set) is refused with a message naming it and changes nothing, and
#     only the registered sslvd may report the IPS's state;
#   - sslvd's reports: ips-drop and ips-reset close reasons count
#     ips_drop_flows / ips_reset_flows, SSLV_SESS_IPS ips_flows, and the
#     IPS's RSTs T_ssl_ips_reject, exactly; the session event shows them;
#   - the RSTs sslvd's sockets send for a diverted flow (both legs aborted)
#     count in ips_rsts_sent after a report saying the IPS reset it, in
#     T_tcp_reject without one;
#   - ips-fail: while sslvd reports the IPS down, a real curl through the
#     bridge to a decrypt rule's server completes untouched with ips-fail
#     open (cut), and is reset at its SYN with ips-fail closed; once sslvd
#     reports it up, the flow is decrypted again;
#   - frames entering by the IPS's interfaces, or by any port of a bridge
#     that enslaves one, are left alone: the generated connections sslvd
#     carries through the IPS have the diverted flows' addresses and ports;
#     what the hook remembers of a port follows renames, new and deleted
#     devices and new masters.

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }
DEC=$REPO/selftests/net/decrypt.py
MARK=7
LPORT=10443

# ips_show: `sslvctl ips` on one line.
ips_show() { ctl ips | xargs; }

# ops LINES...: decrypt.py ops in the box, one request a line; its answers.
ops() { printf '%s\n' "$@" | n_box /usr/bin/python3 "$DEC" ops; }

module_load
topo_up

# ---- configuration ------------------------------------------------------

# events_since N: the events after the first N, without their timestamps.
events_since() { tail -n +$(($1 + 1)) "$OUT/events" | sed 's/"timestamp":"[^"]*",//'; }

check "no IPS: state unset" "$(ips_show)" == "state unset"
: >"$OUT/events"
# Not through ctl: $! must be the monitor itself.
ip netns exec "$BOX" "$SSLVCTL" -j monitor ips session >>"$OUT/events" &
on_exit kill $!
wait_for grep -q skb_wait "/proc/$!/wchan"
n0=0

ctl ips set out ips0 in ips1 feedback-timeout 2500 copy ips2
check "ips show" "$(ips_show)" == \
	"out ips0 in ips1 copy ips2 feedback-timeout 2500 state up"
check "ips show -j" "$(ctl -j ips)" == \
	'{"out":"ips0","in":"ips1","copy":"ips2","feedback_timeout":2500,"state":"up"}'
wait_for grep -q '"copy":"ips2"' "$OUT/events"
check "event on set" "$(events_since "$n0")" == \
	'{"event":"ips","out":"ips0","in":"ips1","copy":"ips2","feedback_timeout":2500,"state":"up"}'

ctl config set ips-fail closed
check "config ips-fail" "$(ctl config | awk '$1 == "ips-fail" { print $2 }')" == closed
ctl save >"$OUT/saved"
check "save: the ips line" \
	"$(grep -c '^ips set out ips0 in ips1 feedback-timeout 2500 copy ips2$' "$OUT/saved")" -eq 1
check "save: ips-fail" "$(grep -c 'ips-fail closed' "$OUT/saved")" -eq 1
ctl ips del
wait_for bash -c "tail -n +$((n0 + 2)) $OUT/events | grep -q unset"
check "event on del" "$(events_since $((n0 + 1)))" == \
	'{"event":"ips","state":"unset"}'
check "ips del: state unset" "$(ips_show)" == "state unset"
check "ips del again: refused" "$(ctl ips del 2>&1 || true)" == \
	"Error: no IPS is set (No such file or directory)"
ctl config set ips-fail open
ctl -f "$OUT/saved"
check "restored from save" "$(ips_show)" == \
	"out ips0 in ips1 copy ips2 feedback-timeout 2500 state up"
check "restored ips-fail" "$(ctl config | awk '$1 == "ips-fail" { print $2 }')" == closed
ctl ips set out ips0 in ips1
check "a set replaces the whole IPS" "$(ips_show)" == \
	"out ips0 in ips1 feedback-timeout 1000 state up"

# Bad input, past sslvctl's own checks: the kernel names it, nothing changes.
before=$(ips_show)
mapfile -t answers < <(ops "A ips_set '' x" "A ips_set ips0 ips0" \
	"A ips_set a/b x" "A ips_set a\\sb x" "A ips_set abcdefghijklmnop x" \
	"A ips_set x .." "A ips_set x y x" "A ips_set x y - 99" \
	"A ips_set x y - 60001" "A ips_set x y - - 2" "A ips_state 1" \
	"A ips_set a\\0b x")
check "empty name" "${answers[0]}" == "EINVAL out: the interface name is empty"
check "out == in" "${answers[1]}" == "EINVAL in: the same interface as out"
check "'/' in a name" "${answers[2]}" == \
	"EINVAL out: not an interface name (\".\", \"..\", '/', ':' or whitespace)"
check "whitespace in a name" "${answers[3]}" == \
	"EINVAL out: not an interface name (\".\", \"..\", '/', ':' or whitespace)"
check "16 bytes" "${answers[4]}" == \
	"EINVAL out: the interface name is longer than 15 bytes"
check "'..'" "${answers[5]}" == \
	"EINVAL in: not an interface name (\".\", \"..\", '/', ':' or whitespace)"
check "copy == out" "${answers[6]}" == "EINVAL copy: the same interface as out or in"
check "timeout 99" "${answers[7]}" == \
	"ERANGE feedback-timeout: not within 100 .. 60000 ms"
check "timeout 60001" "${answers[8]}" == \
	"ERANGE feedback-timeout: not within 100 .. 60000 ms"
check "state in a set" "${answers[9]}" == \
	"EINVAL state is sslvd's to report (SSLV_CMD_IPS_STATE)"
check "state from a socket not sslvd" "${answers[10]}" == \
	"EPERM only the registered sslvd reports the IPS's state"
check "a NUL inside a name" "${answers[11]}" == \
	"EINVAL out: a NUL inside the interface name"
check "bad input changed nothing" "$(ips_show)" == "$before"
check "sslvctl: out == in" "$(ctl ips set out a in a 2>&1 || true)" == \
	'Error: in is the same interface as out "a"'
check "sslvctl: a bad name" "$(ctl ips set out 'a b' in c 2>&1 || true)" == \
	"Error: invalid out interface name \"a b\": no '/', ':' or whitespace"
check "sslvctl: a bad timeout" \
	"$(ctl ips set out a in b feedback-timeout 60001 2>&1 || true)" == \
	'Error: invalid feedback-timeout "60001": 100 to 60000 ms'
check "sslvctl: ips-fail" "$(ctl config set ips-fail maybe 2>&1 || true)" == \
	'Error: invalid ips-fail "maybe"'
check "nothing changed" "$(ips_show)" == "$before"
check "events: one a set or del" "$(events_since "$n0" | wc -l)" -eq 4

# ---- sslvd's reports ----------------------------------------------------

ctl stats reset
mapfile -t answers < <(ops "A register $LPORT $MARK" "A ips_state 1" \
	"A ips_state 1" "A ips_state 2" \
	"A session_ips 101 4 10.0.1.1 10.0.1.2 40001 443 ips-drop 0 1" \
	"A session_ips 102 4 10.0.1.1 10.0.1.2 40002 443 ips-reset 3 1" \
	"A session_ips 103 4 10.0.1.1 10.0.1.2 40003 443 ips-reset 2 1" \
	"A session_ips 104 4 10.0.1.1 10.0.1.2 40004 443 done 0 2" \
	"A session_ips 105 4 10.0.1.1 10.0.1.2 40005 443 done 0 0")
check "reports accepted" "$(printf '%s ' "${answers[@]}")" == \
	"OK OK OK OK OK OK OK OK OK "
check "ips_down" "$(stat_get "$BOX" ips_down)" -eq 1
check "ips_up" "$(stat_get "$BOX" ips_up)" -eq 1
check "ips_drop_flows" "$(stat_get "$BOX" ips_drop_flows)" -eq 1
check "ips_reset_flows" "$(stat_get "$BOX" ips_reset_flows)" -eq 2
check "ips_flows" "$(stat_get "$BOX" ips_flows)" -eq 4
check "T_ssl_ips_reject: the IPS's RSTs" "$(stat_get "$BOX" T_ssl_ips_reject)" -eq 5
check "decrypt_failed" "$(stat_get "$BOX" decrypt_failed)" -eq 3
check "decrypt_sessions" "$(stat_get "$BOX" decrypt_sessions)" -eq 5
wait_for grep -q '"sport":40005' "$OUT/events"
check "session event: ips-drop" "$(grep -c \
	'"close":"ips-drop","ips":"active-inline","ips_rsts":0}' "$OUT/events")" -eq 1
check "session event: ips-reset" "$(grep -c \
	'"close":"ips-reset","ips":"active-inline","ips_rsts":3}' "$OUT/events")" -eq 1
check "session event: passive-inline" "$(grep -c \
	'"close":"done","ips":"passive-inline","ips_rsts":0}' "$OUT/events")" -eq 1

# ---- RSTs sslvd sends, and ips-fail, through the bridge -----------------

n_box sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.br0.rp_filter=0
n_box ip rule add fwmark $MARK lookup 107
n_box ip route add local 0.0.0.0/0 dev lo table 107
n_box ip route add 10.0.1.0/24 dev br0
if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
	n_box sysctl -qw net.bridge.bridge-nf-call-iptables=0
fi
ctl rule add dst "$SRV_IP4" dport 8443 action decrypt >/dev/null
ctl config set ips-fail open

W=$(mktemp -d)
mkfifo "$W/relay.ctl"
exec 3<>"$W/relay.ctl"
: >"$OUT/relay"
ip netns exec "$BOX" /usr/bin/python3 "$DEC" relay "$LPORT" "$MARK" \
	"$OUT/relay" <&3 &
relay=$!
on_exit kill "$relay"
wait_for grep -q listening "$OUT/relay"

# aborted TAG: one exchange, then the relay aborts both legs.
aborted()
{
	local tag=$1 srv

	rm -f "$OUT/$tag.srv" "$OUT/$tag.cli"
	n_srv /usr/bin/python3 "$DEC" server 8443 "$OUT/$tag.srv" &
	srv=$!
	wait_for grep -q listening "$OUT/$tag.srv"
	capture_start "$BOX" "$PORT_CLI" "$OUT/$tag.cli.pcap" tcp port 8443
	capture_start "$BOX" "$PORT_SRV" "$OUT/$tag.srv.pcap" tcp port 8443
	n_cli /usr/bin/python3 "$DEC" client "$SRV_IP4" 8443 "$OUT/$tag.cli"
	wait_for grep -q '^end' "$OUT/$tag.srv"
	wait "$srv" || true
	capture_stop
	check "$tag: the client is reset" "$(grep ^end "$OUT/$tag.cli")" == \
		"end ECONNRESET"
	check "$tag: the server is reset" "$(grep ^end "$OUT/$tag.srv")" == \
		"end ECONNRESET"
	check "$tag: one RST to the client" \
		"$(pkts "$OUT/$tag.cli.pcap" "src $SRV_IP4 and tcp[tcpflags] & tcp-rst != 0")" -eq 1
	check "$tag: one RST to the server" \
		"$(pkts "$OUT/$tag.srv.pcap" "dst $SRV_IP4 and tcp[tcpflags] & tcp-rst != 0")" -eq 1
}

ctl stats reset
echo "next ips-reset" >&3
wait_for grep -q "next ips-reset" "$OUT/relay"
aborted ips-reset
check "ips-reset: the report went first" \
	"$(grep -A1 '^report' "$OUT/relay" | xargs)" == "report OK aborted"
check "ips-reset: ips_rsts_sent" "$(stat_get "$BOX" ips_rsts_sent)" -eq 2
check "ips-reset: T_tcp_reject" "$(stat_get "$BOX" T_tcp_reject)" -eq 0
check "ips-reset: T_ssl_ips_reject" "$(stat_get "$BOX" T_ssl_ips_reject)" -eq 1

ctl stats reset
echo "next abort" >&3
wait_for grep -q "next abort" "$OUT/relay"
aborted error
check "error: T_tcp_reject" "$(stat_get "$BOX" T_tcp_reject)" -eq 2
check "error: ips_rsts_sent" "$(stat_get "$BOX" ips_rsts_sent)" -eq 0

# get TAG: curl a file from the server through the bridge: $rc, $sum.
mkdir "$W/www"
head -c 300000 /dev/urandom >"$W/www/file"
want=$(sha256sum <"$W/www/file" | cut -d' ' -f1)
n_srv python3 -m http.server -b "$SRV_IP4" -d "$W/www" 8443 \
	>"$OUT/http.log" 2>&1 &
on_exit kill $!
wait_for listening "$SRV" 8443
get()
{
	local tag=$1

	rc=0
	rm -f "$W/got"
	n_cli curl -sS -m 10 -o "$W/got" "http://$SRV_IP4:8443/file" \
		2>"$OUT/$tag.curl" || rc=$?
	sum=$(sha256sum 2>/dev/null <"$W/got" | cut -d' ' -f1) || true
}

ctl stats reset
echo "state down" >&3
wait_for grep -q "state down OK" "$OUT/relay"
check "reported down" "$(ips_show)" == \
	"out ips0 in ips1 feedback-timeout 1000 state down"
get open
check "ips-fail open: the download is intact" "$sum" == "$want"
check "ips-fail open: curl" "$rc" -eq 0
check "ips-fail open: ips_fail_open" "$(stat_get "$BOX" ips_fail_open)" -eq 1
check "ips-fail open: the relay was told cut" \
	"$(grep -c '^flow .* action 0 diverted 1' "$OUT/relay")" -eq 1
check "ips-fail open: the server answered" \
	"$(grep -c '"GET /file' "$OUT/http.log" || true)" -eq 1

ctl config set ips-fail closed
capture_start "$BOX" "$PORT_CLI" "$OUT/closed.pcap" tcp port 8443
get closed
capture_stop
check "ips-fail closed: curl cannot connect" "$rc" -eq 7
check "ips-fail closed: the client's SYN got an RST" \
	"$(pkts "$OUT/closed.pcap" "src $SRV_IP4 and tcp[tcpflags] & tcp-rst != 0")" -eq 1
check "ips-fail closed: ips_fail_closed" "$(stat_get "$BOX" ips_fail_closed)" -eq 1
check "ips-fail closed: the server saw no request" \
	"$(grep -c '"GET /file' "$OUT/http.log" || true)" -eq 1

echo "state up" >&3
wait_for grep -q "state up OK" "$OUT/relay"
check "reported up" "$(ips_show)" == \
	"out ips0 in ips1 feedback-timeout 1000 state up"
get up
check "up: the download is intact" "$sum" == "$want"
check "up: decrypted" "$(grep -c '^flow .* action 3 diverted 1' "$OUT/relay")" -eq 3
check "ips_down, ips_up" \
	"$(stat_get "$BOX" ips_down) $(stat_get "$BOX" ips_up)" == "1 1"
check "up: no ips-fail" \
	"$(stat_get "$BOX" ips_fail_open) $(stat_get "$BOX" ips_fail_closed)" == "1 1"

# ---- the IPS's own ports are not sslv's --------------------------------

# A bridge of the IPS in the box: ips0 (the IPS's out) and ips9, another
# port of the same bridge. Frames entering by either are not tracked while
# the IPS is set; once it is deleted they are.
A=$NS-ipsa C=$NS-ipsc
for n in "$A" "$C"; do
	ip netns add "$n"
	on_exit ip netns del "$n"
done
n_box ip link add ipsbr type bridge
ip -n "$BOX" link add ips0 type veth peer name eth0 netns "$A"
ip -n "$BOX" link add ips9 type veth peer name eth0 netns "$C"
for p in ips0 ips9; do
	n_box ip link set "$p" master ipsbr up
done
n_box ip link set ipsbr up
ip -n "$A" addr add 10.9.0.1/24 dev eth0
ip -n "$C" addr add 10.9.0.3/24 dev eth0
ip -n "$A" link set eth0 up
ip -n "$C" link set eth0 up

# across TAG: one exchange from C to A over ipsbr; the flows sslv made.
across()
{
	local tag=$1 srv before

	before=$(stat_get "$BOX" flows_total)
	ip netns exec "$A" /usr/bin/python3 "$DEC" server 9000 "$OUT/$tag.srv" &
	srv=$!
	wait_for grep -q listening "$OUT/$tag.srv"
	ip netns exec "$C" /usr/bin/python3 "$DEC" client 10.9.0.1 9000 \
		"$OUT/$tag.cli"
	wait "$srv" || true
	check "$tag: the exchange" "$(grep ^reply "$OUT/$tag.cli")" == \
		"reply pong:ping"
	flows=$(($(stat_get "$BOX" flows_total) - before))
}

check "IPS set" "$(ctl ips | awk '{ print $1, $2 }')" == "out ips0"
across ips-set
check "the IPS's bridge: no flow tracked" "$flows" -eq 0
ctl ips del
across ips-unset
check "no IPS: the same bridge's flow is tracked" "$flows" -eq 1

# What the bridge hook remembers of a port follows the devices: an IPS
# named ipsx, none such yet, then a port renamed ipsx, a device ipsx
# enslaved and deleted.
ctl ips set out ipsx in ipsy
across ips-absent
check "IPS ipsx, no such device: the flow is tracked" "$flows" -eq 1
n_box ip link set ips9 down
n_box ip link set ips9 name ipsx
n_box ip link set ipsx up
across ips-renamed
check "a port renamed ipsx: no flow tracked" "$flows" -eq 0
n_box ip link set ipsx down
n_box ip link set ipsx name ips9
n_box ip link set ips9 up
across ips-renamed-back
check "renamed back: the flow is tracked" "$flows" -eq 1
n_box ip link add ipsx type dummy
n_box ip link set ipsx master ipsbr up
across ips-enslaved
check "ipsx enslaved to the bridge: no flow tracked" "$flows" -eq 0
n_box ip link del ipsx
across ips-deleted
check "ipsx deleted: the flow is tracked" "$flows" -eq 1
ctl ips del
# The module goes (cleanup) with an IPS set in a namespace.
ctl ips set out ips0 in ips1 copy ips2
