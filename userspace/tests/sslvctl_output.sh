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
	LD_PRELOAD=$here/fake_kernel.so FAKE_SSLV_LOG=$log "$sslvctl" "$@" \
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
prints -n mode 'mode passive-tap dev 1'
json -j mode '{"mode":"passive-tap","dev":1,"dev_name":"lo"}'
json -j -n mode '{"mode":"passive-tap","dev":1}'

prints config 'max-flows 65536
flows-current 2
timeout-handshake 10
timeout-established 7200
timeout-closing 60
timeout-closed 10
timeout-rejected 30'
json -j config '{"max_flows":65536,"flows_current":2,"timeout_handshake":10,"timeout_established":7200,"timeout_closing":60,"timeout_closed":10,"timeout_rejected":30}'

prints rule list 'rule 3 dst 10.0.1.2/32 dport 443 action reject hits 5
rule 4 src 2001:db8::/32 sport 1000-2000 vlan 10 iif lo action drop hits 0'
json -j rule list '[{"id":3,"family":"inet","dst":"10.0.1.2/32","dport_min":443,"dport_max":443,"action":"reject","hits":5},{"id":4,"family":"inet6","src":"2001:db8::/32","sport_min":1000,"sport_max":2000,"vlan":10,"iif":1,"iif_name":"lo","action":"drop","hits":0}]'
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

prints stats 'packets 1000
flows_current 2
rst_sent 7
esc"\'$'\t''é'$'\xff'' 0'
json -j stats '{"packets":1000,"flows_current":2,"rst_sent":7,"esc\"\\\té\ufffd":0}'

prints monitor "rejected ${flow17} reason rule rule 3
ended ${flow18} reason timeout"
json -j monitor "{\"event\":\"rejected\",\"flow\":$json17,\"reason\":\"rule\",\"rule\":3}
{\"event\":\"ended\",\"flow\":$json18,\"reason\":\"timeout\"}"

# Commands that only take an ack print nothing.
for cmd in "mode set passive-tap dev lo" "config set max-flows 10" \
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

echo "$passed passed, $failed failed"
((failed == 0))
