#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What deploying sslv installs, on the host, without the module:
# - each man page renders with groff -ww (every warning on) without one
#   warning, and sslvctl(8) has a section for every object `sslvctl help`
#   names;
# - bash completion, driven as bash drives it (COMP_WORDS, COMP_CWORD, the
#   function `complete -p` names), completes objects, commands, keywords
#   and their values;
# - `make install` into a DESTDIR installs exactly the expected files, the
#   programs run from there, and the module is installed (modules_install
#   + depmod, against a stand-in for kbuild) only when a kernel is named or
#   a module was built;
# - the installed sslv.service passes `systemd-analyze verify` without a
#   word, runs the installed sslvctl on the installed /etc/sslv/sslv.conf,
#   whose lines all parse; an existing configuration is never replaced.

set -u
# Run from make (make unit): the makes below are not its sub-makes.
unset MAKEFLAGS MFLAGS MAKELEVEL

root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The programs it runs from the tree, built as the other unit scripts
# build theirs: `make unit` on a fresh clone has built nothing else.
if ! make -s -C "$root/userspace" >"$tmp/build" 2>&1 ||
   ! make -s -C "$root/tools/rstscope" >>"$tmp/build" 2>&1; then
	cat "$tmp/build"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; printf '  %s\n' "$@"; }
check() {
	if [[ $3 == "$2" ]]; then ok; else fail "$1" "want: $2" "got:  $3"; fi
}

