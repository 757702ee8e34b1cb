# SPDX-License-Identifier: GPL-2.0
#
# make                 module + userspace
# make module          kmod/sslv.ko against KDIR (KVER=... picks an installed kernel)
# make userspace       sslvctl, rstscope
# make unit            userspace unit tests of kmod/lib (host, no guest)
# make check           the whole test suite (guest); what .ci/run runs
# make demo            the demo (guest)
# make deps            install what building and running need on a bridge box
#                      (apt-get, idempotent; tools/deps.sh)
# make deps-test       that and the test bed: kernels, QEMU, the guest's tools
# make style           checkpatch on the kernel code
# make check-debug     the guest suite on a KASAN/kmemleak/lockdep 6.1 kernel
# make check-long      decrypt_load.sh at 200 downloads of 1 MiB at once
#                      built once (tools/debug-kernel/build); not run by CI
# make install         sslvctl, sslvd, rstscope, man pages and bash completion under
#                      DESTDIR/PREFIX (/usr/local), sslv.service and
#                      sslvd.service in UNITDIR,
#                      /etc/sslv/sslv.conf and /etc/modprobe.d/sslv.conf
#                      unless they exist; and the module, built for
#                      KVER and installed with modules_install + depmod, when
#                      KDIR or KVER is given or kmod/sslv.ko was built
#                      (INSTALL_MODULE=0 or 1 decides instead)
# make install-dkms    the module's sources and dkms.conf in
#                      DESTDIR/usr/src/sslv-VERSION, for `dkms install`
# make deb             the Debian packages sslv-dkms and sslv-tools in
#                      build/deb/ (dpkg-buildpackage, debian/)

# The running kernel's build dir if it has one, else the newest Debian headers.
KVER ?= $(shell if [ -d /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -1 /lib/modules 2>/dev/null | grep -v '^$$' | sort -V | \
	while read v; do [ -d /lib/modules/$$v/build ] && echo $$v; done | \
	grep -- '-amd64$$' | grep '^6\.1\.' | tail -n 1; fi)
# A kernel built by tools/debug-kernel/build is found in the cache by release.
SSLV_KERNELS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sslv/kernels
KDIR ?= $(or $(wildcard /lib/modules/$(KVER)/build),$(SSLV_KERNELS)/$(KVER)/build)

CC ?= cc
CFLAGS_USER := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -I$(CURDIR)/include/uapi -I$(CURDIR)/kmod/lib
export CFLAGS_USER

# The release: VERSION is the one place that names it.
VERSION := $(shell cat $(CURDIR)/VERSION)

# Where `make install` puts things, below DESTDIR (a staging root).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# systemd's unit directory: /lib/systemd/system for PREFIX=/usr, as
# Debian's packages use, else under PREFIX (systemd reads
# /usr/local/lib/systemd/system too). The configuration is read from
# /etc whatever PREFIX is: the unit and modprobe look nowhere else.
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSCONFDIR ?= /etc
INSTALL ?= install
DEPMOD ?= depmod
# The module goes with the tools when a kernel was named, or one was built.
INSTALL_MODULE ?= $(if $(filter-out file undefined,$(origin KDIR) $(origin KVER)),1,$(if $(wildcard kmod/sslv.ko),1,0))

.PHONY: all module userspace unit check check-debug check-long demo deps deps-test style
.PHONY: clean bench
.PHONY: install install-tools install-module install-dkms deb

all: module userspace

# The module for each kernel lands in build/KVER/ so that several coexist.
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod W=1 modules
	mkdir -p build/$(KVER) && cp kmod/sslv.ko build/$(KVER)/sslv.ko

userspace:
	$(MAKE) -C userspace
	$(MAKE) -C tools/rstscope
	$(MAKE) -C selftests/net pktsend

unit:
	$(MAKE) -C selftests/unit run

install: install-tools
ifeq ($(INSTALL_MODULE),1)
install: install-module
endif

install-tools:
	$(MAKE) -C userspace sslvctl/sslvctl sslvd
	$(MAKE) -C tools/rstscope
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 0755 userspace/sslvctl/sslvctl $(DESTDIR)$(SBINDIR)/sslvctl
	$(INSTALL) -m 0755 userspace/sslvd/sslvd $(DESTDIR)$(SBINDIR)/sslvd
	$(INSTALL) -m 0755 tools/rstscope/rstscope $(DESTDIR)$(BINDIR)/rstscope
	$(INSTALL) -m 0644 man/rstscope.1 $(DESTDIR)$(MANDIR)/man1/rstscope.1
	$(INSTALL) -m 0644 man/sslv.7 $(DESTDIR)$(MANDIR)/man7/sslv.7
	$(INSTALL) -m 0644 man/sslvctl.8 $(DESTDIR)$(MANDIR)/man8/sslvctl.8
	$(INSTALL) -m 0644 man/sslvd.8 $(DESTDIR)$(MANDIR)/man8/sslvd.8
	$(INSTALL) -m 0644 completion/sslvctl $(DESTDIR)$(COMPLETIONDIR)/sslvctl
	$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/sslv \
		$(DESTDIR)$(SYSCONFDIR)/modprobe.d
	sed -e 's|/usr/sbin/sslvctl|$(SBINDIR)/sslvctl|' \
		-e 's|/etc/sslv/|$(SYSCONFDIR)/sslv/|' systemd/sslv.service \
		>$(DESTDIR)$(UNITDIR)/sslv.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/sslv.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/sslv.service.tmp $(DESTDIR)$(UNITDIR)/sslv.service
	sed -e 's|/usr/sbin/sslvd|$(SBINDIR)/sslvd|' \
		-e 's|/etc/sslv/|$(SYSCONFDIR)/sslv/|' \
		-e 's|/etc/default/|$(SYSCONFDIR)/default/|' systemd/sslvd.service \
		>$(DESTDIR)$(UNITDIR)/sslvd.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/sslvd.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/sslvd.service.tmp $(DESTDIR)$(UNITDIR)/sslvd.service
	# A configuration already there is the administrator's: never replaced.
	[ -e $(DESTDIR)$(SYSCONFDIR)/sslv/sslv.conf ] || \
		$(INSTALL) -m 0644 etc/sslv/sslv.conf $(DESTDIR)$(SYSCONFDIR)/sslv/sslv.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/modprobe.d/sslv.conf ] || \
		$(INSTALL) -m 0644 etc/modprobe.d/sslv.conf \
		$(DESTDIR)$(SYSCONFDIR)/modprobe.d/sslv.conf

