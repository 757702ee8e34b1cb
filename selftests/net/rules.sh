#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ruleset, end to end with real connections. rule add/list/del/flush
# keep ids, order and hit counters; the first matching rule decides, on
# source and destination prefixes (IPv4 and IPv6), port ranges, VLAN and
# ingress port; a rejected SYN makes connect() fail with ECONNREFUSED while
# the server listens, a dropped one times out and never reaches the server.
# Each rule's hit counter equals the number of flows it decided. rule
# insert at the end, in the middle and at the head changes which rule
# decides, the others keeping ids, hits and comments; a place that does
# not exist, or a bad comment, is refused, named, and changes nothing. A
# 10,000-rule `rule replace` swaps in whole while a stream crosses the
# bridge without losing a byte; it decides new flows only, established ones
# keep their verdict. A bad line in a rule file is named and changes nothing.

source "$(dirname "$0")/../lib.sh"

# PEER_PY MODE ...: the test's TCP endpoints, one process for many
# connections (python starts slowly in the guest).
#   serve LOG PORT...        listen on every PORT (v4 and v6), log
#                            "accepted PORT" per connection, answer each
#                            "ping" with "pong", close at EOF
#   connect TIMEOUT SPEC...  one connection per SPEC, "ADDR,PORT[,SPORT]",
#                            in turn: ping, pong, close; print "talked" or
#                            the errno name ("TIMEOUT") for each
#   hold ADDR PORT STATUS    connect, ping/pong ("talked"), and when the file
#                            STATUS.go exists, once more ("talked again")
#   recv PORT DIR            accept one connection, count its bytes into
#                            DIR/rcvd (kept current), DIR/end "EOF" at EOF
#   send ADDR PORT DIR       send until DIR/stop exists, then shut down the
#                            sending side and write the count to DIR/sent
# Errors end up as errno names in the output, STATUS or DIR/end.
PEER_PY='
import errno, os, selectors, socket, sys, time

