#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rstscope end to end: real resets made by real stacks in network namespaces,
# captured with tcpdump, labelled by rstscope.
#
#   client ns (veth0 10.77.1.1, fd77:1::1) -- router ns -- server ns (10.77.2.2, fd77:2::2)
#
# The router forwards, and plays two middleboxes with nftables: it rejects
# the client's data to port 7004 with a forged RST, and it drops the server's
# pure ACKs from port 7003 so that the client's FIN and RST leave together.
# Needs root; runs on the host or in the guest. Prints "N passed, N failed".
# KEEP=DIR keeps a copy of the capture there.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
RSTSCOPE=${RSTSCOPE:-$HERE/rstscope}
PY=/usr/bin/python3
C=rs-c-$$ R=rs-r-$$ S=rs-s-$$
TMP=$(mktemp -d)
pass=0 fail=0 pids=() caps=()

cleanup() {
	kill "${caps[@]}" "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	for n in "$C" "$R" "$S"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# The endpoints, one small Python program per role.
PEER='
import socket, struct, sys, time
role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
LINGER0 = struct.pack("ii", 1, 0)

def listen():
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen()
    print("listening", flush=True)
    return s.accept()[0]

def connect():
    s = socket.socket(fam)
    s.settimeout(5)
    s.connect((host, port))
    return s

if role == "echo":            # echo until the peer goes away
    c = listen()
    try:
        while (d := c.recv(4096)):
            c.sendall(d)
    except ConnectionResetError:
        pass
elif role == "quiet":         # accept and say nothing
    c = listen(); time.sleep(2)
elif role == "hello":         # greet, then stay silent
    c = listen(); c.sendall(b"hello"); time.sleep(2)
elif role == "late":          # speak only after a while
    c = listen(); time.sleep(0.5); c.sendall(b"late"); time.sleep(0.2)
elif role == "refused":       # nothing listens there
    try:
        connect()
    except ConnectionRefusedError:
        sys.exit(0)
    sys.exit(1)
elif role == "linger":        # idle a while, then SO_LINGER {1, 0} and close()
    s = connect(); s.sendall(b"x" * 100)
    got = b""
    while len(got) < 100:
        got += s.recv(100)
    time.sleep(0.6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0); s.close()
elif role == "finrst":        # FIN, then the RST right behind it
    s = connect(); s.recv(5); s.shutdown(socket.SHUT_WR)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0); s.close()
elif role == "rejected":      # a middlebox resets us as we speak
    s = connect(); s.sendall(b"data")
    try:
        s.recv(10)
    except ConnectionResetError:
        sys.exit(0)
    sys.exit(1)
'

ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

setup() {
	local n
	for n in "$C" "$R" "$S"; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
	ip -n "$C" link add name veth0 type veth peer name c0 netns "$R" &&
	ip -n "$S" link add name veth0 type veth peer name s0 netns "$R" || return 1
	ip -n "$C" addr add 10.77.1.1/24 dev veth0
	ip -n "$C" addr add fd77:1::1/64 dev veth0 nodad
	ip -n "$R" addr add 10.77.1.254/24 dev c0
	ip -n "$R" addr add fd77:1::fe/64 dev c0 nodad
	ip -n "$R" addr add 10.77.2.254/24 dev s0
	ip -n "$R" addr add fd77:2::fe/64 dev s0 nodad
	ip -n "$S" addr add 10.77.2.2/24 dev veth0
	ip -n "$S" addr add fd77:2::2/64 dev veth0 nodad
	for n in "$C" "$S"; do ip -n "$n" link set veth0 up; done
	ip -n "$R" link set c0 up && ip -n "$R" link set s0 up
	ip -n "$C" route add default via 10.77.1.254
	ip -n "$C" -6 route add default via fd77:1::fe
	ip -n "$S" route add default via 10.77.2.254
	ip -n "$S" -6 route add default via fd77:2::fe
	ns "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ns "$R" nft -f - <<-'EOF'
	table inet middlebox {
		chain forward {
			type filter hook forward priority 0;
			tcp dport 7004 tcp flags & psh == psh reject with tcp reset
			tcp sport 7003 tcp flags & (fin | syn | rst | psh | ack) == ack drop
		}
	}
	EOF
}

# Start a server in the server namespace and wait until it listens.
serve() {
	local out=$TMP/serve-$2
	ip netns exec "$S" "$PY" -c "$PEER" "$1" "$2" "$3" > "$out" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do grep -q listening "$out" && return 0; sleep 0.05; done
	bad "server $1 listens on port $3"
	return 1
}

client() { ns "$C" "$PY" -c "$PEER" "$@"; }

