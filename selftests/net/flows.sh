#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow table. A connection goes syn-sent, syn-recv, established,
# closing, closed, and its entry names the client and server ports, their
# TTLs and the bridge ports behind which they sit. A connection set up
# before the module was loaded is picked up mid-stream from its traffic and
# can still be reset on both ends. The table never holds more than
# max-flows: a new flow at a full table evicts an idle one or goes
# untracked. Idle flows and tombstones expire after their timeouts; a zero
# limit or timeout is refused and changes nothing.

source "$(dirname "$0")/../lib.sh"

# PEER_PY MODE ...: endpoints the tests need beyond sock.py.
#   echo PORT STATUS         accept one connection, answer each "ping" with
#                            "pong"; "end ERRNO" or "end EOF" when it ends
#   chat ADDR PORT STATUS    connect, ping/pong ("talked 1"); when the file
#                            STATUS.go exists, three more ("talked 4"); then
#                            wait for the connection to end ("end ...")
#   refuse ADDR PORT SPORT N
#                            N connections from ports SPORT.., each expected
#                            to be refused; prints how many were
PEER_PY='
import errno, os, socket, sys, time

def add(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")

def why(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else "TIMEOUT"

def ping(c):
    c.sendall(b"ping")
    return c.recv(4) == b"pong"

def echo(port, status):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    s.listen(1)
    add(status, "listening")
    c, _ = s.accept()
    try:
        while True:
            b = c.recv(4)
            if not b:
                add(status, "end EOF")
                return
            c.sendall(b"pong")
    except OSError as e:
        add(status, "end " + why(e))

def chat(addr, port, status):
    try:
        c = socket.create_connection((addr, int(port)), 30)
        c.settimeout(30)
        add(status, "talked 1" if ping(c) else "no pong")
        while not os.path.exists(status + ".go"):
            time.sleep(0.05)
        for n in (2, 3, 4):
            time.sleep(0.1)
            if not ping(c):
                add(status, "no pong")
                return
        add(status, "talked 4")
        if not c.recv(1):
            add(status, "end EOF")
    except OSError as e:
        add(status, "end " + why(e))

def refuse(addr, port, sport, n):
    refused = 0
    for p in range(int(sport), int(sport) + int(n)):
        c = socket.socket()
        c.settimeout(5)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("", p))
        try:
            c.connect((addr, int(port)))
        except ConnectionRefusedError:
            refused += 1
        except OSError:
            pass
        c.close()
    print(refused)

globals()[sys.argv[1]](*sys.argv[2:])
'
PEER=(/usr/bin/python3 -S -c "$PEER_PY")

declare -A F

# flow_json FILTER...: the fields of the one flow `flow list FILTER` shows
# into F (F[count] is how many it shows).
flow_json()
{
	local k v

	F=()
	while read -r k v; do
		F[$k]=$v
	done <<<"$(n_box "$SSLVCTL" -j flow list "$@" | /usr/bin/python3 -S -c '
import json, sys
flows = json.load(sys.stdin)
for f in flows[:1]:
    for k, v in f.items():
        print(k, v)
print("count", len(flows))')"
}

# state_of FILTER...: the state of each flow `flow list FILTER` shows, read
# from the text; state_is STATE FILTER... whether that is one flow in STATE.
state_is()
{
	[[ $(state_of "${@:2}") == "$1" ]]
}

state_of()
{
	n_box "$SSLVCTL" flow list "$@" | awk '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(syn-sent|syn-recv|established|closing|closed|rejected|dropped)$/)
				print $i }' | paste -sd ' '
}

ifindex() { n_box cat "/sys/class/net/$1/ifindex"; }

# rsts_wait PCAP...: give running captures up to 5 s to hold an RST each
# (the check that follows says whether they did).
rsts_wait()
{
	local pcap tries

	for pcap; do
		for ((tries = 50; tries > 0; tries--)); do
			[[ -z $(rsts "$pcap") ]] || break
			sleep 0.1
		done
	done
}

