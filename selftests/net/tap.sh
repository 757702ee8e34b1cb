#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Passive-tap mode: sslv watches copies of the bridge's frames on a mirror
# device that is not a bridge port and never interferes. A SYN matching a
# reject rule still connects (IPv4 and IPv6) and an operator-rejected flow
# keeps talking both ways; the counters say what would have been sent (one
# RST for the SYN, two for the flow) and that nothing was. No RST reaches
# either end and the mirror device never transmits. The mode shows the
# device, refuses a bridge port or the bridge itself without changing
# anything, survives the device being deleted and gives way to
# active-inline afterwards.

source "$(dirname "$0")/../lib.sh"


tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# echo.py server PORT STATUS: accept one connection, echo every chunk and
#                             report "echoed DATA".
# echo.py client ADDR PORT STATUS TRIGGER: send "ping" and read it back
#                             ("talked"); once TRIGGER exists, send "again"
#                             and read it back ("talked again").
# Both end with "end EOF", "end TIMEOUT" (waits last 30 s) or "end ERRNO".
cat >"$tmp/echo.py" <<'EOF'
import errno, os, socket, sys, time

def report(status, line):
    with open(status, "a") as f:
        f.write(line + "\n")

def roundtrip(c, data):
    c.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = c.recv(len(data) - len(got))
        if not chunk:
            break
        got += chunk
    return got == data

def server(port, status):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(port)))
    s.listen(1)
    s.settimeout(30)
    report(status, "listening")
    c, _ = s.accept()
    c.settimeout(30)
    while True:
        data = c.recv(4096)
        if not data:
            return
        c.sendall(data)
        report(status, "echoed " + data.decode())

def client(addr, port, status, trigger):
    c = socket.create_connection((addr, int(port)), timeout=30)
    if roundtrip(c, b"ping"):
        report(status, "talked")
    deadline = time.time() + 30
    while not os.path.exists(trigger) and time.time() < deadline:
        time.sleep(0.05)
    if roundtrip(c, b"again"):
        report(status, "talked again")
    c.close()

role, args = sys.argv[1], sys.argv[2:]
status = args[-1] if role == "server" else args[2]
try:
    server(*args) if role == "server" else client(*args)
    report(status, "end EOF")
except socket.timeout:
    report(status, "end TIMEOUT")
except OSError as e:
    report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))
EOF

# stats_snap: read the box's counters once; counter NAME then gives one.
stats_snap() { n_box cat /proc/net/sslv_stats >"$tmp/stats"; }
counter() { awk -v name="$1" '$1 == name { print $2 }' "$tmp/stats"; }

# rsts PCAP: how many RSTs, IPv4 or IPv6, PCAP holds.
rsts()
{
	pkts "$1" "(ip and tcp[tcpflags] & tcp-rst != 0) or" \
		"(ip6 and ip6[6] == 6 and ip6[53] & 4 != 0)"
}

# mode_is WANT: `sslvctl mode` prints WANT.
mode_is() { [[ $(n_box "$SSLVCTL" mode) == "$1" ]]; }

# syn_reject ADDR PORT TAG: a reject rule matches the SYN, yet the
# connection comes up and talks; only the would-be counters move.
syn_reject()
{
	local addr=$1 port=$2 tag=$3
	local cst=$tmp/$tag.client sst=$tmp/$tag.server spid cpid

	n_box "$SSLVCTL" rule add dst "$addr" dport "$port" action reject \
		>/dev/null
	n_box "$SSLVCTL" stats reset

	n_srv "$SOCK" server "$port" "$sst" &
	spid=$!
	wait_for grep -q listening "$sst"
	n_cli "$SOCK" client "$addr" "$port" "$cst" &
	cpid=$!
	wait_for grep -q talked "$cst"
	wait_for grep -q talked "$sst"
	check "$tag: client talked, still connected" "$(tail -n 1 "$cst")" \
		== talked

	stats_snap
	check "$tag: syn_rejected" "$(counter syn_rejected)" -eq 1
	check "$tag: tap_would_reject" "$(counter tap_would_reject)" -eq 1
	check "$tag: tap_would_rst" "$(counter tap_would_rst)" -eq 1
	check "$tag: flows_rejected" "$(counter flows_rejected)" -eq 0
	check "$tag: rst_sent" "$(counter rst_sent)" -eq 0
	check "$tag: T_ssl_policy_reject" "$(counter T_ssl_policy_reject)" -eq 0
	kill "$spid" "$cpid"
	wait "$spid" "$cpid" || true
}

