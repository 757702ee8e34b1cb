#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The datapath benchmarks, run in one guest by tools/bench/run:
#
#   tools/vm/run -m 2048 -o DIR -- tools/bench/guest.sh
#
# ITEMS="forwarding scaling" runs only those parts (default: latency
# forwarding scaling million decrypt ips). decrypt (action decrypt: sslvd
# against SSLsplit and the bare bridge) and ips (sslvd through an attached
# IPS against sslvd alone) are in tools/bench/decrypt.sh.
#
# Every measurement appends "KEY VALUE" to $OUT/samples; the same KEY
# appears once per repetition and tools/bench/table.py takes the median.
# Configurations that are compared are measured in interleaved rounds, so
# that a slow second on the (shared) host hurts them alike. The topology is
# tools/bench/lib.sh's, test frames going to a sink MAC.
#
# Checks (flows really in the table, both ends reset, no kernel complaint)
# count in the closing "N passed, N failed" line.

source "$(dirname "$0")/lib.sh"

LATENCY=$REPO/tools/bench/reject_latency.py
SAMPLES=$OUT/samples
SECS=${SECS:-2}			# one rate measurement
ROUNDS=${ROUNDS:-4}		# of the forwarding comparison
SCALE_ROUNDS=${SCALE_ROUNDS:-3}	# of the rule scaling curves
RULESET=1000		# rules loaded in sslv and nft for the forwarding comparison
LAT_CONNS=15		# connections rejected for the latency

: >"$SAMPLES"

say() { echo "# $*"; }
sample() { echo "$1 $2" >>"$SAMPLES"; }
counter() { stat_get "$BOX" "$1"; }

# rate KEY ack|syn: frames per second that reach the server during one
# flood of $SECS seconds (ack: 64 established-looking flows; syn: a new
# flow per frame). With sslv loaded, a syn flood also records KEY.flows,
# the flows sslv created per second.
rate()
{
	local key=$1 mode=$2 before after out secs flows0

	[[ -n $module_loaded ]] && flows0=$(counter flows_total)
	before=$(delivered)
	out=$(flood $mode $([[ $mode == ack ]] && echo 64 || echo 0) $SECS)
	after=$(delivered)
	secs=$(awk '{ print $4 }' <<<"$out")
	sample "$key" "$(awk -v n=$((after - before)) -v s="$secs" \
		'BEGIN { printf "%.0f", n / s }')"
	if [[ -n $module_loaded && $mode == syn ]]; then
		sample "$key.flows" "$(awk -v n=$(($(counter flows_total) - flows0)) \
			-v s="$secs" 'BEGIN { printf "%.0f", n / s }')"
	fi
}

# bulk KEY: iperf3 throughput of one TCP stream, Gbit/s.
bulk()
{
	n_cli iperf3 -c $SRV_IP4 -t $SECS -J >"$tmp/iperf.json"
	sample "$1" "$(/usr/bin/python3 -c 'import json, sys
print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]
      ["bits_per_second"] / 1e9))' "$tmp/iperf.json")"
}

nft_load() { n_box nft -f "$tmp/$1"; }
nft_unload() { n_box nft delete table bridge sslvbench; }

# slab_bytes: memory held by the sslv_flow cache (slabs x pages per slab).
slab_bytes()
{
	awk '$1 == "sslv_flow" { print $15 * $6 * 4096; found = 1 }
	     END { if (!found) print 0 }' /proc/slabinfo
}

# fill N: N new flows from a SYN burst; prints the seconds it took.
fill()
{
	flood syn "$1" 600 | awk '{ print $4 }'
}

# ---- 4. reject latency, first: its connections predate the module -------

latency()
{
	local go=$tmp/go log=$tmp/lat.server port=6000 out server client

	: >"$log"
	n_srv /usr/bin/python3 "$LATENCY" server $port $LAT_CONNS "$log" &
	server=$!
	wait_for listening "$SRV" $port
	n_cli /usr/bin/python3 "$LATENCY" client $SRV_IP4 $port $LAT_CONNS \
		"$log" "$go" >"$tmp/lat.client" &
	client=$!
	wait_for grep -q ready "$tmp/lat.client"
	module_load
	n_box "$SSLVCTL" rule add dst $SRV_IP4 dport $port action reject
	touch "$go"
	wait_for -t 60 grep -q rtt_us "$tmp/lat.client"
	out=$(grep rtt_us "$tmp/lat.client")
	say "reject latency: $out"
	set -- $out
	sample reject.rtt_us "$2"
	sample reject.client_us "$4"
	sample reject.server_us "$6"
	sample reject.both_us "$8"
	sample reject.conns $LAT_CONNS
	check "every client socket was reset" "${10}" -eq $LAT_CONNS
	check "every server socket was reset" "${12}" -eq $LAT_CONNS
	module_unload
	kill $server $client 2>/dev/null || true
	wait $server $client || true
}