capture_start() {
	ip netns exec "$C" tcpdump -i veth0 -n --immediate-mode -U -s "$2" -w "$1" tcp 2> "$1.log" &
	caps+=($!)
	for _ in $(seq 100); do grep -q listening "$1.log" && return 0; sleep 0.05; done
	bad "tcpdump starts writing $1"
	return 1
}

# A frame made by hand: Ethernet with an 802.1Q tag, IPv4, TCP, and padding
# to 64 bytes, then a truncated one, written as a classic pcap file.
synthetic_pcap() {
	"$PY" - "$1" <<-'EOF'
	import struct, sys
	def frame(sport, dport, seq, ack, flags, ttl):
	    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 512, 0, 0)
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, ttl, 6, 0,
	                     bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]))
	    eth = b"\x02" * 6 + b"\x04" * 6 + struct.pack("!HHH", 0x8100, 42, 0x0800)
	    return (eth + ip + tcp).ljust(64, b"\0")
	syn = frame(40000, 443, 100, 0, 0x02, 64)
	rst = bytearray(frame(443, 40000, 0, 101, 0x14, 60))
	rst[30:34], rst[34:38] = syn[34:38], syn[30:34]
	with open(sys.argv[1], "wb") as f:
	    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
	    for i, (data, cap) in enumerate(((syn, 64), (bytes(rst), 64), (bytes(rst), 30))):
	        f.write(struct.pack("<IIII", 1000 + i, 0, cap, len(data)) + data[:cap])
	EOF
}

# Flows made by hand whose Zeek conn_state and history follow from Zeek's
# rules (zeek.h): client 192.0.2.1, server 192.0.2.2, one client port each.
zeek_pcap() {
	"$PY" - "$1" <<-'EOF'
	import struct, sys
	C, S = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
	F, SYN, R, P, A = 0x01, 0x02, 0x04, 0x08, 0x10
	def frame(src, dst, sport, dport, seq, ack, flags, data=b"", win=512):
	    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, win, 0, 0)
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 1, 0, 64, 6, 0, src, dst)
	    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + data
	def c(port, *a, **k): return frame(C, S, port, a[0], *a[1:], **k)
	def s(port, *a, **k): return frame(S, C, a[0], port, *a[1:], **k)
	flows = [
	    # RSTOS0: SYN, then the originator's RST, no SYN-ACK
	    c(40001, 80, 100, 0, SYN), c(40001, 80, 101, 0, R),
	    # RSTRH: a SYN-ACK from port 443 first (flipped: ^), then its RST
	    s(40002, 443, 500, 201, SYN | A), s(40002, 443, 501, 201, R | A),
	    # OTH: picked up mid-stream, data then the originator's RST
	    c(40003, 8080, 1000, 2000, P | A, b"x" * 10), c(40003, 8080, 1010, 2000, R | A),
	    # SF: seed 001's close: the server's FIN acked, then FIN and RST from
	    # the client, and the server's RST to that FIN
	    c(40004, 443, 100, 0, SYN), s(40004, 443, 500, 101, SYN | A),
	    c(40004, 443, 101, 501, A), c(40004, 443, 101, 501, P | A, b"ping"),
	    s(40004, 443, 501, 105, P | A, b"pong"), s(40004, 443, 505, 105, F | A),
	    c(40004, 443, 105, 506, A), c(40004, 443, 105, 506, F | A),
	    c(40004, 443, 106, 506, R | A), s(40004, 443, 506, 0, R),
	    # I: FIN and RST in one segment
	    c(40005, 443, 100, 0, SYN), s(40005, 443, 500, 101, SYN | A),
	    c(40005, 443, 101, 501, A), c(40005, 443, 101, 501, F | R | A),
	    # T and W: data sent twice, a zero window, then the server's RST
	    c(40006, 443, 100, 0, SYN), s(40006, 443, 500, 101, SYN | A),
	    c(40006, 443, 101, 501, A), c(40006, 443, 101, 501, P | A, b"y" * 10),
	    c(40006, 443, 101, 501, P | A, b"y" * 10), s(40006, 443, 501, 111, A, win=0),
	    s(40006, 443, 501, 111, R | A),
	]
	with open(sys.argv[1], "wb") as f:
	    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
	    for i, data in enumerate(flows):
	        f.write(struct.pack("<IIII", 1000 + i, 0, len(data), len(data)) + data)
	EOF
}

expect() { # pcap-text, server address:port, expected labels
	grep -qF -- "-> $2  $3 " "$1"
}

