#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sslvctl's argument grammar, on the host, without the module.
#
# A bad argument must print the exact `Error: ...` line, exit 1 and never
# open or write to a netlink socket (checked with strace). A good command
# line must get past the parser to the kernel: on a host without sslv that
# ends in "module not loaded" and exit 2, after a netlink send.
#
# SSLVCTL=path overrides the binary (default: build userspace/ and use it).

set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
sslvctl=${SSLVCTL:-$root/userspace/sslvctl/sslvctl}
not_loaded='Error: sslv module not loaded (generic netlink family "sslv" not found); load it with "modprobe sslv"'
passed=0
failed=0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v strace >/dev/null; then
	echo "strace is needed (apt-get install strace)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [[ -z ${SSLVCTL:-} ]] && ! make -s -C "$root/userspace" >"$tmp/build" 2>&1; then
	cat "$tmp/build"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: sslvctl $1"; shift; printf '  %s\n' "$@"; }

# run ARGS...: sslvctl under strace, stdin from $stdin (default /dev/null).
# Sets rc, out, err, and sent=1 when anything touched a netlink socket.
run() {
	strace -f -qq -yy -e trace=socket,sendto,sendmsg -o "$tmp/trace" \
		"$sslvctl" "$@" <"${stdin:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	sent=0
	if grep -qE 'AF_NETLINK|<NETLINK:' "$tmp/trace"; then
		sent=1
	fi
}

# bad "EXPECTED STDERR" ARGS...
bad() {
	local want=$1
	shift
	run "$@"
	if [[ $rc == 1 && $err == "$want" && $sent == 0 ]]; then
		ok
	else
		fail "$*" "want: exit 1, no netlink, stderr: $want" \
			"got:  exit $rc, netlink=$sent, stderr: $err"
	fi
}

# good ARGS...: parsed, then stopped by the missing module.
good() {
	run "$@"
	if [[ $rc == 2 && $err == "$not_loaded" && $sent == 1 ]]; then
		ok
	else
		fail "$*" "want: exit 2 after a netlink send, stderr: $not_loaded" \
			"got:  exit $rc, netlink=$sent, stderr: $err"
	fi
}

# Options and objects.
run
if [[ $rc == 1 && $err == Usage:* && $sent == 0 ]]; then ok; else fail "(no args)" "exit $rc: $err"; fi
run help
if [[ $rc == 0 && $out == Usage:* ]]; then ok; else fail help "exit $rc: $out"; fi
run -h
if [[ $rc == 0 && $out == Usage:* ]]; then ok; else fail -h "exit $rc: $out"; fi
run -V
if [[ $rc == 0 && $out == "sslvctl "* ]]; then ok; else fail -V "exit $rc: $out"; fi
for o in mode config rule domains flow stats rst monitor save help; do
	run "$o" help
	if [[ $rc == 0 && $out == "Usage: sslvctl $o"* && -z $err && $sent == 0 ]]; then
		ok
	else
		fail "$o help" "exit $rc, netlink=$sent: ${out%%$'\n'*} $err"
	fi
	run help "$o"
	if [[ $rc == 0 && $out == "Usage: sslvctl $o"* && $sent == 0 ]]; then
		ok
	else
		fail "help $o" "exit $rc: ${out%%$'\n'*} $err"
	fi
done
bad 'Error: unknown object "bogus"' help bogus
bad 'Error: unexpected argument "x"' rule help x
bad 'Error: unexpected argument "now"' save now
bad 'Error: unknown option "-x"' -x mode
bad 'Error: unknown object "bogus"' bogus

# -n NETNS: the namespace is entered before anything else, as ip -n does.
bad 'Error: missing network namespace after "-n"' -n
bad 'Error: cannot open network namespace "sslv-nosuch": No such file or directory' \
	-n sslv-nosuch rule list
bad 'Error: cannot open network namespace "/nonexistent/ns": No such file or directory' \
	--netns /nonexistent/ns mode
# -n was numeric output: an object or an option after it says so.
bad 'Error: cannot open network namespace "mode": No such file or directory (numeric output is -N)' \
	-n mode
bad 'Error: cannot open network namespace "-j": No such file or directory (numeric output is -N)' \
	-n -j rule list
bad 'Error: invalid network namespace ""' -n '' mode

