#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A new connection on the addresses and ports of a finished flow is a new
# flow, read and decided afresh, as conntrack reopens a connection in
# TIME_WAIT or CLOSE. A client connects naming an allowed server name, the
# connection ends, and the client connects again from the same source port
# naming a blocked one (rule `sni blocked.sslv.test action reject`):
#
#   after_rst   the first connection is aborted (SO_LINGER 0: an RST)
#   after_fins  the server closes first and the client after it (FINs both
#               ways; the server's socket in TIME_WAIT takes the new SYN)
#
# Each time the second connection is reset at its ClientHello, which never
# reaches the server; the old flow ends with reason "reopened" and its id
# is gone (`flow reject OLD_ID` finds nothing), the new flow has a new id.

source "$(dirname "$0")/../lib.sh"

P_RST=4441 P_FIN=4442 SPORT_RST=40441 SPORT_FIN=40442
CERT=$OUT/cert
MON=$OUT/monitor.json

# TLS_PY MODE ...: a TLS server and client (python's ssl).
#   server PORT LOG      accept connections one after another, log the
#                        name each client names ("sni NAME"); answer a
#                        "bye" line by closing first
#   client NAME PORT SPORT MODE LOG
#                        connect from SPORT naming NAME, then end the
#                        connection: "abort" (SO_LINGER 0, an RST) or
#                        "fin" ("bye", wait for the server's FIN, close);
#                        log "ok", or "end ERRNO" if it failed
TLS_PY='
import errno, os, socket, ssl, struct, sys

def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")

def server(port, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["CERT"] + ".pem", os.environ["CERT"] + ".key")
    ctx.sni_callback = lambda s, name, c: log(path, "sni %s" % name)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(port)))
    s.listen(4)
    log(path, "listening")
    while True:
        c, _ = s.accept()
        try:
            t = ctx.wrap_socket(c, server_side=True)
            if t.recv(4) == b"bye\n":
                t.close()
        except OSError:
            c.close()

def client(name, port, sport, mode, path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.settimeout(10)
    c.bind(("", int(sport)))
    try:
        c.connect((os.environ["SRV_IP4"], int(port)))
        t = ctx.wrap_socket(c, server_hostname=name)
        if mode == "abort":
            t.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        else:
            t.sendall(b"bye\n")
            try:
                while t.recv(64):
                    pass
            except ssl.SSLEOFError:
                pass    # the server closed without close_notify
        t.close()
        log(path, "ok")
    except OSError as e:
        log(path, "end " + errno.errorcode.get(e.errno or 0, "TIMEOUT"))

globals()[sys.argv[1]](*sys.argv[2:])
'
TLS=(env CERT="$CERT" SRV_IP4="$SRV_IP4" /usr/bin/python3 -S -c "$TLS_PY")

ctl() { n_box "$SSLVCTL" "$@"; }

# last_line FILE: the last line of FILE once there is one.
last_line()
{
	wait_for -t 20 test -s "$1"
	tail -n 1 "$1"
}

# reuse NAME PORT SPORT MODE: the scenario above with MODE ending the first
# connection.
reuse()
{
	local name=$1 port=$2 sport=$3 mode=$4 id rc=0
	local slog=$OUT/$name.srv cl1=$OUT/$name.cli1 cl2=$OUT/$name.cli2

	rm -f "$slog" "$cl1" "$cl2"
	ip netns exec "$SRV" "${TLS[@]}" server "$port" "$slog" &
	wait_for grep -q listening "$slog"

	ip netns exec "$CLI" "${TLS[@]}" client allowed.sslv.test "$port" \
		"$sport" "$mode" "$cl1"
	check "$name: allowed name connects" "$(last_line "$cl1")" == ok
	wait_for state_closed dport "$port"
	check "$name: the first flow is closed" "$(state_of dport "$port")" \
		== closed
	id=$(flow_id dport "$port")

	ip netns exec "$CLI" "${TLS[@]}" client blocked.sslv.test "$port" \
		"$sport" "$mode" "$cl2"
	check "$name: blocked name from the same port is reset" \
		"$(last_line "$cl2")" == "end ECONNRESET"
	check "$name: the server saw only the allowed name" \
		"$(grep ^sni "$slog" | paste -sd ' ')" == "sni allowed.sslv.test"
	check "$name: one flow, rejected" "$(state_of dport "$port")" == \
		rejected
	check "$name: the new flow has a new id" "$(flow_id dport "$port")" \
		-ne "$id"
	ctl flow reject "$id" 2>"$OUT/$name.err" || rc=$?
	check "$name: the old id is gone" "$rc $(cat "$OUT/$name.err")" == \
		"2 Error: no flow with this id (No such file or directory)"
}

# state_of FILTER...: the states of the flows `flow list FILTER` shows.
state_of()
{
	ctl flow list "$@" | awk '{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(syn-sent|syn-recv|established|closing|closed|rejected|dropped)$/)
				print $i }' | paste -sd ' '
}

state_closed() { [[ $(state_of "$@") == closed ]]; }

# reopened_events [N]: how many flows the monitor saw end as reopened;
# with N, whether that is N.
reopened_events()
{
	local n

	n=$(grep '"event":"ended"' "$MON" | grep -c '"reason":"reopened"') ||
		true
	[[ -z ${1:-} ]] && echo "$n" || ((n == $1))
}

topo_up
module_load
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 2 -subj /CN=sslv.test -keyout "$CERT.key" -out "$CERT.pem" \
	2>/dev/null
ctl rule add sni blocked.sslv.test action reject >/dev/null
# The first flows must still be there when the second connections come.
ctl config set timeout-closed 600 timeout-rejected 600
# ip netns exec execs sslvctl: $! is the monitor, which has joined the
# events group once it sleeps in netlink's recvmsg.
ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$MON" &
wait_for grep -q skb_wait "/proc/$!/wchan"
reuse after_rst $P_RST $SPORT_RST abort
reuse after_fins $P_FIN $SPORT_FIN fin

check "flows_reopened" "$(stat_get "$BOX" flows_reopened)" -eq 2
check "tls_rejected" "$(stat_get "$BOX" tls_rejected)" -eq 2
check "flows_total" "$(stat_get "$BOX" flows_total)" -eq 4
check "flows_expired" "$(stat_get "$BOX" flows_expired)" -eq 0
poll -t 5 reopened_events 2 || true
check "old flows ended, reason reopened" "$(reopened_events)" -eq 2