setup || { bad "namespaces and veths"; echo "$pass passed, $fail failed"; exit 1; }
# Resolve neighbours first: a SYN held in a neighbour queue goes out twice.
client refused 10.77.2.2 7000 && client refused fd77:2::2 7000 ||
	bad "warm-up connections"

PCAP=$TMP/e2e.pcap SNAP=$TMP/snap.pcap
capture_start "$PCAP" 262144
capture_start "$SNAP" 74

check "connect to a closed port is refused" client refused 10.77.2.2 7001
check "connect to a closed IPv6 port is refused" client refused fd77:2::2 7006
serve echo 10.77.2.2 7002 && check "SO_LINGER {1, 0} close" client linger 10.77.2.2 7002
serve hello 10.77.2.2 7003 && check "FIN then RST close" client finrst 10.77.2.2 7003
serve late 10.77.2.2 7004 && late=$! &&
	check "middlebox resets the client" client rejected 10.77.2.2 7004
# nmap's raw SYNs carry a random TTL unless told.
serve quiet 10.77.2.2 7007 && check "nmap SYN scan" \
	ns "$C" nmap -n -Pn -sS --ttl 64 --max-retries 0 -p 7007 10.77.2.2 -oN /dev/null > /dev/null
serve quiet 10.77.2.2 7008 && check "nmap connect scan" \
	ns "$C" nmap -n -Pn -sT --max-retries 0 -p 7008 10.77.2.2 -oN /dev/null > /dev/null
# The late server's data meets the client's closed socket before it exits.
check "the late server has spoken" wait "${late:-0}"

# tcpdump flushes on SIGINT; background Pythons ignore it, so TERM them.
kill -INT "${caps[@]}" 2>/dev/null
kill "${pids[@]}" 2>/dev/null
wait "${caps[@]}" "${pids[@]}" 2>/dev/null
caps=() pids=()

[ -z "${KEEP:-}" ] || cp "$PCAP" "$KEEP/e2e.pcap"
"$RSTSCOPE" "$PCAP" > "$TMP/out.txt" 2> "$TMP/err.txt"
check "rstscope exits 0" test $? -eq 0
cat "$TMP/out.txt"
T=$TMP/out.txt
check "refused: server handshake-refused rst-ack" \
	expect "$T" 10.77.2.2:7001 "server handshake-refused rst-ack ttl-unknown seq-exact"
check "refused over IPv6" \
	expect "$T" "[fd77:2::2]:7006" "server handshake-refused rst-ack ttl-unknown seq-exact"
check "linger: client data rst-ack" \
	expect "$T" 10.77.2.2:7002 "client data rst-ack ttl-match seq-exact"
check "FIN then RST: client fin-rst" \
	expect "$T" 10.77.2.2:7003 "client fin-rst rst-ack ttl-match seq-exact"
check "middlebox: bare RST in the server's name with another TTL" \
	expect "$T" 10.77.2.2:7004 "server data rst-bare ttl-anomaly seq-exact"
check "server's late data finds the flow closed: after-teardown" \
	expect "$T" 10.77.2.2:7004 "client after-teardown rst-bare ttl-match seq-exact"
check "explanation names the forged TTL" \
	grep -qF "TTL 64 where the server's packets had 63" "$T"
check "nmap -sS: client handshake-abort rst-bare" \
	expect "$T" 10.77.2.2:7007 "client handshake-abort rst-bare ttl-match seq-exact"
check "nmap -sT: client post-handshake-abort rst-ack" \
	expect "$T" 10.77.2.2:7008 "client post-handshake-abort rst-ack ttl-match seq-exact"
nrst=$(grep -cE '^ *[0-9]+ .* \| ' "$T")
check "8 RSTs or more (nmap may retry)" test "$nrst" -ge 8
check "summary counts every RST line" grep -qE "^summary: $nrst RSTs in 7 flows" "$T"
check "summary table: fin-rst 1" grep -qE '^phase +fin-rst +1$' "$T"

"$RSTSCOPE" "$SNAP" > "$TMP/snap.txt"
check "a snap length of 74 (TCP options cut) gives the same labels" \
	diff <(cut -c18- "$T" | sed 's/ |.*//') <(cut -c18- "$TMP/snap.txt" | sed 's/ |.*//')

"$RSTSCOPE" -j "$PCAP" > "$TMP/out.json"
check "JSON: every line parses" jq -e . "$TMP/out.json" > /dev/null
check "JSON: as many RST objects as text lines, and the summary agrees" \
	test "$(jq -s '[.[] | select(.phase)] | length' "$TMP/out.json")" = "$nrst" -a \
	     "$(jq -s '.[-1].summary.rsts' "$TMP/out.json")" = "$nrst"
