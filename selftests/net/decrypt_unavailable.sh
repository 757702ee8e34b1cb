#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# action decrypt while no sslvd serves the namespace, and sslvd's netlink:
#   - `rule add ... action decrypt` is listed, saved and restored;
#     decrypt-unavailable and upstream-invalid are config keys, saved too;
#     client-cert refuses decrypt;
#   - a decrypt rule's connection with no sslvd registered gets
#     decrypt-unavailable: cut by default (the client talks to the server,
#     the flow shows action cut, decrypt_unavailable counts it), reject
#     when set so (the client's connect() is refused, the server sees no
#     SYN);
#   - one sslvd socket a namespace: a second gets EBUSY and an extended ack,
#     the same socket may register again, and once the first socket closes
#     another may register;
#   - a session report from another socket is EPERM; sslvd's report is
#     counted (decrypt_sessions, decrypt_unverified, bytes).

source "$(dirname "$0")/../lib.sh"

ctl() { n_box "$SSLVCTL" "$@"; }
DEC=$REPO/selftests/net/decrypt.py

# ops DESC: the requests on stdin, "REQUEST => ANSWER" a line, through
# decrypt.py, checking the kernel's answer to each.
ops()
{
	local desc=$1 reqs=() wants=() answers line i

	while IFS= read -r line; do
		reqs+=("${line%% => *}")
		wants+=("${line#* => }")
	done
	answers=$(printf '%s\n' "${reqs[@]}" | n_box /usr/bin/python3 "$DEC" ops)
	mapfile -t answers <<<"$answers"
	for i in "${!reqs[@]}"; do
		check "$desc: ${reqs[i]}" "${answers[i]:-}" == "${wants[i]}"
	done
}

# talk PORT TAG: the server on PORT answers one client; sets $reply, $peer.
talk()
{
	local port=$1 tag=$2 pid

	rm -f "$OUT/$tag.srv" "$OUT/$tag.cli"
	n_srv /usr/bin/python3 "$DEC" server "$port" "$OUT/$tag.srv" &
	pid=$!
	wait_for grep -q listening "$OUT/$tag.srv"
	n_cli /usr/bin/python3 "$DEC" client "$SRV_IP4" "$port" "$OUT/$tag.cli"
	reply=$(sed -n 's/^reply //p' "$OUT/$tag.cli")
	end=$(sed -n 's/^end //p' "$OUT/$tag.cli")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

module_load
topo_up

# The rule and the keys, through sslvctl.
ctl rule add dst "$SRV_IP4" dport 8443 action decrypt >/dev/null
check "rule list shows decrypt" "$(ctl rule list | grep -c 'action decrypt')" -eq 1
check "config: decrypt-unavailable" \
	"$(ctl config | awk '$1 == "decrypt-unavailable" { print $2 }')" == cut
check "config: upstream-invalid" \
	"$(ctl config | awk '$1 == "upstream-invalid" { print $2 }')" == untrusted
check "config: no sslvd" \
	"$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -eq 0
rc=0
ctl config set client-cert decrypt 2>"$OUT/cc.err" || rc=$?
check "client-cert decrypt refused" "$rc" -ne 0
check "client-cert decrypt: message" "$(grep -c 'invalid client-cert' "$OUT/cc.err")" -eq 1
ctl config set upstream-invalid cut
ctl save >"$OUT/saved"
check "save: the decrypt rule" "$(grep -c '^rule add .*action decrypt' "$OUT/saved")" -eq 1
check "save: the keys" \
	"$(grep -c 'decrypt-unavailable cut upstream-invalid cut' "$OUT/saved")" -eq 1
ctl rule flush
ctl config set upstream-invalid untrusted
"$SSLVCTL" -n "$BOX" -f "$OUT/saved" >"$OUT/restore.out" 2>&1
check "restored: same save" "$(ctl save)" == "$(cat "$OUT/saved")"
ctl config set upstream-invalid untrusted

# No sslvd: cut by default, the connection goes through untouched.
ctl stats reset
talk 8443 cut
check "unavailable cut: the server answers" "$reply" == "pong:ping"
check "unavailable cut: the client ends" "$end" == EOF
check "unavailable cut: decrypt_unavailable" \
	"$(stat_get "$BOX" decrypt_unavailable)" -eq 1
check "unavailable cut: decrypt_diverted" \
	"$(stat_get "$BOX" decrypt_diverted)" -eq 0
check "unavailable cut: the flow's action" \
	"$(ctl flow list dport 8443 | grep -c 'action cut')" -eq 1
check "unavailable cut: rule hits" \
	"$(ctl -j rule list | /usr/bin/python3 -c \
	'import json, sys; print(json.load(sys.stdin)[0]["hits"])')" -eq 1

# ... or reject: the SYN is refused, the server never sees it.
ctl config set decrypt-unavailable reject
ctl stats reset
capture_start "$SRV" eth0 "$OUT/reject.srv.pcap" tcp port 8443
talk 8443 reject
capture_stop
check "unavailable reject: connect() refused" "$end" == ECONNREFUSED
check "unavailable reject: no frame reaches the server" \
	"$(pkts "$OUT/reject.srv.pcap" tcp port 8443)" -eq 0
check "unavailable reject: decrypt_unavailable" \
	"$(stat_get "$BOX" decrypt_unavailable)" -eq 1
check "unavailable reject: syn_rejected" "$(stat_get "$BOX" syn_rejected)" -eq 1
ctl config set decrypt-unavailable cut

# One sslvd a namespace.
ops register <<EOF
A register 10443 1 => OK
A register 10444 1 => OK
B register 10443 1 => EBUSY another sslvd serves this namespace (config: decrypt-daemon)
B session 1 4 $CLI_IP4 $SRV_IP4 40000 8443 10 20 => EPERM only the registered sslvd reports sessions
A session 7 4 $CLI_IP4 $SRV_IP4 40000 8443 100 2000 => OK
A close => OK
B register 10443 1 => OK
EOF
check "report: decrypt_sessions" "$(stat_get "$BOX" decrypt_sessions)" -eq 1
check "report: decrypt_unverified" "$(stat_get "$BOX" decrypt_unverified)" -eq 1
check "report: decrypt_bytes_orig" "$(stat_get "$BOX" decrypt_bytes_orig)" -eq 100
check "report: decrypt_bytes_reply" "$(stat_get "$BOX" decrypt_bytes_reply)" -eq 2000
check "report: decrypt_ktls_partial" "$(stat_get "$BOX" decrypt_ktls_partial)" -eq 0
check "registration ended with its socket" \
	"$(ctl config | awk '$1 == "decrypt-daemon" { print $2 }')" -eq 0

