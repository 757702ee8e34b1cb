#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed frames crossing the bridge: sslv counts each as malformed_l2,
# malformed_ip, malformed_tcp or bad_csum (kmod/packet.c) by exactly one,
# tracks nothing, and forwards it byte for byte; the server still receives
# it. A fragment of TCP, IPv4 or IPv6, first or later, is counted in
# frag_tcp and dropped: the server never reassembles a segment sslv did not
# read. A frame with Ethernet padding, or a SYN with garbage options, is a
# valid packet: counted in packets only, and the padding is not payload.
# A decoy ClientHello with a bad checksum, sent ahead of the real one on the
# real connection, is not what the handshake reader reads: the real hello
# meets its SNI rule and both ends are reset. 2000
# fuzzed TCP/IP frames crossing next to a real connection leave it working
# and the flow table bounded; the module then unloads cleanly with every
# flow still in its table (the flow cache would WARN on a leak).

source "$(dirname "$0")/../lib.sh"

NOWHERE4=10.0.1.3	# no host: the server drops what is sent there
NOWHERE6=fd00::3
FUZZED=2000

# The frame sender: a scapy process in the client namespace, pinned to one
# CPU so that frames reach the bridge in the order they were sent. On
# stdin, one command per line; on stdout, one line per command:
#   CASE     send frame CASE, then the marker frame; print CASE's hex
#   marker   print the marker's hex (a UDP datagram, not sslv's concern)
#   fuzz N   send N frames to the server, half fuzz()ed from IP/TCP, half
#            from TCP under a sane IP header; print N
read -r -d '' SENDER <<'EOF' || true
import errno
import os
import socket
import sys

sys.modules["cryptography"] = None  # scapy's TLS support: 5 s to import
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet import fragment
from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
from scapy.layers.l2 import Dot1Q, Ether
from scapy.packet import Padding, Raw, fuzz
from scapy.sendrecv import sendp

cli_mac, srv_mac, cli4, srv4, nowhere4, cli6, nowhere6 = sys.argv[1:]
os.sched_setaffinity(0, {0})
eth = Ether(src=cli_mac, dst=srv_mac)
ip4 = IP(src=cli4, dst=nowhere4)
ip6 = IPv6(src=cli6, dst=nowhere6)


def ack(sport, **kw):
    return TCP(sport=sport, dport=80, flags="A", seq=1000, ack=1, **kw)


def syn(sport, options):
    return TCP(sport=sport, dport=80, flags="S", dataofs=6) / Raw(options)


def bad_tcp(frame):
    """FRAME with its TCP checksum off by one bit."""
    frame = Ether(bytes(frame))
    frame[TCP].chksum ^= 0x0100
    return frame


def bad_ip(frame):
    frame = Ether(bytes(frame))
    frame[IP].chksum ^= 0x0100
    return frame


SYN4 = ip4 / TCP(sport=40015, dport=80, flags="S") / Raw(b"x" * 40)
FRAG4 = fragment(SYN4, fragsize=24)
SYN6 = TCP(sport=40017, dport=80, flags="S") / Raw(b"x" * 40)
FRAG6 = [ip6 / IPv6ExtHdrFragment(id=7, m=1, offset=0, nh=6) /
         Raw(bytes(ip6 / SYN6)[40:64]),
         ip6 / IPv6ExtHdrFragment(id=7, m=0, offset=3, nh=6) /
         Raw(bytes(ip6 / SYN6)[64:])]


