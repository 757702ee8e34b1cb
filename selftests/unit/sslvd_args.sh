#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvd on the host, without the module: its options, its CA and trust
# store errors (each with its exit status and the file named), and, in a
# network namespace of its own (root only), the start-up checks (the
# br_netfilter sysctl, the missing module), the diversion's rules and
# routes (there while it runs, gone after SIGTERM), the session cap, the
# idle window, a non-TLS client, and an exit on SIGINT that resets the
# sessions still open. The TLS path itself needs kTLS: the guest tests
# (selftests/net/decrypt.sh) run it.
#
# SSLVD=path overrides the binary (default: build userspace/ and use it).

set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
sslvd=${SSLVD:-$root/userspace/sslvd/sslvd}
passed=0
failed=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -z ${SSLVD:-} ]] && ! make -s -C "$root/userspace" >"$tmp/build" 2>&1; then
	cat "$tmp/build"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; printf '  %s\n' "$@"; }

# expect NAME STATUS "STDERR" ARGS...: sslvd exits STATUS, and the first
# line of stderr is STDERR (OpenSSL's own errors may follow it).
expect()
{
	local name=$1 want_rc=$2 want_err=$3 rc err

	shift 3
	"$sslvd" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(head -n 1 "$tmp/err")
	if [[ $rc == "$want_rc" && $err == "$want_err" ]]; then
		ok
	else
		fail "$name" "want: exit $want_rc, stderr: $want_err" \
			"got:  exit $rc, stderr: $err"
	fi
}

cd "$tmp" || exit 1
ca()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=$1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
ca box
ca untrusted
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout leaf.key -out leaf.crt -days 30 -subj "/CN=leaf" \
	-addext basicConstraints=critical,CA:FALSE 2>/dev/null
echo "not a key" >garbage.pem
: >empty.pem

CA=(--ca-cert box.crt --ca-key box.key)
UN=(--untrusted-ca-cert untrusted.crt --untrusted-ca-key untrusted.key)

# Options: exit 2 (usage), nothing opened.
expect "no options" 2 "sslvd: --ca-cert and --ca-key are required"
expect "only --ca-cert" 2 "sslvd: --ca-cert and --ca-key are required" --ca-cert box.crt
expect "--port 0" 2 "sslvd: --port 0: not a number in 1..65535" "${CA[@]}" --port 0
expect "--port 65536" 2 "sslvd: --port 65536: not a number in 1..65535" "${CA[@]}" --port 65536
expect "--port x" 2 "sslvd: --port x: not a number in 1..65535" "${CA[@]}" --port x
expect "--port -1" 2 "sslvd: --port -1: not a number in 1..65535" "${CA[@]}" --port -1
expect "--port without value" 2 "sslvd: --port needs an argument" "${CA[@]}" --port
expect "--max-sessions 0" 2 "sslvd: --max-sessions 0: not a number in 1..1000000" \
	"${CA[@]}" --max-sessions 0
expect "--idle-timeout 0" 2 "sslvd: --idle-timeout 0: not a number in 1..86400" \
	"${CA[@]}" --idle-timeout 0
expect "--quiet-timeout 0" 2 "sslvd: --quiet-timeout 0: not a number in 1..604800" \
	"${CA[@]}" --quiet-timeout 0
expect "--table 254" 2 "sslvd: --table 254: main is a system table" "${CA[@]}" --table 254
expect "--mark 0" 2 "sslvd: --mark 0: not a number in 1..4294967294" "${CA[@]}" --mark 0
expect "--mark 0xffffffff" 2 "sslvd: --mark 0xffffffff: not a number in 1..4294967294" "${CA[@]}" --mark 0xffffffff
expect "--table 252" 2 "sslvd: --table 252: the next one, sslvd's own sockets' table, is a system table (default)" "${CA[@]}" --table 252
expect "unknown long option" 2 "sslvd: unknown option --bogus" "${CA[@]}" --bogus
expect "unknown short option" 2 "sslvd: unknown option -x" "${CA[@]}" -x
expect "stray argument" 2 "sslvd: unexpected argument stray" "${CA[@]}" stray
expect "untrusted cert without key" 2 \
	"sslvd: --untrusted-ca-cert and --untrusted-ca-key go together" \
	"${CA[@]}" --untrusted-ca-cert untrusted.crt
