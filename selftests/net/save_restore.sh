#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvctl save writes the mode, the configuration, the domain sets with
# their names and rules of every kind as commands, in evaluation order
# (rules inserted ahead of older ones included), with their comments
# quoted. With all of it undone
# (default mode and values, no rule, no set), sslvctl -f replays the file:
# save then writes the same text byte for byte, and the sets hold their
# names again. A file with one bad line is refused whole, naming the line,
# and changes nothing; a line the kernel refuses stops the run there.
# sslvctl -n NETNS acts in NETNS as ip netns exec does: the restore runs
# from the host's namespace with -n, its reads show the same.

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }

# undo: back to a fresh module's state (its config line as saved first),
# with plain commands.
undo()
{
	local defaults

	read -ra defaults <<<"$(grep '^config set ' "$OUT/fresh")"
	ctl rule flush
	ctl domains del ads
	ctl domains del empty
	ctl mode set active-inline
	ctl "${defaults[@]}"
}

topo_up
module_load
ctl save >"$OUT/fresh"

printf 'ads.example\n*.Tracker.Example.\n# a comment\nmetrics.example.org\nADS.example\n' \
	>"$OUT/ads.txt"
ctl mode set passive-inline
ctl config set max-flows 5000 timeout-handshake 11 timeout-established 3600 \
	timeout-closing 50 timeout-closed 9 timeout-rejected 20 rst-idle 0 \
	rst-rate 500 client-cert cut hs-mem 65536 hs-timeout 20
ctl domains load ads "$OUT/ads.txt"
ctl domains set empty
ctl rule add src 10.0.1.0/24 dst 10.0.1.2 sport 1024-65535 dport 443 action reject >/dev/null
ctl rule add dst fd00::/64 dport 8443 vlan 0 iif "$PORT_CLI" action drop >/dev/null
ctl rule add dport 443 sni '*.example.com' alpn h2 tls-version 1.2-1.3 action reject >/dev/null
ctl rule add sni-list ads tls-version 1.3 action drop >/dev/null
ctl rule add undecryptable client-cert,ech action cut >/dev/null
ctl rule add dport 25 nontls action reject >/dev/null
ctl rule add dport 110 action cut comment 'mail: "pop3" only' >/dev/null
second=$(ctl rule list | awk 'NR == 2 { print $2 }')
ctl rule insert after "$second" dport 8080 action drop \
	comment "it's a \"proxy\" # not a comment" >/dev/null
ctl rule insert dport 22 action reject comment head >/dev/null
ctl save >"$OUT/saved"
check "save: 9 rules" "$(grep -c '^rule add ' "$OUT/saved")" -eq 9
check "save: inserted rules in evaluation order" \
	"$(grep '^rule add ' "$OUT/saved" | cut -d' ' -f3-4 | paste -sd '|')" == \
	"dport 22|src 10.0.1.0/24|dst fd00::/64|dport 8080|dport 443|sni-list ads|undecryptable client-cert,ech|dport 25|dport 110"
check "save: comments quoted" "$(grep -o ' comment .*' "$OUT/saved")" == \
" comment head
 comment 'it'\\''s a \"proxy\" # not a comment'
 comment 'mail: \"pop3\" only'"
check "save: quoting" "$(grep -c "sni '\*.example.com'" "$OUT/saved")" -eq 1
check "save: the set's names" "$(grep -A 3 '^domains set ads' "$OUT/saved" | tr -d '\\\t' | xargs)" \
	== "domains set ads ads.example *.tracker.example metrics.example.org"

check "-n: rule list as ip netns exec shows it" \
	"$("$SSLVCTL" -n "$BOX" rule list)" == "$(ctl rule list)"
check "-n: JSON config as ip netns exec shows it" \
	"$("$SSLVCTL" -j -n "$BOX" config)" == "$(ctl -j config)"
check "-n: not the host's rules" "$("$SSLVCTL" rule list | wc -l)" -eq 0
rc=0
"$SSLVCTL" -n "$NS-nosuch" rule list >"$OUT/nons.out" 2>"$OUT/nons.err" || rc=$?
check "-n: a missing namespace, exit 1, named, nothing on stdout" \
	"$rc $(cat "$OUT/nons.err")$(cat "$OUT/nons.out")" == \
	"1 Error: cannot open network namespace \"$NS-nosuch\": No such file or directory"

undo
check "undone" "$(ctl save)" == "$(cat "$OUT/fresh")"
rc=0
"$SSLVCTL" -n "$BOX" -f "$OUT/saved" >"$OUT/restore.out" 2>&1 || rc=$?
check "-f: exit status and output" "$rc $(cat "$OUT/restore.out")" == "0 "
ctl save >"$OUT/restored"
check_run "save after -f: byte-identical" cmp "$OUT/saved" "$OUT/restored"
check "the comments are back" \
	"$(ctl -j rule list | jq -r '.[] | select(.comment) | .comment')" == \
'head
it'"'"'s a "proxy" # not a comment
mail: "pop3" only'
check "the set's names are back" "$(ctl domains show ads | xargs)" == \
	"ads.example *.tracker.example metrics.example.org"
check "the sets' sizes" "$(ctl domains | xargs)" == \
	"domains ads size 3 domains empty size 0"
check "mode" "$(ctl mode)" == "mode passive-inline"

# One bad line anywhere: nothing at all is applied.
undo
sed '3a rule add dport 70000 action cut' "$OUT/saved" >"$OUT/bad"
rc=0
ctl -f "$OUT/bad" 2>"$OUT/bad.err" || rc=$?
check "bad line: exit 1, named" "$rc $(cat "$OUT/bad.err")" == \
	"1 Error: $OUT/bad:4: invalid port \"70000\""
check "bad line: nothing changed" "$(ctl save)" == "$(cat "$OUT/fresh")"

# A line the kernel refuses stops the run there; the lines before stay.
printf 'rule add dport 1 action cut\nrule add sni-list nosuch action drop\nrule add dport 3 action cut\n' \
	>"$OUT/refused"
rc=0
ctl -f "$OUT/refused" 2>"$OUT/refused.err" || rc=$?
check "refused line: exit 2, named" "$rc $(cat "$OUT/refused.err")" == \
	"2 Error: $OUT/refused:2: no domain set of this name (No such file or directory)"
check "refused line: the lines before it applied" \
	"$(ctl rule list | awk '{ print $3, $4, $5, $6 }')" == "dport 1 action cut"
