#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module parameters that set a namespace's state before its first
# packet: loaded with client_cert=cut mode=passive-inline, a namespace that
# existed at load time and one made afterwards start with them, and a TLS
# 1.2 server asking for a client certificate is cut (nginx answers 400)
# without any sslvctl command having set anything. A bad value, or
# passive-tap (which needs a device), fails the load, names the parameter
# in the kernel log and leaves no module; a bad write to
# /sys/module/sslv/parameters/ changes nothing.

source "$(dirname "$0")/../lib.sh"

NAME=params.sslv.test
KO=$REPO/build/$(uname -r)/sslv.ko
W=$(mktemp -d)
on_exit rm -rf "$W"

# bad_load TAG PARAM=VALUE MESSAGE: insmod fails, MESSAGE is in the kernel
# log, no module is left.
bad_load()
{
	local tag=$1 param=$2 msg=$3 rc=0

	insmod "$KO" "$param" 2>"$W/insmod.err" || rc=$?
	check "$tag: insmod $param fails" "$rc" -ne 0
	check "$tag: kernel log" "$(dmesg | grep -cF "$msg")" -eq 1
	check "$tag: no module left" "$(test -e /sys/module/sslv && echo loaded)" == ""
}

# client_cert NS, mode NS: what `sslvctl config` and `sslvctl mode` show.
client_cert()
{
	ip netns exec "$1" "$SSLVCTL" config | awk '$1 == "client-cert" { print $2 }'
}

mode()
{
	ip netns exec "$1" "$SSLVCTL" mode | awk '$1 == "mode" { print $2 }'
}

modprobe -a bridge veth 8021q nf_reject_ipv4 nf_reject_ipv6 \
	$(modinfo -F depends "$KO" | tr , ' ')
dmesg -C
bad_load bad-client-cert client_cert=bogus \
	'sslv: parameter client_cert: invalid value "bogus" (reject, cut or drop)'
bad_load bad-mode mode=inline \
	'sslv: parameter mode: invalid value "inline" (active-inline or passive-inline)'
bad_load tap-mode mode=passive-tap \
	'sslv: parameter mode: "passive-tap" is not taken here: it needs a device'

# The box exists at load time, $NS-late is made after it.
topo_up
module_load client_cert=cut mode=passive-inline
ip netns add "$NS-late"
topo+=("$NS-late")
check "sysfs client_cert" "$(cat /sys/module/sslv/parameters/client_cert)" == cut
check "sysfs mode" "$(cat /sys/module/sslv/parameters/mode)" == passive-inline
for ns in "$BOX" "$NS-late"; do
	tag=${ns##*-}
	check "$tag: client-cert" "$(client_cert "$ns")" == cut
	check "$tag: mode" "$(mode "$ns")" == passive-inline
done

mtls_nginx_up
curl_get 40001 443 --tls-max 1.2
check "mTLS flow cut: curl exit" "$CURL_RC" -eq 0
check "mTLS flow cut: nginx refuses (no certificate sent)" "$CURL_CODE" -eq 400
check "tls_client_cert" "$(stat_get "$BOX" tls_client_cert)" -eq 1
check "tls_rejected" "$(stat_get "$BOX" tls_rejected)" -eq 0
check "T_ssl_policy_reject" "$(stat_get "$BOX" T_ssl_policy_reject)" -eq 0

# Written at run time: only namespaces made afterwards see the new value.
echo reject >/sys/module/sslv/parameters/client_cert
ip netns add "$NS-later"
topo+=("$NS-later")
check "written: new namespace" "$(client_cert "$NS-later")" == reject
check "written: the box keeps its own" "$(client_cert "$BOX")" == cut
rc=0
echo bogus 2>/dev/null >/sys/module/sslv/parameters/client_cert || rc=$?
check "bad write refused" "$rc" -ne 0
check "bad write changes nothing" \
	"$(cat /sys/module/sslv/parameters/client_cert)" == reject
