#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Staging belongs to the netlink socket that stages:
#   - two sockets staging rules at once never mix: each commit installs
#     exactly what that socket staged;
#   - a commit of nothing, or from a socket that staged nothing while
#     another did, is refused with ENODATA and an extended ack, and the live
#     ruleset stays as it was;
#   - a domain set staged under one name is not restarted by another
#     socket's set, nor by the same socket naming another set (EBUSY), and
#     only the socket that staged a set commits it;
#   - closing a socket drops what it staged (a rule staged on a domain set
#     no longer pins the set);
#   - at most 16 sockets of a namespace stage at once (ENOSPC);
#   - a set name is ASCII (a Latin-1 letter is refused);
#   - sslvctl's rule replace and domains load still work, and rule replace
#     of a file with no rule empties the ruleset.

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }

# dports: the live rules' destination ports, in order, comma-separated.
dports()
{
	ctl rule list | awk '{ for (i = 1; i < NF; i++) if ($i == "dport")
		printf "%s%s", sep, $(i + 1); sep = "," }'
}

# stage DESC: send the requests on stdin, "REQUEST => ANSWER" a line,
# through stage.py and check the kernel's answer to each.
stage()
{
	local desc=$1 reqs=() wants=() answers line i

	while IFS= read -r line; do
		reqs+=("${line%% => *}")
		wants+=("${line#* => }")
	done
	answers=$(printf '%s\n' "${reqs[@]}" |
		n_box /usr/bin/python3 "$REPO/selftests/net/stage.py")
	mapfile -t answers <<<"$answers"
	for i in "${!reqs[@]}"; do
		check "$desc: ${reqs[i]}" "${answers[i]:-}" == "${wants[i]}"
	done
}

NODATA="ENODATA no rule staged by this socket (RULE_FLUSH empties the ruleset)"

module_load
ip netns add "$BOX"
topo+=("$BOX")

# Two loads at once: A's rules and B's never mix.
stage interleaved <<EOF
A rule_flush stage => OK
A rule_add stage 1001 => OK
B rule_flush stage => OK
B rule_add stage 2001 => OK
A rule_add stage 1002 => OK
A rule_commit => OK
EOF
check "interleaved: A's commit installs A's rules" "$(dports)" == 1001,1002
stage interleaved <<EOF
B rule_flush stage => OK
B rule_add stage 2001 => OK
C rule_add stage 3001 => OK
B rule_add stage 2002 => OK
B rule_commit => OK
EOF
check "interleaved: B's commit installs B's rules" "$(dports)" == 2001,2002

# Nothing staged, or staged by another socket: refused, nothing changes.
stage "empty commit" <<EOF
D rule_commit => $NODATA
E rule_add stage 4001 => OK
D rule_commit => $NODATA
D rule_flush stage => OK
D rule_commit => $NODATA
EOF
check "empty commit: the ruleset is untouched" "$(dports)" == 2001,2002

# Domain sets: one socket's set is its own.
stage "domain sets" <<EOF
F domset_add stage x a.example => OK
G domset_add y b.example => OK
F domset_add x c.example => OK
F domset_add y d.example => EBUSY this socket stages another domain set (SSLV_A_STAGE starts afresh)
F domset_add x e.example => OK
F domset_commit x => OK
G domset_commit y => OK
H domset_commit x => ENODATA this socket staged no domain set of this name
H domset_add stage coép a.example => EINVAL a set name is 1 to 31 of A-Z a-z 0-9 _ . -
EOF
check "domain sets: x holds F's names, y G's" \
	"$(ctl domains | sort | paste -sd,)" == \
	"domains x size 3,domains y size 1"

# A closed socket's stage is gone: its rule no longer pins the set.
printf 'example.org\n' >"$OUT/blk.txt"
check_run "domains load" ctl domains load blk "$OUT/blk.txt"
stage close <<EOF
I rule_add_set stage blk 5001 => OK
I close => OK
EOF
check_run "close: the set is free to delete" ctl domains del blk

# At most 16 sockets stage at once; a closed one makes room.
stage "sixteen stages" <<<"$(
	for i in $(seq 1 16); do echo "S$i rule_add stage 6000 => OK"; done
	echo "S17 rule_add stage 6000 => ENOSPC too many sockets staging at once"
	echo "S1 close => OK"
	echo "S17 rule_add stage 6000 => OK"
)"
check "sixteen stages: the ruleset is untouched" "$(dports)" == 2001,2002

# sslvctl: a whole file, then an empty one.
printf 'dport 7001 action reject\ndport 7002 action drop\n' >"$OUT/two.rules"
check_run "rule replace" ctl rule replace "$OUT/two.rules"
check "rule replace: the file's rules" "$(dports)" == 7001,7002
: >"$OUT/none.rules"
check_run "rule replace, empty file" ctl rule replace "$OUT/none.rules"
check "rule replace, empty file: no rule left" "$(ctl rule list | wc -l)" -eq 0
