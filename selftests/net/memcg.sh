#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a namespace makes sslv hold is charged to a memory cgroup, so that a
# container's limit bounds it:
#
#   flows        to the cgroup of the process that created the namespace
#                (its table, and each flow as the packet path makes it)
#   domain sets  to the cgroup of the process that loads them, for as long
#                as the set lives
#
# Each is read from the cgroup's memory.current, with nothing else running
# in that cgroup: it grows by at least half what the objects need, and a set's
# charge goes away with the set.

source "$(dirname "$0")/../lib.sh"

CG=/sys/fs/cgroup
NFLOWS=8000
NNAMES=100000

# mem CGROUP: the bytes charged to CGROUP now.
mem() { cat "$CG/$1/memory.current"; }

# closed_flows N: N connections to a port nobody listens on, each a flow
# that the server's RST closes (kept timeout-closed). Each from its own
# source port: an ephemeral port used twice would reopen a flow, not add one.
closed_flows()
{
	n_cli /usr/bin/python3 -S -c '
import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.socket()
    try:
        s.bind(("", 20000 + i))
        s.connect((sys.argv[1], 6299))
    except OSError:
        pass
    s.close()
' "$SRV_IP4" "$1"
}

grep -qw cgroup2 /proc/mounts || mount -t cgroup2 none "$CG"
grep -qw memory "$CG/cgroup.controllers" ||
	ksft_skip "no memory controller in cgroup2"
echo +memory >"$CG/cgroup.subtree_control"
mkdir "$CG/sslv-netns" "$CG/sslv-loader"
on_exit rmdir "$CG/sslv-netns" "$CG/sslv-loader"

module_load

# The namespaces are made from inside sslv-netns; the test's shell then
# leaves it, and nothing else runs there.
echo $$ >"$CG/sslv-netns/cgroup.procs"
topo_up
echo $$ >"$CG/cgroup.procs"
n_box "$SSLVCTL" config set timeout-closed 600
n_box "$SSLVCTL" config set max-flows 10000

before=$(mem sslv-netns)
closed_flows $NFLOWS
check "flows: all tracked" "$(stat_get "$BOX" flows_current)" -eq $NFLOWS
grew=$(($(mem sslv-netns) - before))
objsize=$(awk '$1 == "sslv_flow" { print $4 }' /proc/slabinfo)
# Charges go through a per-cpu stock of bytes charged ahead, and the
# namespaces' own objects are freed and uncharged meanwhile (300 KB in one
# run beside three other guests): allow half less than the objects' exact
# size, 1 MB, which still tells charged flows from uncharged ones.
check "flows: the namespace's cgroup is charged (bytes)" "$grew" -ge \
	$((NFLOWS * objsize / 2))

# A set of names, written to tmpfs from this shell's own cgroup, loaded by
# an sslvctl that runs in sslv-loader.
names=$(mktemp)
on_exit rm -f "$names"
seq -f "host%06g.memcg.sslv.test" 1 $NNAMES >"$names"
size=$(stat -c %s "$names")

before=$(mem sslv-loader)
bash -c 'echo $$ >"$1/sslv-loader/cgroup.procs" &&
	exec ip netns exec "$2" "$3" domains load big "$4"' _ \
	"$CG" "$BOX" "$SSLVCTL" "$names"
check "set: loaded" "$(n_box "$SSLVCTL" domains show big | wc -l)" -eq $NNAMES
loaded=$(mem sslv-loader)
check "set: the loader's cgroup is charged at least its names (bytes)" \
	$((loaded - before)) -ge "$size"
n_box "$SSLVCTL" domains del big
# Freed sets go after an RCU grace period.
released()
{
	(($(mem sslv-loader) <= before + (loaded - before) / 10))
}
check_run "set: deleting it gives the charge back" poll -t 20 released
