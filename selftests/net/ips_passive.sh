#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attached IPS's health, and passive-inline with a copy port. curl in
# the client fetches a page from nginx through the sslv bridge (action
# decrypt); sslvd carries the plaintext between its private namespaces:
#   - health: ips1 down -> sslvd reports the IPS down (ips show, ips_down),
#     and ips-fail open cuts the next decrypt flow (curl, trusting only the
#     box CA, sees the real certificate: exit 60), and ips-fail closed
#     resets its SYN (one RST, exit 7); ips1 up -> a probe gets
#     through, UP again (ips_up), and the next flow is decrypted through the
#     IPS (200, ips_flows +1);
#   - passive-inline with copy ips2: tcpdump on ips2 sees the generated
#     connection's handshake, the plaintext request and response and its
#     FINs; with ips2 down the flow still completes.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require
modprobe -a bridge sch_ingress cls_matchall act_mirred 2>/dev/null ||
	ksft_skip "no bridge, sch_ingress, cls_matchall or act_mirred module"
"$SSLVCTL" help 2>&1 | grep -q 'sslvctl ips set' || ksft_skip "sslvctl without ips"

ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
cd "$W"

module_load
topo_up
decrypt_box_up
decrypt_pki
decrypt_nginx_up

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
ctl ips set out ips0 in ips1 copy ips2
sslvd_up --mark "$SSLVD_MARK"
wait_for n_box ip link show ips2
ips_standin_up

stat() { stat_get "$BOX" "$1"; }
# stat_is NAME N: the counter NAME is N
stat_is() { (($(stat_get "$BOX" "$1") == $2)); }
state() { ctl -j ips show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("state", "?"))'; }
is_state() { [[ $(state) == "$1" ]]; }
fetch() { HTTPS_TIMEOUT=15 https_get "$SRV_IP4" 443 box.crt; }

fetch
check "up: curl exit status" "$HTTPS_RC" -eq 0
check "up: body" "$HTTPS_BODY" == "hello from nginx"
check_run "up: through the IPS (ips_flows 1)" poll stat_is ips_flows 1

# ips1 down: DOWN reported, ips-fail open cuts
down0=$(stat ips_down) up0=$(stat ips_up)
n_box ip link set ips1 down
check_run "link down: the IPS reported down" poll is_state down
check "link down: ips_down +1" "$(($(stat ips_down) - down0))" -eq 1
fetch
check "link down, ips-fail open: the real certificate (curl exit 60)" "$HTTPS_RC" -eq 60
check "link down: ips_fail_open 1" "$(stat ips_fail_open)" -eq 1
check "link down: sslvd says why" \
	"$(grep -c 'ips: link ips1 (or its peer) is down: down' sslvd.log || true)" -eq 1

# ips-fail closed while the IPS is down: the SYN is reset, once
ctl config set ips-fail closed
capture_start "$CLI" eth0 "$OUT/closed.pcap" "tcp port 443 and tcp[tcpflags] & tcp-rst != 0"
fetch
capture_stop
check "link down, ips-fail closed: refused (curl exit 7)" "$HTTPS_RC" -eq 7
check "link down, ips-fail closed: one RST to the client" "$(pkts "$OUT/closed.pcap")" -eq 1
check "link down: ips_fail_closed 1" "$(stat ips_fail_closed)" -eq 1
check "link down: ips_fail_open still 1" "$(stat ips_fail_open)" -eq 1
ctl config set ips-fail open

# ips1 up: a probe gets through, UP, decryption through the IPS resumes
n_box ip link set ips1 up
check_run "link up: the IPS reported up" poll is_state up
check "link up: ips_up +1" "$(($(stat ips_up) - up0))" -eq 1
fetch
check "link up: curl exit status" "$HTTPS_RC" -eq 0
check "link up: body" "$HTTPS_BODY" == "hello from nginx"
check_run "link up: through the IPS again (ips_flows 2)" poll stat_is ips_flows 2

# passive-inline: the copy port sees the generated connection
ctl mode set passive-inline
capture_start "$BOX" ips2 "$OUT/copy.pcap" tcp port 443
fetch
check "passive: curl exit status" "$HTTPS_RC" -eq 0
check "passive: body" "$HTTPS_BODY" == "hello from nginx"
check_run "passive: session reported (ips_flows 3)" poll stat_is ips_flows 3
capture_stop
check "copy: the generated SYN" \
	"$(pkts "$OUT/copy.pcap" "tcp[tcpflags] == tcp-syn and src $CLI_IP4 and dst $SRV_IP4 and dst port 443")" -eq 1
check "copy: the SYN-ACK" \
	"$(pkts "$OUT/copy.pcap" "tcp[tcpflags] == tcp-syn|tcp-ack and src $SRV_IP4 and src port 443")" -eq 1
check "copy: the plaintext request" \
	"$(tcpdump -r "$OUT/copy.pcap" -nn -A 2>/dev/null | grep -c 'GET /hello HTTP/1.1' || true)" -eq 1
check "copy: the plaintext response" \
	"$(tcpdump -r "$OUT/copy.pcap" -nn -A 2>/dev/null | grep -c 'hello from nginx' || true)" -eq 1
check "copy: both FINs" "$(pkts "$OUT/copy.pcap" "tcp[tcpflags] & tcp-fin != 0")" -eq 2
n_box ip link set ips2 down
fetch
check "passive, copy port down: curl exit status" "$HTTPS_RC" -eq 0
check "passive, copy port down: body" "$HTTPS_BODY" == "hello from nginx"

sslvd_down
check "SIGTERM: exit status" "$SSLVD_RC" -eq 0
check "SIGTERM: ips0, ips1 and ips2 gone" "$(n_box ip -br link | grep -c '^ips[012]' || true)" -eq 0
echo "--- sslvd log"
cat sslvd.log