# rsts PCAP: "SRCMAC TTL FLAGS" of each IPv4 RST in PCAP (tcpdump, as tshark
# starts slowly in the guest).
rsts()
{
	tcpdump -r "$1" -nn -e -v 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null |
		awk '/ethertype/ { mac = $2; match($0, /ttl [0-9]+/)
				   ttl = substr($0, RSTART + 4, RLENGTH - 4) }
		     /Flags \[/ { match($0, /Flags \[[^]]*\]/)
				  print mac, ttl, substr($0, RSTART + 7, RLENGTH - 8) }'
}
now_ms() { date +%s%3N; }

# hold NS PORT: drop TCP to PORT (SYNs, for a server) or from PORT (SYN-ACKs,
# for a client) arriving in NS; unhold NS lets them through again.
hold()
{
	local dir=dport

	[[ $1 == "$SRV" ]] || dir=sport
	ip netns exec "$1" nft -f - <<-EOF
	table inet hold {
		chain in {
			type filter hook input priority 0;
			tcp $dir $2 drop
		}
	}
	EOF
}

unhold() { ip netns exec "$1" nft delete table inet hold; }

# A connection set up before the module is loaded, then talking: the flow
# is picked up from its traffic, client and server told apart by who spoke
# first, and a reject still resets both real sockets.
midstream()
{
	local p=5101 sst=$OUT/mid.srv.status cst=$OUT/mid.cli.status

	ip netns exec "$SRV" "${PEER[@]}" echo $p "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "${PEER[@]}" chat "$SRV_IP4" $p "$cst" &
	wait_for grep -q "talked 1" "$cst"

	module_load
	capture_start "$CLI" eth0 "$OUT/mid.cli.pcap" tcp port $p
	capture_start "$SRV" eth0 "$OUT/mid.srv.pcap" tcp port $p
	touch "$cst.go"
	wait_for grep -q "talked 4" "$cst"

	flow_json dport $p
	check "midstream: one flow" "${F[count]}" -eq 1
	check "midstream: flagged" "${F[midstream]:-absent}" == True
	check "midstream: established" "${F[state]}" == established
	check "midstream: the first sender is the client" "${F[src]}" == \
		"$CLI_IP4"
	check "midstream: client TTL" "${F[orig_ttl]}" -eq $CLI_TTL
	check "midstream: server TTL" "${F[reply_ttl]}" -eq $SRV_TTL
	check "midstream: flows_midstream" \
		"$(stat_get "$BOX" flows_midstream)" -eq 1

	n_box "$SSLVCTL" flow reject "${F[id]}"
	wait_for grep -q "^end" "$cst"
	wait_for grep -q "^end" "$sst"
	check "midstream: client socket error" "$(grep ^end "$cst")" == \
		"end ECONNRESET"
	check "midstream: server socket error" "$(grep ^end "$sst")" == \
		"end ECONNRESET"
	rsts_wait "$OUT/mid.cli.pcap" "$OUT/mid.srv.pcap"
	capture_stop
	check "midstream: RST to the client" "$(rsts "$OUT/mid.cli.pcap")" == \
		"$(mac "$SRV") $SRV_TTL R."
	check "midstream: RST to the server" "$(rsts "$OUT/mid.srv.pcap")" == \
		"$(mac "$CLI") $CLI_TTL R."
	check "midstream: rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 2
	check "midstream: no RST needed turning around" \
		"$(stat_get "$BOX" rst_turnaround)" -eq 0
}

