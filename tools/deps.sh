#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh: install what building and testing sslv need on Debian 12.
# Idempotent: when every package is present it only asks dpkg and exits.
set -euo pipefail

packages=(
	# guest kernels to boot and build against, and the test bed
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod
	# building
	gcc clang libclang-rt-14-dev make bc pkg-config linux-source-6.1
	libmnl-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	libpcap-dev libssl-dev
	# the man pages' check in make unit (groff -ww)
	groff-base
	# the debug kernel of make check-debug
	flex bison libelf-dev
	# inside the guest
	iproute2 ethtool tcpdump tshark nftables nginx-light iperf3 openssl
	curl gnutls-bin nmap socat python3 python3-scapy jq strace procps
	util-linux
)

echo "deps: checking ${#packages[@]} packages"
installed=$( (dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' \
	"${packages[@]}" 2>/dev/null || true) | awk '$1 == "ii" { print $2 }')
missing=()
for p in "${packages[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all present"
	exit 0
fi
echo "deps: missing: ${missing[*]}"

sudo=
((EUID == 0)) || sudo=sudo
echo "deps: apt-get update"
$sudo apt-get update -qq
echo "deps: preseeding wireshark-common/install-setuid=false"
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	$sudo debconf-set-selections
echo "deps: apt-get install ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive INITRD=No \
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