"$sslvd" --help >"$tmp/out" 2>&1
rc=$?
if [[ $rc == 0 && $(head -c 6 "$tmp/out") == Usage: ]]; then ok; else fail "--help" "exit $rc"; fi

# CAs and the trust store: each its status, the file named.
expect "CA cert missing" 3 "sslvd: box CA certificate nope.crt: No such file or directory" \
	--ca-cert nope.crt --ca-key box.key
expect "CA cert not PEM" 3 "sslvd: box CA certificate garbage.pem: no PEM certificate" \
	--ca-cert garbage.pem --ca-key box.key
expect "CA cert not a CA" 3 "sslvd: box CA certificate leaf.crt: not a CA certificate (no basicConstraints CA:TRUE)" \
	--ca-cert leaf.crt --ca-key leaf.key
expect "CA key missing" 4 "sslvd: box CA key nope.key: No such file or directory" \
	--ca-cert box.crt --ca-key nope.key
expect "CA key not PEM" 4 "sslvd: box CA key garbage.pem: no PEM private key" \
	--ca-cert box.crt --ca-key garbage.pem
"$sslvd" --ca-cert box.crt --ca-key untrusted.key >/dev/null 2>"$tmp/err"
rc=$?
if [[ $rc == 5 && $(head -n 1 "$tmp/err") == "sslvd: box CA key untrusted.key: not the key of certificate box.crt" ]]; then
	ok
else
	fail "CA key mismatch" "exit $rc: $(cat "$tmp/err")"
fi
"$sslvd" "${CA[@]}" --untrusted-ca-cert untrusted.crt --untrusted-ca-key box.key \
	>/dev/null 2>"$tmp/err"
rc=$?
if [[ $rc == 5 && $(head -n 1 "$tmp/err") == "sslvd: untrusted CA key box.key: not the key of certificate untrusted.crt" ]]; then
	ok
else
	fail "untrusted CA key mismatch" "exit $rc: $(cat "$tmp/err")"
fi
expect "trust store missing" 6 "sslvd: trust store nope.pem: No such file or directory" \
	"${CA[@]}" "${UN[@]}" --trust-store nope.pem
"$sslvd" "${CA[@]}" --trust-store empty.pem >/dev/null 2>"$tmp/err"
rc=$?
if [[ $rc == 6 && $(head -n 1 "$tmp/err") == "sslvd: trust store empty.pem: "* ]]; then
	ok
else
	fail "trust store empty" "exit $rc: $(cat "$tmp/err")"
fi

if [[ $(id -u) != 0 ]] || ! unshare -n true 2>/dev/null; then
	echo "SKIP: the namespace cases need root and unshare -n"
	echo "$passed passed, $failed failed"
	[[ $failed == 0 ]]
	exit
fi

# In a network namespace of its own (the rest runs inside it).
cat >"$tmp/ns.sh" <<'EOF'
set -u
sslvd=$1
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; printf '  %s\n' "$@"; }
ip link set lo up
CA=(--ca-cert box.crt --ca-key box.key --max-sessions 64)

# client MODE PORT: what a client sees (python3, one line)
client()
{
	python3 - "$@" <<'PY'
import socket, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
except ConnectionResetError:
    print("reset")
    sys.exit(0)
if mode == "http":
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
elif mode == "hold":
    print("connected", flush=True)
    time.sleep(float(sys.argv[3]))
try:
    d = s.recv(100)
    print("eof" if not d else "data")
except ConnectionResetError:
    print("reset")
except socket.timeout:
    print("timeout")
PY
}