# A connection through every state, its handshake held up by nft so that
# syn-sent and syn-recv last; closing while the server, stopped, has not
# answered the client's FIN.
states()
{
	local p=5102 sst=$OUT/states.srv.status cst=$OUT/states.cli.status
	local spid cpid

	hold "$SRV" $p
	ip netns exec "$SRV" "$SOCK" server $p "$sst" &
	spid=$!
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" $p "$cst" &
	cpid=$!
	wait_for state_is syn-sent dport $p
	check "states: SYN seen" "$(state_of dport $p)" == syn-sent
	hold "$CLI" $p
	unhold "$SRV"
	wait_for -t 20 state_is syn-recv dport $p
	check "states: SYN-ACK seen" "$(state_of dport $p)" == syn-recv
	unhold "$CLI"
	wait_for -t 20 grep -q talked "$cst"
	check "states: handshake done" "$(state_of dport $p)" == established

	flow_json dport $p
	check "states: JSON state" "${F[state]}" == established
	check "states: client" "${F[src]} ${F[sport]}" == \
		"$CLI_IP4 $(awk '$1 == "connected" { print $2 }' "$cst")"
	check "states: server" "${F[dst]} ${F[dport]}" == "$SRV_IP4 $p"
	check "states: client TTL" "${F[orig_ttl]}" -eq $CLI_TTL
	check "states: server TTL" "${F[reply_ttl]}" -eq $SRV_TTL
	check "states: client's bridge port" "${F[orig_if]} ${F[orig_if_name]}" \
		== "$(ifindex "$PORT_CLI") $PORT_CLI"
	check "states: server's bridge port" \
		"${F[reply_if]} ${F[reply_if_name]}" == \
		"$(ifindex "$PORT_SRV") $PORT_SRV"
	check "states: not mid-stream" "${F[midstream]:-absent}" == absent

	kill -STOP "$spid"
	kill "$cpid"
	wait "$cpid" || true
	wait_for state_is closing dport $p
	check "states: client FIN" "$(state_of dport $p)" == closing
	kill -CONT "$spid"
	wait "$spid" || true
	wait_for state_is closed dport $p
	check "states: both FINs acked" "$(state_of dport $p)" == closed
	check "states: the server saw the client's FIN" "$(grep ^end "$sst")" \
		== "end EOF"
}

# max-flows 50, 80 SYNs from distinct ports to a closed server port: each
# is refused by the server (untracked flows are forwarded too); the table
# holds 50 all along; the 30 beyond evict the longest-idle flow of the 8
# buckets from their own, or, those being empty, go untracked.
limit()
{
	local n evicted untracked refused=0

	module_unload
	module_load hashsize=1024
	n_box "$SSLVCTL" config set max-flows 50 timeout-closed 600
	check "limit: config shows it" \
		"$(n_box "$SSLVCTL" config | awk '$1 == "max-flows" { print $2 }')" \
		-eq 50
	for ((n = 10; n <= 80; n += 10)); do
		refused=$((refused + $(ip netns exec "$CLI" "${PEER[@]}" refuse \
			"$SRV_IP4" 5199 $((42000 + n)) 10)))
		check "limit: flows_current after $n SYNs" \
			"$(stat_get "$BOX" flows_current)" -eq $((n < 50 ? n : 50))
	done
	evicted=$(stat_get "$BOX" flows_evicted)
	untracked=$(stat_get "$BOX" flows_untracked)
	check "limit: the server refused every connection" "$refused" -eq 80
	check "limit: flows listed" \
		"$(n_box "$SSLVCTL" flow list dport 5199 | wc -l)" -eq 50
	check "limit: flows_evicted + flows_untracked ($evicted + $untracked)" \
		$((evicted + untracked)) -eq 30
	check "limit: flows_total" "$(stat_get "$BOX" flows_total)" -eq \
		$((50 + evicted))
}

# gone_after FILTER...: wait until the flows `flow list FILTER` shows are
# gone; prints the milliseconds since $start.
gone_after()
{
	wait_for -t 30 no_flows "$@"
	echo $(($(now_ms) - start))
}

no_flows() { [[ -z $(n_box "$SSLVCTL" flow list "$@") ]]; }