# mode
bad 'Error: missing mode after "set"' mode set
bad 'Error: invalid mode "inline"' mode set inline
bad 'Error: only passive-tap takes "dev"' mode set active-inline dev lo
bad 'Error: no such interface "nosuch0"' mode set passive-tap dev nosuch0
bad 'Error: missing argument after "dev"' mode set passive-tap dev
bad 'Error: duplicate keyword "dev"' mode set passive-tap dev lo dev lo
bad 'Error: unknown keyword "bogus"' mode bogus
bad 'Error: unexpected argument "x"' mode show x

# config
bad 'Error: nothing to set' config set
bad 'Error: invalid max-flows "0"' config set max-flows 0
bad 'Error: invalid max-flows "4294967296"' config set max-flows 4294967296
bad 'Error: invalid timeout-closed "1s"' config set timeout-closed 1s
bad 'Error: missing argument after "timeout-rejected"' config set timeout-rejected
bad 'Error: read-only "flows-current"' config set flows-current 3
bad 'Error: read-only "hs-bytes"' config set hs-bytes 4096
bad 'Error: invalid client-cert "allow"' config set client-cert allow
bad 'Error: invalid client-cert "0"' config set client-cert 0
bad 'Error: missing argument after "client-cert"' config set client-cert
bad 'Error: duplicate keyword "client-cert"' config set client-cert cut client-cert drop
bad 'Error: duplicate keyword "max-flows"' config set max-flows 1 max-flows 2
bad 'Error: unknown keyword "get"' config get
bad 'Error: invalid rst-idle "x"' config set rst-idle x
bad 'Error: invalid rst-idle "-1"' config set rst-idle -1
bad 'Error: invalid rst-idle "4294967296"' config set rst-idle 4294967296
bad 'Error: missing argument after "rst-idle"' config set max-flows 5 rst-idle
bad 'Error: duplicate keyword "rst-idle"' config set rst-idle 0 rst-idle 0
bad 'Error: invalid hs-mem "0"' config set hs-mem 0
bad 'Error: invalid hs-mem "32767": 32768 to 1073741824' config set hs-mem 32767
bad 'Error: invalid hs-mem "1073741825": 32768 to 1073741824' config set hs-mem 1073741825
bad 'Error: invalid hs-mem "4M"' config set hs-mem 4M
bad 'Error: missing argument after "hs-mem"' config set hs-mem
bad 'Error: duplicate keyword "hs-mem"' config set hs-mem 65536 hs-mem 65536
bad 'Error: invalid hs-timeout "0"' config set hs-timeout 0
bad 'Error: invalid hs-timeout "3601": 1 to 3600' config set hs-timeout 3601
bad 'Error: invalid hs-timeout "1s"' config set hs-timeout 1s
bad 'Error: invalid hs-timeout "3601": 1 to 3600' config set max-flows 5 hs-timeout 3601

# rule add
bad 'Error: invalid prefix "10.0.0.0/33"' rule add dst 10.0.0.0/33 action reject
bad 'Error: invalid prefix "10.0.0.0/"' rule add dst 10.0.0.0/ action reject
bad 'Error: invalid prefix "10.0.0.256"' rule add src 10.0.0.256 action reject
bad 'Error: invalid prefix "2001:db8::/129"' rule add src 2001:db8::/129 action cut
bad 'Error: invalid prefix "10.0.0.0/-1"' rule add src 10.0.0.0/-1 action cut
bad 'Error: invalid prefix "host"' rule add src host action cut
bad 'Error: address family mismatch "2001:db8::1"' rule add src 10.0.0.1 dst 2001:db8::1 action drop
bad 'Error: address family mismatch "10.0.0.1"' rule add dst 2001:db8::1 src 10.0.0.1 action drop
bad 'Error: unknown keyword "foo"' rule add foo
bad 'Error: unknown keyword "proto"' rule add proto tcp action cut
bad 'Error: "action" is required' rule add dst 10.0.0.1
bad 'Error: "action" is required' rule add
bad 'Error: invalid action "allow"' rule add action allow
bad 'Error: missing argument after "action"' rule add action
bad 'Error: ambiguous action "d" (drop, decrypt)' rule add action d
bad 'Error: ambiguous action "d" (drop, decrypt)' rule insert dport 443 action d
good rule add action dr
good rule add action de
bad 'Error: invalid port "65536"' rule add dport 65536 action cut
bad 'Error: invalid port "20-10"' rule add sport 20-10 action cut
bad 'Error: invalid port "80-"' rule add sport 80- action cut
bad 'Error: invalid port "-80"' rule add dport -80 action cut
bad 'Error: invalid port "https"' rule add dport https action cut
bad 'Error: invalid vlan "4095"' rule add vlan 4095 action cut
bad 'Error: invalid vlan "-1"' rule add vlan -1 action cut
bad 'Error: no such interface "nosuch0"' rule add iif nosuch0 action cut
bad 'Error: duplicate keyword "dst"' rule add dst 10.0.0.1 dst 10.0.0.2 action cut
bad 'Error: duplicate keyword "action"' rule add action cut action drop
bad 'Error: missing argument after "src"' rule add src