# ---- 1. forwarding: bare, nft, sslv cut-through, sslv with 100k flows ---

forwarding()
{
	local round filled

	for ((round = 1; round <= ROUNDS; round++)); do
		say "forwarding round $round/$ROUNDS"
		rate pps.bare ack
		bulk bulk.bare
		rate new.bare syn

		nft_load chain.$RULESET
		rate pps.nft_chain ack
		bulk bulk.nft_chain
		nft_unload
		nft_load set.$RULESET
		rate pps.nft_set ack
		bulk bulk.nft_set
		nft_unload

		sslv_up $tmp/sslv.$RULESET
		rate pps.sslv ack
		bulk bulk.sslv
		rate new.sslv syn
		sslv_down

		sslv_up $tmp/sslv.$RULESET
		sample slab.before "$(slab_bytes)"
		sample fill100k.secs "$(fill 100000)"
		filled=$(counter flows_current)
		sample slab.after "$(slab_bytes)"
		sample slab.flows "$filled"
		sample slab.objsize "$(awk '$1 == "sslv_flow" { print $4 }' /proc/slabinfo)"
		sample slab.buckets "$(($(counter flows_buckets) * 8))"
		check "100k flows in the table (round $round)" "$filled" -ge 99000
		rate pps.sslv_100k ack
		bulk bulk.sslv_100k
		sslv_down
	done
}

# ---- 2. rule scaling: new flows per second against ruleset size ---------

scaling()
{
	local round n

	for ((round = 1; round <= SCALE_ROUNDS; round++)); do
		say "rule scaling round $round/$SCALE_ROUNDS"
		rate scale.bare syn
		for n in 10 1000 10000 100000; do
			sslv_up $tmp/sslv.$n
			rate scale.sslv.$n syn
			sslv_down
		done
		for n in 10 1000 10000; do
			nft_load chain.$n
			rate scale.chain.$n syn
			nft_unload
			nft_load set.$n
			rate scale.set.$n syn
			nft_unload
		done
	done
}

# ---- 3. a million flows inserted, then aged out -------------------------

million()
{
	local n=1048576 secs t0 left

	sslv_up $tmp/sslv.10 $n
	sample million.insert_secs "$(fill $n)"
	sample million.flows "$(counter flows_current)"
	sample million.slab "$(slab_bytes)"
	check "a million flows in the table" "$(counter flows_current)" -ge $((n - 1000))
	t0=$(date +%s.%N)
	n_box "$SSLVCTL" config set timeout-handshake 1
	for ((left = 1200; left > 0; left--)); do
		(($(counter flows_current) == 0)) && break
		sleep 0.1
	done
	sample million.age_secs "$(awk -v t0="$t0" -v t1="$(date +%s.%N)" \
		'BEGIN { printf "%.1f", t1 - t0 }')"
	sample million.expired "$(counter flows_expired)"
	check "every flow aged out" "$(counter flows_current)" -eq 0
	sslv_down
	check "no soft lockup, RCU stall or hung task" \
		"$(dmesg | grep -ciE 'soft lockup|rcu.*stall|hung task|BUG:' || true)" -eq 0
}

source "$REPO/tools/bench/decrypt.sh"

sample ruleset $RULESET
bench_up
modprobe -a nf_tables nft_reject_bridge
n_srv iperf3 -s -D
wait_for listening "$SRV" 5201
ITEMS=${ITEMS:-latency forwarding scaling million decrypt ips}
if [[ " $ITEMS " == *" "@(forwarding|scaling|million)" "* ]]; then
	for n in 10 1000 10000 100000; do
		/usr/bin/python3 "$RULES" $n sslv >"$tmp/sslv.$n"
	done
	for n in 10 1000 10000; do
		/usr/bin/python3 "$RULES" $n nft-chain >"$tmp/chain.$n"
		/usr/bin/python3 "$RULES" $n nft-set >"$tmp/set.$n"
	done
fi

for item in $ITEMS; do
	case $item in
	latency | forwarding | scaling | million | decrypt | ips) $item ;;
	*) ksft_fail "unknown item $item" ;;
	esac
done