check "JSON: the fin-rst object" \
	test "$(jq -r 'select(.phase == "fin-rst") | .server + " " + .sender + " " + .kind' \
		"$TMP/out.json")" = "10.77.2.2:7003 client rst-ack"
SCHEMA_CHECK=$(dirname "$0")/../../userspace/tests/json_schema.py
check "JSON: each RST as Documentation/sslvctl.schema.json says" \
	"$SCHEMA_CHECK" rstscope_rst <(jq -c 'select(.summary | not)' "$TMP/out.json")
check "JSON: the summary as Documentation/sslvctl.schema.json says" \
	"$SCHEMA_CHECK" rstscope_summary <(jq -c 'select(.summary)' "$TMP/out.json")
check "JSON: the fin-rst object's flow, as sslvctl shows a flow" \
	test "$(jq -r 'select(.phase == "fin-rst") | .flow |
		"\(.proto) \(.family) \(.dst) \(.dport) \(.vlan) \(has("id"))"' \
		"$TMP/out.json")" = "tcp inet 10.77.2.2 7003 0 false"
check "JSON: event, RFC 3339 timestamp, reason, tcp_seq and tcp_ack" \
	test "$(jq -r 'select(.phase == "fin-rst") | [.event,
		(.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[.][0-9]{6}[+]00:00$")),
		.reason, (.tcp_seq | type), (.tcp_ack | type)] | join(" ")' \
		"$TMP/out.json")" = "rst true none number number"
check "JSON: ttl_seen and ttl_expected" \
	test "$(jq -r 'select(.ttl == "ttl-anomaly") | "\(.ttl_seen) \(.ttl_expected)"' \
		"$TMP/out.json")" = "64 63"

"$RSTSCOPE" --idle 400 "$PCAP" > "$TMP/idle.txt"
check "--idle 400 flags the reset of the linger flow, idle 600 ms, as idle" \
	grep -qE -- '-> 10.77.2.2:7002  client data .* idle RSTO [^ ]+ \|' "$TMP/idle.txt"
check "--idle 400 flags nothing else" grep -qE '^cause +idle +1$' "$TMP/idle.txt"
"$RSTSCOPE" -i 400 "$PCAP" > "$TMP/idle-i.txt" 2> "$TMP/err.txt"
check "-i 400, deprecated, still does what --idle 400 does" diff "$TMP/idle.txt" "$TMP/idle-i.txt"
check "-i says it is deprecated" grep -qF -- "-i is deprecated, use --idle 400" "$TMP/err.txt"
"$RSTSCOPE" --idle 4x "$PCAP" > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "--idle 4x: exit 2, the error names it, nothing printed" \
	test $? -eq 2 -a ! -s "$TMP/bad.txt" -a \
	"$(cat "$TMP/err.txt")" = "Error: --idle 4x: not a number of milliseconds"

# A filter expression, as tcpdump takes it: one word or several.
"$RSTSCOPE" "$PCAP" 'tcp port 7003' > "$TMP/f1.txt"
"$RSTSCOPE" "$PCAP" tcp port 7003 > "$TMP/f2.txt"
check "filter 'tcp port 7003': its one RST, one flow" \
	grep -qE '^summary: 1 RSTs in 1 flows' "$TMP/f1.txt"
check "filter: the same RST line as unfiltered, frame number included" \
	test "$(grep -F -- '-> 10.77.2.2:7003 ' "$TMP/f1.txt")" = \
	     "$(grep -F -- '-> 10.77.2.2:7003 ' "$T")"
check "filter: several words are one expression" diff "$TMP/f1.txt" "$TMP/f2.txt"
"$RSTSCOPE" -j "$PCAP" tcp port 7003 > "$TMP/f.json"
check "filter: frames = TCP + other + malformed + filtered out, and the file's count" \
	test "$(jq -r 'select(.summary) | .summary |
		"\(.frames) \(.tcp + .other + .malformed + .filtered)"' "$TMP/f.json")" = \
	     "$(tcpdump -r "$PCAP" 2>/dev/null | wc -l) $(tcpdump -r "$PCAP" 2>/dev/null | wc -l)"
# Half a flow: only the RSTs pass, so none has a flow behind it.
"$RSTSCOPE" "$PCAP" 'tcp[tcpflags] & tcp-rst != 0' > "$TMP/half.txt"
check "filter on RSTs only: the FIN+RST close is no longer seen as one" \
	grep -qE -- "-> 10.77.2.2:7003  unknown no-flow rst-ack" "$TMP/half.txt"
