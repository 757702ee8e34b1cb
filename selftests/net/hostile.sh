#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input at line rate, next to live flows. hostile.py writes 12000
# frames into a pcap, each built to land in one class (vlan_unsupported,
# malformed_ip, frag_tcp, malformed_tcp, bad_csum: stacked VLANs, cut
# headers, bad lengths and offsets, tiny and overlapping fragments, random
# flags and options under bad checksums, some of these on the live flows'
# addresses and ports with random seq and ack); pktsend replays it from the
# client's port as fast as the kernel takes it, while
#
#   - a TLS download (curl from openssl s_server) is in progress: the
#     server reads the file it sends from a pipe, fed 64 KB every 0.1 s
#     until the flood is over, so that data flows all through the flood
#     however long it takes; it completes with the right sha256;
#   - a long-lived socket is open: after the flood, its close reaches the
#     server;
#   - a flow is rejected by the operator right after the flood: both of its
#     ends get ECONNRESET, which they only do if the RSTs carry the
#     sequence numbers the ends expect, i.e. nothing was learnt from the
#     flood.
#
# Each class counter grows by exactly the number of its frames, so that
# their growth adds up to the number of frames sent; nothing is tracked
# from them; no kernel splat (tools/vm/run).

source "$(dirname "$0")/../lib.sh"

FRAMES=12000
P_LONG=5001 P_REJ=5003 P_TLS=4433
S_LONG=40001 S_REJ=40003 S_TLS=40100
CLASSES="vlan_unsupported malformed_ip frag_tcp malformed_tcp bad_csum"
PKTSEND=$REPO/selftests/net/pktsend
WWW=$(mktemp -d)
on_exit rm -rf "$WWW"

[[ -x $PKTSEND ]] || ksft_fail "$PKTSEND is not built (make userspace)"

# The live sockets, patient enough for a loaded TCG guest:
#   server PORT STATUS                 echo what comes until the end
#   client ADDR PORT STATUS GO SPORT   talk once; when file GO exists, talk
#                                      again and close; GO "-": wait for the
#                                      end
# STATUS gets "listening", "talked", "talked again", then "end EOF",
# "end ECONNRESET", "end TIMEOUT" or "end <errno name>".
read -r -d '' ECHO <<'EOF' || true
import errno
import os
import socket
import sys
import time

WAIT = 120


def report(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def talk(c, status, what):
    c.sendall(b"ping")
    if c.recv(4) != b"ping":
        raise OSError(errno.EPROTO, "no echo")
    report(status, what)


def run(argv):
    status = argv[3] if argv[0] == "client" else argv[2]
    try:
        if argv[0] == "server":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(argv[1])))
            s.listen(1)
            report(status, "listening")
            s.settimeout(WAIT)
            c, _ = s.accept()
            c.settimeout(WAIT)
            while True:
                data = c.recv(4096)
                if not data:
                    return report(status, "end EOF")
                report(status, "talked")
                c.sendall(data)
        c = socket.create_connection((argv[1], int(argv[2])), timeout=WAIT,
                                     source_address=("0.0.0.0",
                                                     int(argv[5])))
        talk(c, status, "talked")
        if argv[4] == "-":
            c.recv(4096)
            return report(status, "end EOF")
        for _ in range(WAIT * 10):
            if os.path.exists(argv[4]):
                break
            time.sleep(0.1)
        talk(c, status, "talked again")
        c.close()
        report(status, "end")
    except socket.timeout:
        report(status, "end TIMEOUT")
    except OSError as e:
        report(status, "end " + errno.errorcode.get(e.errno, str(e.errno)))


run(sys.argv[1:])
EOF

# classes: the class counters, "name value" each, and flows_total.
classes()
{
	n_box awk -v names="$CLASSES flows_total" '{ v[$1] = $2 }
		END { n = split(names, k); for (i = 1; i <= n; i++)
			print k[i], v[k[i]] + 0 }' /proc/net/sslv_stats
}

# grew NAME: how much counter NAME grew from $before to $after.
grew()
{
	echo $(($(awk -v c="$1" '$1 == c { print $2 }' <<<"$after") -
		$(awk -v c="$1" '$1 == c { print $2 }' <<<"$before")))
}

module_load
topo_up
# The flood must reach the bridge whole, whatever the backlog holds.
sysctl -qw net.core.netdev_max_backlog=100000

n_cli /usr/bin/python3 "$REPO/selftests/net/hostile.py" "$OUT/hostile.pcap" \
	$FRAMES 1 "$(mac "$CLI")" "$(mac "$SRV")" "$CLI_IP4" "$SRV_IP4" \
	"$CLI_IP6" "$SRV_IP6" $S_LONG:$P_LONG $S_REJ:$P_REJ \
	$S_TLS:$P_TLS >"$OUT/expected"