CASES = {
    "ip-len-past-frame": eth / IP(src=cli4, dst=nowhere4, len=1000) / ack(40001),
    "ip-ihl-3": eth / IP(src=cli4, dst=nowhere4, ihl=3) / ack(40002),
    "tcp-doff-3": eth / ip4 / ack(40003, dataofs=3),
    "tcp-doff-past-ip": eth / ip4 / ack(40004, dataofs=15),
    "vlan-truncated": Ether(src=cli_mac, dst=srv_mac, type=0x8100) /
                      Raw(b"\x00\x0a"),
    "vlan-inner-truncated": eth / Dot1Q(vlan=10, type=0x8100) /
                            Raw(b"\x00\x0a"),
    "ipv6-plen-past-frame": eth / IPv6(src=cli6, dst=nowhere6, plen=1000) /
                            ack(40007),
    "padded": eth / ip4 / ack(40008) / Padding(b"\0" * 6),
    "syn-optlen-0": eth / ip4 / syn(40009, b"\x03\x00\x01\x00"),
    "syn-optlen-past-header": eth / ip4 / syn(40010, b"\x03\x0a\x01\x00"),
    "tcp-bad-csum": bad_tcp(eth / ip4 / ack(40011) / Raw(b"data")),
    "tcp6-bad-csum": bad_tcp(eth / ip6 / ack(40012)),
    "ip-bad-csum": bad_ip(eth / ip4 / ack(40013)),
    "syn-bad-csum": bad_tcp(eth / ip4 / syn(40014, b"\x01\x01\x01\x01")),
    "frag4-syn-first": eth / FRAG4[0],
    "frag4-syn-last": eth / FRAG4[-1],
    "frag6-syn-first": eth / FRAG6[0],
    "frag6-syn-last": eth / FRAG6[1],
}
MARKER = eth / ip4 / UDP(sport=9, dport=9)



