#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RST forensics: every reset crossing the bridge is explained live by the
# module (the rst_* counters, rst events on `sslvctl -j monitor`) and, from a
# capture taken where the module sits (frames entering the bridge ports, and
# the RSTs sslv sends out of them), by tools/rstscope, both with
# kmod/lib/rst.c. Real stacks make each kind of reset on a server port of its
# own:
#
#   6001 a SYN to a closed port            server handshake-refused rst-ack
#   6002 SO_LINGER {1, 0} amid data        client data
#   6003 FIN, then RST right behind it     client fin-rst
#   6004 seed 001: the server's FIN is     client fin-rst, then the server's
#        acked, the client sends FIN, RST   RST to that FIN: after-teardown
#   6005 a forged bare RST in the server's server data rst-bare ttl-anomaly,
#        name (TTL 64, the server has 128)  then the client's RST to the
#                                           server's late FIN: after-teardown
#   6006 nmap -sS                          client handshake-abort rst-bare
#   6007 nmap -sT                          client post-handshake-abort
#   6008 2 s of silence, rst-idle 1000     client data, cause idle
#   6009 `sslvctl flow reject`             sslv's two RSTs: reason operator on
#                                           the monitor, not counted as seen;
#                                           the capture alone cannot tell them
#                                           from the endpoints' own, rstscope
#                                           given the monitor's log can
#
# For each port the counters must move by exactly the labels expected, and
# the monitor and rstscope must give those labels, the same ones, in order.

source "$(dirname "$0")/../lib.sh"

# Python without site setup starts in a quarter of the time in the guest.
PY=(/usr/bin/python3 -S)
CRAFT=$REPO/selftests/net/craft.py
RSTSCOPE=$REPO/tools/rstscope/rstscope
MONITOR=$OUT/monitor.json
ST=$OUT/peers		# the endpoints' progress files
IDLE_MS=1000

# The module's RST forensics counters, in /proc/net/sslv_stats order.
RST_COUNTERS=(rst_seen rst_handshake_refused rst_handshake_abort
	rst_post_handshake_abort rst_data rst_teardown rst_fin_rst
	rst_after_teardown rst_no_flow rst_bare rst_ttl_anomaly rst_seq_exact
	rst_seq_in_window rst_seq_outside rst_idle rst_rexmit
	rst_events_suppressed)

# What each port should show, one RST a line: "sender phase kind ttl seq
# causes" ("-" for no cause), live (monitor) and from the capture.
declare -A want_live want_pcap

# The endpoints: python3 -c "$PEER" ROLE PORT STATUS [ADDR], progress lines
# into STATUS, errors by errno name as sock.py reports them.
PEER='
import errno, os, socket, struct, sys, time

role, port, status = sys.argv[1], int(sys.argv[2]), sys.argv[3]
LINGER0 = struct.pack("ii", 1, 0)

def report(line):
    with open(status, "a") as f:
        f.write(line + "\n")

def accept():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    report("listening")
    c = s.accept()[0]
    s.close()
    return c

def connect():
    c = socket.create_connection((sys.argv[4], port), timeout=30)
    report("connected %d" % c.getsockname()[1])
    return c

