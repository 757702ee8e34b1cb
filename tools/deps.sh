#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh [--test] [--list]: install with apt-get what sslv needs on
# Debian 12.
#
#   (none)   what building and running sslv need on a bridge box (make deps):
#            the compiler, make, the running kernel's headers, libmnl,
#            libpcap, OpenSSL. Nothing is started, no kernel is installed.
#   --test   that and the test bed on top (make deps-test; selftests/run-all
#            and make demo run it): Debian's 6.1 and 6.12 kernels and
#            headers to boot in QEMU, the tools the guest tests run (nginx,
#            tcpdump...), and what make deb and make check-debug need;
#            Suricata (the attached IPS's tests) from bookworm-backports,
#            whose apt source it adds when no source names that suite.
#   --list   print the packages it would want, one a line, and exit.
#
# The running kernel's headers are those of /lib/modules/$(uname -r)/build
# when it exists (nothing to install), else the package
# linux-headers-$(uname -r), else, when apt knows no such package (a kernel
# not from Debian, a container), Debian's current one,
# linux-headers-ARCH; build with KVER= for that kernel then.
#
# Idempotent: when every package is present it only asks dpkg and exits.
set -euo pipefail

test_bed=0 list=0
for arg; do
	case $arg in
	--test) test_bed=1 ;;
	--list) list=1 ;;
	*) echo "deps: unknown argument '$arg' (--test, --list)" >&2; exit 2 ;;
	esac
done

packages=(
	# building the module and the tools, running them
	gcc make pkg-config kmod
	libmnl-dev libpcap-dev libssl-dev
)
test_packages=(
	# guest kernels to boot and build against, and the test bed
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	qemu-system-x86 busybox-static cpio xz-utils zstd
	# building with clang too, style, the man pages' check in make unit
	clang libclang-rt-14-dev bc linux-source-6.1 groff-base
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	# the debug kernel of make check-debug
	flex bison libelf-dev
	# make deb, and the packages' test
	dpkg-dev debhelper fakeroot dkms dh-dkms
	# inside the guest
	iproute2 ethtool tcpdump tshark nftables nginx-light iperf3 openssl
	curl gnutls-bin nmap socat python3 python3-scapy jq strace procps
	util-linux
	# sslvctl -j checked against Documentation/sslvctl.schema.json
	python3-jsonschema
	# the decrypt benchmark (tools/bench/decrypt.sh): SSLsplit to compare
	# sslvd with, certificates by the hundred
	sslsplit python3-cryptography
	# tools/rstscope/test.sh draws its SVG ladders in a headless browser
	chromium
)
((test_bed)) && packages+=("${test_packages[@]}")
# from bookworm-backports: Suricata is only there (7.0)
backports=()
((test_bed)) && backports=(suricata)
BACKPORTS_SOURCE=/etc/apt/sources.list.d/sslv-bookworm-backports.sources

# headers: the running kernel's headers package, empty when its build dir
# exists; Debian's current kernel's when apt knows no package for it.
headers()
{
	local kver

	kver=$(uname -r)
	[[ ! -d /lib/modules/$kver/build ]] || return 0
	if apt-cache policy "linux-headers-$kver" 2>/dev/null |
		grep -q 'Candidate: [^(]'; then
		echo "linux-headers-$kver"
	else
		echo "linux-headers-$(dpkg --print-architecture)"
	fi
}

# missing PKG...: those of PKG not installed.
missing()
{
	local installed

	(($#)) || return 0
	installed=$( (dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' \
		"$@" 2>/dev/null || true) | awk '$1 == "ii" { print $2 }')
	for p; do
		grep -qx "$p" <<<"$installed" || echo "$p"
	done
}

packages+=($(headers))
if ((list)); then
	printf '%s\n' "${packages[@]}" "${backports[@]}"
	exit 0
fi

echo "deps: checking $((${#packages[@]} + ${#backports[@]})) packages"
missing=$(missing "${packages[@]}")
bp_missing=$(missing "${backports[@]}")
if [[ -z $missing && -z $bp_missing ]]; then
	echo "deps: all present"
	exit 0
fi

sudo=
((EUID == 0)) || sudo=sudo
echo "deps: missing:" $missing $bp_missing
# bookworm-backports in apt's sources, once: whatever file names it.
if [[ -n $bp_missing ]] &&
	! grep -Eqs '^[^#]*bookworm-backports' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
	echo "deps: adding bookworm-backports to apt's sources ($BACKPORTS_SOURCE)"
	printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" \
		"Suites: bookworm-backports" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
		$sudo tee "$BACKPORTS_SOURCE" >/dev/null
fi
echo "deps: apt-get update"
$sudo apt-get update -qq
# With fresh package lists the running kernel may have a headers package.
h=$(headers)
if [[ -n $h && $h != "${packages[-1]}" ]]; then
	packages[-1]=$h
	missing=$(missing "${packages[@]}")
fi
[[ $h != linux-headers-$(dpkg --print-architecture) ]] ||
	echo "deps: no package linux-headers-$(uname -r) (a kernel not from" \
		"Debian?): $h is for Debian's current kernel; build with" \
		"KVER=its release"
if ((test_bed)); then
	echo "deps: preseeding wireshark-common/install-setuid=false"
	echo 'wireshark-common wireshark-common/install-setuid boolean false' |
		$sudo debconf-set-selections
fi
if [[ -n $missing ]]; then
	echo "deps: apt-get install" $missing
	$sudo env DEBIAN_FRONTEND=noninteractive INITRD=No \
		apt-get install -y -qq --no-install-recommends $missing
fi
if [[ -n $bp_missing ]]; then
	echo "deps: apt-get install -t bookworm-backports" $bp_missing
	$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports $bp_missing
fi
echo "deps: done"