check "filter on RSTs only: no RST has a handshake or data behind it" \
	test "$(grep -cE ' (handshake-[a-z]+|post-handshake-abort|data|fin-rst) rst-' "$TMP/half.txt")" -eq 0
"$RSTSCOPE" "$PCAP" 'port 7003 and' > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "a bad filter: exit 2, nothing on stdout" test $? -eq 2 -a ! -s "$TMP/bad.txt"
check "a bad filter: the error names the expression and gives pcap's reason" \
	grep -qE '^rstscope: bad filter expression "port 7003 and": .*syntax error' "$TMP/err.txt"

# Zeek's conn_state and history, with the RST counted (zeek.h).
zeek() { # text, server address:port: "conn_state history" of each RST
	grep -F -- "-> $2 " "$1" | sed 's/ |.*//' | awk '{ print $(NF - 1), $NF }'
}
check "Zeek: a SYN refused: REJ Sr" test "$(zeek "$T" 10.77.2.2:7001)" = "REJ Sr"
check "Zeek: the same over IPv6" test "$(zeek "$T" "[fd77:2::2]:7006")" = "REJ Sr"
# The server may ack the client's data alone (a) before its echo (d), or not.
check "Zeek: SO_LINGER {1, 0} amid data: RSTO, ShAD then the echo, R" \
	grep -qxE 'RSTO ShAD(d|ad|da)R' <(zeek "$T" 10.77.2.2:7002)
check "Zeek: FIN then RST, the server's ACK dropped: RSTO ShAdFR" \
	test "$(zeek "$T" 10.77.2.2:7003)" = "RSTO ShAdFR"
check "Zeek: the forged RST, then the client's to the late data: RSTR ShADr, RSTR ShADrdR" \
	test "$(zeek "$T" 10.77.2.2:7004 | paste -sd,)" = "RSTR ShADr,RSTR ShADrdR"
check "Zeek: nmap -sS: RSTO ShR" test "$(zeek "$T" 10.77.2.2:7007 | head -1)" = "RSTO ShR"
check "Zeek: nmap -sT: RSTO ShAR" test "$(zeek "$T" 10.77.2.2:7008 | head -1)" = "RSTO ShAR"
check "JSON: conn_state and history" \
	test "$(jq -r 'select(.phase == "fin-rst") | .conn_state + " " + .history' \
		"$TMP/out.json")" = "RSTO ShAdFR"

zeek_pcap "$TMP/zeek.pcap"
"$RSTSCOPE" "$TMP/zeek.pcap" > "$TMP/zeek.txt"
check "Zeek: SYN then the originator's RST: RSTOS0 SR" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:80)" = "RSTOS0 SR"
check "Zeek: SYN-ACK first, then its sender's RST: RSTRH ^hr" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:443 | head -1)" = "RSTRH ^hr"
check "Zeek: mid-stream data, then RST: OTH DR" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:8080)" = "OTH DR"
check "Zeek: seed 001's FIN, RST and the server's RST after both FINs: SF" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:443 | sed -n 2,3p | paste -sd,)" = \
	     "SF ShADdfFR,SF ShADdfFRr"
check "Zeek: FIN+RST in one segment: RSTO ShAI" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:443 | sed -n 4p)" = "RSTO ShAI"
check "Zeek: a retransmission and a zero window before the server's RST: RSTR ShADTawr" \
	test "$(zeek "$TMP/zeek.txt" 192.0.2.2:443 | sed -n 5p)" = "RSTR ShADTawr"

# Ladders. Rows without frame and time; the client's port made PORT, the
# title's frame numbers N (a check of their own follows: they depend on
# what else the capture caught).
ladder_rows() {
	sed -n '/^ladder/,/^$/p' "$1" | sed -E 's/^ *[0-9]+ +[0-9.]+  /  /;
		s/^ {19}/  /; s/10\.77\.1\.1:[0-9]{5}/10.77.1.1:PORT/;
		s/(RSTs? at frames?) [0-9, ]+$/\1 N/'
}
"$RSTSCOPE" --ladder=4 "$PCAP" port 7004 > "$TMP/ladder.txt"
check "--ladder=4: the forged RST, the late data and the client's RST, each RST marked" \
	diff - <(ladder_rows "$TMP/ladder.txt") <<-'EOF'
	ladder 10.77.1.1:PORT -> 10.77.2.2:7004, RSTs at frames N
	 frame       time  client                                                     server
	  10.77.1.1:PORT                                            10.77.2.2:7004
	  |-------------------- [S] seq 0 len 0 -------------------->|
	  |<---------------- [S.] seq 0 ack 1 len 0 -----------------|
	  |----------------- [.] seq 1 ack 1 len 0 ----------------->|
	  |----------------- [P.] seq 1 ack 1 len 4 ---------------->|
	  |<=================== [R] seq 1 len 0 =====================|  RST server data rst-bare ttl-anomaly seq-exact; Zeek RSTR ShADr
	                                                                server aborted the connection during data transfer (SO_LINGER {1, 0}, close with unread data, crash, or a middlebox); bare RST (no ACK): an answer to a segment of no known connection, or forged; TTL 64 where the server's packets had 63: another hop distance, likely forged by a middlebox
	  |<---------------- [P.] seq 1 ack 1 len 4 -----------------|
	  |==================== [R] seq 1 len 0 ====================>|  RST client after-teardown rst-bare ttl-match seq-exact; Zeek RSTR ShADrdR
	                                                                client reset a connection already closed by an earlier RST (a firewall drops it as no connection); bare RST (no ACK): an answer to a segment of no known connection, or forged
	
	EOF
