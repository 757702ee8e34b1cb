#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvctl -j on a live module: what every command prints, and every monitor
# event of a real TLS flow, is what Documentation/sslvctl.schema.json says.
#
#   A TLS 1.3 client names a server a rule allows: its session is logged
#   (action cut, with its cipher). Another names one a rule rejects: its
#   session, the rejected flow and sslv's RSTs are logged, and the flow
#   stays as a tombstone. Then mode, config, rule list (with a rule
#   inserted ahead, its comment), rule add, rule insert, domains,
#   domains show, flow list, stats and rst are checked as they print, and
#   so is each monitor line. The flow id of the rejected flow's events is
#   the one flow list shows. A second monitor, `monitor -t session` in
#   text, shows the two sessions only, each stamped, with the cipher's
#   IANA name. A third, `monitor -w FILE`, logs every event as eve.json
#   lines; moved away and sent SIGHUP, as logrotate does, it opens FILE
#   afresh for the next session.

source "$(dirname "$0")/../lib.sh"

PORT=443
MON=$OUT/monitor.json
MON_TEXT=$OUT/monitor.txt
EVE=$OUT/eve.json
SCHEMA_CHECK=$REPO/userspace/tests/json_schema.py
TLS=$(mktemp -d)
on_exit rm -rf "$TLS"

ctl() { n_box "$SSLVCTL" "$@"; }

# tls_server: a TLS server in $SRV on $PORT, each connection held until the
# client closes it.
tls_server()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=sslv.test -keyout "$TLS/key.pem" \
		-out "$TLS/cert.pem" 2>/dev/null
	n_srv /usr/bin/python3 -c 'import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[3])))
s.listen()
while True:
    c, _ = s.accept()
    c.settimeout(10)
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.recv(1)
        t.close()
    except OSError:
        c.close()
' "$TLS/cert.pem" "$TLS/key.pem" $PORT &
	on_exit kill $!
	wait_for listening "$SRV" $PORT
}

# hello NAME: one TLS 1.3 handshake naming NAME; the exit status of s_client.
hello()
{
	local rc=0

	n_cli timeout 20 openssl s_client -tls1_3 -connect "$SRV_IP4:$PORT" \
		-servername "$1" </dev/null >"$OUT/s_client.$1" 2>&1 || rc=$?
	echo $rc
}

# schema DEF ARGS...: `sslvctl -j ARGS...` exits 0 and prints a DEF.
schema()
{
	local def=$1 rc=0

	shift
	ctl -j "$@" >"$OUT/$def.json" || rc=$?
	check "sslvctl -j $*: exit" $rc -eq 0
	check_run "sslvctl -j $*: as the schema's $def" \
		"$SCHEMA_CHECK" "$def" "$OUT/$def.json"
}

# events KIND: the monitor's events of KIND so far.
events() { grep -c "^{\"event\":\"$1\"" "$MON" || true; }

