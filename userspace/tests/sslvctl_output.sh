#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What sslvctl prints, as text and as JSON, and what it sends, against
# fake_kernel.so (a preloaded stand-in for the sslv module: see its header).
# Needs no module, so it runs on the host.

set -u

here=$(cd "$(dirname "$0")" && pwd)
make -s -C "$here/.." sslvctl/sslvctl tests/fake_kernel.so || exit 1
sslvctl=$here/../sslvctl/sslvctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/requests
passed=0
failed=0

# fake ARGS...: sslvctl against the fake module; sets rc, out, err.
fake() {
	LD_PRELOAD=$here/fake_kernel.so FAKE_SSLV_LOG=$log \
		FAKE_SSLV_TIME=${FAKE_SSLV_TIME-1764667801.042000} "$sslvctl" "$@" \
		<"${stdin:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

check() {
	local what=$1 want=$2 got=$3

	if [[ $got == "$want" ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: %s\n--- want\n%s\n--- got\n%s\n' "$what" "$want" "$got"
	fi
}

# prints ARGS... EXPECTED: exit 0, nothing on stderr, stdout exactly EXPECTED.
prints() {
	local want=${*: -1}

	fake "${@:1:$#-1}"
	check "sslvctl ${*:1:$#-1}" "0|$want" "$rc|$out$err"
}

# json ARGS... EXPECTED: as prints, and every line must parse as JSON.
json() {
	prints "$@"
	if python3 -c 'import json, sys
for line in sys.stdin:
    json.loads(line)' <"$tmp/out" 2>/dev/null; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: sslvctl ${*:1:$#-1}: not JSON"
	fi
}

prints mode 'mode passive-tap dev lo'
prints -N mode 'mode passive-tap dev 1'
json -j mode '{"mode":"passive-tap","dev":1,"dev_name":"lo"}'
json -j -N mode '{"mode":"passive-tap","dev":1}'

prints config 'max-flows 65536
flows-current 2
hs-bytes 12288
hs-mem 4194304
hs-timeout 10
timeout-handshake 10
timeout-established 7200
timeout-closing 60
timeout-closed 10
timeout-rejected 30
rst-idle 30000
client-cert reject'
json -j config '{"max_flows":65536,"flows_current":2,"hs_bytes":12288,"hs_mem":4194304,"hs_timeout":10,"timeout_handshake":10,"timeout_established":7200,"timeout_closing":60,"timeout_closed":10,"timeout_rejected":30,"rst_idle_ms":30000,"client_cert":"reject"}'

# Rules 5 to 7 carry TLS attributes: all of them, one version, nontls.
# Rule 6 has a comment with quotes and a '#', quoted as save writes it.
rule6=$(cat <<'EOF'
rule 6 tls-version 1.3 undecryptable client-cert,legacy-ssl,compression,no-cipher,ech action cut comment 'it'\''s "ok" # too' hits 1
EOF
)
prints rule list 'rule 3 dst 10.0.1.2/32 dport 443 action reject hits 5
rule 4 src 2001:db8::/32 sport 1000-2000 vlan 10 iif lo action drop hits 0
rule 5 dport 443 sni *.example.com sni-list corp alpn h2 tls-version 1.2-1.3 undecryptable client-cert,compression action reject hits 2
'"$rule6"'
rule 7 nontls action drop hits 0'
json -j rule list '[{"id":3,"family":"inet","dst":"10.0.1.2/32","dport_min":443,"dport_max":443,"action":"reject","hits":5},{"id":4,"family":"inet6","src":"2001:db8::/32","sport_min":1000,"sport_max":2000,"vlan":10,"iif":1,"iif_name":"lo","action":"drop","hits":0},{"id":5,"dport_min":443,"dport_max":443,"sni":"*.example.com","sni_list":"corp","sni-list":"corp","alpn":"h2","tls_version":"1.2-1.3","tls-version":"1.2-1.3","undecryptable":["client-cert","compression"],"action":"reject","hits":2},{"id":6,"tls_version":"1.3","tls-version":"1.3","undecryptable":["client-cert","legacy-ssl","compression","no-cipher","ech"],"action":"cut","comment":"it'"'"'s \"ok\" # too","hits":1},{"id":7,"nontls":true,"action":"drop","hits":0}]'
prints rule add dst 10.0.1.2 dport 443 action reject 'rule 7'
json -j rule add action cut '[{"id":7}]'

flow17='flow 17 tcp 10.0.1.1:40000 -> 10.0.1.2:443 vlan 10 established age 1200ms orig-if 5 ttl 64 reply-if 6 ttl 128 midstream'
flow18='flow 18 tcp [2001:db8::1]:50000 -> [2001:db8::2]:443 rejected age 5ms orig-if lo ttl 64 reply-if lo ttl 255 tap'
json17='{"id":17,"proto":"tcp","family":"inet","src":"10.0.1.1","sport":40000,"dst":"10.0.1.2","dport":443,"vlan":10,"state":"established","age_ms":1200,"orig_if":5,"orig_ttl":64,"reply_if":6,"reply_ttl":128,"orig_seq":1000,"reply_seq":4000000000,"midstream":true}'
json18='{"id":18,"proto":"tcp","family":"inet6","src":"2001:db8::1","sport":50000,"dst":"2001:db8::2","dport":443,"vlan":0,"state":"rejected","age_ms":5,"orig_if":1,"orig_if_name":"lo","orig_ttl":64,"reply_if":1,"reply_if_name":"lo","reply_ttl":255,"orig_seq":1000,"reply_seq":4000000000,"tap":true}'
prints flow list "$flow17
$flow18"
prints -d flow list "${flow17% midstream} orig-seq 1000 reply-seq 4000000000 midstream
${flow18% tap} orig-seq 1000 reply-seq 4000000000 tap"
json -j flow list "[$json17,$json18]"
prints flow list family inet6 "$flow18"
prints flow list dst 10.0.1.0/24 sport 39000-41000 "$flow17"
prints flow list state rejected vlan 0 "$flow18"
prints flow list src 10.0.2.0/24 ''
json -j flow list vlan 99 '[]'

# The fake's RST counters: rst_seen 500, then 101, 102, ... in this order.
rst_names='rst_handshake_refused rst_handshake_abort rst_post_handshake_abort
rst_data rst_teardown rst_fin_rst rst_after_teardown rst_no_flow rst_bare
rst_ttl_anomaly rst_seq_exact rst_seq_in_window rst_seq_outside rst_idle
rst_rexmit rst_events_suppressed'
rst_stats=$(n=100; for c in $rst_names; do n=$((n + 1)); printf '    %-26s %14d\n' $c $n; done)
rst_json=$(n=100; for c in $rst_names; do n=$((n + 1)); printf ',"%s":%d' $c $n; done)
row() { printf '    %-26s %14s' "$1" "$2"; }
# stats: by family, zeros left out; -a: every counter, zeros included.
# Each STATS_GET of the fake finds packets 250 and tls_sessions 3 higher,
# and flows_current 1 higher, than the one before.
prints stats "packets:
$(row packets 1000)
flows:
$(row flows_current 2)
resets:
$(row rst_sent 7)
rst:
$(row rst_seen 500)
$rst_stats"
prints stats show -a "packets:
$(row packets 1000)
flows:
$(row flows_current 2)
resets:
$(row rst_sent 7)
rst:
$(row rst_seen 500)
$rst_stats
tls:
$(row tls_sessions 0)
other:
$(row esc\"\\$'\t''é'$'\xff' 0)"
json -j stats "{\"packets\":1000,\"flows_current\":2,\"rst_sent\":7,\"tls_sessions\":0,\"rst_seen\":500$rst_json,"'"esc\"\\\té\ufffd":0}'
json -j stats -a "$out"

# stats -d: what grew in each interval, and its rate; gauges as they are.
prints stats -d 2 -c 2 "# 2025-12-02T09:30:03.042000+00:00, 2.000 s
packets:
$(row packets 250)        125.0/s
flows:
$(row flows_current 3)
tls:
$(row tls_sessions 3)          1.5/s
# 2025-12-02T09:30:05.042000+00:00, 2.000 s
packets:
$(row packets 250)        125.0/s
flows:
$(row flows_current 4)
tls:
$(row tls_sessions 3)          1.5/s"
fake stats -d 0.25 -c 1 -a
check "stats -d -a: every counter" "0|22" "$rc|$(grep -c '^    ' <<<"$out")"
json -j stats -d 0.5 -c 1 "{\"timestamp\":\"2025-12-02T09:30:01.542000+00:00\",\"interval\":0.500,\"deltas\":{\"packets\":250,\"rst_sent\":0,\"tls_sessions\":3,\"rst_seen\":0${rst_json//[0-9][0-9][0-9]/0},"'"esc\"\\\té\ufffd":0},"gauges":{"flows_current":3}}'

# rst: the counters grouped by the classifier's labels.
prints rst 'rsts 500 events-suppressed 116
group    label                      rsts
phase    handshake-refused           101
phase    handshake-abort             102
phase    post-handshake-abort        103
phase    data                        104
phase    teardown                    105
phase    fin-rst                     106
phase    after-teardown              107
phase    no-flow                     108
kind     rst-bare                    109
ttl      ttl-anomaly                 110
seq      seq-exact                   111
seq      seq-in-window               112
seq      seq-outside                 113
cause    idle                        114
cause    rexmit                      115'
json -j rst '{"rsts":500,"events_suppressed":116,"phase":{"handshake_refused":101,"handshake-refused":101,"handshake_abort":102,"handshake-abort":102,"post_handshake_abort":103,"post-handshake-abort":103,"data":104,"teardown":105,"fin_rst":106,"fin-rst":106,"after_teardown":107,"after-teardown":107,"no_flow":108,"no-flow":108},"kind":{"rst_bare":109,"rst-bare":109},"ttl":{"ttl_anomaly":110,"ttl-anomaly":110},"seq":{"seq_exact":111,"seq-exact":111,"seq_in_window":112,"seq-in-window":112,"seq_outside":113,"seq-outside":113},"cause":{"idle":114,"rexmit":115}}'
FAKE_SSLV_NO_RST=1 fake rst
check "rst without RST counters" \
	'2|Error: sslv module has no RST counters (rst_seen, rst_events_suppressed)' "$rc|$out$err"

# RST events: of flow 17, of no flow, and one sslv sent in flow 18.
rst17='rst flow 17 tcp 10.0.1.1:40000 -> 10.0.1.2:443 vlan 10 server data rst-ack ttl-match seq-exact idle rexmit'
why17='server aborted the connection during data transfer (SO_LINGER {1, 0}, close with unread data, crash, or a middlebox); flow picked up mid-stream; after 31000 ms of silence: idle timeout of a firewall or load balancer; after 3 retransmissions: retransmission limit'
rst0='rst no-flow tcp 10.0.1.9:55555 -> 10.0.1.2:443 unknown no-flow rst-bare ttl-unknown seq-unknown'
why0='RST of a flow never seen before (capture started late, or a stray RST); bare RST (no ACK): an answer to a segment of no known connection, or forged'
rst18='rst flow 18 tcp [2001:db8::1]:50000 -> [2001:db8::2]:443 client teardown rst-ack ttl-anomaly seq-in-window sslv(operator)'
why18="client reset the connection while it was closing, after the server's FIN; TTL 50 where the client's packets had 64: another hop distance, likely forged by a middlebox; seq in window but not exact: an RFC 5961 receiver only sends a challenge ACK; sent by sslv (operator)"
json0='{"id":0,"proto":"tcp","family":"inet","src":"10.0.1.9","sport":55555,"dst":"10.0.1.2","dport":443,"vlan":0}'

# Sessions: a TLS 1.3 one a rule cut; a TLS 1.2 one the client-cert default
# rejected; a malformed hello whose server name holds odd bytes.
sess17='session flow 17 10.0.1.1:40000 > 10.0.1.2:443 vlan 10 tls 1.3 cipher 0x1302 TLS_AES_256_GCM_SHA384 sni www.example.com alpn h2 action cut rule 3 reason rule'
sess18='session flow 18 [2001:db8::1]:50000 > [2001:db8::2]:443 tls 1.2 cipher 0xc02f TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 sni intranet.example action reject reason client-cert classes client-cert,compression'
sessodd='session flow 17 10.0.1.1:40000 > 10.0.1.2:443 vlan 10 sni a"b\x5cc\x01\xff\x00z alpn h\xc3\xa9 action cut error malformed'
sessions="$sess17
$sess18
$sessodd"

prints monitor "rejected ${flow17} reason rule rule 3
ended ${flow18} reason timeout
$rst17 | $why17
$rst0 | $why0
$rst18 | $why18
$sessions"
prints -d monitor "rejected ${flow17% midstream} orig-seq 1000 reply-seq 4000000000 midstream reason rule rule 3
ended ${flow18% tap} orig-seq 1000 reply-seq 4000000000 tap reason timeout
$rst17 seq 4000000000 ack 1000 | $why17
$rst0 seq 77 ack 0 | $why0
$rst18 seq 1000 ack 4000000000 | $why18
$sessions"
json -j monitor "{\"event\":\"rejected\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json17,\"reason\":\"rule\",\"rule\":3}
{\"event\":\"ended\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json18,\"reason\":\"timeout\"}
{\"event\":\"rst\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json17,\"sender\":\"server\",\"phase\":\"data\",\"kind\":\"rst-ack\",\"ttl\":\"ttl-match\",\"ttl_seen\":128,\"ttl_expected\":128,\"seq\":\"seq-exact\",\"causes\":[\"idle\",\"rexmit\"],\"reason\":\"none\",\"idle_ms\":31000,\"rexmit\":3,\"tcp_seq\":4000000000,\"tcp_ack\":1000,\"explain\":\"$why17\"}
{\"event\":\"rst\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json0,\"sender\":\"unknown\",\"phase\":\"no-flow\",\"kind\":\"rst-bare\",\"ttl\":\"ttl-unknown\",\"ttl_seen\":64,\"ttl_expected\":0,\"seq\":\"seq-unknown\",\"causes\":[],\"reason\":\"none\",\"idle_ms\":0,\"rexmit\":0,\"tcp_seq\":77,\"tcp_ack\":0,\"explain\":\"$why0\"}
{\"event\":\"rst\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json18,\"sender\":\"client\",\"phase\":\"teardown\",\"kind\":\"rst-ack\",\"ttl\":\"ttl-anomaly\",\"ttl_seen\":50,\"ttl_expected\":64,\"seq\":\"seq-in-window\",\"causes\":[\"sslv\"],\"reason\":\"operator\",\"idle_ms\":5,\"rexmit\":0,\"tcp_seq\":1000,\"tcp_ack\":4000000000,\"explain\":\"$why18\"}
{\"event\":\"session\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json17,\"tls_version\":\"1.3\",\"tls-version\":\"1.3\",\"client_version\":\"1.3\",\"client-version\":\"1.3\",\"cipher\":4866,\"cipher_name\":\"TLS_AES_256_GCM_SHA384\",\"sni\":\"www.example.com\",\"alpn\":\"h2\",\"action\":\"cut\",\"rule\":3,\"reason\":\"rule\",\"classes\":[]}
{\"event\":\"session\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json18,\"tls_version\":\"1.2\",\"tls-version\":\"1.2\",\"client_version\":\"1.3\",\"client-version\":\"1.3\",\"cipher\":49199,\"cipher_name\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"sni\":\"intranet.example\",\"action\":\"reject\",\"reason\":\"client-cert\",\"classes\":[\"client-cert\",\"compression\"]}
{\"event\":\"session\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json17,\"client_version\":\"ssl2\",\"client-version\":\"ssl2\",\"sni\":\"a\\\"b\\\\c\\u0001\\ufffd\\u0000z\",\"alpn\":\"hé\",\"action\":\"cut\",\"classes\":[],\"error\":\"malformed\"}"

# monitor -t: conntrack's [SECONDS.USEC] first on each line; EVENT...:
# only events of those types.
prints monitor -t rst "[1764667801.042000] $rst17 | $why17
[1764667801.042000] $rst0 | $why0
[1764667801.042000] $rst18 | $why18"
prints monitor session rejected "rejected ${flow17} reason rule rule 3
$sessions"
prints monitor ended -t "[1764667801.042000] ended ${flow18} reason timeout"
json -j monitor ended "{\"event\":\"ended\",\"timestamp\":\"2025-12-02T09:30:01.042000+00:00\",\"flow\":$json18,\"reason\":\"timeout\"}"
FAKE_SSLV_TIME=0.000001 fake -j monitor ended
check "monitor: the epoch's first microsecond" \
	'{"event":"ended","timestamp":"1970-01-01T00:00:00.000001+00:00",' "${out%%\"flow\"*}"
# A suite without a name is shown by number alone.
check "cipher 0x1302's name" TLS_AES_256_GCM_SHA384 \
	"$(fake monitor session; grep -o 'cipher 0x1302 [^ ]*' <<<"$out" | head -1 | cut -d' ' -f3)"

# monitor -w FILE: eve.json lines appended to FILE, nothing on stdout; the
# sslv object of each is the line -j monitor prints.
eve=$tmp/eve.json
fake -j monitor session
mon=$out
echo '{"kept":"a line already there"}' >"$eve"
fake monitor -w "$eve" session
check "monitor -w: quiet" '0|' "$rc|$out$err"
check "monitor -w session: the file" '{"kept":"a line already there"}
{"timestamp":"2025-12-02T09:30:01.042000+00:00","flow_id":17,"event_type":"tls","vlan":[10],"src_ip":"10.0.1.1","src_port":40000,"dest_ip":"10.0.1.2","dest_port":443,"proto":"TCP","app_proto":"tls","tls":{"sni":"www.example.com","version":"TLS 1.3"},"sslv":'"$(sed -n 1p <<<"$mon")"'}
{"timestamp":"2025-12-02T09:30:01.042000+00:00","flow_id":18,"event_type":"tls","src_ip":"2001:db8::1","src_port":50000,"dest_ip":"2001:db8::2","dest_port":443,"proto":"TCP","app_proto":"tls","tls":{"sni":"intranet.example","version":"TLS 1.2"},"sslv":'"$(sed -n 2p <<<"$mon")"'}
{"timestamp":"2025-12-02T09:30:01.042000+00:00","flow_id":17,"event_type":"tls","vlan":[10],"src_ip":"10.0.1.1","src_port":40000,"dest_ip":"10.0.1.2","dest_port":443,"proto":"TCP","app_proto":"tls","tls":{"sni":"a\"b\\c\u0001\ufffd\u0000z"},"sslv":'"$(sed -n 3p <<<"$mon")"'}' "$(cat "$eve")"
rm -f "$eve"
fake monitor -w "$eve"
check "monitor -w: every event, no flow_id for an RST of no flow" \
	"0|8|sslv sslv sslv sslv sslv tls tls tls|7" \
	"$rc|$(wc -l <"$eve")|$(jq -r .event_type "$eve" | paste -sd ' ')|$(grep -c '"flow_id":' "$eve")"
if "$here/json_schema.py" eve "$eve" >"$tmp/schema"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL: monitor -w: as the schema's eve"; cat "$tmp/schema"
fi
# logrotate: FILE moved to FILE.1, then SIGHUP: FILE is opened afresh.
rm -f "$eve" "$eve.1"
FAKE_SSLV_ROTATE=$eve fake monitor -w "$eve" rejected
check "monitor -w: SIGHUP reopens FILE" '0||1|1|rejected|rejected' \
	"$rc|$out$err|$(wc -l <"$eve.1")|$(wc -l <"$eve")|$(jq -r .sslv.event "$eve.1")|$(jq -r .sslv.event "$eve")"
fake monitor -w "$tmp/no/such/dir/eve.json"
check "monitor -w: a file that cannot be opened" \
	"1|Error: cannot open \"$tmp/no/such/dir/eve.json\": No such file or directory" "$rc|$out$err"

# Every command's JSON against Documentation/sslvctl.schema.json.
# schema DEF ARGS...: sslvctl -j ARGS... exits 0 and each line is a DEF.
schema() {
	local def=$1

	shift
	fake -j "$@"
	if [[ $rc == 0 && -z $err ]] &&
	   "$here/json_schema.py" "$def" "$tmp/out" >"$tmp/schema" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL: schema %s: sslvctl -j %s (exit %s)\n%s%s\n' "$def" "$*" \
			"$rc" "$err" "$(cat "$tmp/schema")"
	fi
}
schema mode mode
schema mode -N mode
schema config config
schema rule_list rule list
schema rule_add rule add action cut
schema domains domains
schema domains_show domains show corp
schema flow_list flow list
schema flow_list -N flow list
schema flow_list flow list vlan 99
schema stats stats
schema stats_deltas stats -d 1 -c 3
schema rst rst
schema event monitor
schema event -d monitor
# The check fails on a key the schema does not know, or a wrong type.
for bad in '{"mode":"passive-tap","dev":1,"extra":1}' '{"mode":"passive-tap","dev":"lo"}'; do
	if "$here/json_schema.py" mode <<<"$bad" >/dev/null; then
		failed=$((failed + 1))
		echo "FAIL: schema mode accepts $bad"
	else
		passed=$((passed + 1))
	fi
done

# Commands that only take an ack print nothing.
for cmd in "mode set passive-tap dev lo" "config set max-flows 10" \
	"config set rst-idle 45000" \
	"rule flush" "flow reject 17" "stats reset"; do
	prints $cmd ''
done

# What goes on the wire.
rm -f "$log"
fake -j flow list family inet src 10.0.1.1 dport 443 sport 1-2 state established
check "flow list filter sent" 'FLOW_GET len=56' "$(cat "$log")"
rm -f "$log"
fake config set timeout-closed 9 max-flows 10
check "config set sent" 'CONFIG_SET len=36' "$(cat "$log")"
rm -f "$log"
fake config set rst-idle 0
check "config set rst-idle 0 sent" '0|CONFIG_SET len=28' "$rc|$(cat "$log")"

# Kernel errors: the extended ack message, exit 2.
fake rule del 99
check "rule del 99" '2|Error: no rule with this id (No such file or directory)' "$rc|$out$err"
FAKE_SSLV_EPERM=1 fake rule list
check "EPERM" '2|Error: Operation not permitted (CAP_NET_ADMIN required)' "$rc|$out$err"

# rule replace: staged batches under 32 KiB, then one commit.
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "src 10.%d.%d.%d/32 dport 443 vlan 10 iif lo action reject\n",
		int(i / 65536), int(i / 256) % 256, i % 256 }' >"$tmp/rules"
rm -f "$log"
fake rule replace "$tmp/rules"
check "rule replace" '0|' "$rc|$out$err"
check "rule replace requests" "RULE_FLUSH stage|RULE_ADD stage|RULE_COMMIT|100000|1" \
	"$(awk '{ split($NF, l, "="); if (l[2] > 32768) big = 1 }
		/RULE_ADD/ { split($3, r, "="); n += r[2]; if ($2 != "stage") big = 1 }
		NR == 1 { first = $1 " " $2 } NR == 2 { add = $1 " " $2 } { last = $1 }
		END { print first "|" add "|" last "|" n "|" (big ? 0 : 1) }' "$log")"

# A rule the kernel refuses is named by its line; the staged set is cleared.
rm -f "$log"
stdin=$tmp/rules FAKE_SSLV_FAIL=1234 fake rule replace -
check "rule replace refused" \
	'2|Error: <stdin>:1234: iif is not a bridge port (Invalid argument)' "$rc|$out$err"
check "rule replace refused requests" 'RULE_FLUSH|RULE_ADD|RULE_ADD|RULE_ADD|RULE_FLUSH' \
	"$(awk '{ print $1 }' "$log" | paste -sd '|')"

# TLS keywords: exactly these attributes, strings NUL-terminated, the
# trailing dot of a fully qualified name dropped.
attrs=$tmp/attrs
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule add dst 10.0.1.2 dport 443 sni '*.Example.com.' \
	sni-list corp alpn http/1.1 tls-version ssl3-1.2 \
	undecryptable no-cipher,client-cert action reject
check "rule add, every TLS keyword" '0|RULE_ADD RULE{FAMILY=2 DST=0a000102 DST_LEN=32 DPORT_MIN=443 DPORT_MAX=443 SNI="*.Example.com" DOMSET="corp" ALPN="http/1.1" TLS_VER_MIN=0x0300 TLS_VER_MAX=0x0303 UNDECRYPTABLE=0x9 ACTION=1}' \
	"$rc|$(cat "$attrs")"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule add nontls action drop
check "rule add nontls" '0|RULE_ADD RULE{NONTLS ACTION=2}' "$rc|$(cat "$attrs")"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule add tls-version 1.3 undecryptable any action cut
check "rule add, one version, any class" \
	'0|RULE_ADD RULE{TLS_VER_MIN=0x0304 TLS_VER_MAX=0x0304 UNDECRYPTABLE=0x1f ACTION=0}' \
	"$rc|$(cat "$attrs")"

# A rule file's strings outlive the line they were read from.
printf '%s\n' 'sni a.example action reject' 'alpn h2 sni-list corp action cut' \
	'sni *.b.example alpn h3 action drop' >"$tmp/tls.rules"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule replace "$tmp/tls.rules"
check "rule replace, TLS strings" '0|RULE_FLUSH STAGE
RULE_ADD STAGE RULE{SNI="a.example" ACTION=1} RULE{DOMSET="corp" ALPN="h2" ACTION=0} RULE{SNI="*.b.example" ALPN="h3" ACTION=2}
RULE_COMMIT' "$rc|$(cat "$attrs")"

# Comments: NUL-terminated as given; in a rule file, quoted as in -f.
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule add dport 443 action reject comment 'web: "no" TLS'
check "rule add comment" '0|RULE_ADD RULE{DPORT_MIN=443 DPORT_MAX=443 ACTION=1 COMMENT="web: "no" TLS"}' \
	"$rc|$(cat "$attrs")"
printf '%s\n' "dport 1 action cut comment 'a b' # c" 'action drop comment "it'"'"'s #1"' \
	>"$tmp/comment.rules"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule replace "$tmp/comment.rules"
check "rule replace, comments" '0|RULE_FLUSH STAGE
RULE_ADD STAGE RULE{DPORT_MIN=1 DPORT_MAX=1 ACTION=0 COMMENT="a b"} RULE{ACTION=2 COMMENT="it'"'"'s #1"}
RULE_COMMIT' "$rc|$(cat "$attrs")"

# A comment sslvctl would not send (a control byte): list shows it
# escaped, save refuses to write it and prints nothing.
FAKE_SSLV_COMMENT=$'tab\there' fake rule list
check "rule list, a control byte" "0|rule 6 tls-version 1.3 undecryptable client-cert,legacy-ssl,compression,no-cipher,ech action cut comment 'tab\\x09here' hits 1" \
	"$rc|$(sed -n 4p <<<"$out")$err"
FAKE_SSLV_COMMENT=$'tab\there' fake save
check "save, a comment it cannot write" '2||Error: rule 6: the module reported what sslvctl cannot write' \
	"$rc|$out|$err"

# rule insert: the position before the rule (the head by default), the
# reply's ids as rule add prints them.
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule insert dport 80 action drop
check "rule insert, at the head" '0|rule 7|RULE_ADD RULE_INDEX=0 RULE{DPORT_MIN=80 DPORT_MAX=80 ACTION=2}' \
	"$rc|$out$err|$(cat "$attrs")"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule insert index 5 action cut comment x
FAKE_SSLV_ATTRS=$attrs fake rule insert before 3 action cut
FAKE_SSLV_ATTRS=$attrs fake rule in af 7 action cut
check "rule insert index, before, after" '0|RULE_ADD RULE_INDEX=5 RULE{ACTION=0 COMMENT="x"}
RULE_ADD RULE_BEFORE=3 RULE{ACTION=0}
RULE_ADD RULE_AFTER=7 RULE{ACTION=0}' "$rc|$(cat "$attrs")"
json -j rule insert after 4 action cut '[{"id":7}]'
schema rule_add rule insert action cut
fake rule insert index 6 action cut
check "rule insert past the end" \
	'2||Error: "index 6": index past the end of the ruleset (Numerical result out of range)' \
	"$rc|$out|$err"
fake -j rule insert after 99 action cut
check "rule insert after no rule, -j" \
	'2||Error: "after 99": no rule with this id (No such file or directory)' \
	"$rc|$out|$err"

# A file with no rule empties the ruleset, by name: a commit of nothing
# is refused.
printf '# nothing\n\n' >"$tmp/none.rules"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake rule replace "$tmp/none.rules"
check "rule replace, no rule" '0|RULE_FLUSH' "$rc|$(cat "$attrs")"

rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake config set client-cert cut
check "config set client-cert cut" '0|CONFIG_SET CLIENT_CERT=0' "$rc|$(cat "$attrs")"

# Domain sets.
prints domains 'domains corp size 3
domains blocklist size 100000'
prints domains list 'domains corp size 3
domains blocklist size 100000'
json -j domains '[{"name":"corp","size":3},{"name":"blocklist","size":100000}]'
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake domains del corp
check "domains del" '0|DOMSET_DEL DOMSET_NAME="corp"' "$rc|$out$err$(cat "$attrs")"
fake domains del busy
check "domains del, in use" '2|Error: a rule uses this domain set (Device or resource busy)' \
	"$rc|$out$err"

# domains load: 100k names (comments, blank lines, spaces and an FQDN dot
# around them) arrive in order, in DOMSET_ADD messages of at most 32 KiB,
# then one COMMIT.
awk 'BEGIN { print "# a blocklist"; print "";
	for (i = 0; i < 100000; i++) {
		if (i % 1000 == 0) print "  # group " i
		printf "%s%s-%d.example%s%s\n", i % 7 ? "" : " \t",
			i % 3 ? "host" : "*.zone", i, i % 5 ? "" : ".",
			i % 11 ? "" : "   # note"
	} }' >"$tmp/domains"
awk '{ sub(/#.*/, ""); gsub(/[ \t]/, ""); sub(/\.$/, "") } $0 != ""' \
	"$tmp/domains" >"$tmp/domains.want"
rm -f "$log" "$attrs"
FAKE_SSLV_ATTRS=$attrs fake domains load blocklist "$tmp/domains"
check "domains load" '0|' "$rc|$out$err"
check "domains load requests" "DOMSET_ADD|DOMSET_COMMIT|100000|1" \
	"$(awk '{ split($NF, l, "="); if (l[2] > 32768) big = 1 }
		/^DOMSET_ADD/ { for (f = 2; f <= NF; f++) if ($f ~ /^domains=/) {
				split($f, d, "="); n += d[2] }; adds++ }
		NR == 1 { first = $1 } { last = $1 }
		END { print first "|" last "|" n "|" (big || adds < 2 ? 0 : 1) }' "$log")"
check "domains load commits once" 1 "$(grep -c '^DOMSET_COMMIT' "$log")"
check "domains load starts the staging set afresh, once" '1|1' \
	"$(grep -c '^DOMSET_ADD stage' "$log")|$(head -1 "$log" | grep -c '^DOMSET_ADD stage')"
check "domains load names set" "$(grep -c ^DOMSET "$attrs")" \
	"$(grep -c '^DOMSET_[A-Z]* DOMSET_NAME="blocklist"' "$attrs")"
grep -o 'DOMAIN="[^"]*"' "$attrs" | sed 's/^DOMAIN="//; s/"$//' >"$tmp/domains.got"
if cmp -s "$tmp/domains.want" "$tmp/domains.got" &&
   [[ $(wc -l <"$tmp/domains.got") == 100000 ]]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	echo "FAIL: domains load: the names sent are not the file's"
fi

# How long the userspace part of loading 100k names takes: shown, not judged.
start=$(date +%s%N)
fake domains load blocklist "$tmp/domains"
echo "# domains load of 100k names: $((($(date +%s%N) - start) / 1000000)) ms"
check "domains load again" '0|' "$rc|$out$err"

# A name the kernel refuses is named by its line; nothing is committed.
printf '# corp\n\na.example\nb.example\n\nc.example\n' >"$tmp/corp"
rm -f "$log"
stdin=$tmp/corp FAKE_SSLV_FAIL_DOMAIN=3 fake domains load corp -
check "domains load refused" \
	'2|Error: <stdin>:6: invalid domain name (Invalid argument)' "$rc|$out$err"
check "domains load refused requests" 'DOMSET_ADD' "$(awk '{ print $1 }' "$log" | paste -sd '|')"

# An empty file makes an empty set: one ADD without names, one COMMIT.
rm -f "$attrs"
stdin=/dev/null FAKE_SSLV_ATTRS=$attrs fake domains load empty -
check "domains load, empty" '0|DOMSET_ADD DOMSET_NAME="empty" STAGE
DOMSET_COMMIT DOMSET_NAME="empty"' "$rc|$out$err$(cat "$attrs")"

# save: the fake's state as commands, domain sets with their names, one
# a line; what -f sends for that text is what the fake dumped.
fake save
{
	echo "# sslv: written by sslvctl save, applied by sslvctl -f FILE"
	echo "mode set passive-tap dev lo"
	echo "config set max-flows 65536 hs-mem 4194304 hs-timeout 10 timeout-handshake 10 timeout-established 7200 timeout-closing 60 timeout-closed 10 timeout-rejected 30 rst-idle 30000 client-cert reject"
	echo "rule flush"
	printf 'domains set corp \\\n\ta.example \\\n\t'\''*.b.example'\'' \\\n\tc.example\n'
	printf 'domains set blocklist'
	for i in $(seq 0 249); do printf ' \\\n\thost-%d.example' "$i"; done
	echo
	echo "rule add dst 10.0.1.2/32 dport 443 action reject"
	echo "rule add src 2001:db8::/32 sport 1000-2000 vlan 10 iif lo action drop"
	echo "rule add dport 443 sni '*.example.com' sni-list corp alpn h2 tls-version 1.2-1.3 undecryptable client-cert,compression action reject"
	echo "rule add tls-version 1.3 undecryptable client-cert,legacy-ssl,compression,no-cipher,ech action cut comment 'it'\\''s \"ok\" # too'"
	echo "rule add nontls action drop"
} >"$tmp/save.want"
check "save" "0|$(cat "$tmp/save.want")" "$rc|$out$err"
cp "$tmp/out" "$tmp/saved"
fake -j save
check "save ignores -j" "$(cat "$tmp/saved")" "$out"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake -f "$tmp/saved"
check "-f of save: quiet" '0|' "$rc|$out$err"
check "-f of save: requests" "MODE_SET MODE=2 IFINDEX=1
CONFIG_SET MAX_FLOWS=65536 HS_MEM=4194304 HS_TIMEOUT=10 TIMEOUT_HANDSHAKE=10 TIMEOUT_ESTABLISHED=7200 TIMEOUT_CLOSING=60 TIMEOUT_CLOSED=10 TIMEOUT_REJECTED=30 RST_IDLE_MS=30000 CLIENT_CERT=1
RULE_FLUSH
DOMSET_ADD DOMSET_NAME=\"corp\" STAGE DOMAIN=\"a.example\" DOMAIN=\"*.b.example\" DOMAIN=\"c.example\"
DOMSET_COMMIT DOMSET_NAME=\"corp\"
DOMSET_ADD DOMSET_NAME=\"blocklist\" STAGE$(for i in $(seq 0 249); do printf ' DOMAIN="host-%d.example"' "$i"; done)
DOMSET_COMMIT DOMSET_NAME=\"blocklist\"
RULE_ADD RULE{FAMILY=2 DST=0a000102 DST_LEN=32 DPORT_MIN=443 DPORT_MAX=443 ACTION=1}
RULE_ADD RULE{FAMILY=10 SRC=20010db8000000000000000000000000 SRC_LEN=32 SPORT_MIN=1000 SPORT_MAX=2000 VLAN=10 IIF=1 ACTION=2}
RULE_ADD RULE{DPORT_MIN=443 DPORT_MAX=443 SNI=\"*.example.com\" DOMSET=\"corp\" ALPN=\"h2\" TLS_VER_MIN=0x0303 TLS_VER_MAX=0x0304 UNDECRYPTABLE=0x5 ACTION=1}
RULE_ADD RULE{TLS_VER_MIN=0x0304 TLS_VER_MAX=0x0304 UNDECRYPTABLE=0x1f ACTION=0 COMMENT=\"it's \"ok\" # too\"}
RULE_ADD RULE{NONTLS ACTION=2}" "$(cat "$attrs")"

# domains show NAME: the names, one a line (JSON: an array); set NAME:
# exactly the names given, as one load.
prints domains show corp 'a.example
*.b.example
c.example'
json -j domains show corp '["a.example","*.b.example","c.example"]'
fake domains show nope
check "domains show, no such set" \
	'2|Error: no domain set of this name (No such file or directory)' "$rc|$out$err"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake domains set corp X.example. '*.y.example'
check "domains set" '0|DOMSET_ADD DOMSET_NAME="corp" STAGE DOMAIN="X.example" DOMAIN="*.y.example"
DOMSET_COMMIT DOMSET_NAME="corp"' "$rc|$out$err$(cat "$attrs")"
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake domains set empty
check "domains set, no name" '0|DOMSET_ADD DOMSET_NAME="empty" STAGE
DOMSET_COMMIT DOMSET_NAME="empty"' "$rc|$out$err$(cat "$attrs")"

# -f: shell-like words reach the kernel as the words they quote.
cat >"$tmp/quoted" <<'EOF2'
# quotes, escapes, comments
sslvctl rule add sni "*.a.example" action reject   # a comment
rule add sni '*.b.example' alpn 'it'\''s' action cut
rule add alpn "q\"x\\y" sni \*.c.example action drop
	rule	add	alpn	a#b	action	cut	#tab separated
rule add \
	sni x.example \
	action cut
rule add alpn ab\
cd action cut
# a comment does not go on \
rule add 'action' drop
EOF2
rm -f "$attrs"
FAKE_SSLV_ATTRS=$attrs fake -f "$tmp/quoted"
check "-f quoting" '0|RULE_ADD RULE{SNI="*.a.example" ACTION=1}
RULE_ADD RULE{SNI="*.b.example" ALPN="it'\''s" ACTION=0}
RULE_ADD RULE{SNI="*.c.example" ALPN="q"x\y" ACTION=2}
RULE_ADD RULE{ALPN="a#b" ACTION=0}
RULE_ADD RULE{SNI="x.example" ACTION=0}
RULE_ADD RULE{ALPN="abcd" ACTION=0}
RULE_ADD RULE{ACTION=2}' "$rc|$out$err$(cat "$attrs")"

# Abbreviations, as ip's: any keyword or value by a prefix that begins
# only it, sending exactly what the whole words send.
same() {
	local abbr=$1 full=$2 a f

	rm -f "$attrs"
	FAKE_SSLV_ATTRS=$attrs fake $full
	f="$rc|$out$err|$(cat "$attrs" 2>/dev/null)"
	rm -f "$attrs"
	FAKE_SSLV_ATTRS=$attrs fake $abbr
	a="$rc|$out$err|$(cat "$attrs" 2>/dev/null)"
	check "sslvctl $abbr = sslvctl $full" "$f" "$a"
	[[ ${f##*|} ]] || check "sslvctl $full sends a request" "a request" ""
}
same "ru li" "rule list"
same "st" "stats"
same "st r" "stats reset"
same "conf se max 5 cl c" "config set max-flows 5 client-cert cut"
same "con se hs-m 65536 hs-t 3" "config set hs-mem 65536 hs-timeout 3"
same "ru a sp 80 dp 443 sni-l corp sni a.example u client,e act rej" \
	"rule add sport 80 dport 443 sni-list corp sni a.example undecryptable client-cert,ech action reject"
same "ru a sni a.example ac dr" "rule add sni a.example action drop"
same "ru a dp 443 ac de" "rule add dport 443 action decrypt"
same "ru de 3" "rule del 3"
same "ru f" "rule flush"
same "fl l st es fa inet6" "flow list state established family inet6"
same "fl rej 17" "flow reject 17"
same "mod" "mode"
same "mode se passive-i" "mode set passive-inline"
same "dom" "domains"
same "dom d corp" "domains del corp"
printf 'ru a dp 25 nont act rej\nconf se client-cert d\n' >"$tmp/abbr"
printf 'rule add dport 25 nontls action reject\nconfig set client-cert drop\n' >"$tmp/full"
same "-f $tmp/abbr" "-f $tmp/full"

# A prefix of several is refused, naming them, and sends nothing.
rm -f "$log"
ambiguous() {
	local want=$1

	shift
	fake "$@"
	check "sslvctl $* is ambiguous" "1|$want" "$rc|$out$err"
}
ambiguous 'Error: ambiguous keyword "r" (rule, rst)' r li
ambiguous 'Error: ambiguous keyword "s" (stats, save)' s
ambiguous 'Error: ambiguous keyword "mo" (mode, monitor)' mo
ambiguous 'Error: ambiguous keyword "s" (show, set)' config s max-flows 5
ambiguous 'Error: ambiguous keyword "s" (src, sport, sni, sni-list)' rule add s 1 action cut
ambiguous 'Error: ambiguous keyword "sn" (sni, sni-list)' rule add sn x action cut
ambiguous 'Error: ambiguous keyword "timeout-c" (timeout-closing, timeout-closed)' config set timeout-c 5
ambiguous 'Error: ambiguous value "c" (client-cert, compression)' rule add undecryptable c action cut
ambiguous 'Error: ambiguous action "d" (drop, decrypt)' rule add dport 443 action d
ambiguous 'Error: ambiguous value "passive" (passive-inline, passive-tap)' mode set passive
ambiguous 'Error: ambiguous value "clos" (closing, closed)' flow list state clos
ambiguous 'Error: ambiguous keyword "l" (list, load)' domains l x
check "nothing sent for an ambiguous word" "" "$(cat "$log" 2>/dev/null)"

# -j: a command that fails prints nothing on stdout, whatever it had
# printed before the failure (the opening of an array, part of a dump).
for c in "rule list" "flow list" "domains" "domains show corp" "config" \
	"stats" "rst" "mode" "save" "rule add action cut"; do
	FAKE_SSLV_EPERM=1 fake -j $c
	check "-j $c refused: nothing on stdout" \
		"2||Error: Operation not permitted (CAP_NET_ADMIN required)" "$rc|$out|$err"
done
fake -j domains show nosuch
check "-j domains show, ENOENT after the dump began: nothing on stdout" \
	"2|" "$rc|$out"
fake domains show nosuch
check "domains show, ENOENT, text" "2|" "$rc|$out"
fake -j domains show corp
check "-j domains show, succeeding: printed whole" '0|["a.example","*.b.example","c.example"]' \
	"$rc|$out"

# A line the kernel refuses stops the run there, named by its line.
printf 'rule flush\nrule add dst 10.0.0.1 action cut\nrule add dst 10.0.0.2 action cut\nrule add dst 10.0.0.3 action cut\n' >"$tmp/refused"
rm -f "$log"
FAKE_SSLV_FAIL=2 fake -f "$tmp/refused"
check "-f refused" "2|Error: $tmp/refused:3: iif is not a bridge port (Invalid argument)" "$rc|$out$err"
check "-f refused requests" 'RULE_FLUSH|RULE_ADD|RULE_ADD' "$(awk '{ print $1 }' "$log" | paste -sd '|')"

echo "$passed passed, $failed failed"
((failed == 0))