# rule add: TLS keywords
long_label=$(printf 'a%.0s' {1..64})
long_name=$(printf 'abcdefghi.%.0s' {1..25})abcd	# 254 bytes
bad 'Error: invalid sni "*.": misplaced wildcard' rule add sni '*.' action cut
bad 'Error: invalid sni "a..b": empty label' rule add sni a..b action cut
bad 'Error: invalid sni "a.*.b": misplaced wildcard' rule add sni 'a.*.b' action cut
bad 'Error: invalid sni ".example.com": empty label' rule add sni .example.com action cut
bad 'Error: invalid sni "": empty name' rule add sni '' action cut
bad 'Error: invalid sni "ex ample.com": invalid character' rule add sni 'ex ample.com' action cut
bad "Error: invalid sni \"$long_label.com\": label longer than 63 bytes" rule add sni "$long_label.com" action cut
bad "Error: invalid sni \"$long_name\": name longer than 253 bytes" rule add sni "$long_name" action cut
bad 'Error: duplicate keyword "sni"' rule add sni a.example sni b.example action cut
bad 'Error: missing argument after "sni"' rule add sni
bad 'Error: invalid sni-list "bad/name"' rule add sni-list bad/name action cut
bad 'Error: invalid sni-list "abcdefghijabcdefghijabcdefghijab"' rule add sni-list abcdefghijabcdefghijabcdefghijab action cut
bad 'Error: invalid sni-list ""' rule add sni-list '' action cut
bad 'Error: invalid alpn ""' rule add alpn '' action cut
bad 'Error: invalid alpn "h 2"' rule add alpn 'h 2' action cut
bad 'Error: invalid alpn "abcdefghijabcdefghijabcdefghijabc"' rule add alpn abcdefghijabcdefghijabcdefghijabc action cut
bad 'Error: invalid tls-version "1.4"' rule add tls-version 1.4 action cut
bad 'Error: invalid tls-version "1.3-1.2"' rule add tls-version 1.3-1.2 action cut
bad 'Error: invalid tls-version "ssl2"' rule add tls-version ssl2 action cut
bad 'Error: invalid tls-version "1.2-"' rule add tls-version 1.2- action cut
bad 'Error: invalid tls-version "TLS1.3"' rule add tls-version TLS1.3 action cut
bad 'Error: invalid undecryptable class "foo"' rule add undecryptable foo action cut
bad 'Error: invalid undecryptable class ""' rule add undecryptable client-cert, action cut
bad 'Error: invalid undecryptable class "any"' rule add undecryptable any,ech action cut
bad 'Error: nontls excludes "sni"' rule add nontls sni x action cut
bad 'Error: nontls excludes "alpn"' rule add alpn h2 dport 443 nontls action cut
bad 'Error: nontls excludes "undecryptable"' rule add nontls undecryptable ech action cut
bad 'Error: duplicate keyword "nontls"' rule add nontls nontls action cut