START=$(date +%s)
module_load
topo_up
tls_server
ctl config set timeout-rejected 120
ctl domains set corp blocked.sslv.test '*.corp.example'
rule=$(ctl rule add sni-list corp action reject)
rule=${rule#rule }

ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$MON" 2>"$OUT/monitor.err" &
MON_PID=$!
on_exit kill $MON_PID
ip netns exec "$BOX" "$SSLVCTL" monitor -t session >"$MON_TEXT" &
on_exit kill $!
wait_for grep -q skb_wait "/proc/$MON_PID/wchan"
wait_for grep -q skb_wait "/proc/$!/wchan"
ip netns exec "$BOX" "$SSLVCTL" monitor -w "$EVE" 2>"$OUT/eve.err" &
EVE_PID=$!
on_exit kill $EVE_PID
wait_for grep -q skb_wait "/proc/$EVE_PID/wchan"

check "allowed name: s_client exit" "$(hello ok.sslv.test)" -eq 0
check "blocked name: s_client exit" "$(hello blocked.sslv.test)" -eq 1
wait_for -t 20 test "$(events session)" -ge 2
wait_for test "$(events rejected)" -ge 1
wait_for test "$(events rst)" -ge 2

schema mode mode
schema config config
ctl rule insert dport 9 action cut comment 'it'\''s "json": é' >/dev/null
schema rule_list rule list
check "rule list: the inserted rule first, its comment" \
	"$(jq -r '.[0].comment, .[1].id' "$OUT/rule_list.json")" == \
	"it's \"json\": é
$rule"
schema rule_add rule add dport 9 action cut
schema rule_add rule insert after "$rule" dport 10 action cut
schema domains domains
schema domains_show domains show corp
schema flow_list flow list
schema stats stats
schema rst rst
check_run "monitor: every line as the schema's event" \
	"$SCHEMA_CHECK" event "$MON"

# The rejected flow: its session, rejected and RST events and flow list
# name it by one id.
read -r id_session id_rejected id_rst sni rule_seen cipher <<<"$(
	/usr/bin/python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
s = [e for e in ev if e["event"] == "session" and e.get("action") == "reject"][0]
r = [e for e in ev if e["event"] == "rejected"][0]
t = [e for e in ev if e["event"] == "rst" and e["reason"] == "rule"][0]
ok = [e for e in ev if e["event"] == "session" and e.get("action") == "cut"][0]
print(s["flow"]["id"], r["flow"]["id"], t["flow"]["id"], s["sni"],
      s["rule"], ok.get("cipher", "-"))' "$MON")"
check "session event: sni" "$sni" == blocked.sslv.test
check "session event: rule" "$rule_seen" -eq "$rule"
check "session event: a flow id" "$id_session" -gt 0
check "rejected event: the session's flow id" "$id_rejected" -eq "$id_session"
check "rst event: the session's flow id" "$id_rst" -eq "$id_session"
check "flow list: the events' flow id, rejected" \
	"$(ctl flow list state rejected | awk '{ print $2 }')" == "$id_session"
check "allowed session: a TLS 1.3 cipher" "$cipher" -ge $((0x1301))
check "monitor: nothing on stderr" "$(cat "$OUT/monitor.err")" == ""

# monitor -t session: the two sessions, no other event, each line stamped
# [SECONDS.USEC] within the test's run, the allowed one with its cipher
# by number and IANA name, the rejected one with its flow's id.
wait_for test "$(wc -l <"$MON_TEXT")" -ge 2
check "monitor -t session: lines" "$(wc -l <"$MON_TEXT")" -eq 2
check "monitor -t session: each a stamped session" \
	"$(grep -cE '^\[[0-9]{10}\.[0-9]{6}\] session flow [0-9]+ ' "$MON_TEXT")" -eq 2
stamp=$(head -1 "$MON_TEXT" | tr -d '[' | cut -d']' -f1)
check "monitor -t: stamped after the test began" "${stamp%.*}" -ge "$START"
check "monitor -t: stamped before now" "${stamp%.*}" -le "$(date +%s)"
check "monitor -t session: the cipher by number and name" \
	"$(grep -oE 'cipher 0x130[1-5] TLS_[A-Z0-9_]+' "$MON_TEXT" | wc -l)" -eq 1
check "monitor -t session: the rejected flow's id" \
	"$(grep -c "session flow $id_session .*sni blocked.sslv.test" "$MON_TEXT")" -eq 1

# monitor -w: the same events as eve.json lines, sessions as event_type
# tls with Suricata's tls object; then logrotate's move and SIGHUP.
wait_for test "$(grep -c '"event_type":"tls"' "$EVE")" -ge 2
check_run "monitor -w: every line as the schema's eve" \
	"$SCHEMA_CHECK" eve "$EVE"
check "monitor -w: the rejected session" \
	"$(jq -r 'select(.event_type == "tls" and .sslv.action == "reject") |
		[.flow_id, .src_ip, .dest_ip, .dest_port, .proto, .tls.sni,
		 .tls.version // "-"] | join(" ")' "$EVE")" == \
	"$id_session $CLI_IP4 $SRV_IP4 $PORT TCP blocked.sslv.test -"
check "monitor -w: the allowed session's version, as Suricata names it" \
	"$(jq -r 'select(.event_type == "tls" and .sslv.action == "cut") |
		.tls.version' "$EVE")" == "TLS 1.3"
check "monitor -w: as many sessions as monitor -j" \
	"$(grep -c '"event_type":"tls"' "$EVE")" -eq "$(events session)"
mv "$EVE" "$EVE.1"
kill -HUP $EVE_PID
check "after SIGHUP: s_client exit" "$(hello blocked.sslv.test)" -eq 1
wait_for test -s "$EVE"
wait_for grep -q '"event_type":"tls"' "$EVE"
check "after SIGHUP: the new session in the new file" \
	"$(jq -r 'select(.event_type == "tls") | .tls.sni' "$EVE")" == \
	blocked.sslv.test
check "after SIGHUP: the old file untouched" \
	"$(grep -c '"event_type":"tls"' "$EVE.1")" -eq 2
check "after SIGHUP: monitor -w still running, quiet" \
	"$(kill -0 $EVE_PID && cat "$OUT/eve.err")" == ""