# Timeouts: a tombstone and an idle established flow expire on time, and
# so do a flow whose timeout is lowered after the collector saw it and one
# that closes while the collector rests; zeroes are refused.
timeouts()
{
	local p=5301 q=5302 r=5303 w=5304 before id ms rc=0 start
	local sst=$OUT/to.srv.status cst=$OUT/to.cli.status

	module_unload
	module_load
	rm -f "$sst" "$cst"
	before=$(n_box "$SSLVCTL" config)
	n_box "$SSLVCTL" config set max-flows 0 2>"$OUT/zero.err" || rc=$?
	check "timeouts: max-flows 0 refused" "$rc $(cat "$OUT/zero.err")" == \
		"1 Error: invalid max-flows \"0\""
	rc=0
	n_box "$SSLVCTL" config set timeout-handshake 5 timeout-closed 0 \
		2>"$OUT/zero.err" || rc=$?
	check "timeouts: timeout-closed 0 refused" \
		"$rc $(cat "$OUT/zero.err")" == \
		"1 Error: invalid timeout-closed \"0\""
	check "timeouts: config unchanged" "$(n_box "$SSLVCTL" config)" == \
		"$before"

	n_box "$SSLVCTL" config set timeout-rejected 2
	check "timeouts: config shows timeout-rejected" \
		"$(n_box "$SSLVCTL" config | grep ^timeout-rejected)" == \
		"timeout-rejected 2"
	ip netns exec "$SRV" "$SOCK" server $p "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" $p "$cst" &
	wait_for grep -q talked "$cst"
	id=$(flow_id dport $p)
	start=$(now_ms)
	n_box "$SSLVCTL" flow reject "$id"
	wait_for grep -q "^end" "$cst"
	check "timeouts: tombstone" "$(state_of dport $p)" == rejected
	ms=$(gone_after dport $p)
	check "timeouts: tombstone kept 2 s" "$ms" -ge 2000
	# The upper bounds only tell the configured timeout from the default
	# (60 s, 3600 s): on a loaded TCG host each poll takes a second.
	check "timeouts: tombstone gone by 20 s" "$ms" -le 20000
	check "timeouts: flows_expired" "$(stat_get "$BOX" flows_expired)" -eq 1

	n_box "$SSLVCTL" config set timeout-established 3
	check "timeouts: config shows timeout-established" \
		"$(n_box "$SSLVCTL" config | grep ^timeout-established)" == \
		"timeout-established 3"
	rm -f "$sst" "$cst"
	ip netns exec "$SRV" "$SOCK" server $q "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" $q "$cst" &
	wait_for grep -q talked "$sst"
	start=$(now_ms)
	check "timeouts: idle flow" "$(state_of dport $q)" == established
	ms=$(gone_after dport $q)
	check "timeouts: idle flow kept 3 s" "$ms" -ge 2500
	check "timeouts: idle flow gone by 20 s" "$ms" -le 20000
	check "timeouts: flows_expired" "$(stat_get "$BOX" flows_expired)" -eq 2

	# A timeout lowered under a flow the collector has seen: with every
	# timeout at 600 s, its sweeps find nothing due for ten minutes and
	# it rests; the new timeout must wake it.
	n_box "$SSLVCTL" config set timeout-handshake 600 \
		timeout-established 600 timeout-closing 600 \
		timeout-closed 600 timeout-rejected 600
	rm -f "$sst" "$cst"
	ip netns exec "$SRV" "$SOCK" server $r "$sst" &
	wait_for grep -q listening "$sst"
	ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" $r "$cst" &
	wait_for grep -q talked "$sst"
	check "timeouts: flow to be lowered" "$(state_of dport $r)" == established
	sleep 4		# two sweeps of 1.6 s see it, then the collector rests
	start=$(now_ms)
	n_box "$SSLVCTL" config set timeout-established 2
	ms=$(gone_after dport $r)
	check "timeouts: lowered under a seen flow, gone by 20 s" "$ms" -le 20000
	check "timeouts: flows_expired" "$(stat_get "$BOX" flows_expired)" -eq 3

	# A flow that closes while the collector rests: every timeout long
	# but timeout-closed, the sweeps find nothing due for a minute; the
	# FINs that close the flow must wake the collector.
	n_box "$SSLVCTL" config set timeout-established 600 timeout-closed 2
	rm -f "$sst" "$cst"
	SSLV_SOCK_WAIT=8 ip netns exec "$SRV" "$SOCK" server $w "$sst" &
	wait_for grep -q listening "$sst"
	SSLV_SOCK_WAIT=8 ip netns exec "$CLI" "$SOCK" client "$SRV_IP4" $w "$cst" &
	wait_for grep -q talked "$sst"
	check "timeouts: flow to close" "$(state_of dport $w)" == established
	wait_for -t 30 grep -q "^end" "$cst"
	wait_for -t 30 grep -q "^end" "$sst"
	start=$(now_ms)
	ms=$(gone_after dport $w)
	check "timeouts: closed while the collector rests, gone by 20 s" \
		"$ms" -le 20000
	# The earlier connections' sockets outlive their flows, and their FINs
	# (at SSLV_SOCK_WAIT, 30 s) make new flows that may expire meanwhile.
	check "timeouts: flows_expired" "$(stat_get "$BOX" flows_expired)" -ge 4
}

topo_up
midstream
states
limit
timeouts