# rule add / insert: comments and positions
long_comment=$(printf 'c%.0s' $(seq 129))
bad "Error: invalid comment \"$long_comment\": longer than 128 bytes" rule add action cut comment "$long_comment"
bad 'Error: invalid comment "": empty' rule insert action cut comment ''
bad "Error: invalid comment \"a$(printf '\t')b\": control character" rule add action cut comment "a$(printf '\t')b"
bad $'Error: invalid comment "a\nb": control character' rule insert dport 1 action cut comment $'a\nb'
bad 'Error: duplicate keyword "comment"' rule add comment a action cut comment b
bad 'Error: missing argument after "comment"' rule add action cut comment
bad 'Error: invalid index "-1"' rule insert index -1 action cut
bad 'Error: invalid index "x"' rule insert index x action cut
bad 'Error: invalid rule id "0"' rule insert before 0 action cut
bad 'Error: invalid rule id "4294967296"' rule insert after 4294967296 action cut
bad 'Error: missing argument after "after"' rule insert after
bad 'Error: "action" is required' rule insert index 2
bad 'Error: "action" is required' rule insert
bad 'Error: ambiguous keyword "a" (after, alpn, action)' rule insert a 3 action cut
bad 'Error: unknown keyword "index"' rule add index 0 action cut
bad 'Error: unknown keyword "after"' rule insert before 3 after 4 action cut
good rule insert action cut
good rule insert index 0 dport 443 action reject comment 'web: no "TLS"'
good rule ins bef 3 dport 443 action reject
good rule insert after 4294967295 action drop comment "$(printf 'c%.0s' $(seq 128))"
good rule add action cut comment 'é ü'

# rule del / list / flush / replace
bad 'Error: missing command after "rule"' rule
bad 'Error: unknown keyword "remove"' rule remove 3
bad 'Error: missing rule id after "del"' rule del
bad 'Error: invalid rule id "x"' rule del x
bad 'Error: unexpected argument "4"' rule del 3 4
bad 'Error: unexpected argument "all"' rule flush all
bad 'Error: unexpected argument "x"' rule list x
bad 'Error: missing file after "replace"' rule replace
bad "Error: cannot open \"$tmp/none\": No such file or directory" rule replace "$tmp/none"
bad "Error: unexpected argument \"b\"" rule replace a b

cat >"$tmp/rules.bad" <<'EOF'
# two good rules, then a bad one
dst 10.0.1.2 dport 443 action reject

src 10.0.0.0/8 dst 10.9.0.0/300 action cut   # comment
dst 10.0.1.3 action drop
EOF
bad "Error: $tmp/rules.bad:4: invalid prefix \"10.9.0.0/300\"" rule replace "$tmp/rules.bad"
printf 'action cut\nrule add action cut\n' >"$tmp/rules.word"
bad "Error: $tmp/rules.word:2: unknown keyword \"rule\"" rule replace "$tmp/rules.word"
printf 'dst 10.0.0.1 action reject\ndport 443\n' >"$tmp/rules.noact"
stdin=$tmp/rules.noact bad 'Error: <stdin>:2: "action" is required' rule replace -
printf 'sni a.example action cut\ntls-version 1.4 action cut\n' >"$tmp/rules.tls"
bad "Error: $tmp/rules.tls:2: invalid tls-version \"1.4\"" rule replace "$tmp/rules.tls"
printf 'action cut comment "a b"\naction cut comment '\''c d\n' >"$tmp/rules.quote"
bad "Error: $tmp/rules.quote:2: unterminated '" rule replace "$tmp/rules.quote"

# -f: commands from a file. Every line is checked before anything is sent;
# each bad line is named; quotes, escapes and comments as in a shell.
bad 'Error: missing file after "-f"' -f
bad 'Error: unexpected argument "x"' -f "$tmp/none" x
bad "Error: cannot open \"$tmp/none\": No such file or directory" -f "$tmp/none"
cat >"$tmp/cmds.bad" <<'EOF'
# a good line, then bad ones
rule add dst 10.0.1.2 dport 443 action reject

