#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flows_limit module parameter bounds the max-flows of every namespace:
# the max_flows parameter is clamped to it, which the kernel log says once
# and the parameter reads back, and `config set max-flows` above it is
# refused with a message naming the limit, changing nothing.

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }

max_flows() { ctl config | awk '$1 == "max-flows" { print $2 }'; }

topo_up
dmesg -C
module_load flows_limit=1000 max_flows=5000
check "max_flows clamped to flows_limit" "$(max_flows)" -eq 1000
# Once for the load, not once a namespace.
ip netns add "$NS-late"
topo+=("$NS-late")
check "the clamp logged once" "$(dmesg | grep -cF \
	'sslv: parameter max_flows=5000 is above flows_limit=1000: 1000 used')" -eq 1
check "a later namespace gets the value used" "$(ip netns exec "$NS-late" \
	"$SSLVCTL" config | awk '$1 == "max-flows" { print $2 }')" -eq 1000
check "max_flows reads back as used" \
	"$(cat /sys/module/sslv/parameters/max_flows)" -eq 1000
check "flows_max gauge" "$(stat_get "$BOX" flows_max)" -eq 1000

rc=0
ctl config set max-flows 1001 timeout-closed 7 2>"$OUT/err" || rc=$?
check "max-flows above the limit refused" "$rc $(cat "$OUT/err")" == \
	"2 Error: max-flows above this host's limit (module parameter flows_limit) (Numerical result out of range)"
check "max-flows unchanged" "$(max_flows)" -eq 1000
check "nothing else changed" \
	"$(ctl config | awk '$1 == "timeout-closed" { print $2 }')" -eq 10

ctl config set max-flows 1000
check "max-flows at the limit accepted" "$(max_flows)" -eq 1000
ctl config set max-flows 10
check "max-flows below it accepted" "$(max_flows)" -eq 10
