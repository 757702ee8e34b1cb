#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One big download through sslvd: BIG_MB (200) MiB of random bytes from
# nginx, curl trusting only the box CA (so the leaf it accepts is sslvd's),
# over TLS 1.3 through the module and sslvd. The body arrives whole (its
# sha256, read from curl's pipe); the session event says close done, kTLS
# on all four directions (15) and at least BIG_MB MiB to the client, as
# the module counts it (decrypt_bytes_reply); TlsTxSw and TlsRxSw +2. Too long for the suite under TCG:
# `make check-long` runs it.
#
# SSLVD=path: another build of the daemon (to see this test fail).

source "$(dirname "$0")/../lib.sh"

sslvd_require

MB=${BIG_MB:-200}
ctl() { n_box "$SSLVCTL" "$@"; }
workdir_up
on_exit cp -f "$W/mon.json" "$W/sslvd.log" "$OUT/"
cd "$W"

module_load
topo_up
decrypt_pki
decrypt_nginx_up
head -c $((MB << 20)) /dev/urandom >www/big
want=$(sha256sum <www/big | cut -d' ' -f1)

ctl rule add dst "$SRV_IP4" dport 443 action decrypt >/dev/null
sslvd_up --mark "$SSLVD_MARK"
ip netns exec "$BOX" "$SSLVCTL" -j monitor session >mon.json &
wait_for grep -q skb_wait "/proc/$!/wchan"

tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
t0=$SECONDS
got=$(n_cli curl -sS -m 1800 --tlsv1.3 --cacert box.crt \
	--resolve "server.test:443:$SRV_IP4" -w '%{stderr}%{size_download}\n' \
	https://server.test/big 2>size | sha256sum | cut -d' ' -f1)
secs=$((SECONDS - t0))
echo "# $MB MiB in $secs s"
check "$MB MiB: every byte (sha256)" "$got" == "$want"
check "$MB MiB: curl's count" "$(tail -n 1 size)" -eq $((MB << 20))
ev() { jq -r "select(.event == \"session\" and .action == \"decrypt\") | .$1" mon.json; }
ended() { [[ -n $(ev close) ]]; }
check_run "session event" poll -t 30 ended
check "session: closed done, kTLS 15" "$(ev close) $(ev ktls)" == "done 15"
check "session: the bytes to the client" "$(ev bytes_reply)" -ge $((MB << 20))
check "module: the bytes to the client" \
	"$(stat_get "$BOX" decrypt_bytes_reply)" -eq "$(ev bytes_reply)"
check "kTLS: TlsTxSw +2" "$(($(tls_stat TlsTxSw) - tx0))" -eq 2
check "kTLS: TlsRxSw +2" "$(($(tls_stat TlsRxSw) - rx0))" -eq 2