rule add sni "a b.example" action cut     # quotes keep the space
rule add sni 'x.example action cut
config set max-flows 0
rule add sni x.example action cut # "unterminated in a comment
rule add alpn h2 \
bogus		# goes on the line before
monitor
-j rule list
rule add sni a\ b.example action cut
EOF
bad "Error: $tmp/cmds.bad:5: unterminated '
Error: $tmp/cmds.bad:4: invalid sni \"a b.example\": invalid character
Error: $tmp/cmds.bad:6: invalid max-flows \"0\"
Error: $tmp/cmds.bad:8: unknown keyword \"bogus\"
Error: $tmp/cmds.bad:10: cannot run from a file: \"monitor\"
Error: $tmp/cmds.bad:11: options go on the command line, not in a file: \"-j\"
Error: $tmp/cmds.bad:12: invalid sni \"a b.example\": invalid character" -f "$tmp/cmds.bad"
# A command goes on after a backslash at the end of a line; an error is
# told at the command's first line.
printf 'rule add \\\n  sni a..b \\\n  action cut\nrule add action cut \\\n' >"$tmp/cmds.cont"
bad "Error: $tmp/cmds.cont:4: backslash at the end of the file
Error: $tmp/cmds.cont:1: invalid sni \"a..b\": empty label" -f "$tmp/cmds.cont"
printf 'rule add action cut\n"" action cut\n' >"$tmp/cmds.empty"
stdin=$tmp/cmds.empty bad 'Error: <stdin>:2: unknown object ""' -f -
printf 'rule add sni "x.example action cut\n' >"$tmp/cmds.dq"
bad "Error: $tmp/cmds.dq:1: unterminated \"" -f "$tmp/cmds.dq"
printf 'sslvctl\n' >"$tmp/cmds.bare"
bad "Error: $tmp/cmds.bare:1: missing object after \"sslvctl\"" -f "$tmp/cmds.bare"
printf 'rule replace -\n' >"$tmp/cmds.stdin"
bad "Error: $tmp/cmds.stdin:1: a file of commands cannot read stdin (\"-\")" -f "$tmp/cmds.stdin"
printf 'domains load corp -\n' >"$tmp/cmds.stdin2"
bad "Error: $tmp/cmds.stdin2:1: a file of commands cannot read stdin (\"-\")" -f "$tmp/cmds.stdin2"
# A file named on a line is read then, and its own bad line named.
printf 'mode set active-inline\nrule replace %s\n' "$tmp/rules.bad" >"$tmp/cmds.nested"
bad "Error: $tmp/rules.bad:4: invalid prefix \"10.9.0.0/300\"" -f "$tmp/cmds.nested"

# 100k lines with an error on the last one: whole file parsed, nothing sent.
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "src 10.%d.%d.%d dport 443 vlan 10 iif lo action reject\n",
		int(i / 65536), int(i / 256) % 256, i % 256 }' >"$tmp/rules.big"
cp "$tmp/rules.big" "$tmp/rules.bigbad"
echo "dst 2001:db8::/32 dport 70000 action drop" >>"$tmp/rules.bigbad"
bad "Error: $tmp/rules.bigbad:100001: invalid port \"70000\"" rule replace "$tmp/rules.bigbad"

# domains
printf '# corp\n\na.example\n  *.b.example  # wildcard\nc.example.\n' >"$tmp/domains"
printf 'a.example\nb.example\nx..\nd.example\n' >"$tmp/domains.bad"
bad 'Error: missing set name after "load"' domains load
bad 'Error: invalid domain set name "bad/name"' domains load bad/name "$tmp/domains"
bad 'Error: invalid domain set name "abcdefghijabcdefghijabcdefghijab"' domains load abcdefghijabcdefghijabcdefghijab "$tmp/domains"
bad 'Error: missing file after "corp"' domains load corp
bad 'Error: unexpected argument "x"' domains load corp "$tmp/domains" x
bad "Error: cannot open \"$tmp/none\": No such file or directory" domains load corp "$tmp/none"
bad "Error: $tmp/domains.bad:3: invalid domain \"x..\": empty label" domains load corp "$tmp/domains.bad"
printf 'a.example\n\tb .example\n' >"$tmp/domains.space"
stdin=$tmp/domains.space bad 'Error: <stdin>:2: invalid domain "b .example": invalid character' domains load corp -
printf 'a.example\nfoo.*.example\n' >"$tmp/domains.wild"
bad "Error: $tmp/domains.wild:2: invalid domain \"foo.*.example\": misplaced wildcard" domains load corp "$tmp/domains.wild"
printf 'domains load corp %s\nrule add nontls action drop\n' "$tmp/domains.bad" >"$tmp/cmds.nested2"
bad "Error: $tmp/domains.bad:3: invalid domain \"x..\": empty label" -f "$tmp/cmds.nested2"
bad 'Error: missing set name after "set"' domains set
bad 'Error: invalid domain set name "a/b"' domains set a/b x.example
bad 'Error: invalid domain "x..": empty label' domains set corp a.example x..
bad 'Error: invalid domain "a.*.b": misplaced wildcard' domains set corp 'a.*.b'
bad 'Error: unexpected argument "x"' domains show corp x
bad 'Error: invalid domain set name "a b"' domains show 'a b'
bad 'Error: missing set name after "del"' domains del
bad 'Error: invalid domain set name "a b"' domains del 'a b'
bad 'Error: unexpected argument "y"' domains del corp y
bad 'Error: unexpected argument "x"' domains list x
bad 'Error: unknown keyword "add"' domains add corp