# The module keeps diverted frames away from br_netfilter: its sysctl is
# no reason to refuse (here it goes on to find no module).
if [[ -w /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
	echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
	err=$("$sslvd" "${CA[@]}" -f 2>&1)
	rc=$?
	if [[ $rc == 8 && $err != *bridge-nf-call* ]]; then
		ok
	else
		fail "bridge-nf-call-iptables 1" "exit $rc: $err"
	fi
	echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables
	echo 0 >/proc/sys/net/bridge/bridge-nf-call-ip6tables
fi

rules0=$(ip rule; ip -6 rule)
err=$("$sslvd" "${CA[@]}" -f 2>&1)
rc=$?
want='sslvd: sslv module not loaded (generic netlink family "sslv" not found); load it with "modprobe sslv"'
if [[ $rc == 8 && $err == "$want" ]]; then ok; else fail "no module" "exit $rc: $err"; fi
if [[ $(ip rule; ip -6 rule) == "$rules0" ]]; then ok; else fail "no module: rules unchanged"; fi

# --no-module: the rules and routes while it runs
"$sslvd" "${CA[@]}" -f --no-module --port 9443 --idle-timeout 8 --max-sessions 1 \
	--mark 0x77 --table 77 2>sslvd.err &
pid=$!
for i in $(seq 50); do ss -Hltn 'sport = :9443' | grep -q . && break; sleep 0.1; done
if ip rule | grep -q 'fwmark 0x77 lookup 77' && ip -6 rule | grep -q 'fwmark 0x77 lookup 77'; then
	ok
else
	fail "rules installed" "$(ip rule; ip -6 rule)"
fi
if ip route show table 77 | grep -q '^local default dev lo' &&
   ip -6 route show table 77 | grep -q '^local default dev lo'; then
	ok
else
	fail "routes installed" "$(ip route show table 77; ip -6 route show table 77)"
fi
# a second one on the same port: a clear error, the first one's rules stay
err=$("$sslvd" "${CA[@]}" -f --no-module --port 9443 --mark 0x77 --table 77 2>&1)
rc=$?
if [[ $rc == 10 && $err == *"listener: port 9443: Address already in use"* ]]; then
	ok
else
	fail "port in use" "exit $rc: $err"
fi
if ip rule | grep -q 'fwmark 0x77'; then ok; else fail "rules stay after the second one failed"; fi

# the cap: one session holds it, the next connection is reset. The window
# leaves a loaded machine seconds to start the second client (python)
# while the first is still a session.
client hold 9443 10 >hold.out &
hold=$!
for i in $(seq 50); do grep -q connected hold.out && break; sleep 0.1; done
got=$(client read 9443)
if [[ $got == reset ]]; then ok; else fail "beyond --max-sessions: reset" "got $got"; fi
# the held session gets no ClientHello: reset after the 8 s window
wait "$hold"
if [[ $(tail -n 1 hold.out) == reset ]]; then ok; else fail "idle window: reset" "$(cat hold.out)"; fi
grep -q 'no progress in state hello within 8 s' sslvd.err && ok ||
	fail "idle window logged" "$(cat sslvd.err)"
grep -q '1 sessions: connection reset (1 so far)' sslvd.err && ok ||
	fail "cap logged" "$(cat sslvd.err)"
# not TLS on a decrypted flow: reset, logged
got=$(client http 9443)
if [[ $got == reset ]]; then ok; else fail "not TLS: reset" "got $got"; fi
for i in $(seq 50); do grep -q 'close=not-tls' sslvd.err && break; sleep 0.1; done
grep -q 'close=not-tls' sslvd.err && ok || fail "not TLS logged" "$(cat sslvd.err)"
kill -TERM "$pid"
wait "$pid"
rc=$?
if [[ $rc == 0 ]]; then ok; else fail "SIGTERM: exit 0" "exit $rc"; fi
if ! ip rule | grep -q 'fwmark 0x77' && ! ip -6 rule | grep -q 'fwmark 0x77' &&
   [[ -z $(ip route show table 77; ip -6 route show table 77) ]]; then
	ok
else
	fail "rules and routes removed" "$(ip rule; ip -6 rule; ip route show table 77)"
fi

# SIGINT with a session open: exit 0, the client reset
"$sslvd" "${CA[@]}" -f --no-module --port 9444 2>sslvd2.err &
pid=$!
for i in $(seq 50); do ss -Hltn 'sport = :9444' | grep -q . && break; sleep 0.1; done
client hold 9444 1 >hold2.out &
hold=$!
for i in $(seq 50); do grep -q connected hold2.out && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
rc=$?
wait "$hold"
if [[ $rc == 0 && $(tail -n 1 hold2.out) == reset ]]; then
	ok
else
	fail "SIGINT: exit 0, session reset" "exit $rc, client $(cat hold2.out)" "$(cat sslvd2.err)"
fi
echo "$passed $failed" >ns.result
EOF
unshare -n bash "$tmp/ns.sh" "$sslvd"
if [[ -r $tmp/ns.result ]]; then
	read -r p f <"$tmp/ns.result"
	passed=$((passed + p))
	failed=$((failed + f))
else
	fail "namespace cases did not finish"
fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
