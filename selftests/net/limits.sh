#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a namespace may hold is capped by the limits include/uapi/linux/sslv.h
# documents, each reached here through sslvctl as a user would:
#
#   rules        262144 live, and 262144 staged by all sockets together:
#                a full ruleset loads, one rule more is refused by name,
#                and a file of 262145 is refused whole with the live rules
#                left as they were
#   names        1048576 in one set: one more and the set is not loaded
#                (sslvctl refuses it before sending; the kernel, sent the
#                names raw, refuses it too)
#   bytes        64 MiB of names in all the namespace's sets, live and
#                staged: a second set that would cross it by 2 bytes is
#                refused and the first keeps its names; one name less fits
#
# Each refusal exits 2 with the kernel's message and changes nothing.

source "$(dirname "$0")/../lib.sh"

RULES_MAX=262144
NAMES_MAX=1048576
BYTES_MAX=$((64 << 20))

ctl() { n_box "$SSLVCTL" "$@"; }

# refused DESC WANT CMD...: CMD says WANT, "STATUS MESSAGE", on stderr:
# status 1 when sslvctl refuses by itself, 2 when the kernel does.
refused()
{
	local desc=$1 want=$2 rc=0

	shift 2
	ctl "$@" >/dev/null 2>"$OUT/err" || rc=$?
	check "$desc" "$rc $(cat "$OUT/err")" == "$want"
}

# rules_file FILE N: N reject rules for 10.x.y.z:443, all different.
rules_file()
{
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "dst 10.%d.%d.%d/32 dport 443 action reject\n",
			int(i / 65536), int(i / 256) % 256, i % 256 }' >"$1"
}

# names_file FILE N LEN PREFIX: N names of LEN bytes (at least 12), all
# different, in labels of at most 60 bytes.
names_file()
{
	awk -v n="$2" -v len="$3" -v p="$4" 'BEGIN {
		for (rem = len - 10; rem > 0; rem -= k + 1) {
			k = rem - 1 > 60 ? 60 : rem - 1
			label = sprintf("%*s", k, "")
			gsub(/ /, "a", label)
			tail = tail "." label
		}
		for (i = 0; i < n; i++)
			printf "%s%07d%s.t\n", p, i, tail }' >"$1"
}

topo_up
module_load
rc=0
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# Rules.
rules_file "$tmp/full" $RULES_MAX
check_run "rules: a full ruleset loads" ctl rule replace "$tmp/full"
check "rules: all listed" "$(ctl rule list | wc -l)" -eq $RULES_MAX
refused "rules: one more is refused" \
	"2 Error: a ruleset holds at most 262144 rules (No space left on device)" \
	rule add dport 1 action cut
rules_file "$tmp/over" $((RULES_MAX + 1))
sed -i '1s/reject/cut/' "$tmp/over"
ctl rule replace "$tmp/over" >/dev/null 2>"$OUT/err" || rc=$?
check "rules: a file of one more is refused by the kernel" \
	"$rc $(sed -n 2p "$OUT/err")" == \
	"2 Error: a namespace stages at most 262144 rules (No space left on device)"
check "rules: ... naming the lines that were not staged" \
	"$(sed -n 1p "$OUT/err" | grep -c "^Error: $tmp/over: lines [0-9]*-262145 refused\$")" \
	-eq 1
check "rules: the live ruleset is unchanged" \
	"$(ctl rule list | wc -l) $(ctl rule list | sed -n 1p | grep -c reject)" \
	== "$RULES_MAX 1"
ctl rule flush

# Names in one set: sslvctl counts them before it sends anything; the
# kernel refuses them too, sent in 4096-name messages by stage.py.
names_file "$tmp/names" $((NAMES_MAX + 1)) 12 n
refused "names: sslvctl refuses a set of one more" \
	"1 Error: $tmp/names:1048577: more than 1048576 names" \
	domains load big "$tmp/names"
awk 'NR % 4096 == 1 { printf "%sA domset_add%s big", (NR > 1 ? "\n" : ""),
			(NR == 1 ? " stage" : "") }
     { printf " %s", $0 }
     END { print "\nA domset_commit big" }' "$tmp/names" |
	n_box /usr/bin/python3 "$REPO/selftests/net/stage.py" |
	sort | uniq -c | sort -rn | awk '{ $1 = $1 } 1' >"$OUT/answers"
check "names: the kernel takes 1048576 in 256 messages" \
	"$(sed -n 1p "$OUT/answers")" == "256 OK"
check "names: ... and refuses the one more" \
	"$(grep -c '^1 ENOSPC a set holds at most 1048576 names$' "$OUT/answers")" \
	-eq 1
check "names: no set" "$(ctl domains list | wc -l)" -eq 0

# Bytes of all sets. Each name costs its length and a byte: two sets of
# $each names of 250 bytes cross 64 MiB by 2 bytes, at the last name.
each=$((BYTES_MAX / 2 / 251 + 1))
names_file "$tmp/a" $each 250 a
names_file "$tmp/b" $each 250 b
check_run "bytes: a set of half the bytes loads" ctl domains load a "$tmp/a"
refused "bytes: a second one is refused at its last name" \
	"2 Error: $tmp/b:$each: a namespace's domain sets hold at most 64 MiB of names (File too large)" \
	domains load b "$tmp/b"
check "bytes: the first keeps its names" \
	"$(ctl domains list | xargs)" == "domains a size $each"
check "bytes: no second set" "$(ctl domains list | wc -l)" -eq 1
head -n $((each - 1)) "$tmp/b" >"$tmp/b-1"
check_run "bytes: without its last name, it fits" ctl domains load b "$tmp/b-1"
ctl domains del a
ctl domains del b
check_run "bytes: with the first gone, the second loads" \
	ctl domains load b "$tmp/b"
