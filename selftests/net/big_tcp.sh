#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BIG TCP through the bridge. With gso_max_size (and, from 6.3,
# gso_ipv4_max_size) at 185000 on the client's device, its stack sends GSO
# packets over 64 KiB, which cross veth and the bridge whole: IPv6 ones with
# payload_len 0 and a hop-by-hop jumbo option, IPv4 ones (6.3 and later)
# with tot_len 0. sslv takes their length as the kernel does: none is
# malformed_ip, and the flow's tracked seq keeps up, so that rejecting the
# flow in the middle of a bulk transfer resets both ends (the server only
# accepts an RST at exactly its rcv_nxt, the end of the last BIG packet).
# On a kernel without IPv4 BIG TCP only IPv6 runs.

source "$(dirname "$0")/../lib.sh"

PORT=5001

# The bulk endpoints: "server PORT STATUS" reads until the connection ends;
# "client ADDR PORT STATUS" writes until it ends. Both write "connected",
# then "end ECONNRESET" / "end EOF" / "end TIMEOUT" / "end <errno name>".
read -r -d '' BULK <<'EOF' || true
import errno
import socket
import sys


def report(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def run(role, addr, port, status):
    try:
        if role == "server":
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", port))
            s.listen(1)
            report(status, "listening")
            s.settimeout(30)
            c, _ = s.accept()
        else:
            c = socket.create_connection((addr, port), timeout=30)
        report(status, "connected")
        c.settimeout(30)
        buf = bytes(1 << 20)
        while True:
            if role == "server":
                if not c.recv(1 << 20):
                    return report(status, "end EOF")
            else:
                c.sendall(buf)
    except socket.timeout:
        report(status, "end TIMEOUT")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))


run(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
EOF

# big FAMILY ADDR: a bulk transfer to ADDR in BIG TCP packets, rejected in
# the middle.
big()
{
	local fam=$1 addr=$2 cst=$OUT/$1.cli sst=$OUT/$1.srv cap=$OUT/$1.pcap
	local mal

	mal=$(stat_get "$BOX" malformed_ip)
	capture_start "$BOX" "$PORT_SRV" "$cap" -s 128 tcp port $PORT
	n_srv /usr/bin/python3 -c "$BULK" server :: $PORT "$sst" &
	wait_for grep -q listening "$sst"
	n_cli /usr/bin/python3 -c "$BULK" client "$addr" $PORT "$cst" &
	wait_for grep -q connected "$cst"
	# Until BIG packets have crossed.
	big_seen() { (($(pkts "$cap" greater 65600) > 0)); }
	wait_for big_seen
	n_box "$SSLVCTL" flow reject "$(flow_id dport $PORT)"
	wait_for grep -q "^end" "$cst"
	wait_for grep -q "^end" "$sst"
	capture_stop

	check "$fam: BIG TCP packets crossed the bridge" \
		"$(pkts "$cap" greater 65600)" -gt 0
	check "$fam: none is malformed_ip" \
		$(($(stat_get "$BOX" malformed_ip) - mal)) -eq 0
	check "$fam: the client's end" "$(grep ^end "$cst")" == "end ECONNRESET"
	check "$fam: the server's end" "$(grep ^end "$sst")" == "end ECONNRESET"
}

module_load
topo_up
ip -n "$CLI" link set eth0 gso_max_size 185000 gro_max_size 185000 ||
	ksft_skip "no BIG TCP on veth"
v4=
if ip -n "$CLI" link set eth0 gso_ipv4_max_size 185000 2>/dev/null; then
	v4=1
fi

big ipv6 "$SRV_IP6"
if [[ -n $v4 ]]; then
	big ipv4 "$SRV_IP4"
else
	echo "# no IPv4 BIG TCP on $(uname -r): IPv6 only"
fi