def abort(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
    c.close()
    report("aborted")

def end(err):
    report("end " + errno.errorcode.get(err, str(err)))

def wait_reset(c):
    """Until the peer resets us, never closing first (EOF included)."""
    c.settimeout(30)
    try:
        while c.recv(4096):
            pass
        report("eof")
        for _ in range(600):
            err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return end(err)
            time.sleep(0.05)
    except OSError as e:
        end(e.errno)

if role == "stream":            # 1000 bytes in answer to "ping"
    c = accept(); c.recv(4); c.sendall(b"x" * 1000); report("sent")
    wait_reset(c)
elif role == "hello":           # greet, then wait
    c = accept(); c.sendall(b"hello"); report("sent")
    wait_reset(c)
elif role == "finclose":        # answer "ping", then close: FIN
    c = accept(); c.recv(4); c.sendall(b"pong" * 250); c.close()
    report("closed")
elif role == "abort":           # read 10 of the 1000 bytes, SO_LINGER {1, 0}
    c = connect(); c.sendall(b"ping"); c.recv(10)
    abort(c)
elif role == "finrst":          # FIN, then SO_LINGER {1, 0}: RST
    c = connect(); c.recv(5); c.shutdown(socket.SHUT_WR)
    abort(c)
elif role == "seed":            # on STATUS.go: FIN, close with data unread
    c = connect(); c.sendall(b"ping")
    while not os.path.exists(status + ".go"):
        time.sleep(0.05)
    c.shutdown(socket.SHUT_WR); c.close()
    report("closed")
elif role == "idle":            # talk, 2 s of silence, SO_LINGER {1, 0}
    c = connect(); c.sendall(b"ping"); c.recv(4); report("talked")
    time.sleep(2)
    abort(c)
'

# peer NS ROLE PORT STATUS [ADDR]: run a PEER role in NS, in the background;
# servers return once they listen.
peer()
{
	local ns=$1 role=$2 port=$3 st=$4

	ip netns exec "$ns" "${PY[@]}" -c "$PEER" "$role" "$port" "$st" "${@:5}" &
	[[ $ns != "$SRV" ]] || wait_for grep -q listening "$st"
}

# serve PORT STATUS: sock.py's server on PORT in the background, returning
# once it listens; $served is its pid.
serve()
{
	ip netns exec "$SRV" "${PY[@]}" "$SOCK" server "$1" "$2" &
	served=$!
	wait_for grep -q listening "$2"
}

# talk PORT STATUS: sock.py's client to PORT in the background.
talk()
{
	ip netns exec "$CLI" "${PY[@]}" "$SOCK" client "$SRV_IP4" "$1" "$2" &
}

# craft NS PEER_NS: send craft.py segments (stdin) from NS's eth0 to PEER_NS.
craft()
{
	ip netns exec "$1" "${PY[@]}" "$CRAFT" eth0 "$(mac "$1")" "$(mac "$2")"
}

# rst_counters: "name value" of each RST counter, in one read.
rst_counters()
{
	n_box awk -v names="${RST_COUNTERS[*]}" '
		BEGIN { n = split(names, order) }
		{ v[$1] = $2 }
		END {
			for (i = 1; i <= n; i++) {
				if (!(order[i] in v)) {
					print "no counter " order[i] >"/dev/stderr"
					exit 1
				}
				print order[i], v[order[i]]
			}
		}' /proc/net/sslv_stats
}

# counters_moved BEFORE AFTER: the RST counters that moved between the
# snapshots (rst_counters' output) in files BEFORE and AFTER, as
# "name+N ...".
counters_moved()
{
	paste -d' ' "$1" "$2" |
		awk '$4 != $2 { printf "%s%s+%d", sep, $1, $4 - $2; sep = " " }'
}

# counters_for LABELS...: the counter moves the label lines should cause.
counters_for()
{
	local -A n=()
	local line sender phase kind ttl seq causes name out=()

	for line in "$@"; do
		read -r sender phase kind ttl seq causes <<<"$line"
		n[rst_seen]=$((${n[rst_seen]:-0} + 1))
		name=rst_${phase//-/_}
		n[$name]=$((${n[$name]:-0} + 1))
		[[ $kind != rst-bare ]] || n[rst_bare]=$((${n[rst_bare]:-0} + 1))
		[[ $ttl != ttl-anomaly ]] ||
			n[rst_ttl_anomaly]=$((${n[rst_ttl_anomaly]:-0} + 1))
		name=rst_${seq//-/_}
		[[ $seq == seq-unknown ]] || n[$name]=$((${n[$name]:-0} + 1))
		for name in ${causes//,/ }; do
			[[ $name == - ]] ||
				n[rst_$name]=$((${n[rst_$name]:-0} + 1))
		done
	done
	for name in "${RST_COUNTERS[@]}"; do
		[[ -z ${n[$name]:-} ]] || out+=("$name+${n[$name]}")
	done
	echo "${out[*]}"
}

# seen_since BEFORE N: whether rst_seen grew by N or more since BEFORE.
seen_since()
{
	local before

	before=$(awk '$1 == "rst_seen" { print $2 }' "$1")
	(($(stat_get "$BOX" rst_seen) - before >= $2))
}

# begin TAG: the counters before a scenario: where the last one left them.
begin()
{
	cp "$OUT/counters" "$OUT/$1.before"
}

# expect TAG PORT LABELS...: once the scenario's RSTs have crossed, the
# counters moved by exactly LABELS; LABELS are what the monitor and the
# capture should show for PORT.
expect()
{
	local tag=$1 port=$2

	shift 2
	wait_for seen_since "$OUT/$tag.before" $#
	rst_counters >"$OUT/counters"
	check "$tag: counters" \
		"$(counters_moved "$OUT/$tag.before" "$OUT/counters")" == \
		"$(counters_for "$@")"
	want_live[$port]=$(printf '%s\n' "$@")
	want_pcap[$port]=${want_live[$port]}
}

# A SYN to a port nothing listens on.
refused()
{
	local st=$ST/refused.client

	begin refused
	n_cli "${PY[@]}" "$SOCK" client "$SRV_IP4" 6001 "$st"
	check "refused: the client" "$(grep ^end "$st")" == "end ECONNREFUSED"
	expect refused 6001 "server handshake-refused rst-ack ttl-unknown seq-exact -"
}

# The client closes with SO_LINGER {1, 0} and 990 bytes unread.
linger_abort()
{
	local st=$ST/linger

	begin linger
	peer "$SRV" stream 6002 "$st.server"
	peer "$CLI" abort 6002 "$st.client" "$SRV_IP4"
	wait_for grep -q "^end" "$st.server"
	check "linger: the server" "$(grep ^end "$st.server")" == "end ECONNRESET"
	expect linger 6002 "client data rst-ack ttl-match seq-exact -"
}

# shutdown(SHUT_WR), then SO_LINGER {1, 0}: FIN and RST back to back. The
# server's ACK of the FIN would otherwise cross before the RST: its stack
# drops its own pure ACKs on this port.
fin_rst()
{
	local st=$ST/finrst

	begin finrst
	n_srv nft -f - <<-EOF
	table inet rst_forensics {
		chain out {
			type filter hook output priority 0;
			tcp sport 6003 tcp flags & (fin | syn | rst | psh | ack) == ack drop
		}
	}
	EOF
	peer "$SRV" hello 6003 "$st.server"
	peer "$CLI" finrst 6003 "$st.client" "$SRV_IP4"
	wait_for grep -q "^end" "$st.server"
	check "finrst: the server" "$(grep ^end "$st.server")" == "end EPIPE"
	expect finrst 6003 "client fin-rst rst-ack ttl-match seq-exact -"
	n_srv nft delete table inet rst_forensics
}

# For seed_001: the client has the server's FIN; the server has no socket
# left on the port, time-wait included.
client_fin_seen() { [[ -n $(n_cli ss -Htn state close-wait dport = :6004) ]]; }
server_gone() { [[ -z $(n_srv ss -Htan sport = :6004) ]]; }

# Seed 001: the server answers and closes (FIN), the client acks it; once
# the server's socket is gone the client sends FIN and, its data unread, RST;
# the server's stack answers the FIN with a bare RST (no socket). The server's
# frames are delayed 200 ms so that its RST comes after the client's.
seed_001()
{
	local st=$ST/seed

	begin seed
	n_srv sysctl -qw net.ipv4.tcp_fin_timeout=1
	peer "$SRV" finclose 6004 "$st.server"
	peer "$CLI" seed 6004 "$st.client" "$SRV_IP4"
	wait_for grep -q closed "$st.server"
	wait_for client_fin_seen
	wait_for server_gone
	n_srv tc qdisc add dev eth0 root netem delay 200ms
	touch "$st.client.go"
	wait_for grep -q closed "$st.client"
	expect seed 6004 "client fin-rst rst-ack ttl-match seq-exact -" \
		"server after-teardown rst-bare ttl-match seq-exact -"
	n_srv tc qdisc del dev eth0 root
}

# A middlebox resets the client in the server's name: the exact seq, no ACK,
# TTL 64 where the server's packets have 128. The server, still connected,
# then closes: its FIN draws the client stack's bare RST.
forged()
{
	local st=$ST/forged sport seq

	begin forged
	serve 6005 "$st.server"
	talk 6005 "$st.client"
	wait_for grep -q talked "$st.client"
	wait_for grep -q talked "$st.server"
	n_box "$SSLVCTL" -j flow list dport 6005 >"$st.flow"
	read -r sport seq <<<"$(jq -r '.[0] | "\(.sport) \(.reply_seq)"' "$st.flow")"
	craft "$SRV" "$CLI" <<<"$SRV_IP4 $CLI_IP4 6005 $sport R $seq 0"
	wait_for grep -q "^end" "$st.client"
	check "forged: the client" "$(grep ^end "$st.client")" == "end ECONNRESET"
	kill "$served"
	wait "$served" || true
	expect forged 6005 "server data rst-bare ttl-anomaly seq-exact -" \
		"client after-teardown rst-bare ttl-match seq-exact -"
}

# nmap's SYN scan (the client's stack resets the SYN-ACK it did not ask for)
# and connect scan (connect, then close with SO_LINGER {1, 0}).
scans()
{
	local st=$ST/scan

	begin syn-scan
	serve 6006 "$st.syn"
	n_cli nmap -n -Pn -sS --ttl 64 --max-retries 0 -p 6006 "$SRV_IP4" \
		-oG "$st.syn.nmap" >/dev/null
	check "syn-scan: nmap finds the port open" \
		"$(grep -o '6006/open' "$st.syn.nmap")" == 6006/open
	expect syn-scan 6006 "client handshake-abort rst-bare ttl-match seq-exact -"

	# One CPU: the stack sends the handshake's last ACK from the softirq
	# of the CPU nmap connected on, and nmap's RST from wherever nmap
	# runs next; from two CPUs' backlogs the RST can overtake the ACK.
	begin connect-scan
	serve 6007 "$st.connect"
	n_cli taskset -c 0 nmap -n -Pn -sT --max-retries 0 -p 6007 \
		"$SRV_IP4" -oG "$st.connect.nmap" >/dev/null
	check "connect-scan: nmap finds the port open" \
		"$(grep -o '6007/open' "$st.connect.nmap")" == 6007/open
	expect connect-scan 6007 \
		"client post-handshake-abort rst-ack ttl-match seq-exact -"
}

# A flow silent for 2 s, then reset, with rst-idle 1000 ms (until the end:
# every RST before was judged with the default, as rstscope's default).
idle()
{
	local st=$ST/idle

	n_box "$SSLVCTL" config set rst-idle $IDLE_MS
	check "idle: config shows rst-idle" \
		"$(n_box "$SSLVCTL" -j config | jq .rst_idle_ms)" -eq $IDLE_MS
	begin idle
	serve 6008 "$st.server"
	peer "$CLI" idle 6008 "$st.client" "$SRV_IP4"
	wait_for grep -q "^end" "$st.server"
	expect idle 6008 "client data rst-ack ttl-match seq-exact idle"
}

# sslv rejects a live flow: its two RSTs never cross the hook, so nothing
# counts them as seen; the monitor reports each with reason operator. On the
# wire they look like the endpoints' own, the second coming after the first.
own_reject()
{
	local st=$ST/reject

	begin reject
	serve 6009 "$st.server"
	talk 6009 "$st.client"
	wait_for grep -q talked "$st.client"
	wait_for grep -q talked "$st.server"
	n_box "$SSLVCTL" flow reject "$(flow_id dport 6009)"
	wait_for grep -q "^end" "$st.client"
	wait_for grep -q "^end" "$st.server"
	check "reject: the client" "$(grep ^end "$st.client")" == "end ECONNRESET"
	check "reject: the server" "$(grep ^end "$st.server")" == "end ECONNRESET"
	expect reject 6009
	want_live[6009]=$(printf '%s\n' \
		"server data rst-ack ttl-match seq-exact sslv" \
		"client after-teardown rst-ack ttl-match seq-exact sslv")
	want_pcap[6009]=$(printf '%s\n' \
		"server data rst-ack ttl-match seq-exact -" \
		"client after-teardown rst-ack ttl-match seq-exact -")
}

# captured: whether the captures hold every RST that crossed the bridge and
# both of sslv's.
captured()
{
	local in=0 out=0 port rst='tcp[tcpflags] & tcp-rst != 0'

	for port in "$PORT_CLI" "$PORT_SRV"; do
		in=$((in + $(pkts "$OUT/in.$port.pcap" "$rst")))
		out=$((out + $(pkts "$OUT/out.$port.pcap" "$rst")))
	done
	((in >= $(stat_get "$BOX" rst_seen) && out >= 2))
}

# One RST (monitor event or rstscope line) in jq: labels as in want_*,
# "ttl_seen ttl_expected", reason, explanation.
ROW='([.sender, .phase, .kind, .ttl, .seq,
       (if .causes == [] then "-" else (.causes | join(",")) end)] | join(" ")),
      "\(.ttl_seen) \(.ttl_expected)", .reason // "-", .explain'

# rsts JQ_SELECT JQ_PORT: the RSTs of a JSON stream on stdin, one a line,
# tab-separated: server port, then ROW.
rsts()
{
	jq -r "select($1) | [($2 | tostring), $ROW] | @tsv"
}

# Both write the same record: {"event":"rst","flow":{...,"dport":N},...}.
live_rsts() { rsts '.event == "rst"' .flow.dport <"$MONITOR"; }
pcap_rsts() { rsts '.event == "rst"' .flow.dport <"$1"; }

# field TABLE PORT N: column N of the RSTs of PORT in TABLE (rsts' output).
field()
{
	local f

	while IFS=$'\t' read -r -a f; do
		[[ ${f[0]} != "$2" ]] || echo "${f[$3 - 1]}"
	done <"$1"
}

# facts TABLE PORT: what both views must agree on for each RST of PORT:
# sender phase kind ttl seq, then the TTLs seen and expected.
facts()
{
	local f l

	while IFS=$'\t' read -r -a f; do
		read -r -a l <<<"${f[1]}"
		[[ ${f[0]} != "$2" ]] || echo "${l[*]:0:5} ${f[2]}"
	done <"$1"
}

# compare PORT PCAP_TABLE: the monitor and rstscope against the labels
# wanted, and against each other.
compare()
{
	local port=$1 pcap=$2 live=$OUT/live.rsts

	check "$port: monitor" "$(field "$live" "$port" 2)" == \
		"${want_live[$port]}"
	check "$port: rstscope" "$(field "$pcap" "$port" 2)" == \
		"${want_pcap[$port]}"
	check "$port: monitor and rstscope agree (labels, TTLs)" \
		"$(facts "$live" "$port")" == "$(facts "$pcap" "$port")"
}

module_load
topo_up
# Closed flows are remembered for the whole test, as rstscope remembers
# them: a late RST (6005) is explained from its flow's history.
n_box "$SSLVCTL" config set timeout-closed 120
rm -rf "$ST"
mkdir "$ST"

# The monitor listens once a stray RST (no flow) is reported.
ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$MONITOR" 2>"$OUT/monitor.err" &
for ((tries = 50; tries > 0; tries--)); do
	craft "$CLI" "$SRV" <<<"$CLI_IP4 $SRV_IP4 6000 6000 R 1 0"
	sleep 0.2
	[[ ! -s $MONITOR ]] || break
done
live_rsts >"$OUT/live.rsts"
check "a stray RST: monitor" "$(field "$OUT/live.rsts" 6000 2 | head -1)" == \
	"unknown no-flow rst-bare ttl-unknown seq-unknown -"

n_box "$SSLVCTL" stats reset
rst_counters >"$OUT/counters"
for port in "$PORT_CLI" "$PORT_SRV"; do
	capture_start "$BOX" "$port" "$OUT/in.$port.pcap" --immediate-mode \
		-Q in tcp
	capture_start "$BOX" "$port" "$OUT/out.$port.pcap" --immediate-mode \
		-Q out tcp port 6009 and "tcp[tcpflags] & tcp-rst != 0"
done

refused
linger_abort
fin_rst
seed_001
forged
scans
own_reject
idle

wait_for captured
capture_stop
mergecap -F pcap -w "$OUT/in.pcap" "$OUT"/in.*.pcap
mergecap -F pcap -w "$OUT/bridge.pcap" "$OUT"/in.*.pcap "$OUT"/out.*.pcap
"$RSTSCOPE" -j "$OUT/bridge.pcap" >"$OUT/rstscope.json"
"$RSTSCOPE" -j --idle $IDLE_MS "$OUT/bridge.pcap" >"$OUT/rstscope-idle.json"
"$RSTSCOPE" -j "$OUT/in.pcap" >"$OUT/rstscope-in.json"
"$RSTSCOPE" -j --sslv-log "$MONITOR" "$OUT/bridge.pcap" >"$OUT/rstscope-log.json"
live_rsts >"$OUT/live.rsts"
pcap_rsts "$OUT/rstscope.json" >"$OUT/pcap.rsts"
pcap_rsts "$OUT/rstscope-log.json" >"$OUT/pcap-log.rsts"
pcap_rsts "$OUT/rstscope-idle.json" >"$OUT/pcap-idle.rsts"

for port in 6001 6002 6003 6004 6005 6006 6007 6009; do
	compare $port "$OUT/pcap.rsts"
done
compare 6008 "$OUT/pcap-idle.rsts"

check "6005: TTL seen and expected, live" \
	"$(field "$OUT/live.rsts" 6005 3 | head -1)" == "64 128"
check "6005: TTL seen and expected, capture" \
	"$(field "$OUT/pcap.rsts" 6005 3 | head -1)" == "64 128"
check "6009: reasons on the monitor" \
	"$(field "$OUT/live.rsts" 6009 4 | sort -u)" == operator

# Given the monitor's log, rstscope finds sslv's two RSTs in the capture and
# labels them as the monitor does, explained by sslv's reason; nothing else
# changes.
check "6009 with sslv's log: rstscope's labels are the monitor's" \
	"$(field "$OUT/pcap-log.rsts" 6009 2)" == "${want_live[6009]}"
check "6009 with sslv's log: reason operator" \
	"$(field "$OUT/pcap-log.rsts" 6009 4 | sort -u)" == operator
check "6009 with sslv's log: explained as sslv's, not guessed" \
	"$(field "$OUT/pcap-log.rsts" 6009 5)" == \
	"$(printf '%s\n' \
	"sslv: operator reject (sslvctl flow reject); sslv reset the client in the server's name" \
	"sslv: operator reject (sslvctl flow reject); sslv reset the server in the client's name")"
check "with sslv's log: every other RST as without it" \
	"$(grep -v $'^6009\t' "$OUT/pcap-log.rsts")" == \
	"$(grep -v $'^6009\t' "$OUT/pcap.rsts")"
check "with sslv's log: both of sslv's RSTs found" \
	"$(jq -r 'select(.summary) | "\(.summary.sslv_matched) \(.summary.sslv_logged)"' \
		"$OUT/rstscope-log.json")" == "2 2"
check "6001-6007: the monitor's explanations are rstscope's" \
	"$(for port in {6001..6007}; do field "$OUT/live.rsts" $port 5; done)" \
	== "$(for port in {6001..6007}; do field "$OUT/pcap.rsts" $port 5; done)"

# The whole run: what the module counted is what rstscope finds entering the
# bridge, group by group (idle aside: only 6008 met rst-idle 1000 live).
check "whole run: sslvctl rst and rstscope's summary" \
	"$(n_box "$SSLVCTL" -j rst | jq -c '[.rsts, .phase, .kind.rst_bare,
		.ttl.ttl_anomaly, .seq, .cause.rexmit, .events_suppressed]')" == \
	"$(jq -c 'select(.summary) | .summary | [.rsts, .phase, .kind.rst_bare,
		.ttl.ttl_anomaly, (.seq | del(.seq_unknown, .["seq-unknown"])),
		.cause.rexmit, 0]' \
		"$OUT/rstscope-in.json")"
