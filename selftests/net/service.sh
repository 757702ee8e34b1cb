#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslv.service as systemd would run it, without systemd (the guest has
# none): `make install` puts the unit, sslvctl and the default
# /etc/sslv/sslv.conf in place, the module goes where modprobe finds it,
# and the unit's own ExecStartPre and ExecStart lines, read from the
# installed unit, run before any client connects. A rule added to the
# configuration file then resets the first connection it matches (both
# ends see ECONNRESET); ExecReload leaves one copy of it; ExecStop removes
# it (the next connection talks) and leaves the module loaded.
#
# The bridge sits in $BOX, so the lines run there (ip netns exec), as
# systemd would run them in the namespace of a box whose bridge is its own.

source "$(dirname "$0")/../lib.sh"

KVER=$(uname -r)
UNIT=/lib/systemd/system/sslv.service
CONF=/etc/sslv/sslv.conf
PORT=7000
W=$(mktemp -d)
on_exit rm -rf "$W"

# unit_run KEY: run the installed unit's KEY= lines, in order, in $BOX.
unit_run()
{
	local lines line cmd

	lines=$(grep "^$1=" "$UNIT")
	while read -r line; do
		read -ra cmd <<<"${line#"$1"=}"
		echo "unit: $1: ${cmd[*]}"
		n_box "${cmd[@]}"
	done <<<"$lines"
}

# rules: the number of rules in the box.
rules() { n_box "$SSLVCTL" rule list | grep -c '^rule ' || true; }

# connect TAG: one client connection to $PORT; status files $W/TAG.{cli,srv}.
connect()
{
	SSLV_SOCK_WAIT=3 n_srv "$SOCK" server $PORT "$W/$1.srv" &
	wait_for listening "$SRV" $PORT
	SSLV_SOCK_WAIT=3 n_cli "$SOCK" client "$SRV_IP4" $PORT "$W/$1.cli"
	wait_for grep -q '^end ' "$W/$1.srv"
}

# What a package or `make install` does, and what the module's own
# installation (make install-module) leaves for modprobe.
make -s -C "$REPO" install PREFIX=/usr INSTALL_MODULE=0 >"$W/install.log" 2>&1 ||
	ksft_fail "make install: $(tail -3 "$W/install.log")"
check_run "installed unit" test -f "$UNIT"
check_run "installed configuration" test -f "$CONF"
mkdir -p "/lib/modules/$KVER/updates"
cp "$REPO/build/$KVER/sslv.ko" "/lib/modules/$KVER/updates/sslv.ko"
depmod "$KVER"
check "module not loaded yet" "$(test -e /sys/module/sslv && echo loaded)" == ""

# The administrator's rule, after the default file's lines.
echo "rule add dport $PORT nontls action reject" >>"$CONF"

topo_up
module_loaded=1		# cleanup unloads what ExecStartPre loads
unit_run ExecStartPre
unit_run ExecStart
check_run "ExecStartPre loaded the module" test -e /sys/module/sslv
check "rules after ExecStart" "$(rules)" -eq 1

connect first
check "first connection, client" "$(tail -n 1 "$W/first.cli")" == "end ECONNRESET"
check "first connection, server" "$(tail -n 1 "$W/first.srv")" == "end ECONNRESET"
check "rule hits" "$(n_box "$SSLVCTL" rule list | awk '$1 == "rule" { print $NF }')" -eq 1

unit_run ExecReload
check "rules after ExecReload" "$(rules)" -eq 1

unit_run ExecStop
check "rules after ExecStop" "$(rules)" -eq 0
check_run "module still loaded after ExecStop" test -e /sys/module/sslv
connect after-stop
check "connection after ExecStop talks" "$(grep -c '^talked$' "$W/after-stop.cli")" -eq 1
check "connection after ExecStop, client end" "$(tail -n 1 "$W/after-stop.cli")" != "end ECONNRESET"