check "--ladder=4: the title names the RSTs by their frame numbers in the file" \
	test "$(grep -oE 'RSTs at frames [0-9, ]+' "$TMP/ladder.txt")" = \
	     "RSTs at frames $(grep -F -- '-> 10.77.2.2:7004 ' "$T" | awk '{ print $1 }' | paste -sd, | sed 's/,/, /g')"
"$RSTSCOPE" --ladder=4 "$PCAP" port 7003 > "$TMP/ladder.txt"
check "--ladder=4: the last 4 segments before the RST, the 2 before them counted" \
	test "$(grep -cE '^ +[0-9]+ +[0-9.]+  [|]' "$TMP/ladder.txt") $(grep -c '(2 earlier segments)' "$TMP/ladder.txt")" = "5 1"
"$RSTSCOPE" --ladder=1 "$PCAP" port 7004 > "$TMP/ladder.txt"
check "--ladder=1: one segment after the RST ends the ladder; the next RST opens another" \
	test "$(grep -E '^ladder |the flow goes on|earlier segments' "$TMP/ladder.txt" |
		sed -E 's/^ +[.]+ +//; s/:[0-9]{5} / /' | paste -sd'|')" = \
	"ladder 10.77.1.1 -> 10.77.2.2:7004, RST at frame $(grep -F -- '-> 10.77.2.2:7004 ' "$T" | awk 'NR == 1 { print $1 }')|(3 earlier segments)|(the flow goes on)|ladder 10.77.1.1 -> 10.77.2.2:7004, RST at frame $(grep -F -- '-> 10.77.2.2:7004 ' "$T" | awk 'NR == 2 { print $1 }')|(5 earlier segments)"
"$RSTSCOPE" -j --ladder "$PCAP" > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "-j --ladder: exit 2, the error says why" \
	test $? -eq 2 -a ! -s "$TMP/bad.txt" -a -n "$(grep -F -- '--ladder-svg' "$TMP/err.txt")"
"$RSTSCOPE" --ladder=0 "$PCAP" > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "--ladder=0: exit 2, the error names it" \
	test $? -eq 2 -a "$(cat "$TMP/err.txt")" = \
	"Error: --ladder=0: not a number of segments from 1 to 1000"
"$RSTSCOPE" --ladder=1001 "$PCAP" > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "--ladder=1001: exit 2, the error names it, nothing printed" \
	test $? -eq 2 -a ! -s "$TMP/bad.txt" -a "$(cat "$TMP/err.txt")" = \
	"Error: --ladder=1001: not a number of segments from 1 to 1000"

# The same ladders in SVG: well-formed XML, one group a flow with RSTs, and a
# browser draws them (headless Chromium's screenshot has ink, and red RSTs).
"$RSTSCOPE" -j --ladder-svg "$TMP/ladders.svg" "$PCAP" > "$TMP/svg.json"
check "--ladder-svg with -j: the JSON is unchanged" \
	diff <(jq -c 'del(.timestamp)' "$TMP/out.json") <(jq -c 'del(.timestamp)' "$TMP/svg.json")
check "SVG: XML, an svg root, one ladder a flow with RSTs, every RST annotated" \
	test "$("$PY" - "$TMP/ladders.svg" <<-'EOF'
	import sys, xml.etree.ElementTree as ET
	ns = "{http://www.w3.org/2000/svg}"
	root = ET.parse(sys.argv[1]).getroot()
	notes = [t for t in root.iter(ns + "text") if (t.text or "").startswith("RST ")]
	print(root.tag == ns + "svg", len(root.findall(ns + "g")), len(notes))
	EOF
	)" = "True 7 $nrst"
