#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own nftables bridge reject next to sslv, on the same
# established IPv4 flow. nft's `reject with tcp reset` answers the client's
# next segment with a bare RST (no ACK) from the box's own TTL and leaves the
# server ESTABLISHED, never told. sslv's `flow reject` resets both ends: each
# socket fails with ECONNRESET, each RST carries ACK and the TTL and MAC of
# the end it impersonates.

source "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# client.py ADDR PORT STATUS TRIGGER: connect, send "ping" and read "pong"
# ("talked"); once TRIGGER exists send one byte ("sent"); report the end of
# the connection as sock.py does ("end ECONNRESET", "end EOF", ...).
cat >"$tmp/client.py" <<'EOF'
import errno, os, select, socket, sys, time

addr, port, status, trigger = sys.argv[1:]

def report(line):
    with open(status, "a") as f:
        f.write(line + "\n")

try:
    c = socket.create_connection((addr, int(port)), timeout=30)
    c.sendall(b"ping")
    if c.recv(4) == b"pong":
        report("talked")
    sent = False
    deadline = time.time() + 30
    while time.time() < deadline:
        if select.select([c], [], [], 0.05)[0]:
            report("end EOF" if not c.recv(4096) else "end DATA")
            break
        if not sent and os.path.exists(trigger):
            c.sendall(b"x")
            sent = True
            report("sent")
    else:
        report("end TIMEOUT")
except OSError as e:
    report("end " + errno.errorcode.get(e.errno, str(e.errno)))
EOF

# rst_seen PCAP: one line per IPv4 RST in PCAP, "SRCMAC TTL FLAGS", FLAGS
# as tcpdump prints them ("R" bare, "R." with ACK).
rst_seen()
{
	tcpdump -r "$1" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null |
		awk '/ethertype/ {
			mac = $2
			match($0, /ttl [0-9]+/)
			ttl = substr($0, RSTART + 4, RLENGTH - 4)
		}
		/Flags \[/ {
			match($0, /Flags \[[^]]*\]/)
			print mac, ttl, substr($0, RSTART + 7, RLENGTH - 8)
		}'
}

# wait_rst_seen PCAP N: give a running capture up to 5 s to hold N RSTs.
wait_rst_seen()
{
	local tries

	for ((tries = 50; tries > 0; tries--)); do
		(($(rst_seen "$1" | wc -l) >= $2)) && return 0
		sleep 0.1
	done
	return 0
}

# established NS PORT: how many ESTABLISHED sockets NS has on PORT.
established()
{
	ip netns exec "$1" ss -Htn state established \
		"( sport = :$2 or dport = :$2 )" | wc -l
}

# talk PORT TAG: a real flow on PORT whose client waits for $tmp/TAG.go;
# captures on both ends' eth0. Sets spid to the server's pid.
talk()
{
	local port=$1 tag=$2

	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port "$port"
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port "$port"
	n_srv "$SOCK" server "$port" "$tmp/$tag.server" &
	spid=$!
	wait_for grep -q listening "$tmp/$tag.server"
	n_cli /usr/bin/python3 "$tmp/client.py" "$SRV_IP4" "$port" \
		"$tmp/$tag.client" "$tmp/$tag.go" &
	wait_for grep -q talked "$tmp/$tag.client"
	wait_for grep -q talked "$tmp/$tag.server"
}

# Part A: no sslv; nft resets the segment the client sends next.
nft_part()
{
	local port=7001 cst=$tmp/nft.client

	talk $port nft
	modprobe -a nf_tables nft_reject_bridge
	n_box nft add table bridge t
	n_box nft add chain bridge t c \
		'{ type filter hook prerouting priority 0; }'
	n_box nft add rule bridge t c tcp dport $port reject with tcp reset
	touch "$tmp/nft.go"
	wait_for grep -q "^end" "$cst"
	wait_rst_seen "$OUT/nft.cli.pcap" 1
	capture_stop

	nft_client=$(grep ^end "$cst" | cut -d' ' -f2)
	nft_server=gone
	(($(established "$SRV" $port) == 1)) && nft_server=ESTABLISHED
	check "nft: client sent its byte" "$(grep -c ^sent "$cst")" -eq 1
	check "nft: client socket error" "$nft_client" == ECONNRESET
	check "nft: server socket" "$nft_server" == ESTABLISHED
	check "nft: server socket has not ended" \
		"$(tail -n 1 "$tmp/nft.server")" == talked
	check "nft: RSTs reaching the client" \
		"$(rst_seen "$OUT/nft.cli.pcap" | wc -l)" -eq 1
	echo "nft: RST to the client: $(rst_seen "$OUT/nft.cli.pcap")"
	check "nft: RST to the client is bare, from the box's TTL" \
		"$(rst_seen "$OUT/nft.cli.pcap")" == "$(mac "$SRV") 64 R"
	check "nft: RSTs reaching the server" \
		"$(rst_seen "$OUT/nft.srv.pcap" | wc -l)" -eq 0
	check "nft: client's byte reaching the server" \
		"$(pkts "$OUT/nft.srv.pcap" src "$CLI_IP4" and \
			"ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) == 1")" \
		-eq 0

	n_box nft delete table bridge t
	kill "$spid"
	wait "$spid" || true
}

# Part B: sslv rejects the same kind of flow, without waiting for the
# client to speak; both ends hear of it.
sslv_part()
{
	local port=7002 cst=$tmp/sslv.client sst=$tmp/sslv.server

	module_load
	talk $port sslv
	n_box "$SSLVCTL" flow reject "$(flow_id dport $port)"
	wait_for grep -q "^end" "$cst"
	wait_for grep -q "^end" "$sst"
	wait_rst_seen "$OUT/sslv.cli.pcap" 1
	wait_rst_seen "$OUT/sslv.srv.pcap" 1
	capture_stop

	sslv_client=$(grep ^end "$cst" | cut -d' ' -f2)
	sslv_server=$(grep ^end "$sst" | cut -d' ' -f2)
	check "sslv: client socket error" "$sslv_client" == ECONNRESET
	check "sslv: server socket error" "$sslv_server" == ECONNRESET
	check "sslv: server sockets ESTABLISHED" \
		"$(established "$SRV" $port)" -eq 0
	check "sslv: RSTs reaching the client" \
		"$(rst_seen "$OUT/sslv.cli.pcap" | wc -l)" -eq 1
	check "sslv: RST to the client, as the server, with ACK" \
		"$(rst_seen "$OUT/sslv.cli.pcap")" == "$(mac "$SRV") $SRV_TTL R."
	check "sslv: RSTs reaching the server" \
		"$(rst_seen "$OUT/sslv.srv.pcap" | wc -l)" -eq 1
	check "sslv: RST to the server, as the client, with ACK" \
		"$(rst_seen "$OUT/sslv.srv.pcap")" == "$(mac "$CLI") $CLI_TTL R."
}

topo_up
nft_part
sslv_part

echo "nft:  client $nft_client, server $nft_server"
echo "sslv: client $sslv_client, server $sslv_server"
