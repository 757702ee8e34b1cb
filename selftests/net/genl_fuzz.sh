#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Random and mutated generic netlink requests to the sslv family
# (genl_fuzz.c), from the bridge box's namespace:
#   - as an unprivileged user: every request the kernel processes is
#     refused, and the configuration (rules, domain sets, mode, config,
#     counters) is the same after as before;
#   - as root, with every request that could change the configuration
#     poisoned so that it must be refused: none is accepted, and the
#     configuration is the same after as before;
#   - as root, unpoisoned (requests may be accepted and change things), and
#     as an unprivileged user in a user and network namespace of its own
#     (where it holds CAP_NET_ADMIN): no kernel splat, and the module
#     unloads cleanly afterwards.
# GENL_FUZZ_COUNT (default 30000) requests per run, four runs.

source "$(dirname "$0")/../lib.sh"

COUNT=${GENL_FUZZ_COUNT:-30000}
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
FUZZ=$(mktemp -d)/genl_fuzz

ctl() { n_box "$SSLVCTL" "$@"; }

# state: the configuration a refused request must leave alone.
state()
{
	local what

	for what in "rule list" domains mode config stats; do
		ctl -j $what
	done
}

# fuzz DESC SEED CMD...: run the fuzzer (CMD... prefixes it) and keep its
# summary in $summary; "refused", "accepted", "changing" and "ignored"
# hold its counts.
fuzz()
{
	local desc=$1 seed=$2

	shift 2
	summary=$("$@" "$FUZZ" -n "$COUNT" -s "$seed" ${RFLAG:-})
	echo "# $desc: $summary"
	refused=$(sed -n 's/.*refused \([0-9]*\),.*/\1/p' <<<"$summary")
	accepted=$(sed -n 's/.*accepted \([0-9]*\),.*/\1/p' <<<"$summary")
	changing=$(sed -n 's/.*changing \([0-9]*\),.*/\1/p' <<<"$summary")
	ignored=$(sed -n 's/.*ignored \([0-9]*\),.*/\1/p' <<<"$summary")
	check "$desc: every request answered or ignored" \
		$((refused + accepted + ignored)) -eq "$COUNT"
}

cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I"$REPO/include/uapi" -o "$FUZZ" "$REPO/selftests/net/genl_fuzz.c"
chmod 755 "$(dirname "$FUZZ")"

module_load
ip netns add "$BOX"
topo+=("$BOX")

# A configuration worth protecting.
printf 'corp.example\n*.corp.example\n' >"$OUT/corp.txt"
ctl domains load corp "$OUT/corp.txt"
ctl rule add dst 10.9.0.0/16 dport 443 action reject >/dev/null
ctl rule add dport 443 sni-list corp action drop >/dev/null
ctl rule add dport 8443 sni '*.example.com' alpn h2 action reject >/dev/null
ctl config set max-flows 5000 timeout-closed 3600
state >"$OUT/state.before"

fuzz unprivileged 1 n_box "${NOBODY[@]}"
check "unprivileged: nothing accepted" "$accepted" -eq 0
check "unprivileged: refusals" "$refused" -gt $((COUNT / 2))
state >"$OUT/state.unprivileged"
check_run "unprivileged: configuration unchanged" \
	diff -u "$OUT/state.before" "$OUT/state.unprivileged"

RFLAG=-r fuzz "root, poisoned" 2 n_box
check "root, poisoned: no change accepted" "$changing" -eq 0
check "root, poisoned: reads accepted" "$accepted" -gt 0
state >"$OUT/state.root"
check_run "root, poisoned: configuration unchanged" \
	diff -u "$OUT/state.before" "$OUT/state.root"

fuzz root 3 n_box
check "root: changes accepted" "$changing" -gt 0

if n_box "${NOBODY[@]}" unshare -Urn true 2>/dev/null; then
	fuzz "user namespace" 4 n_box "${NOBODY[@]}" unshare -Urn
	check "user namespace: changes accepted" "$changing" -gt 0
else
	echo "# user namespace: unprivileged user namespaces are off"
fi
# cleanup unloads the module: a failed rmmod fails the test.