def why(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return errno.errorcode.get(e.errno, str(e.errno))

def put(path, value):
    with open(path + ".tmp", "w") as f:
        f.write("%s\n" % value)
    os.rename(path + ".tmp", path)

def add(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")

def listener(port):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(64)
    return s

def client(addr, port, sport=None, timeout=5):
    v6 = ":" in addr
    c = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET)
    c.settimeout(timeout)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sport:
        c.bind(("::" if v6 else "0.0.0.0", int(sport)))
    c.connect((addr, int(port)))
    return c

def ping(c):
    c.sendall(b"ping")
    return c.recv(4) == b"pong"

def serve(log, ports):
    sel = selectors.DefaultSelector()
    for port in ports:
        sel.register(listener(int(port)), selectors.EVENT_READ, port)
    add(log, "listening")
    while True:
        for key, _ in sel.select():
            if key.data:
                c, _ = key.fileobj.accept()
                add(log, "accepted " + key.data)
                sel.register(c, selectors.EVENT_READ, None)
                continue
            try:
                b = key.fileobj.recv(64)
            except OSError:
                b = b""
            if b == b"ping":
                key.fileobj.sendall(b"pong")
            elif not b:
                sel.unregister(key.fileobj)
                key.fileobj.close()

def connect(timeout, specs):
    for spec in specs:
        try:
            c = client(*spec.split(","), timeout=float(timeout))
            print("talked" if ping(c) else "no pong", flush=True)
            c.close()
        except OSError as e:
            print(why(e), flush=True)

def hold(addr, port, status):
    try:
        c = client(addr, port)
        add(status, "talked" if ping(c) else "no pong")
        while not os.path.exists(status + ".go"):
            time.sleep(0.05)
        add(status, "talked again" if ping(c) else "no pong")
    except OSError as e:
        add(status, "end " + why(e))

def recv(port, d):
    c, _ = listener(int(port)).accept()
    total, shown = 0, 0.0
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            total += len(b)
            if time.monotonic() - shown > 0.1:
                put(d + "/rcvd", total)
                shown = time.monotonic()
        put(d + "/rcvd", total)
        put(d + "/end", "EOF")
    except OSError as e:
        put(d + "/end", why(e))

def send(addr, port, d):
    chunk, total = b"x" * 16384, 0
    try:
        c = client(addr, port)
        while not os.path.exists(d + "/stop"):
            c.sendall(chunk)
            total += len(chunk)
            time.sleep(0.002)
        c.shutdown(socket.SHUT_WR)
        c.recv(1)
        put(d + "/sent", total)
    except OSError as e:
        put(d + "/end", why(e))

mode, args = sys.argv[1], sys.argv[2:]
if mode in ("serve", "connect"):
    globals()[mode](args[0], args[1:])
else:
    globals()[mode](*args)
'

PEER=(/usr/bin/python3 -S -c "$PEER_PY")

# peer NS MODE ARGS...: PEER_PY in NS. In the background, run it as
# `ip netns exec NS "${PEER[@]}" ...` instead: a plain command is the python
# process itself, which kill ends.
peer()
{
	ip netns exec "$1" "${PEER[@]}" "${@:2}"
}

SERVED=$OUT/served

# serve_up: one server for every port the tests use. serve_down ends it.
serve_up()
{
	rm -f "$SERVED"
	ip netns exec "$SRV" "${PEER[@]}" serve "$SERVED" \
		$(seq 5101 5103) $(seq 5201 5204) $(seq 5211 5217) \
		$(seq 5221 5224) $(seq 5229 5240) 5250 5261 5262 5271 5272 \
		5281 5282 &
	server=$!
	wait_for grep -q listening "$SERVED"
}

serve_down()
{
	kill "$server"
	wait "$server" 2>/dev/null || true
}

# expect: one connection per line of stdin, "WANT ADDR PORT SPORT DESC"
# (WANT talked or refused, SPORT - for an ephemeral one), made in turn by
# one client. Refused means ECONNREFUSED while the server listens, and the
# server accepts exactly the connections that talked.
expect()
{
	local want addr port sport desc seen i talked=0 before
	local -a wants descs specs outcome

	while read -r want addr port sport desc; do
		if [[ $sport == - ]]; then sport=; else sport=,$sport; fi
		wants+=("$want")
		descs+=("$desc")
		specs+=("$addr,$port$sport")
		[[ $want != talked ]] || talked=$((talked + 1))
	done
	before=$(grep -c accepted "$SERVED" || true)
	mapfile -t outcome <<<"$(peer "$CLI" connect 5 "${specs[@]}")"
	for i in "${!wants[@]}"; do
		seen=${outcome[i]:-nothing}
		[[ $seen != ECONNREFUSED ]] || seen=refused
		check "${descs[i]}" "$seen" == "${wants[i]}"
	done
	check "${descs[0]%%:*}: the server accepted the $talked that talked" \
		$(($(grep -c accepted "$SERVED" || true) - before)) -eq "$talked"
}

# add_rules VAR="RULE"...: `rule add RULE` for each in turn, then set each
# VAR to the id of its rule, read from the list.
add_rules()
{
	local arg ids i=0

	for arg; do
		n_box "$SSLVCTL" rule add ${arg#*=} >/dev/null
	done
	ids=($(n_box "$SSLVCTL" rule list | tail -n $# | awk '{ print $2 }'))
	for arg; do
		printf -v "${arg%%=*}" %s "${ids[i++]}"
	done
}

# last_rule_id: the id of the last rule listed.
last_rule_id()
{
	n_box "$SSLVCTL" rule list | awk 'END { print $2 }'
}

# list_rules: take the rule list that `hits` reads.
list_rules()
{
	listed=$(n_box "$SSLVCTL" rule list)
}

# hits ID: the hit counter of rule ID, as last listed.
hits()
{
	awk -v id="$1" '$2 == id { print $NF }' <<<"$listed"
}

# fresh: no rules, counters at zero.
fresh()
{
	n_box "$SSLVCTL" rule flush
	n_box "$SSLVCTL" stats reset
}

# Ids, order and hit counters through add, del and flush.
ruleset_edit()
{
	local r1 r2 r3 r4

	fresh
	check "edit: rule add prints the id" \
		"$(n_box "$SSLVCTL" rule add dport 5101 action reject)" == \
		"rule $(last_rule_id)"
	r1=$(last_rule_id)
	add_rules r2="dport 5102 action reject" r3="dport 5103 action cut"
	check "edit: second id follows the first" "$r2" -eq $((r1 + 1))
	check "edit: third id follows the second" "$r3" -eq $((r2 + 1))
	check "edit: list before traffic" "$(n_box "$SSLVCTL" rule list)" == \
"rule $r1 dport 5101 action reject hits 0
rule $r2 dport 5102 action reject hits 0
rule $r3 dport 5103 action cut hits 0"

	expect <<-EOF
	refused $SRV_IP4 5101 - edit: 5101 rejected
	refused $SRV_IP4 5102 - edit: 5102 rejected
	refused $SRV_IP4 5102 - edit: 5102 rejected again
	talked $SRV_IP4 5103 - edit: 5103 cut
	EOF
	check "edit: list after traffic" "$(n_box "$SSLVCTL" rule list)" == \
"rule $r1 dport 5101 action reject hits 1
rule $r2 dport 5102 action reject hits 2
rule $r3 dport 5103 action cut hits 1"
	check "edit: syn_rejected" "$(stat_get "$BOX" syn_rejected)" -eq 3

	n_box "$SSLVCTL" rule del "$r2"
	check "edit: del keeps the others and their hits" \
		"$(n_box "$SSLVCTL" rule list)" == \
"rule $r1 dport 5101 action reject hits 1
rule $r3 dport 5103 action cut hits 1"
	expect <<-EOF
	talked $SRV_IP4 5102 - edit: 5102 cut once its rule is gone
	talked $SRV_IP4 5103 - edit: 5103 still cut
	EOF
	add_rules r4="dport 5104 action drop"
	check "edit: the rule after the deleted one counts on" \
		"$(n_box "$SSLVCTL" rule list)" == \
"rule $r1 dport 5101 action reject hits 1
rule $r3 dport 5103 action cut hits 2
rule $r4 dport 5104 action drop hits 0"
	check "edit: a new rule gets the next id" "$r4" -eq $((r3 + 1))

	n_box "$SSLVCTL" rule flush
	check "edit: flush empties the list" \
		"$(n_box "$SSLVCTL" rule list | wc -l)" -eq 0
	check "edit: flush empties the JSON list" \
		"$(n_box "$SSLVCTL" -j rule list)" == "[]"
	expect <<-EOF
	talked $SRV_IP4 5101 - edit: 5101 cut after flush
	EOF
}

# The first matching rule decides, whatever follows it.
first_match()
{
	local cut all rej cut2

	fresh
	add_rules \
		cut="dst 10.0.1.0/24 dport 5201 action cut" \
		all="dst 10.0.1.0/24 action reject" \
		rej="dport 5204 action reject" \
		cut2="dst 10.0.1.2/32 dport 5204 action cut"
	expect <<-EOF
	talked $SRV_IP4 5201 - first match: a cut rule before a /24 reject
	refused $SRV_IP4 5202 - first match: the /24 reject
	refused $SRV_IP4 5203 - first match: the /24 reject, again
	talked $SRV_IP6 5202 - first match: an IPv4 rule never decides IPv6
	EOF
	list_rules
	check "first match: hits of the cut rule" "$(hits "$cut")" -eq 1
	check "first match: hits of the /24 reject" "$(hits "$all")" -eq 2

	n_box "$SSLVCTL" rule del "$cut"
	n_box "$SSLVCTL" rule del "$all"
	expect <<-EOF
	refused $SRV_IP4 5204 - first match: a reject before a narrower cut
	EOF
	list_rules
	check "first match: hits of the earlier reject" "$(hits "$rej")" -eq 1
	check "first match: hits of the later cut" "$(hits "$cut2")" -eq 0
}

# insert_rule ARGS...: `rule insert ARGS...`, the new rule's id on stdout.
insert_rule()
{
	local out

	out=$(n_box "$SSLVCTL" rule insert "$@")
	echo "${out#rule }"
}

# Where rule insert puts a rule decides which rule decides a flow: at the
# end it decides what no rule did, in the middle it comes before a cut, at
# the head before a reject. Ids, hits and comments of the others stay.
insert_order()
{
	local a b c d e f rc=0 before long

	fresh
	add_rules a="dport 5102 action reject" b="dport 5101 action cut"
	expect <<-EOF
	talked $SRV_IP4 5101 - insert: 5101 cut by rule b
	refused $SRV_IP4 5102 - insert: 5102 rejected by rule a
	talked $SRV_IP4 5103 - insert: 5103 matches no rule
	EOF

	c=$(insert_rule index 2 dport 5101-5103 action reject \
		comment "end: 'late' reject")
	check "insert: index 2 takes the next id" "$c" -eq $((b + 1))
	expect <<-EOF
	talked $SRV_IP4 5101 - insert at the end: 5101 still cut by b
	refused $SRV_IP4 5103 - insert at the end: 5103 rejected by c
	EOF

	d=$(insert_rule after "$a" dport 5101 action reject comment middle)
	expect <<-EOF
	refused $SRV_IP4 5101 - insert in the middle: 5101 rejected by d, before b
	EOF

	e=$(insert_rule dport 5102 action cut comment 'head "first"')
	expect <<-EOF
	talked $SRV_IP4 5102 - insert at the head: 5102 cut by e, before a
	refused $SRV_IP4 5101 - insert at the head: 5101 still rejected by d
	refused $SRV_IP4 5103 - insert at the head: 5103 still rejected by c
	EOF
	check "insert: ids in the order given" "$c $d $e" == \
		"$((b + 1)) $((b + 2)) $((b + 3))"
	check "insert: list in evaluation order, ids, comments and hits kept" \
		"$(n_box "$SSLVCTL" rule list)" == \
"rule $e dport 5102 action cut comment 'head \"first\"' hits 1
rule $a dport 5102 action reject hits 1
rule $d dport 5101 action reject comment middle hits 2
rule $b dport 5101 action cut hits 2
rule $c dport 5101-5103 action reject comment 'end: '\\''late'\\'' reject' hits 2"
	check "insert: syn_rejected" "$(stat_get "$BOX" syn_rejected)" -eq 5

	# Places that do not exist, bad comments: refused, named, nothing
	# changes (not even the next id), flows are decided as before.
	before=$(n_box "$SSLVCTL" -j rule list | md5sum)
	long=$(printf 'x%.0s' $(seq 129))
	while IFS='|' read -r want args; do
		rc=0
		n_box "$SSLVCTL" rule insert $args 2>"$OUT/insert.err" || rc=$?
		check "bad insert '$args'" "$rc $(cat "$OUT/insert.err")" == "$want"
	done <<-EOF
	2 Error: "index 6": index past the end of the ruleset (Numerical result out of range)|index 6 dport 5101 action cut
	2 Error: "before 99999": no rule with this id (No such file or directory)|before 99999 dport 5101 action cut
	2 Error: "after $((e + 1))": no rule with this id (No such file or directory)|after $((e + 1)) dport 5101 action cut
	1 Error: invalid comment "$long": longer than 128 bytes|dport 5101 action cut comment $long
	EOF
	rc=0
	n_box "$SSLVCTL" rule add dport 5101 action cut comment $'a\tb' \
		2>"$OUT/insert.err" || rc=$?
	check "bad comment: a control character" "$rc $(cat "$OUT/insert.err")" \
		== $'1 Error: invalid comment "a\tb": control character'
	check "bad inserts: ruleset unchanged" \
		"$(n_box "$SSLVCTL" -j rule list | md5sum)" == "$before"
	expect <<-EOF
	refused $SRV_IP4 5101 - bad inserts: 5101 still rejected by d
	EOF

	# index N with N rules is the end; the next id was not consumed.
	f=$(insert_rule index 5 dport 5104 action reject)
	check "insert: no id consumed by the refusals" "$f" -eq $((e + 1))
	check "insert: index 5 of 5 is the end" \
		"$(n_box "$SSLVCTL" rule list | tail -n 1)" == \
		"rule $f dport 5104 action reject hits 0"
}

# Source and destination prefixes, IPv4 and IPv6; a prefix of one family
# never matches the other.
prefixes()
{
	local s4 s4x d4 d4x d6 s6 s6x

	fresh
	add_rules \
		s4="src 10.0.1.0/30 dport 5211 action reject" \
		s4x="src 10.0.1.4/30 dport 5212 action reject" \
		d4="dst 10.0.1.2/31 dport 5213 action reject" \
		d4x="dst 10.0.1.4/31 dport 5214 action reject" \
		d6="dst fd00::2/128 dport 5215 action reject" \
		s6="src fd00::/127 dport 5216 action reject" \
		s6x="src fd00::2/127 dport 5217 action reject"
	expect <<-EOF
	refused $SRV_IP4 5211 - prefix: src 10.0.1.0/30 holds the client
	talked $SRV_IP4 5212 - prefix: src 10.0.1.4/30 does not
	refused $SRV_IP4 5213 - prefix: dst 10.0.1.2/31 holds the server
	talked $SRV_IP6 5213 - prefix: dst 10.0.1.2/31 ignores IPv6
	talked $SRV_IP4 5214 - prefix: dst 10.0.1.4/31 does not
	refused $SRV_IP6 5215 - prefix: dst fd00::2/128 holds the server
	talked $SRV_IP4 5215 - prefix: dst fd00::2/128 ignores IPv4
	refused $SRV_IP6 5216 - prefix: src fd00::/127 holds the client
	talked $SRV_IP4 5216 - prefix: src fd00::/127 ignores IPv4
	talked $SRV_IP6 5217 - prefix: src fd00::2/127 does not
	EOF
	list_rules
	check "prefix: hits src v4" "$(hits "$s4")" -eq 1
	check "prefix: hits src v4, other /30" "$(hits "$s4x")" -eq 0
	check "prefix: hits dst v4" "$(hits "$d4")" -eq 1
	check "prefix: hits dst v4, other /31" "$(hits "$d4x")" -eq 0
	check "prefix: hits dst v6" "$(hits "$d6")" -eq 1
	check "prefix: hits src v6" "$(hits "$s6")" -eq 1
	check "prefix: hits src v6, other /127" "$(hits "$s6x")" -eq 0
}

# Inclusive source and destination port ranges.
port_ranges()
{
	local sp dp

	fresh
	add_rules \
		sp="sport 41000-41009 action reject" \
		dp="dport 5230-5239 action reject"
	expect <<-EOF
	talked $SRV_IP4 5221 40999 ports: sport 40999, below the range
	refused $SRV_IP4 5222 41000 ports: sport 41000, first of the range
	refused $SRV_IP6 5223 41009 ports: sport 41009, last of the range
	talked $SRV_IP4 5224 41010 ports: sport 41010, above the range
	talked $SRV_IP4 5229 - ports: dport 5229, below the range
	refused $SRV_IP4 5230 - ports: dport 5230, first of the range
	refused $SRV_IP6 5239 - ports: dport 5239, last of the range
	talked $SRV_IP4 5240 - ports: dport 5240, above the range
	EOF
	list_rules
	check "ports: sport range hits" "$(hits "$sp")" -eq 2
	check "ports: dport range hits" "$(hits "$dp")" -eq 2
}

# A dropped flow: its SYNs never reach the server, connect() times out,
# drop_rule counts every packet dropped, the rule's hits the flow once.
drop()
{
	local id syns='tcp[tcpflags] == tcp-syn'

	fresh
	add_rules \
		id="dport 5250 action drop"
	capture_start "$CLI" eth0 "$OUT/drop.cli.pcap" tcp port 5250
	capture_start "$SRV" eth0 "$OUT/drop.srv.pcap" tcp port 5250
	check "drop: connect times out" \
		"$(peer "$CLI" connect 2 "$SRV_IP4,5250")" == TIMEOUT
	capture_stop
	list_rules

	check "drop: the client sent SYNs" \
		"$(pkts "$OUT/drop.cli.pcap" "$syns")" -ge 1
	check "drop: drop_rule counts each of them" \
		"$(stat_get "$BOX" drop_rule)" -eq \
		"$(pkts "$OUT/drop.cli.pcap" "$syns")"
	check "drop: nothing came back to the client" \
		"$(pkts "$OUT/drop.cli.pcap" src host "$SRV_IP4")" -eq 0
	check "drop: nothing reached the server" \
		"$(pkts "$OUT/drop.srv.pcap")" -eq 0
	check "drop: hits count the flow once" "$(hits "$id")" -eq 1
	check "drop: flow kept as dropped" "$(flow_state dport 5250)" == dropped
}

# iif is the port by which the flow's first packet came in.
ingress_port()
{
	local srv cli

	fresh
	add_rules \
		srv="iif $PORT_SRV dport 5261-5262 action reject" \
		cli="iif $PORT_CLI dport 5262 action reject"
	expect <<-EOF
	talked $SRV_IP4 5261 - iif: $PORT_SRV does not match a client's flow
	refused $SRV_IP4 5262 - iif: $PORT_CLI does
	EOF
	list_rules
	check "iif: hits $PORT_SRV" "$(hits "$srv")" -eq 0
	check "iif: hits $PORT_CLI" "$(hits "$cli")" -eq 1
	check "iif: list names the port" "$(sed -n 2p <<<"$listed")" == \
		"rule $cli dport 5262 iif $PORT_CLI action reject hits 1"
}

# vlan VID matches the flow's tag, on a tagged topology.
vlan()
{
	local v20 v0 v10

	fresh
	add_rules \
		v20="vlan 20 action reject" \
		v0="vlan 0 action reject" \
		v10="vlan 10 dport 5272 action reject"
	expect <<-EOF
	talked $SRV_IP4 5271 - vlan: rules for 20 and untagged pass vlan 10
	refused $SRV_IP4 5272 - vlan: vlan 10 matches
	refused $SRV_IP6 5272 - vlan: vlan 10 matches IPv6
	EOF
	list_rules
	check "vlan: hits vlan 20" "$(hits "$v20")" -eq 0
	check "vlan: hits vlan 0" "$(hits "$v0")" -eq 0
	check "vlan: hits vlan 10" "$(hits "$v10")" -eq 2
}

# rcvd_beyond DIR N: whether the stream's receiver has more than N bytes.
rcvd_beyond()
{
	(($(cat "$1/rcvd" 2>/dev/null || echo 0) > $2))
}

# stream_moves DIR: wait for another MiB to arrive.
stream_moves()
{
	wait_for -t 20 rcvd_beyond "$1" $(($(cat "$1/rcvd") + (1 << 20)))
}

# rules_file FILE LAST...: 10,000 reject rules for 10.9.x.y:443, then the
# LAST lines.
rules_file()
{
	local file=$1

	shift
	awk 'BEGIN { for (i = 0; i < 10000; i++)
		printf "dst 10.9.%d.%d/32 dport 443 action reject\n",
			int(i / 250), i % 250 + 1 }' >"$file"
	printf '%s\n' "$@" >>"$file"
}

# A 10,000-rule replace under a live stream to port s; its verdicts hold
# for new flows only: p is rejected, then cut by the last of 10,001 rules,
# then rejected again while a connection to q, taken when it was cut,
# stays up and talks. Then a replace with a bad line changes nothing.
replace()
{
	local d=$OUT/stream s=5280 p=5281 q=5282 rpid spid hpid before rc=0
	local hst=$OUT/held.status rst='tcp[tcpflags] & tcp-rst != 0'

	fresh
	n_box "$SSLVCTL" rule add dport $p-$q action reject
	rm -rf "$d" "$hst" "$hst.go"
	mkdir "$d"
	capture_start "$CLI" eth0 "$OUT/stream.cli.pcap" tcp port $s and "$rst"
	capture_start "$SRV" eth0 "$OUT/stream.srv.pcap" tcp port $s and "$rst"
	ip netns exec "$SRV" "${PEER[@]}" recv $s "$d" &
	rpid=$!
	wait_for listening "$SRV" $s
	ip netns exec "$CLI" "${PEER[@]}" send "$SRV_IP4" $s "$d" &
	spid=$!
	wait_for rcvd_beyond "$d" $((1 << 20))
	expect <<-EOF
	refused $SRV_IP4 $p - replace: $p rejected before
	EOF

	rules_file "$OUT/cut.rules" "dst $SRV_IP4 dport $p-$q action cut"
	check_run "replace: 10,001 rules loaded" \
		n_box "$SSLVCTL" rule replace "$OUT/cut.rules"
	check "replace: rule list" "$(n_box "$SSLVCTL" rule list | wc -l)" \
		-eq 10001
	stream_moves "$d"
	expect <<-EOF
	talked $SRV_IP4 $p - replace: $p cut by the last rule
	EOF
	ip netns exec "$CLI" "${PEER[@]}" hold "$SRV_IP4" $q "$hst" &
	hpid=$!
	wait_for grep -q . "$hst"
	check "replace: held connection to $q" "$(cat "$hst")" == talked
	check "replace: hits of the last rule" \
		"$(n_box "$SSLVCTL" rule list | tail -n 1 | cut -d' ' -f3-)" == \
		"dst $SRV_IP4/32 dport $p-$q action cut hits 2"

	rules_file "$OUT/reject.rules" "dst $SRV_IP4 dport $p-$q action reject" \
		"dst $SRV_IP4 dport $s action reject"
	check_run "replace: 10,002 rules loaded" \
		n_box "$SSLVCTL" rule replace "$OUT/reject.rules"
	check "replace: rule list" "$(n_box "$SSLVCTL" rule list | wc -l)" \
		-eq 10002
	expect <<-EOF
	refused $SRV_IP4 $p - replace: new connection to $p rejected again
	EOF
	touch "$hst.go"
	wait "$hpid" || true
	check "replace: the connection to $q taken before still talks" \
		"$(tail -n 1 "$hst")" == "talked again"
	stream_moves "$d"
	check "replace: the stream, now matching a reject rule, flows on" \
		"$(flow_state dport $s)" == established

	# A bad line: named, and the live ruleset stays as it is.
	before=$(n_box "$SSLVCTL" -j rule list | md5sum)
	sed '5000s|.*|dst 10.0.0.0/33 action reject|' "$OUT/cut.rules" \
		>"$OUT/bad.rules"
	n_box "$SSLVCTL" rule replace "$OUT/bad.rules" 2>"$OUT/bad.err" || rc=$?
	check "bad file: exit status" "$rc" -eq 1
	check "bad file: error names file, line and token" \
		"$(cat "$OUT/bad.err")" == \
		"Error: $OUT/bad.rules:5000: invalid prefix \"10.0.0.0/33\""
	check "bad file: live ruleset unchanged" \
		"$(n_box "$SSLVCTL" -j rule list | md5sum)" == "$before"
	expect <<-EOF
	refused $SRV_IP4 $p - bad file: $p still rejected
	EOF

	touch "$d/stop"
	wait "$spid" "$rpid" || true
	capture_stop
	check "replace: the stream ended cleanly" "$(cat "$d/end")" == EOF
	check "replace: bytes received == bytes sent" "$(cat "$d/rcvd")" -eq \
		"$(cat "$d/sent")"
	check "replace: no RST reached the client" \
		"$(pkts "$OUT/stream.cli.pcap")" -eq 0
	check "replace: no RST reached the server" \
		"$(pkts "$OUT/stream.srv.pcap")" -eq 0
}

module_load

topo_up
serve_up
ruleset_edit
first_match
insert_order
prefixes
port_ranges
drop
ingress_port
replace
serve_down
topo_down

topo_up vlan 10
serve_up
vlan
serve_down