# Man pages.
for page in sslvctl.8 sslvd.8 sslv.7 rstscope.1; do
	f=$root/man/$page
	if [[ ! -f $f ]]; then
		fail "man/$page" "missing"
		continue
	fi
	groff -ww -man -Tutf8 "$f" >"$tmp/page" 2>"$tmp/warn"
	rc=$?
	if [[ $rc == 0 && ! -s $tmp/warn && -s $tmp/page ]]; then
		ok
	else
		fail "groff -ww man/$page" "exit $rc" "$(head -5 "$tmp/warn")"
	fi
	name=${page%.*}
	sect=${page##*.}
	check "man/$page .TH" "${name^^} $sect" "$(awk '$1 == ".TH" { print $2, $3 }' "$f")"
done
objects=$("$root/userspace/sslvctl/sslvctl" help help | sed -n 's/^OBJECT: //p')
for o in $objects; do
	if grep -qx "\.SS $o" "$root/man/sslvctl.8"; then
		ok
	else
		fail "sslvctl.8 documents \"$o\"" "no .SS $o"
	fi
done
[[ -n $objects ]] && ok || fail "sslvctl help help names the objects"

# Completion: COMPREPLY for a command line whose last word is the cursor's.
complete_line() {
	bash -c '
		source "$1"; shift
		fn=$(complete -p sslvctl | sed -n "s/.*-F \([^ ]*\) sslvctl$/\1/p")
		[[ -n $fn ]] || { echo "no completion function"; exit 1; }
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn" sslvctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "${COMPREPLY[*]}"
	' _ "$root/completion/sslvctl" "$@"
}
comp() {
	local want=$1
	shift
	check "complete [$*]" "$want" "$(complete_line "$@")"
}
comp "mode config ips rule domains flow stats rst monitor save help" sslvctl ""
comp "rule rst" sslvctl r
comp "mode config ips rule domains flow stats rst monitor save help" sslvctl -j -N ""
comp "--json" sslvctl --j
comp "--numeric --netns" sslvctl --n
comp "add insert list show del flush replace help" sslvctl rule ""
comp "src sport dport vlan iif sni sni-list alpn tls-version undecryptable nontls action comment" \
	sslvctl rule add dst 10.0.0.1 ""
comp "index iif" sslvctl rule insert i
comp "after alpn action" sslvctl rule insert a
comp "src sport sni sni-list" sslvctl rule insert index 0 dport 1 s
comp "" sslvctl rule insert index ""
comp "" sslvctl rule insert dport 1 action cut comment ""
comp "reject cut drop decrypt" sslvctl rule add dport 443 action ""
comp "1.0 1.1 1.2 1.3" sslvctl rule add tls-version 1.
comp "client-cert compression" sslvctl rule add undecryptable c
comp "client-cert" sslvctl config set max-flows 5 cl
comp "reject" sslvctl config set client-cert r
comp "active-inline passive-inline passive-tap" sslvctl mode set ""
comp "dev" sslvctl mode set passive-tap ""
comp "lo" sslvctl mode set passive-tap dev l
comp "established" sslvctl flow list state es
comp "inet inet6" sslvctl flow family ""
comp "show reset -a -d help" sslvctl stats ""
comp "-a -c" sslvctl stats -d 1 ""
comp "" sslvctl stats -a -d ""
comp "-w rcvbuf ended rst session ips" sslvctl monitor -t rejected ""
comp "list show load set del help" sslvctl domains ""
comp "" sslvctl rule add sni ""
comp "show set del help" sslvctl ips ""
comp "out in feedback-timeout copy" sslvctl ips set ""
comp "in copy" sslvctl ips set out ips0 feedback-timeout 500 ""
comp "open closed" sslvctl config set ips-fail ""
# -n NETNS: the namespaces of ip netns (needs root to make one), then
# the command line goes on after it.
if [[ $(id -u) == 0 ]] && ip netns add sslv-comp-$$ 2>/dev/null; then
	comp "sslv-comp-$$" sslvctl -n sslv-comp-
	ip -n sslv-comp-$$ link add sslvcomp0 type veth peer name sslvcomp1
	comp "sslvcomp0 sslvcomp1" sslvctl -n sslv-comp-$$ mode set passive-tap dev sslvc
	ip netns del sslv-comp-$$
fi
comp "mode config ips rule domains flow stats rst monitor save help" sslvctl -n box ""
comp "add insert list show del flush replace help" sslvctl -j -n box rule ""
# Abbreviated objects and commands, as sslvctl takes them.
comp "reject cut drop decrypt" sslvctl ru a dport 443 action ""
comp "client-cert" sslvctl conf se cl
comp "established" sslvctl fl l state es
# Abbreviated keywords complete as the full word: their values, and the
# keywords not yet given; a value that happens to begin a keyword is
# still a value.
comp "src dst sport dport vlan iif sni sni-list alpn tls-version undecryptable nontls action comment" \
	sslvctl ru a ""
comp "reject cut drop decrypt" sslvctl ru a dp 443 act ""
comp "src dst sport vlan iif sni sni-list alpn tls-version undecryptable nontls action comment" \
	sslvctl ru a dp 443 ""
comp "1.0 1.1 1.2 1.3" sslvctl ru a tls 1.
comp "client-cert compression" sslvctl ru a undec c
comp "src dst sport dport vlan iif sni-list alpn tls-version undecryptable nontls action comment" \
	sslvctl ru a sni act ""
comp "reject cut drop" sslvctl conf se cl ""
comp "timeout-handshake timeout-established timeout-closing timeout-closed timeout-rejected rst-idle rst-rate client-cert hs-mem hs-timeout decrypt-unavailable upstream-invalid ips-fail" \
	sslvctl conf se max 5 ""
comp "dev" sslvctl mode se passive-t ""
comp "lo" sslvctl mode se passive-t d l
comp "" sslvctl mode se pas ""
comp "syn-sent syn-recv established closing closed rejected dropped" sslvctl fl st ""
comp "inet inet6" sslvctl fl l fam ""
comp "-a -c" sslvctl st sh -d 1 ""
comp "-w rcvbuf ended rst session ips" sslvctl mon -t rej ""
comp "" sslvctl mon rc ""
comp "" sslvctl fl rej ""
touch "$tmp/rules.conf"
comp "$tmp/rules.conf" sslvctl -f "$tmp/rules.c"
comp "$tmp/rules.conf" sslvctl monitor -w "$tmp/rules.c"
comp "$tmp/rules.conf" sslvctl rule replace "$tmp/rules.c"

# What make deps installs: what a bridge box needs to build and run sslv,
# not the test bed; make deps-test adds it. The README names every package.
base=$("$root/tools/deps.sh" --list)
full=$("$root/tools/deps.sh" --test --list)
for p in gcc make pkg-config libmnl-dev libpcap-dev libssl-dev; do
	check "make deps installs $p" "$p" "$(grep -x "$p" <<<"$base")"
	check "make deps-test installs $p" "$p" "$(grep -x "$p" <<<"$full")"
done
check "make deps: the running kernel's headers, unless they are there" \
	"$([[ -d /lib/modules/$(uname -r)/build ]] && echo 0 || echo 1)" \
	"$(grep -c '^linux-headers-' <<<"$base")"
check "make deps: no test bed" "" \
	"$(grep -E '^(linux-image|qemu|nginx|tcpdump|busybox|dkms)' <<<"$base")"
for p in linux-image-amd64 linux-image-6.12-amd64 linux-headers-6.12-amd64 \
	qemu-system-x86 nginx-light dkms; do
	check "make deps-test installs $p" "$p" "$(grep -x "$p" <<<"$full")"
done
deploy=$(sed -n '/^## Deploying on a bridge box/,/^## /p' "$root/README.md")
for p in $(grep -v '^linux-headers-' <<<"$base"); do
	check "README's deploy section names $p" 1 \
		"$(grep -cw -- "$p" <<<"$deploy" | awk '{ print ($1 > 0) }')"
done
"$root/tools/deps.sh" --nonsense >/dev/null 2>&1
check "deps.sh --nonsense: a usage error" 2 $?

# The release, named in VERSION alone: the programs print it, NEWS opens
# with it.
version=$(cat "$root/VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && ok || fail "VERSION: not X.Y.Z" "$version"
check "sslvctl -V" "sslvctl $version" "$("$root/userspace/sslvctl/sslvctl" -V | awk '{ print $1, $2 }')"
check "sslvctl --version" "sslvctl $version" "$("$root/userspace/sslvctl/sslvctl" --version | awk '{ print $1, $2 }')"
check "rstscope -V" "rstscope $version" "$("$root/tools/rstscope/rstscope" -V)"
check "NEWS opens with the release" "sslv $version" "$(head -n 1 "$root/NEWS")"
check "kmod/main.c: MODULE_VERSION" 1 "$(grep -c '^MODULE_VERSION(SSLV_VERSION);$' "$root/kmod/main.c")"
check "debian/changelog's version" "$version" \
	"$(cd "$root" && dpkg-parsechangelog -S Version 2>/dev/null)"

# make install-dkms: the tree DKMS builds from, dkms.conf with the version
# filled in; its kernel range is 6.1 to 6.12 (tested at both ends).
src=$tmp/dkms/usr/src/sslv-$version
if make -s -C "$root" install-dkms DESTDIR="$tmp/dkms" >"$tmp/dkms.log" 2>&1; then
	ok
else
	fail "make install-dkms" "$(tail -5 "$tmp/dkms.log")"
fi
check "make install-dkms: files" "VERSION dkms.conf include/uapi/linux/sslv.h kmod/Kbuild" \
	"$(cd "$src" && ls -d VERSION dkms.conf include/uapi/linux/sslv.h kmod/Kbuild | xargs)"
check "make install-dkms: the module's sources" \
	"$(cd "$root" && git ls-files kmod | grep -E '\.[ch]$|Kbuild' | sort | xargs)" \
	"$(cd "$src" && find kmod -type f | sort | xargs)"
dkms_conf()
{
	bash -c 'kernelver=$1; source "$2"; shift 2; for v; do echo "${!v}"; done' \
		_ "$@"
}
check "dkms.conf" "sslv $version sslv kmod/ /updates/dkms yes" \
	"$(dkms_conf 6.1.0-57-amd64 "$src/dkms.conf" PACKAGE_NAME PACKAGE_VERSION \
		'BUILT_MODULE_NAME[0]' 'BUILT_MODULE_LOCATION[0]' \
		'DEST_MODULE_LOCATION[0]' AUTOINSTALL | xargs)"
range=$(dkms_conf 6.1.0-57-amd64 "$src/dkms.conf" BUILD_EXCLUSIVE_KERNEL)
for k in 6.1.0-57-amd64 6.1.0-13-cloud-amd64 6.12.117+deb12-amd64 6.12.57-amd64 \
	6.6.63 5.10.0-30-amd64 6.0.12 6.13.0-1-amd64 6.17.8 7.1.0 16.1.0; do
	want=built
	[[ $k == 6.1.* || $k == 6.6.* || $k == 6.12.* ]] || want=skipped
	[[ $k =~ $range ]] && got=built || got=skipped
	check "dkms.conf: kernel $k" $want $got
done

# make install into a DESTDIR: exactly these files, programs that run.
if make -s -C "$root" install DESTDIR="$tmp/root" PREFIX=/usr INSTALL_MODULE=0 \
	>"$tmp/install.log" 2>&1; then
	ok
else
	fail "make install" "$(tail -5 "$tmp/install.log")"
fi
check "make install: files" "./etc/modprobe.d/sslv.conf
./etc/sslv/sslv.conf
./lib/systemd/system/sslv.service
./lib/systemd/system/sslvd.service
./usr/bin/rstscope
./usr/sbin/sslvctl
./usr/sbin/sslvd
./usr/share/bash-completion/completions/sslvctl
./usr/share/man/man1/rstscope.1
./usr/share/man/man7/sslv.7
./usr/share/man/man8/sslvctl.8
./usr/share/man/man8/sslvd.8" "$(cd "$tmp/root" && find . -type f | sort)"
check "installed sslvctl runs" "sslvctl" "$("$tmp/root/usr/sbin/sslvctl" -V | awk '{ print $1 }')"
check "installed sslvd runs" "sslvd" "$("$tmp/root/usr/sbin/sslvd" --version | awk '{ print $1 }')"
"$tmp/root/usr/bin/rstscope" -h >/dev/null
check "installed rstscope runs" 0 $?
check "installed man page is the source's" "" \
	"$(cmp "$root/man/sslvctl.8" "$tmp/root/usr/share/man/man8/sslvctl.8")"

# sslv.service: systemd's own check, inside the staging root (a stand-in
# for modprobe there; the man pages from there too). verify exits 0 on a
# bad key too, so any output fails.
unit=$tmp/root/lib/systemd/system/sslv.service
mkdir -p "$tmp/root/sbin"
printf '#!/bin/sh\n' >"$tmp/root/sbin/modprobe"
chmod +x "$tmp/root/sbin/modprobe"
if command -v systemd-analyze >/dev/null; then
	out=$(MANPATH=$tmp/root/usr/share/man systemd-analyze verify \
		--root="$tmp/root" "$unit" 2>&1)
	check "systemd-analyze verify sslv.service" "0:" "$?:$out"
else
	fail "systemd-analyze verify sslv.service" "systemd-analyze is not installed"
fi
# (sslvd.service has systemd's default dependencies, which the staging
# root lacks: systemd-analyze verify cannot run there)
unit=$tmp/root/lib/systemd/system/sslvd.service
check "sslvd.service: what it runs, after sslv.service" "After=sslv.service
ExecStart=/usr/sbin/sslvd -f --ca-cert /etc/sslv/ca.crt --ca-key /etc/sslv/ca.key \\
WantedBy=multi-user.target" "$(grep -E '^(After|Exec|WantedBy)' "$unit")"
unit=$tmp/root/lib/systemd/system/sslv.service
check "sslv.service: what it runs" "ExecStartPre=/sbin/modprobe sslv
ExecStart=/usr/sbin/sslvctl -f /etc/sslv/sslv.conf
ExecReload=/usr/sbin/sslvctl -f /etc/sslv/sslv.conf
ExecStop=/usr/sbin/sslvctl rule flush
WantedBy=sysinit.target" "$(grep -E '^(Exec|WantedBy)' "$unit")"
# The default configuration parses whole: the installed sslvctl gets as far
# as the kernel (exit 2, no module here), after checking every line.
out=$("$tmp/root/usr/sbin/sslvctl" -f "$tmp/root/etc/sslv/sslv.conf" 2>&1)
check "sslvctl -f /etc/sslv/sslv.conf: every line parses" \
	"2:Error: $tmp/root/etc/sslv/sslv.conf:LINE: sslv module not loaded" \
	"$?:$(sed 's/\.conf:[0-9]*:/.conf:LINE:/; s/ (.*//' <<<"$out")"
# Installed again: the administrator's files stay.
echo "rule add dport 443 action reject" >"$tmp/root/etc/sslv/sslv.conf"
echo "options sslv client_cert=cut" >"$tmp/root/etc/modprobe.d/sslv.conf"
make -s -C "$root" install DESTDIR="$tmp/root" PREFIX=/usr INSTALL_MODULE=0 \
	>"$tmp/install.log" 2>&1
check "make install again: /etc/sslv/sslv.conf kept" \
	"rule add dport 443 action reject" "$(cat "$tmp/root/etc/sslv/sslv.conf")"
check "make install again: /etc/modprobe.d/sslv.conf kept" \
	"options sslv client_cert=cut" "$(cat "$tmp/root/etc/modprobe.d/sslv.conf")"

# The module part, with a stand-in for kbuild (KDIR) and depmod: the tools
# and, only when a kernel is named or a module was built, modules_install
# into DESTDIR then depmod there. (-o module: the module is not rebuilt.)
mkdir -p "$tmp/kdir"
printf '%%:\n\t@echo kbuild $(MAKECMDGOALS) M=$(M) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR)\n' \
	>"$tmp/kdir/Makefile"
make -s -C "$root" install -o module DESTDIR="$tmp/root2" KVER=6.1.0-test \
	KDIR="$tmp/kdir" DEPMOD="echo depmod" >"$tmp/mod.log" 2>&1
check "make install KVER=... KDIR=...: modules_install + depmod" \
	"kbuild modules_install M=$root/kmod INSTALL_MOD_PATH=$tmp/root2 INSTALL_MOD_DIR=updates
depmod -b $tmp/root2 6.1.0-test" "$(grep -E '^(kbuild|depmod)' "$tmp/mod.log")"
[[ -x $tmp/root2/usr/local/sbin/sslvctl ]] && ok ||
	fail "make install: default PREFIX /usr/local"
check "make install: PREFIX /usr/local's unit runs its sslvctl" \
	"ExecStart=/usr/local/sbin/sslvctl -f /etc/sslv/sslv.conf" \
	"$(grep '^ExecStart=' "$tmp/root2/usr/local/lib/systemd/system/sslv.service")"
make -s -C "$root" install INSTALL_MODULE=0 DESTDIR="$tmp/root3" \
	KVER=6.1.0-test KDIR="$tmp/kdir" DEPMOD="echo depmod" >"$tmp/nomod.log" 2>&1
check "make install INSTALL_MODULE=0: no module" "" \
	"$(grep -E '^(kbuild|depmod)' "$tmp/nomod.log")"
# When it is decided alone: a kernel named, or kmod/sslv.ko built.
im() { make -s -C "$root" --eval 'print-im: ; @echo $(INSTALL_MODULE)' print-im "$@"; }
built=0
[[ -f $root/kmod/sslv.ko ]] && built=1
check "INSTALL_MODULE, nothing named" "$built" "$(im)"
check "INSTALL_MODULE, KVER named" 1 "$(im KVER=6.1.0-test)"
check "INSTALL_MODULE, KDIR named" 1 "$(KDIR=/x im)"

echo "$passed passed, $failed failed"
((failed == 0))
