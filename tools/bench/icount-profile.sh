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

source "$(dirname "$0")/lib.sh"

SECS=${SECS:-10}

bench_up
if [[ -n ${MODULE:-} ]]; then
	/usr/bin/python3 "$RULES" 1000 sslv >"$tmp/rules"
	sslv_up "$tmp/rules"
fi
((${FILL:-0})) && flood syn "$FILL" 600 >/dev/null
before=$(delivered)
case $MODE.$SECS in
*.0) ;;
ack.*) flood ack 64 "$SECS" ;;
syn.*) flood syn 0 "$SECS" ;;
*) ksft_fail "MODE: ack or syn, not '$MODE'" ;;
esac
echo "frames $(($(delivered) - before))" | tee "$OUT/frames"
cat /proc/kallsyms >"$OUT/kallsyms"
check "the flood went through" "$(awk '{ print $2 }' "$OUT/frames")" \
	-ge $((SECS ? 1000 : 0))
trap - EXIT
echo "$passed passed, $failed failed"
((!failed))
