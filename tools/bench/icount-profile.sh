#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One guest of tools/bench/icount-profile: the bench topology, sslv loaded
# (MODULE=1, 1000 rules as in guest.sh's forwarding comparison) or not, one
# flood of SECS seconds (FLOOD=ack: pure ACKs of 64 flows, syn: a new flow
# per frame; SECS=0: none, the profile of everything else), after FILL new
# flows (a SYN burst, as guest.sh's 100k-flow table). Writes frames
# (what the flood delivered) and kallsyms to $OUT. The guest powers off
# as it stands, without lib.sh's clean-up: the plugin counts until QEMU
# exits, and a table of 100k flows freed at rmmod would be counted as the
# flood's.

source "$(dirname "$0")/../../selftests/lib.sh"

FLOOD_BIN=$REPO/build/bench/flood
SINK_MAC=02:00:00:00:00:02
SECS=${SECS:-10}
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

delivered() { n_box cat /sys/class/net/$PORT_SRV/statistics/tx_packets; }

topo_up
n_box bridge fdb add $SINK_MAC dev $PORT_SRV master static
if [[ -n ${MODULE:-} ]]; then
	/usr/bin/python3 "$REPO/tools/bench/rules.py" 1000 sslv >"$tmp/rules"
	module_load
	n_box "$SSLVCTL" config set max-flows 2097152 timeout-handshake 600
	n_box "$SSLVCTL" rule replace "$tmp/rules"
fi
if ((${FILL:-0})); then
	n_cli "$FLOOD_BIN" eth0 $SINK_MAC 10.1.0.1 $SRV_IP4 syn "$FILL" 600 >/dev/null
fi
before=$(delivered)
case $FLOOD.$SECS in
*.0) ;;
ack.*) n_cli "$FLOOD_BIN" eth0 $SINK_MAC $CLI_IP4 $SRV_IP4 ack 64 "$SECS" ;;
syn.*) n_cli "$FLOOD_BIN" eth0 $SINK_MAC 10.1.0.1 $SRV_IP4 syn 0 "$SECS" ;;
*) ksft_fail "FLOOD: ack or syn, not '$FLOOD'" ;;
esac
echo "frames $(($(delivered) - before))" | tee "$OUT/frames"
cat /proc/kallsyms >"$OUT/kallsyms"
check "the flood went through" "$(awk '{ print $2 }' "$OUT/frames")" \
	-ge $((SECS ? 1000 : 0))
trap - EXIT
echo "$passed passed, $failed failed"
((!failed))