# flow_reject PORT: a flow seen through the tap, rejected by the operator,
# keeps talking in both directions.
flow_reject()
{
	local port=$1 id
	local cst=$tmp/flow.client sst=$tmp/flow.server

	n_srv /usr/bin/python3 "$tmp/echo.py" server "$port" "$sst" &
	wait_for grep -q listening "$sst"
	n_cli /usr/bin/python3 "$tmp/echo.py" client "$SRV_IP4" "$port" \
		"$cst" "$tmp/flow.go" &
	wait_for grep -q talked "$cst"
	wait_for grep -q "echoed ping" "$sst"

	id=$(flow_id dport "$port")
	check "flow: established" "$(flow_state dport "$port")" == established
	check "flow: learnt from the tap" \
		"$(n_box "$SSLVCTL" flow list dport "$port" | grep -cw tap)" \
		-eq 1
	n_box "$SSLVCTL" stats reset
	n_box "$SSLVCTL" flow reject "$id"
	stats_snap
	check "flow: tap_would_reject" "$(counter tap_would_reject)" -eq 1
	check "flow: tap_would_rst" "$(counter tap_would_rst)" -eq 2
	check "flow: tombstone" "$(flow_state dport "$port")" == rejected

	touch "$tmp/flow.go"
	wait_for grep -q "^end" "$cst"
	wait_for grep -q "^end" "$sst"
	check "flow: client talked again" "$(grep -c "talked again" "$cst")" \
		-eq 1
	check "flow: server echoed again" "$(grep -c "echoed again" "$sst")" \
		-eq 1
	check "flow: client ended cleanly" "$(grep ^end "$cst")" == "end EOF"
	check "flow: server ended cleanly" "$(grep ^end "$sst")" == "end EOF"

	# What the endpoints sent after the reject would never have existed
	# inline: it adds no would-be RST.
	stats_snap
	check "flow: flows_rejected" "$(counter flows_rejected)" -eq 1
	check "flow: tap_would_reject after more data" \
		"$(counter tap_would_reject)" -eq 1
	check "flow: tap_would_rst after more data" "$(counter tap_would_rst)" -eq 2
	check "flow: rst_sent" "$(counter rst_sent)" -eq 0
	check "flow: rst_turnaround" "$(counter rst_turnaround)" -eq 0
}

# tls_reject PORT: a server name a rule rejects, seen through the tap. The
# handshake is read and decided as inline, but the TLS connection completes
# and only the would-be counters move.
tls_reject()
{
	local port=$1 name=blocked.tap.test pid out rc=0

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$name" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
		-days 1 2>/dev/null
	n_srv openssl s_server -quiet -www -accept "$port" \
		-cert "$tmp/cert.pem" -key "$tmp/key.pem" >/dev/null 2>&1 &
	pid=$!
	wait_for listening "$SRV" "$port"
	n_box "$SSLVCTL" rule add dport "$port" sni "$name" action reject \
		>/dev/null
	n_box "$SSLVCTL" stats reset
	out=$(n_cli curl -sk -o /dev/null -w '%{http_code}' \
		--resolve "$name:$port:$SRV_IP4" "https://$name:$port/") || rc=$?
	check "tls: curl completes through the tap (exit, HTTP)" "$rc $out" == \
		"0 200"
	stats_snap
	check "tls: tls_client_hello" "$(counter tls_client_hello)" -eq 1
	check "tls: tls_rejected" "$(counter tls_rejected)" -eq 1
	check "tls: tap_would_reject" "$(counter tap_would_reject)" -eq 1
	check "tls: tap_would_rst" "$(counter tap_would_rst)" -eq 2
	check "tls: rst_sent" "$(counter rst_sent)" -eq 0
	check "tls: T_ssl_policy_reject" "$(counter T_ssl_policy_reject)" -eq 0
	kill "$pid"
	wait "$pid" || true
}

# refused DEV: passive-tap on DEV fails with a clear message and leaves the
# mode and the flow table alone.
refused()
{
	local dev=$1 err=$tmp/refused.$1 rc=0

	n_box "$SSLVCTL" mode set passive-tap dev "$dev" 2>"$err" || rc=$?
	check "refuse $dev: exit status" "$rc" -ne 0
	check "refuse $dev: message" "$(grep -c \
		"the tap device must not be a bridge or a bridge port" "$err")" \
		-eq 1
	check_run "refuse $dev: mode unchanged" mode_is "mode passive-tap dev $MIR"
	check "refuse $dev: flow table kept" "$(flow_state dport 6003)" == \
		rejected
}

# mirror_gone: deleting the mirror device in tap mode is harmless, and
# active-inline then rejects for real again.
mirror_gone()
{
	local cst=$tmp/inline.client

	ip -n "$BOX" link del mir0
	echo "mode after the mirror is gone: $(n_box "$SSLVCTL" mode)"
	check_run "mirror gone: set active-inline" \
		n_box "$SSLVCTL" mode set active-inline
	check_run "mirror gone: mode is active-inline" mode_is \
		"mode active-inline"

	# The rule from the IPv4 SYN scenario now refuses the connection.
	n_box "$SSLVCTL" stats reset
	n_cli "$SOCK" client "$SRV_IP4" 6001 "$cst"
	check "inline: client refused" "$(grep ^end "$cst")" == \
		"end ECONNREFUSED"
	check "inline: rst_sent" "$(stat_get "$BOX" rst_sent)" -eq 1
}

module_load
topo_up
mirror_up

n_box "$SSLVCTL" config set timeout-rejected 600
n_box "$SSLVCTL" mode set passive-tap dev "$MIR"
check_run "mode shows passive-tap on $MIR" mode_is "mode passive-tap dev $MIR"

# Every frame either end receives, and every frame the mirror device sends
# (the TLS scenario's included).
capture_start "$CLI" eth0 "$OUT/cli.pcap" tcp
capture_start "$SRV" eth0 "$OUT/srv.pcap" tcp
capture_start "$BOX" "$MIR" "$OUT/mir-out.pcap" -Q out

syn_reject "$SRV_IP4" 6001 ipv4
syn_reject "$SRV_IP6" 6002 ipv6
flow_reject 6003
tls_reject 6443
refused "$PORT_CLI"
refused br0

capture_stop
check "RSTs reaching the client" "$(rsts "$OUT/cli.pcap")" -eq 0
check "RSTs reaching the server" "$(rsts "$OUT/srv.pcap")" -eq 0
check "frames sent by $MIR" "$(pkts "$OUT/mir-out.pcap")" -eq 0
check "the tap saw the test's packets" "$(stat_get "$BOX" packets)" -gt 0

mirror_gone