# 100k names with an error on the last one: whole file read, nothing sent.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "host-%d.example\n", i }' >"$tmp/domains.big"
cp "$tmp/domains.big" "$tmp/domains.bigbad"
echo "bad_name!.example" >>"$tmp/domains.bigbad"
bad "Error: $tmp/domains.bigbad:100001: invalid domain \"bad_name!.example\": invalid character" \
	domains load big "$tmp/domains.bigbad"

# flow
bad 'Error: invalid state "open"' flow list state open
bad 'Error: invalid family "ipx"' flow list family ipx
bad 'Error: address family mismatch "2001:db8::1"' flow list family inet src 2001:db8::1
bad 'Error: address family mismatch "10.0.0.1"' flow list src 2001:db8::/32 dst 10.0.0.1
bad 'Error: invalid vlan "5000"' flow list vlan 5000
bad 'Error: invalid port "0x50"' flow list dport 0x50
bad 'Error: unknown keyword "proto"' flow list proto tcp
bad 'Error: duplicate keyword "state"' flow list state closed state closing
bad 'Error: missing flow id after "reject"' flow reject
bad 'Error: invalid flow id "17x"' flow reject 17x
bad 'Error: unknown keyword "kill"' flow kill 17

# stats, rst, monitor
bad 'Error: unknown keyword "clear"' stats clear
bad 'Error: unexpected argument "now"' stats reset now
bad 'Error: invalid interval (seconds, 0.001 to 86400) "x"' stats -d x
bad 'Error: invalid interval (seconds, 0.001 to 86400) "0"' stats show -d 0
bad 'Error: invalid interval (seconds, 0.001 to 86400) "1."' stats -d 1.
bad 'Error: invalid interval (seconds, 0.001 to 86400) "86401"' stats -d 86401
bad 'Error: invalid interval (seconds, 0.001 to 86400) "-1"' stats -d -1
bad 'Error: missing argument after "-d"' stats -d
bad 'Error: invalid count "0"' stats -d 1 -c 0
bad 'Error: invalid count "x"' stats -d 1 -c x
bad 'Error: -c COUNT needs -d INTERVAL' stats -c 2
bad 'Error: duplicate keyword "-a"' stats -a -a
bad 'Error: duplicate keyword "-d"' stats -d 1 -d 2
bad 'Error: unexpected argument "x"' stats -a x
bad 'Error: unknown keyword "foo"' rst foo
bad 'Error: unknown keyword "reset"' rst reset
bad 'Error: unexpected argument "x"' rst show x
bad 'Error: unknown event type "all"' monitor all
bad 'Error: unknown event type "sessions"' monitor -t sessions
bad 'Error: duplicate event type "rst"' monitor rst session rst
bad 'Error: duplicate keyword "-t"' monitor -t rst -t
bad 'Error: missing argument after "-w"' monitor -w
bad 'Error: duplicate keyword "-w"' monitor -w a -w b
bad 'Error: invalid file ""' monitor -w ''
bad 'Error: missing argument after "rcvbuf"' monitor rcvbuf
bad 'Error: invalid rcvbuf "x"' monitor rcvbuf x
bad 'Error: duplicate keyword "rcvbuf"' monitor rcvbuf 1 rcvbuf 2

# Good command lines reach the kernel. Skipped where sslv is loaded: they
# would change its state.
if [[ -d /sys/module/sslv ]]; then
	echo "sslv is loaded: good command lines not tried"
