#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the datapath's time goes, in one guest (not part of make bench):
#
#   tools/vm/run -m 2048 -o DIR -- tools/bench/profile.sh
#
# For each flood of guest.sh (ack: pure ACKs of 64 flows; syn: a new flow
# per frame), on the bare bridge and with sslv loaded (1000 rules, no
# match), `perf record -e cpu-clock -a` for the flood's SECS seconds. The
# symbols above 0.3% of the samples land in DIR/profile.NAME.txt, sslv's
# and the few its path calls in DIR/profile.NAME.sslv.txt, the rates in
# DIR/rates. Needs perf (Debian's linux-perf) in the guest.

source "$(dirname "$0")/lib.sh"

SECS=${SECS:-3}

command -v perf >/dev/null || ksft_skip "no perf in the guest"

# prof NAME ack|syn
prof()
{
	local name=$1 mode=$2 before after src=$CLI_IP4 n=64

	[[ $mode == syn ]] && src=10.1.0.1 n=0
	before=$(delivered)
	# lib.sh's flood, run by perf
	perf record -q -e cpu-clock -a -o "$tmp/perf.data" -- \
		ip netns exec "$CLI" "$FLOOD" eth0 $SINK_MAC $src $SRV_IP4 \
		"$mode" $n "$SECS" >"$tmp/flood.out" 2>"$tmp/perf.err"
	after=$(delivered)
	echo "$name $(awk -v n=$((after - before)) \
		'{ printf "%.0f", n / $4 }' "$tmp/flood.out") frames/s" |
		tee -a "$OUT/rates"
	perf report -q -i "$tmp/perf.data" --stdio --sort sym \
		--percent-limit 0.3 2>/dev/null >"$OUT/profile.$name.txt"
	perf report -q -i "$tmp/perf.data" --stdio --sort sym 2>/dev/null |
		grep -E 'sslv|jhash|memcmp|csum|checksum|spin_lock|kmem_cache|memcg|obj_cgroup' \
		>"$OUT/profile.$name.sslv.txt"
}

bench_up
/usr/bin/python3 "$RULES" 1000 sslv >"$tmp/rules"

prof bare.ack ack
prof bare.syn syn
sslv_up "$tmp/rules"
prof sslv.ack ack
prof sslv.syn syn
n_box cat /proc/net/sslv_stats >"$OUT/sslv_stats"
sslv_down
check "four profiles" "$(wc -l <"$OUT/rates")" -eq 4