# kbuild puts it in DESTDIR/lib/modules/KVER/updates/ (INSTALL_MOD_DIR);
# depmod then indexes it there, so that `modprobe sslv` finds it.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates DEPMOD=true modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

# DKMS builds from /usr/src/NAME-VERSION: kmod/ and the uapi header it
# includes, VERSION, and dkms.conf with the version filled in.
DKMSDIR ?= /usr/src/sslv-$(VERSION)
install-dkms:
	$(INSTALL) -d $(DESTDIR)$(DKMSDIR)/kmod/lib \
		$(DESTDIR)$(DKMSDIR)/include/uapi/linux
	$(INSTALL) -m 0644 kmod/Kbuild kmod/*.h \
		$(filter-out %.mod.c,$(wildcard kmod/*.c)) $(DESTDIR)$(DKMSDIR)/kmod/
	$(INSTALL) -m 0644 kmod/lib/*.c kmod/lib/*.h $(DESTDIR)$(DKMSDIR)/kmod/lib/
	$(INSTALL) -m 0644 include/uapi/linux/sslv.h \
		$(DESTDIR)$(DKMSDIR)/include/uapi/linux/
	$(INSTALL) -m 0644 VERSION $(DESTDIR)$(DKMSDIR)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMSDIR)/dkms.conf

check:
	./selftests/run-all

# The Debian packages sslv-dkms and sslv-tools, built from a copy of the
# tree (dpkg-buildpackage writes beside the source) into build/deb/.
deb:
	rm -rf build/deb
	mkdir -p build/deb/sslv-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | \
		tar -C build/deb/sslv-$(VERSION) -xf -
	cd build/deb/sslv-$(VERSION) && env -u CFLAGS_USER -u MAKEFLAGS \
		-u MAKELEVEL dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	rm -rf build/deb/sslv-$(VERSION)
	@ls build/deb/*.deb

check-debug:
	./tools/debug-kernel/check

check-long: all
	./tools/vm/run -k 6.1 -t 1500 -o build/results/decrypt_load_long -- \
		env LOAD_N=200 LOAD_KB=1024 LOAD_IDLE=120 selftests/net/decrypt_load.sh
	./tools/vm/run -k 6.1 -t 1800 -o build/results/decrypt_big -- \
		selftests/net/decrypt_big.sh

demo:
	./tools/demo

deps:
	./tools/deps.sh

deps-test:
	./tools/deps.sh --test

# checkpatch from Debian's linux-source-6.1, unpacked once into build/.
CHECKPATCH := build/linux-source-6.1/scripts/checkpatch.pl
$(CHECKPATCH):
	mkdir -p build
	tar -C build -xJf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

# checkpatch on kmod/, less the findings tools/style.allow names.
style: $(CHECKPATCH)
	@$(CHECKPATCH) --no-tree --terse --show-types --max-line-length=100 \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f kmod/*.c kmod/*.h kmod/lib/*.c kmod/lib/*.h | \
	awk 'FNR == NR { if (NF == 2 && $$1 !~ /^#/) ok[$$1 " " $$2]; next } \
	     /^total:/ { next } \
	     { split($$0, f, ":"); t = f[4]; \
	       if (!((f[1] " " t) in ok)) { print; bad++ } } \
	     END { if (bad) { print bad " style problems"; exit 1 } \
		   print "style: clean (allowed: tools/style.allow)" }' \
		tools/style.allow -

# Host and guest benchmarks, one table of ratios (Documentation/performance.md).
bench: module userspace
	$(MAKE) -C tools/bench run

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean 2>/dev/null || true
	$(MAKE) -C userspace clean
	$(MAKE) -C tools/rstscope clean
	rm -f selftests/net/pktsend
	$(MAKE) -C selftests/unit clean
	rm -rf build