else
	good mode
	run -j rule list
	if [[ $rc == 2 && -z $out && $err == "$not_loaded" ]]; then
		ok
	else
		fail "-j rule list" "want: exit 2, nothing on stdout, stderr: $not_loaded" \
			"got:  exit $rc, stdout: $out, stderr: $err"
	fi
	good -j -N mode
	# The namespace sslvctl runs in, by path (entering it needs CAP_SYS_ADMIN).
	if [[ $(id -u) == 0 ]]; then
		good -n /proc/self/ns/net mode
		good -N --netns /proc/self/ns/net -j rule list
	fi
	good --numeric mode
	good mode show
	good mode set active-inline
	good mode set passive-inline
	good mode set passive-tap
	good mode set passive-tap dev lo
	good config
	good -j config
	good config set max-flows 65536
	good config set rst-idle 0
	good config set rst-idle 4294967295 timeout-closed 1
	good config set client-cert drop
	good config set client-cert cut max-flows 10
	good config set hs-mem 32768 hs-timeout 1
	good config set hs-mem 1073741824 hs-timeout 3600
	good config set max-flows 1 timeout-handshake 5 timeout-established 7200 \
		timeout-closing 60 timeout-closed 10 timeout-rejected 4294967295
	good rule add action reject
	good rule add src 10.0.0.0/8 dst 10.0.1.2 sport 1024-65535 dport 443 \
		vlan 10 iif lo action reject
	good rule add dst 2001:db8::/32 dport 0-65535 vlan 0 action drop
	good rule add src 10.0.0.1/0 action cut
	good rule add dst 10.0.1.2 dport 443 sni '*.example.com' sni-list corp \
		alpn h2 tls-version 1.2-1.3 undecryptable client-cert,legacy-ssl,compression,no-cipher,ech \
		action reject
	good rule add sni www.example.com. tls-version ssl3 undecryptable any action drop
	good rule add sni "${long_label:1}.com" action cut		# 63-byte label
	good rule add sni "*.${long_name:3}" action cut			# 253 bytes
	good rule add nontls dport 443 action reject
	printf 'sni a.example action cut\nnontls action drop\n' >"$tmp/rules.tlsgood"
	good rule replace "$tmp/rules.tlsgood"
	good rule list
	good -j rule list
	good rule del 3
	good rule flush
	printf '# empty\n\n' >"$tmp/rules.empty"
	good rule replace "$tmp/rules.empty"
	good rule replace "$tmp/rules.big"
	stdin=$tmp/rules.big good rule replace -
	good flow list
	good flow
	good -j -d flow list
	good flow list family inet6 state established vlan 10
	good flow list src 10.0.0.0/8 dst 10.0.1.2 sport 40000 dport 400-500 \
		vlan 4094 state rejected family inet
	good flow reject 17
	good stats
	good -j stats
	good stats reset
	good stats -a
	good -j stats show -d 0.1 -c 1
	good rst
	good -j rst
	good rst show
	good monitor
	good -j monitor
	good monitor -t rst session
	good domains
	good -j domains list
	good domains load corp "$tmp/domains"
	stdin=$tmp/domains good domains load corp -
	good domains load empty /dev/null
	good domains del corp
	good domains set corp a.example '*.b.example'
	good domains set empty
	good domains show corp
	good -j domains show corp
	good save

	# A good file: checked whole, then run; the first line meets the
	# missing module and stops the run, named by its line.
	cat >"$tmp/cmds.good" <<-EOF
	# sslv
	sslvctl mode set passive-tap dev lo
	config set max-flows 1000 client-cert cut
	rule flush
	domains load corp $tmp/domains
	rule add dst 10.0.1.2 sni '*.example.com' sni-list corp action reject
	rule add alpn "h2" tls-version 1.2-1.3 action cut   # comment
	rule replace $tmp/rules.tlsgood
	EOF
	run -f "$tmp/cmds.good"
	want="Error: $tmp/cmds.good:2: ${not_loaded#Error: }"
	if [[ $rc == 2 && $err == "$want" && $sent == 1 ]]; then
		ok
	else
		fail "-f $tmp/cmds.good" "want: exit 2, stderr: $want" \
			"got:  exit $rc, netlink=$sent, stderr: $err"
	fi

	# Parse times are printed, not asserted: a loaded host makes any bound
	# flaky, and speed belongs to the benchmarks.
	start=$(date +%s%N)
	"$sslvctl" rule replace "$tmp/rules.big" 2>/dev/null || true
	echo "# rule replace (100k lines): $((($(date +%s%N) - start) / 1000000)) ms"
	start=$(date +%s%N)
	"$sslvctl" domains load big "$tmp/domains.big" 2>/dev/null || true
	echo "# domains load (100k names): $((($(date +%s%N) - start) / 1000000)) ms"
fi

echo "$passed passed, $failed failed"
((failed == 0))