def decoy(port, path):
    """Connect to the server's PORT; send a decoy of the ClientHello in PATH
    (its name curl.sslv.test made good.sslv.test) with a bad checksum, as
    the connection's next segment, then the real hello; print how the
    connection ended."""
    hello = bytes.fromhex("".join(l.strip() for l in open(path)
                                  if not l.startswith("#")))
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                        socket.htons(0x0800))
    cap.bind(("eth0", 0))
    s = socket.create_connection((srv4, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sport = s.getsockname()[1]
    while True:
        p = Ether(cap.recv(2048))
        if TCP in p and p[TCP].sport == port and p[TCP].dport == sport \
                and p[TCP].flags.S:
            break
    cap.close()
    good = hello.replace(b"curl.sslv.test", b"good.sslv.test")
    sendp(bad_tcp(eth / IP(src=cli4, dst=srv4) /
                  TCP(sport=sport, dport=port, flags="PA", seq=p[TCP].ack,
                      ack=p[TCP].seq + 1) / Raw(good)),
          iface="eth0", verbose=False)
    s.send(hello)
    s.settimeout(5)
    try:
        return "EOF" if not s.recv(4096) else "DATA"
    except socket.timeout:
        return "TIMEOUT"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


for line in sys.stdin:
    words = line.split()
    if words[0] == "decoy":
        print(decoy(int(words[1]), words[2]), flush=True)
    elif words[0] == "fuzz":
        # Fuzzed fields take new random values each time a frame is built.
        ip_garbage = eth / fuzz(IP(src=cli4, dst=srv4) / TCP())
        tcp_garbage = eth / IP(src=cli4, dst=srv4) / fuzz(TCP())
        sendp([ip_garbage, tcp_garbage], count=int(words[1]) // 2,
              iface="eth0", verbose=False)
        print(words[1], flush=True)
    elif words[0] == "marker":
        print(bytes(MARKER).hex(), flush=True)
    else:
        sendp([CASES[words[0]], MARKER], iface="eth0", verbose=False)
        print(bytes(CASES[words[0]]).hex(), flush=True)
EOF

# send CMD: one command to the sender; its answer in $reply.
send()
{
	echo "$1" >&"${SENDER_IO[1]}"
	read -r reply <&"${SENDER_IO[0]}" || ksft_fail "the frame sender died"
}

# counters: "packets malformed_l2 malformed_ip malformed_tcp bad_csum
# frag_tcp" in the box.
counters()
{
	n_box awk -v names="packets malformed_l2 malformed_ip malformed_tcp
		bad_csum frag_tcp" '{ v[$1] = $2 }
		END { n = split(names, k); for (i = 1; i <= n; i++)
			printf "%s ", v[k[i]] + 0 }' /proc/net/sslv_stats
}

# growth BEFORE AFTER: how much each of the counters grew.
growth()
{
	local -a a=($1) b=($2)

	echo "packets +$((b[0] - a[0])) l2 +$((b[1] - a[1]))" \
		"ip +$((b[2] - a[2])) tcp +$((b[3] - a[3]))" \
		"csum +$((b[4] - a[4])) frag +$((b[5] - a[5]))"
}

# captured: the hex of each frame the server captured, one per line, into
# $OUT/frames.
captured()
{
	tcpdump -r "$OUT/server.pcap" -nn -t -xx 2>/dev/null |
		awk '/^\t0x/ { $1 = ""; hex = hex $0; next }
		     n++ { print hex } { hex = "" } END { if (n) print hex }' |
		tr -d ' ' >"$OUT/frames"
}

# markers_seen N: the server has captured N markers (see $OUT/frames).
markers_seen()
{
	captured
	(($(grep -cx "$marker" "$OUT/frames") >= $1))
}

# one CASE ARRIVES GROWTH: send frame CASE; the server gets it (ARRIVES 1,
# byte for byte) or not (0), and the counters grow by exactly GROWTH.
# $cases and $arrived count the frames sent and expected so far, $seen
# holds the counters as they were before CASE.
one()
{
	local case=$1 arrives=$2 want=$3 before=$seen

	send "$case"
	cases=$((cases + 1))
	arrived=$((arrived + arrives))
	# The marker sent after CASE has crossed: so has CASE, if it could.
	wait_for markers_seen $cases

	seen=$(counters)
	check "$case: counters" "$(growth "$before" "$seen")" == "$want"
	check "$case: frames the server has received" \
		"$(grep -cvx "$marker" "$OUT/frames")" -eq $arrived
	if ((arrives)); then
		check "$case: forwarded untouched" \
			"$(grep -vx "$marker" "$OUT/frames" | tail -n 1)" == "$reply"
	fi
}

malformed()
{
	local cases=0 arrived=0 seen

	# What the client sends to the server, without neighbour discovery.
	capture_start "$SRV" eth0 "$OUT/server.pcap" \
		ether src "$(mac "$CLI")" and ether dst "$(mac "$SRV")" \
		and not arp and not icmp6
	send marker
	marker=$reply
	seen=$(counters)

	one ip-len-past-frame 1 "packets +0 l2 +0 ip +1 tcp +0 csum +0 frag +0"
	one ip-ihl-3 1 "packets +0 l2 +0 ip +1 tcp +0 csum +0 frag +0"
	one tcp-doff-3 1 "packets +0 l2 +0 ip +0 tcp +1 csum +0 frag +0"
	one tcp-doff-past-ip 1 "packets +0 l2 +0 ip +0 tcp +1 csum +0 frag +0"
	one ipv6-plen-past-frame 1 "packets +0 l2 +0 ip +1 tcp +0 csum +0 frag +0"
	# A truncated outer 802.1Q header never reaches a bridge: the receive
	# path drops it (skb_vlan_untag). A truncated inner one does.
	one vlan-truncated 0 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +0"
	# Two tags: vlan_unsupported, not malformed_l2.
	one vlan-inner-truncated 1 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +0"
	one padded 1 "packets +1 l2 +0 ip +0 tcp +0 csum +0 frag +0"
	one syn-optlen-0 1 "packets +1 l2 +0 ip +0 tcp +0 csum +0 frag +0"
	one syn-optlen-past-header 1 "packets +1 l2 +0 ip +0 tcp +0 csum +0 frag +0"
	# Before the SYNs' flows idle out (60 s).
	check "flows: one per valid frame" "$(n_box "$SSLVCTL" flow list |
		awk '{ print $4, $7 }' | sort | tr '\n' ' ')" == \
		"$CLI_IP4:40008 established $CLI_IP4:40009 syn-sent $CLI_IP4:40010 syn-sent "
	check "padded: the padding is not payload" "$(n_box "$SSLVCTL" -d \
		flow list sport 40008 | grep -o 'orig-seq [0-9]*')" == "orig-seq 1000"

	# The server drops these itself: sslv forwards them and learns nothing.
	one tcp-bad-csum 1 "packets +0 l2 +0 ip +0 tcp +0 csum +1 frag +0"
	one tcp6-bad-csum 1 "packets +0 l2 +0 ip +0 tcp +0 csum +1 frag +0"
	one ip-bad-csum 1 "packets +0 l2 +0 ip +0 tcp +0 csum +1 frag +0"
	one syn-bad-csum 1 "packets +0 l2 +0 ip +0 tcp +0 csum +1 frag +0"
	# A SYN in fragments: dropped, first or last, IPv4 or IPv6.
	one frag4-syn-first 0 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +1"
	one frag4-syn-last 0 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +1"
	one frag6-syn-first 0 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +1"
	one frag6-syn-last 0 "packets +0 l2 +0 ip +0 tcp +0 csum +0 frag +1"
	capture_stop
}

# decoy: the client's real ClientHello names curl.sslv.test, which a rule
# rejects; a copy naming good.sslv.test, with a bad checksum, goes first.
decoy()
{
	local sst=$OUT/decoy.status

	n_box "$SSLVCTL" rule add dport 5002 sni curl.sslv.test action reject \
		>/dev/null
	n_srv "$SOCK" server 5002 "$sst" &
	wait_for grep -q listening "$sst"
	before=$(counters)
	send "decoy 5002 $REPO/selftests/unit/data/curl-client.hex"
	check "decoy: the client's end" "$reply" == ECONNRESET
	wait_for grep -q "^end" "$sst"
	check "decoy: the server's end" "$(grep ^end "$sst")" == \
		"end ECONNRESET"
	read -r -a grew <<<"$(growth "$before" "$(counters)" | tr -d +)"
	check "decoy: bad_csum" "${grew[9]}" -eq 1
	check "decoy: tls_rejected" "$(stat_get "$BOX" tls_rejected)" -eq 1
	n_box "$SSLVCTL" rule flush >/dev/null
}

# fuzzed: garbage crosses next to a real connection, which keeps working.
fuzzed()
{
	local cst=$OUT/client.status sst=$OUT/server.status before client grew

	before=$(counters)
	# The connection stays up until the client is killed, however long
	# the fuzz takes on a loaded host.
	SSLV_SOCK_WAIT=600 n_srv "$SOCK" server 5001 "$sst" &
	wait_for grep -q listening "$sst"
	# ip netns exec execs sock.py: $! is the client itself.
	SSLV_SOCK_WAIT=600 ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" \
		5001 "$cst" &
	client=$!
	wait_for grep -q talked "$cst"
	wait_for grep -q talked "$sst"

	send "fuzz $FUZZED"
	check "fuzzed frames sent" "$reply" -eq $FUZZED
	check "the connection's flow is untouched" \
		"$(flow_state dport 5001)" == established

	# The client closes: its FIN must cross the bridge to the server.
	kill "$client"
	wait_for grep -q "^end" "$sst"
	check "server sees the client's close" "$(grep ^end "$sst")" == "end EOF"

	check "flows_current bounded" "$(stat_get "$BOX" flows_current)" \
		-le $((FUZZED + 10))
	# Some of the garbage is TCP to sslv, some malformed at each layer.
	read -r -a grew <<<"$(growth "$before" "$(counters)" | tr -d +)"
	check "fuzzed: packets" "${grew[1]}" -gt 10
	check "fuzzed: malformed_ip" "${grew[5]}" -gt 10
	check "fuzzed: malformed_tcp" "${grew[7]}" -gt 10
}

module_load
topo_up
coproc SENDER_IO {
	n_cli /usr/bin/python3 -c "$SENDER" "$(mac "$CLI")" "$(mac "$SRV")" \
		"$CLI_IP4" "$SRV_IP4" "$NOWHERE4" "$CLI_IP6" "$NOWHERE6"
}

malformed
decoy
fuzzed
exec {SENDER_IO[1]}>&-
wait "$SENDER_IO_PID"
check_run "rmmod with $(stat_get "$BOX" flows_current) flows in the table" \
	module_unload
