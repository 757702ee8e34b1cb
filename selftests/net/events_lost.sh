#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A burst of TLS sessions while `sslvctl monitor` is stopped, with a small
# receive buffer: events are lost, and none silently. The kernel counts
# them (events_lost), and the monitor, once it runs again, prints a
# "lost N" line for each gap in the events' numbers: the session lines it
# printed and the events it says it lost add up to every event sent.

source "$(dirname "$0")/../lib.sh"

PORT=5501
BURST=60

# counter NAME: sslv's counter NAME in the box, or "absent".
counter()
{
	n_box awk -v name="$1" '$1 == name { print $2; found = 1 }
		END { if (!found) print "absent" }' /proc/net/sslv_stats
}

# connect N: N connections in a row that open with plain text, each a
# session the TLS rule below reads (nontls), each closed by both ends.
connect()
{
	n_cli /usr/bin/python3 -c '
import socket, sys
for i in range(int(sys.argv[2])):
    c = socket.create_connection((sys.argv[1], int(sys.argv[3])))
    c.sendall(b"ping")
    c.shutdown(socket.SHUT_WR)
    while c.recv(4096):
        pass
    c.close()' "$SRV_IP4" "$1" "$PORT"
}

# lost_sum FILE: the events a monitor's output says it lost.
lost_sum() { awk '$1 == "lost" { n += $2 } END { print n + 0 }' "$1"; }

# caught_up: whether the monitor has accounted for every event since the
# reset, shown or lost (its first line came before).
caught_up()
{
	local shown

	shown=$(grep -vc "^lost" "$mon")
	(($(counter events) > 0 &&
	  shown - 1 + $(lost_sum "$mon") >= $(counter events)))
}

module_load
topo_up

# No flow ends during the test (its events are counted all the same).
n_box "$SSLVCTL" config set timeout-closing 3600 timeout-closed 3600
n_box "$SSLVCTL" rule add dport $PORT sni nothing.example action reject \
	>/dev/null
ip netns exec "$SRV" /usr/bin/python3 -c '
import socket, sys
s = socket.create_server(("", int(sys.argv[1])))
while True:
    c, _ = s.accept()
    while c.recv(4096):
        pass
    c.close()' $PORT &
wait_for listening "$SRV" $PORT

mon=$OUT/monitor.txt
# Not n_box: $! must be the monitor itself, for kill -STOP.
ip netns exec "$BOX" "$SSLVCTL" monitor rcvbuf 4096 \
	>"$mon" 2>"$mon.err" &
monpid=$!
on_exit kill -CONT $monpid
# The monitor listens once it prints the first session.
connect 1
wait_for grep -q "^session" "$mon"

n_box "$SSLVCTL" stats reset
kill -STOP $monpid
connect $BURST
wait_for test "$(counter tls_sessions)" -ge "$BURST"
check "the kernel counts lost events" "$(counter events_lost)" -gt 0
kill -CONT $monpid
# The next event shows the gap before it.
connect 1
wait_for test "$(counter tls_sessions)" -ge $((BURST + 1))
poll caught_up || true

events=$(counter events)
lost=$(counter events_lost)
printed=$(($(grep -vc "^lost" "$mon") - 1))
check "events" "$events" -eq $((BURST + 1))
check "monitor: lost N lines add up to events_lost" "$(lost_sum "$mon")" \
	-eq "$lost"
check "monitor: events printed and lost add up to events" \
	$((printed + $(lost_sum "$mon"))) -eq "$events"
check "monitor: sessions printed" "$(grep -c "^session" "$mon")" -eq \
	$((BURST + 2 - lost))
