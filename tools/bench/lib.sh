# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/lib.sh: what the datapath benchmarks' guest scripts share
# (guest.sh, profile.sh, icount-profile.sh), on top of selftests/lib.sh and
# its topology, cli -- [veth-cli br0 veth-srv] -- srv.
#
# Test frames go to a MAC that a static bridge entry sends out of veth-srv
# and that the server's eth0 does not own (bench_up): the bridge forwards
# them as known unicast, the server counts them and drops them at once
# instead of answering. What got through is read from veth-srv's tx
# counter (delivered).

source "$(dirname "${BASH_SOURCE[0]}")/../../selftests/lib.sh"

FLOOD=$REPO/build/bench/flood
RULES=$REPO/tools/bench/rules.py
SINK_MAC=02:00:00:00:00:02

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# bench_up: the topology, and the bridge entry of the sink.
bench_up()
{
	topo_up
	n_box bridge fdb add $SINK_MAC dev $PORT_SRV master static
}

# delivered: frames the bridge has sent out of veth-srv so far.
delivered() { n_box cat /sys/class/net/$PORT_SRV/statistics/tx_packets; }

# flood ack|syn N SECS: build/bench/flood from the client to the sink for
# SECS seconds; prints its line "sent N seconds S". ack: pure ACKs of
# N established-looking flows (64 in the benchmarks: the fast path); syn: a
# new flow per frame, from 10.1.0.1, stopping after N frames (0: none).
flood()
{
	local src=$CLI_IP4

	[[ $1 == syn ]] && src=10.1.0.1
	n_cli "$FLOOD" eth0 $SINK_MAC $src $SRV_IP4 "$@"
}

# sslv_up RULEFILE [MAX_FLOWS]: a fresh module (empty table), handshake
# flows kept 10 minutes, the ruleset loaded. sslv_down unloads it.
sslv_up()
{
	module_load
	n_box "$SSLVCTL" config set max-flows "${2:-2097152}" timeout-handshake 600
	n_box "$SSLVCTL" rule replace "$1"
}

sslv_down() { module_unload; }
