#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The RSTs a namespace sends are rate limited (sslvctl config rst-rate N: N
# a second, in bursts of one second's worth). A flood of rejected SYNs, or
# of packets on a rejected flow, draws at most the bucket's RSTs, every one
# of them reaches the sender, and rst_ratelimited counts the rest exactly.

source "$(dirname "$0")/../lib.sh"

RATE=5
N=100

# counter NAME: sslv's counter NAME in the box, or "absent".
counter()
{
	n_box awk -v name="$1" '$1 == name { print $2; found = 1 }
		END { if (!found) print "absent" }' /proc/net/sslv_stats
}

# flood TAG PORT FLAGS ATTEMPTS AWAY: N segments with FLAGS from the client
# to PORT, each from its own source port for SYNs and from one otherwise;
# sslv is due to try ATTEMPTS RSTs, the first AWAY of them not to the
# client.
flood()
{
	local tag=$1 port=$2 flags=$3 attempts=$4 away=$5 i t0 t1 sent limited

	n_box "$SSLVCTL" stats reset
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port "$port"
	t0=$(date +%s%N)
	for ((i = 0; i < N; i++)); do
		if [[ $flags == S ]]; then
			echo "$CLI_IP4 $SRV_IP4 $((20000 + i)) $port S 1000 0"
		else
			echo "$CLI_IP4 $SRV_IP4 40000 $port $flags 1000 2000"
		fi
	done | n_cli "$CRAFT" eth0 "$(mac "$CLI")" "$(mac "$SRV")"
	wait_for test "$(counter packets)" -ge "$N"
	t1=$(date +%s%N)
	sent=$(counter rst_sent)
	limited=$(counter rst_ratelimited)
	wait_rsts "$OUT/$tag.cli.pcap" $((sent - away))
	capture_stop

	check "$tag: RSTs sent, at least a burst" "$sent" -ge "$RATE"
	check "$tag: RSTs sent, at most the bucket's" "$sent" -le \
		$((RATE + RATE * ((t1 - t0) / 1000000000 + 1)))
	check "$tag: rst_ratelimited" "$limited" -eq $((attempts - sent))
	check "$tag: RSTs reaching the client" \
		"$(rst_fields "$OUT/$tag.cli.pcap" | wc -l)" -eq $((sent - away))
}

CRAFT=$REPO/selftests/net/craft.py

module_load
topo_up

check "rst-rate default" "$(n_box "$SSLVCTL" config | grep rst-rate)" \
	== "rst-rate 1000"
check_run "rst-rate 0 is refused" \
	bash -c "! ip netns exec $BOX $SSLVCTL config set rst-rate 0 2>/dev/null"
check_run "rst-rate $RATE is taken" \
	n_box "$SSLVCTL" config set rst-rate "$RATE"
check "rst-rate" "$(n_box "$SSLVCTL" config | grep rst-rate)" \
	== "rst-rate $RATE"

n_box "$SSLVCTL" rule add dport 5401 action reject >/dev/null
n_box "$SSLVCTL" rule add dport 5402 action reject >/dev/null

flood syn 5401 S "$N" 0
check "syn: syn_rejected" "$(counter syn_rejected)" -eq "$N"

# The first segment is rejected mid-stream (an RST to each end, within the
# burst), each later one turned around (an RST to the client).
flood flow 5402 A $((N + 1)) 1
check "flow: flows_rejected" "$(counter flows_rejected)" -eq 1
