#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages, installed as on a bridge box: dpkg -i the sslv-dkms
# and sslv-tools that `make deb` built into build/deb/ (selftests/run-all
# builds them before the guest boots); DKMS installs the module for the
# running kernel under /lib/modules; modprobe loads it from there, not from
# the checkout; and the installed /usr/sbin/sslvctl rejects an established
# connection: both ends see ECONNRESET, `sslvctl stats` counts it. Skips
# when build/deb/ holds no packages.
#
# The guest's root is the host's under a tmpfs overlay, so dpkg and DKMS
# write there and the host never sees it. DKMS's own build of the module
# took more than 8 minutes under TCG (against about 35 s of CPU on the
# host), too long for the suite: the package's build at install is turned
# off (/etc/dkms/no-autoinstall, which its maintainer script honours) and
# DKMS installs the module the host built for this kernel from the same
# sources (make all KVER=..., build/KVER/sslv.ko), as if it had built it:
# dkms add of the tree the package installed, the module in DKMS's tree,
# dkms install.

source "$(dirname "$0")/../lib.sh"

version=$(cat "$REPO/VERSION")
kver=$(uname -r)
debs=("$REPO/build/deb/sslv-dkms_${version}_all.deb"
	"$REPO/build/deb/sslv-tools_${version}_$(dpkg --print-architecture).deb")
for deb in "${debs[@]}"; do
	[[ -e $deb ]] || ksft_skip "no $deb: build the packages first (make deb)"
done

ko=$REPO/build/$kver/sslv.ko
[[ -e $ko ]] || ksft_skip "no $ko: build the module first (make all KVER=$kver)"

# No build at install, no manual-page index to rebuild.
mkdir -p /etc/dkms
touch /etc/dkms/no-autoinstall
rm -f /var/lib/man-db/auto-update

check_run "dpkg -i sslv-dkms sslv-tools" \
	env DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}"
check_run "dkms add" dkms add -m sslv -v "$version"
built=/var/lib/dkms/sslv/$version/$kver/$(uname -m)/module
mkdir -p "$built"
cp "$ko" "$built/"
check_run "dkms install" dkms install -m sslv -v "$version" -k "$kver"
check "dkms status" "$(dkms status -m sslv -v "$version" -k "$kver" 2>&1)" \
	== "sslv/$version, $kver, $(uname -m): installed"
check "modinfo: the installed module's version" \
	"$(modinfo -F version sslv 2>&1)" == "$version"
check "modinfo: the module DKMS installed" \
	"$(modinfo -n sslv 2>&1 | sed 's/\.ko\.[a-z]*$/.ko/')" == \
	"/lib/modules/$kver/updates/dkms/sslv.ko"

SSLVCTL=/usr/sbin/sslvctl
check "installed sslvctl -V" "$("$SSLVCTL" -V 2>&1 | awk '{ print $1, $2 }')" \
	== "sslvctl $version"
check "installed rstscope -V" "$(rstscope -V 2>&1)" == "rstscope $version"
[[ -x $SSLVCTL ]] || ksft_fail "no $SSLVCTL in sslv-tools"

modprobe -a bridge veth 8021q nf_reject_ipv4 nf_reject_ipv6
check_run "modprobe sslv" modprobe sslv
[[ -d /sys/module/sslv ]] && module_loaded=1
[[ -n $module_loaded ]] || ksft_fail "sslv is not loaded"
check "the loaded module's version" "$(cat /sys/module/sslv/version 2>&1)" \
	== "$version"

# The smoke scenario with the installed sslvctl: an established flow,
# rejected, resets both ends.
topo_up
cst=$OUT/client.status sst=$OUT/server.status
n_srv "$SOCK" server 5001 "$sst" &
wait_for grep -q listening "$sst"
n_cli "$SOCK" client "$SRV_IP4" 5001 "$cst" &
wait_for grep -q talked "$cst"
wait_for grep -q talked "$sst"
check "flow is established" "$(flow_state dport 5001)" == established
n_box "$SSLVCTL" flow reject "$(flow_id dport 5001)"
wait_for grep -q "^end" "$cst"
wait_for grep -q "^end" "$sst"
check "client socket error" "$(grep ^end "$cst")" == "end ECONNRESET"
check "server socket error" "$(grep ^end "$sst")" == "end ECONNRESET"

n_box "$SSLVCTL" stats >"$OUT/stats"
counter() { awk -v n="$1" '$1 == n { print $2 }' "$OUT/stats"; }
check "sslvctl stats: flows_rejected" "$(counter flows_rejected)" -eq 1
check "sslvctl stats: T_ssl_policy_reject" "$(counter T_ssl_policy_reject)" -eq 2
check "sslvctl stats: rst_sent" "$(counter rst_sent)" -eq 2