echo "# frames by class: $(cat "$OUT/expected")"

# The live flows: a TLS download, a long-lived socket, one to reject.
rm -f "$OUT"/*.cli "$OUT"/*.srv "$OUT/go"
mkfifo "$WWW/blob"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 2 -subj /CN=hostile.sslv.test -keyout "$WWW/key.pem" \
	-out "$WWW/cert.pem" 2>/dev/null
(cd "$WWW" && exec ip netns exec "$SRV" openssl s_server -quiet -WWW \
	-accept $P_TLS -cert cert.pem -key key.pem >/dev/null 2>&1) &
wait_for listening "$SRV" $P_TLS

n_srv /usr/bin/python3 -c "$ECHO" server $P_LONG "$OUT/long.srv" &
n_srv /usr/bin/python3 -c "$ECHO" server $P_REJ "$OUT/rej.srv" &
wait_for grep -q listening "$OUT/long.srv"
wait_for grep -q listening "$OUT/rej.srv"
n_cli /usr/bin/python3 -c "$ECHO" client "$SRV_IP4" $P_LONG "$OUT/long.cli" \
	"$OUT/go" $S_LONG &
n_cli /usr/bin/python3 -c "$ECHO" client "$SRV_IP4" $P_REJ "$OUT/rej.cli" \
	- $S_REJ &
for f in long.cli long.srv rej.cli rej.srv; do
	wait_for grep -q talked "$OUT/$f"
done
rej=$(flow_id dport $P_REJ)

before=$(classes)
# What the server sends, kept in blob.src as it goes: 64 KB every 0.1 s
# until $OUT/flooded exists, then 1 MB more.
: >"$OUT/blob.src"
(while [[ ! -e $OUT/flooded ]]; do
	head -c 65536 /dev/urandom | tee -a "$OUT/blob.src"
	sleep 0.1
done
head -c 1000000 /dev/urandom | tee -a "$OUT/blob.src") >"$WWW/blob" &
n_cli curl -sSk --local-port $S_TLS -o "$OUT/blob" \
	"https://$SRV_IP4:$P_TLS/blob" 2>"$OUT/curl.err" &
curl=$!
wait_for test -s "$OUT/blob"

n_cli "$PKTSEND" eth0 "$OUT/hostile.pcap" >"$OUT/pktsend" 2>&1 ||
	ksft_fail "pktsend: $(cat "$OUT/pktsend")"
echo "# $(cat "$OUT/pktsend")"
check "the TLS download spans the flood" \
	"$(kill -0 "$curl" 2>/dev/null && echo running)" == running
touch "$OUT/flooded"
check "frames sent" "$(awk '{ print $2 }' "$OUT/pktsend")" -eq $FRAMES

# The live reject: both ends reset.
n_box "$SSLVCTL" flow reject "$rej"
wait_for grep -q "^end" "$OUT/rej.cli"
wait_for grep -q "^end" "$OUT/rej.srv"
check "rejected flow: the client" "$(grep ^end "$OUT/rej.cli")" == \
	"end ECONNRESET"
check "rejected flow: the server" "$(grep ^end "$OUT/rej.srv")" == \
	"end ECONNRESET"

# The long-lived socket still works, and carries the client's close.
touch "$OUT/go"
wait_for grep -q "^end" "$OUT/long.cli"
wait_for grep -q "^end" "$OUT/long.srv"
check "long-lived socket: the client talks again" \
	"$(grep -c "talked again" "$OUT/long.cli")" -eq 1
check "long-lived socket: the server sees the close" \
	"$(grep ^end "$OUT/long.srv")" == "end EOF"

# Every class grew by its frames, exactly: the frames have crossed the
# hook once the counters add up, and nothing else makes them grow.
class_sum() { awk '$1 != "flows_total" { n += $2 } END { print n }'; }
want=$(($(class_sum <<<"$before") + FRAMES))
counted() { (($(classes | class_sum) >= want)); }
poll counted || true
after=$(classes)
sum=0
for c in $CLASSES; do
	check "$c grew by its frames" "$(grew $c)" -eq \
		"$(tr ' ' '\n' <"$OUT/expected" | grep -x -A1 "$c" | tail -n 1)"
	sum=$((sum + $(grew $c)))
done
check "the classes add up to the frames sent" $sum -eq $FRAMES
check "no flow from the flood, one for the download" \
	"$(grew flows_total)" -eq 1

check_run "the TLS download completes" wait "$curl"
check "the TLS download's sha256" "$(sha256sum <"$OUT/blob")" == \
	"$(sha256sum <"$OUT/blob.src")"