if command -v chromium > /dev/null; then
	H=$("$PY" -c 'import sys, xml.etree.ElementTree as ET; print(ET.parse(sys.argv[1]).getroot().get("height"))' "$TMP/ladders.svg")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chromium" \
		--no-first-run --disable-extensions --disable-breakpad --disable-component-update \
		--disable-background-networking --disable-sync --hide-scrollbars \
		--screenshot="$TMP/ladders.png" --window-size=1500,"$H" \
		"file://$TMP/ladders.svg" > "$TMP/chromium.log" 2>&1
	# PNG decoded with zlib alone: the share of pixels not white, and of red.
	read -r ink red < <("$PY" - "$TMP/ladders.png" <<-'EOF'
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n"
	pos, idat = 8, b""
	while pos < len(data):
	    n, kind = struct.unpack("!I4s", data[pos:pos + 8])
	    body = data[pos + 8:pos + 8 + n]
	    if kind == b"IHDR":
	        w, h, depth, ctype = struct.unpack("!IIBB", body[:10])
	    elif kind == b"IDAT":
	        idat += body
	    pos += 12 + n
	bpp = {2: 3, 6: 4}[ctype]
	raw, stride, prev, ink, red = zlib.decompress(idat), w * bpp, bytearray(w * bpp), 0, 0
	for y in range(h):
	    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
	    for i in range(stride):
	        a = line[i - bpp] if i >= bpp else 0
	        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
	        if f == 1: line[i] = (line[i] + a) & 255
	        elif f == 2: line[i] = (line[i] + b) & 255
	        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
	        elif f == 4:
	            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
	            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
	    for x in range(0, stride, bpp):
	        r, g, bl = line[x], line[x + 1], line[x + 2]
	        ink += (r, g, bl) != (255, 255, 255)
	        red += r > 150 and g < 80 and bl < 80
	    prev = line
	print(1000 * ink // (w * h), red)
	EOF
	)
	check "Chromium draws the SVG: over 2% of the screenshot is ink (${ink:-?} per mille)" \
		test "${ink:-0}" -gt 20
	check "Chromium draws the RSTs in red (${red:-?} red pixels)" test "${red:-0}" -gt 1000
else
	echo "skip chromium is not installed: the SVG is not rendered"
fi
"$RSTSCOPE" --ladder-svg "$TMP/no/such/dir.svg" "$PCAP" > /dev/null 2> "$TMP/err.txt"
check "--ladder-svg into a missing directory: exit 1, the error names the file" \
	test $? -eq 1 -a "$(cat "$TMP/err.txt")" = \
	"rstscope: $TMP/no/such/dir.svg: No such file or directory"

# sslv's monitor log: rstscope -j writes the record sslvctl -j monitor does,
# so a log is made from it: the forged RST of 7004 said sent by sslv for a
# rule, one more sslv RST the capture lacks, and events to skip around them.
jq -c 'select(.event == "rst") | if .flow.dport == 7004 and .sender == "server"
	then (.reason = "rule" | .causes += ["sslv"]) else . end' "$TMP/out.json" > "$TMP/log.json"
jq -c 'select(.reason == "rule") | .tcp_seq += 1' "$TMP/log.json" >> "$TMP/log.json"
sed -i '1i {"event":"session","flow":{"id":3},"sni":"a\\u00e9\\"b","classes":[]}' "$TMP/log.json"
"$RSTSCOPE" --sslv-log "$TMP/log.json" "$PCAP" > "$TMP/sslv.txt" 2> "$TMP/err.txt"
check "--sslv-log: exit 0, nothing on stderr" test $? -eq 0 -a ! -s "$TMP/err.txt"
check "--sslv-log: sslv's RST explained by its reason, with the sslv cause" \
	grep -qE -- "-> 10.77.2.2:7004  server data rst-bare ttl-anomaly seq-exact sslv RSTR ShADr [|] sslv: policy reject [(]a reject rule matched[)]; sslv reset the client in the server's name\$" \
	"$TMP/sslv.txt"
check "--sslv-log: every other RST as without the log" \
	diff <(grep -v "sslv: policy reject" "$TMP/sslv.txt" | grep -vE '^(summary|cause +sslv)') \
	     <(grep -v "10.77.2.2:7004  server data" "$T" | grep -vE '^(summary|cause +sslv)')
check "--sslv-log: the summary counts what was found of sslv's RSTs" \
	grep -qE "; sslv's log: 1 of its 2 RSTs found$" "$TMP/sslv.txt"
"$RSTSCOPE" -j --sslv-log "$TMP/log.json" "$PCAP" > "$TMP/sslv.json"
check "--sslv-log, JSON: the sslv cause and its explanation" \
	test "$(jq -r 'select(.reason == "rule") | "\(.causes[0]) \(.explain | .[:26])"' \
		"$TMP/sslv.json")" = "sslv sslv: policy reject (a rej"
check "--sslv-log, JSON: the summary's counts" \
	test "$(jq -r 'select(.summary) | "\(.summary.sslv_matched) \(.summary.sslv_logged)"' \
		"$TMP/sslv.json")" = "1 2"
{ head -2 "$TMP/log.json"; echo 'rst flow 7 tcp ...'; } > "$TMP/badlog.json"
"$RSTSCOPE" --sslv-log "$TMP/badlog.json" "$PCAP" > "$TMP/bad.txt" 2> "$TMP/err.txt"
check "--sslv-log with a line of text: exit 1, nothing on stdout, file and line named" \
	test $? -eq 1 -a ! -s "$TMP/bad.txt" -a "$(cat "$TMP/err.txt")" = \
	"rstscope: $TMP/badlog.json:3: not a JSON object (sslvctl -j monitor writes one a line)"
{ cat "$TMP/log.json"; printf '{"event":"rst","flow":{"src":"10.'; } > "$TMP/cutlog.json"
"$RSTSCOPE" --sslv-log "$TMP/cutlog.json" "$PCAP" > "$TMP/cut.txt" 2> "$TMP/err.txt"
check "--sslv-log whose last line is cut short: a warning, the rest used" \
	test $? -eq 0 -a "$(grep -c 'sslv: policy reject' "$TMP/cut.txt")" -eq 1 -a \
	"$(cat "$TMP/err.txt")" = "rstscope: $TMP/cutlog.json:$(($(wc -l < "$TMP/log.json") + 1)): warning: the last line is cut short, ignored"
echo '{"event":"rst","flow":{"family":"inet","src":"10.77.1.1","sport":1,"dst":"10.77.2.2","dport":2},"sender":"client","reason":"rule"}' > "$TMP/badlog.json"
echo '{}' >> "$TMP/badlog.json"
"$RSTSCOPE" --sslv-log "$TMP/badlog.json" "$PCAP" > /dev/null 2> "$TMP/err.txt"
check "--sslv-log with an sslv rst event lacking tcp_seq: exit 1, the line named" \
	test $? -eq 1 -a "$(cat "$TMP/err.txt")" = \
	"rstscope: $TMP/badlog.json:1: an rst event without flow, sport, dport or tcp_seq"
"$RSTSCOPE" --sslv-log "$TMP/none.json" "$PCAP" > /dev/null 2> "$TMP/err.txt"
check "--sslv-log of a missing file: exit 1, the file named" \
	test $? -eq 1 -a "$(cat "$TMP/err.txt")" = "rstscope: $TMP/none.json: No such file or directory"

synthetic_pcap "$TMP/vlan.pcap"
"$RSTSCOPE" "$TMP/vlan.pcap" > "$TMP/vlan.txt"
check "802.1Q tag, padding and a truncated frame" \
	grep -qF "vlan 42 192.0.2.1:40000 -> 192.0.2.2:443  server handshake-refused rst-ack ttl-unknown seq-exact" \
	"$TMP/vlan.txt"
check "the frame cut inside its IP header is malformed" \
	grep -qF "0 other, 1 malformed" "$TMP/vlan.txt"

if command -v editcap > /dev/null; then
	editcap -F pcapng "$PCAP" "$TMP/e2e.pcapng"
	"$RSTSCOPE" "$TMP/e2e.pcapng" > "$TMP/ng.txt"
	check "pcapng gives the same report" diff "$T" "$TMP/ng.txt"
fi

head -c 1000 "$PCAP" > "$TMP/cut.pcap"
"$RSTSCOPE" "$TMP/cut.pcap" > "$TMP/cut.txt" 2> "$TMP/err.txt"
check "a capture cut mid-record: exit 1" test $? -eq 1
check "a capture cut mid-record: the error names the file" \
	grep -qF "$TMP/cut.pcap: truncated dump file" "$TMP/err.txt"
check "a capture cut mid-record: what was read is summed up" \
	grep -q '^summary: ' "$TMP/cut.txt"

"$RSTSCOPE" "$TMP/missing.pcap" > /dev/null 2> "$TMP/err.txt"
check "a missing file: exit 1" test $? -eq 1
check "a missing file: the error names it" grep -qF "$TMP/missing.pcap" "$TMP/err.txt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
