#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Handshake memory cannot be pinned: what a flow's reading holds follows the
# bytes it holds, each namespace has its own bound, and a reading that
# outlives hs-timeout is ended and freed though its flow stays silent.
# Two bridge boxes: $BOX ("A") and $BOX_B ("B"), the module's bound for
# both (hs_mem_max) 48 KiB.
#
#   pages      (B) one client byte at stream offset 15000 costs what a
#              40-byte opening at offset 0 does (per-flow state and 1 KiB),
#              not a 16 KiB buffer; a byte beside it nothing more, one at
#              13000 one more KiB; the same byte again is no conflict,
#              another byte there is one (the page's copy is the one read)
#              and frees the flow's memory
#   netns      (A) hs-mem 32 KiB and 40 idle half-sent hellos: the flows
#              that fit are read, the others counted in tls_limit_netns,
#              none in tls_limit_global; (B) a hello in one segment and a
#              2 KiB one in three segments out of order (its name beyond
#              the first two pages) are read and their `sni` rule rejects
#              them (its name is in the second page, merged into the
#              prefix buffer when the prefix reaches it)
#   timeout    (A) hs-timeout 1: every idle reading ends, hs-bytes goes
#              back to 0 with every flow still in the table, each session
#              is logged with error timeout, tls_hs_timeout counts them
#
# Crafted segments run on ports no socket owns; nft in the end namespaces
# drops them before the stacks, which would otherwise answer with RSTs.

source "$(dirname "$0")/../lib.sh"

TFO=$REPO/selftests/net/tfo.py
P_CRAFT=4443
FILL=40				# idle hellos in A
HS_MEM_A=32768

# ctl NS ARGS...: sslvctl in box NS.
ctl() { ip netns exec "$1" "$SSLVCTL" "${@:2}"; }

# open_flows CLI SRV SPORT...: three-way handshakes of crafted flows, client
# ISN 1000, server ISN 5000: the client's stream offset 0 is seq 1001.
open_flows()
{
	local cli=$1 srv=$2 p

	shift 2
	for p; do echo "$CLI_IP4 $SRV_IP4 $p $P_CRAFT S 1000 0"; done |
		craft "$cli" "$srv"
	for p; do echo "$SRV_IP4 $CLI_IP4 $P_CRAFT $p SA 5000 1001"; done |
		craft "$srv" "$cli"
	for p; do echo "$CLI_IP4 $SRV_IP4 $p $P_CRAFT A 1001 5001"; done |
		craft "$cli" "$srv"
}

# seg SPORT OFF HEX: a client segment line, HEX at stream offset OFF.
seg() { echo "$CLI_IP4 $SRV_IP4 $1 $P_CRAFT PA $((1001 + $2)) 5001 x:$3"; }

# config_get NS KEY: one value of `sslvctl config`.
config_get() { ctl "$1" config | awk -v k="$2" '$1 == k { print $2 }'; }

hs_is() { [[ $(config_get "$1" hs-bytes) == "$2" ]]; }
hs_not() { [[ $(config_get "$1" hs-bytes) != "$2" ]]; }
stat_is() { [[ $(stat_get "$1" "$2") == "$3" ]]; }

# timeouts_logged N: A's monitor printed N sessions with error timeout.
timeouts_logged() { (($(grep -c ' error timeout$' "$OUT/monitor.txt") >= $1)); }

# A 2 KiB ClientHello: padding (extension 21) first, server_name last.
big_hello()
{
	/usr/bin/python3 - "$1" <<-'EOF'
	import struct, sys
	name = sys.argv[1].encode()
	sn = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
	exts = struct.pack("!HH", 21, 1900) + bytes(1900)
	exts += struct.pack("!HH", 0, len(sn)) + sn
	body = (b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x02\xc0\x2f" +
		b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
	msg = b"\x01" + struct.pack("!I", len(body))[1:] + body
	print((b"\x16\x03\x01" + struct.pack("!H", len(msg)) + msg).hex())
	EOF
}

# monitor_heard: the monitor in A printed the reject of a SYN to port 1.
monitor_heard()
{
	echo "$CLI_IP4 $SRV_IP4 40999 1 S 1000 0" | craft "$CLI" "$SRV"
	grep -q ":1 " "$OUT/monitor.txt"
}

module_load hs_mem_max=49152
topo_up
CLI_A=$CLI SRV_A=$SRV
CLI=$NS-cli-b BOX=$NS-box-b SRV=$NS-srv-b
topo_up
CLI_B=$CLI BOX_B=$BOX SRV_B=$SRV
CLI=$CLI_A BOX=$NS-box SRV=$SRV_A
for ns in "$CLI" "$SRV" "$CLI_B" "$SRV_B"; do
	deaf "$ns" $P_CRAFT
done

check "hs-mem default" "$(config_get "$BOX" hs-mem)" == 4194304
check "hs-timeout default" "$(config_get "$BOX" hs-timeout)" == 10
check_run "hs-mem below its bound refused" \
	bash -c "! ip netns exec $BOX $SSLVCTL config set hs-mem 32767 2>/dev/null"
check "hs-mem unchanged" "$(config_get "$BOX" hs-mem)" == 4194304
check_run "A: hs-mem $HS_MEM_A, hs-timeout 3600" \
	ctl "$BOX" config set hs-mem $HS_MEM_A hs-timeout 3600
check_run "B: hs-timeout 3600" ctl "$BOX_B" config set hs-timeout 3600
check "A: hs-mem" "$(config_get "$BOX" hs-mem)" == $HS_MEM_A
check "B: hs-mem untouched" "$(config_get "$BOX_B" hs-mem)" == 4194304

ip netns exec "$BOX" "$SSLVCTL" monitor >"$OUT/monitor.txt" &
ctl "$BOX" rule add dport 1 action reject >/dev/null
wait_for monitor_heard
ctl "$BOX" rule flush

hellos=$(/usr/bin/python3 "$TFO" hello good.example evil.example)
good=${hellos%%$'\n'*}
evil=${hellos##*$'\n'}
half=${good:0:80}			# its first 40 bytes

# B's flows: 42001 and 42002 for pages, 42003 and 42004 for netns.
ctl "$BOX_B" rule add sni evil.example action reject >/dev/null
open_flows "$CLI_B" "$SRV_B" 42001 42002 42003 42004

# ---- pages (B): 42001 opens with 40 bytes, 42002 has one at 15000.
seg 42001 0 "$half" | craft "$CLI_B" "$SRV_B"
poll -t 5 hs_not "$BOX_B" 0 || true
per=$(config_get "$BOX_B" hs-bytes)
seg 42002 15000 41 | craft "$CLI_B" "$SRV_B"
poll -t 5 hs_not "$BOX_B" "$per" || true
one=$(($(config_get "$BOX_B" hs-bytes) - per))
check "pages: a byte at 15000 costs what 40 bytes at 0 do" "$one" -eq "$per"
check "pages: and less than 4 KiB" "$one" -lt 4096
{
	seg 42002 15001 42
	seg 42002 15000 41
	seg 42002 13000 43
} | craft "$CLI_B" "$SRV_B"
check_run "pages: one more KiB for the byte at 13000, none for 15001" \
	poll -t 5 hs_is "$BOX_B" $((per + one + 1024))
check "pages: the same byte again is no conflict" \
	"$(stat_get "$BOX_B" tls_conflict)" -eq 0
seg 42002 15000 44 | craft "$CLI_B" "$SRV_B"
check_run "pages: another byte there conflicts" \
	poll -t 5 stat_is "$BOX_B" tls_conflict 1
check "pages: the conflict freed the flow's memory" \
	"$(config_get "$BOX_B" hs-bytes)" -eq "$per"

# ---- netns: fill A's bound with idle half-sent hellos.
ports=$(seq 43000 $((43000 + FILL - 1)))
# shellcheck disable=SC2086
open_flows "$CLI" "$SRV" $ports
for p in $ports; do seg "$p" 0 "$half"; done | craft "$CLI" "$SRV"
fit=$((HS_MEM_A / per))
check_run "netns: A counts the hellos past its bound" \
	poll -t 10 stat_is "$BOX" tls_limit_netns $((FILL - fit))
check "netns: A holds what fits" "$(config_get "$BOX" hs-bytes)" -eq \
	$((fit * per))
check "netns: A's reading never hit the global bound" \
	"$(stat_get "$BOX" tls_limit_global)" -eq 0

# B's hellos are read: in one segment (42003), and a 2 KiB one in three
# segments out of order (42004): [1400, end), [0, 700), [700, 1400).
big=$(big_hello evil.example)
{
	seg 42003 0 "$evil"
	seg 42004 1400 "${big:2800}"
	seg 42004 0 "${big:0:1400}"
	seg 42004 700 "${big:1400:1400}"
} | craft "$CLI_B" "$SRV_B"
# tls_rejected: theirs and 42002's conflict.
check_run "netns: B's hellos read, their rule rejects them" \
	poll -t 5 stat_is "$BOX_B" tls_rejected 3
check "netns: B's tls_client_hello" "$(stat_get "$BOX_B" tls_client_hello)" \
	-eq 2
check "netns: B's tls_limit_netns" "$(stat_get "$BOX_B" tls_limit_netns)" -eq 0
check "netns: B's tls_limit_global" "$(stat_get "$BOX_B" tls_limit_global)" -eq 0

# ---- timeout: A's idle readings end though their flows send nothing.
flows=$(config_get "$BOX" flows-current)
check_run "A: hs-timeout 1" ctl "$BOX" config set hs-timeout 1
check_run "timeout: A's hs-bytes back to 0" poll -t 10 hs_is "$BOX" 0
check "timeout: tls_hs_timeout" "$(stat_get "$BOX" tls_hs_timeout)" -eq "$fit"
check "timeout: flows still in the table" \
	"$(config_get "$BOX" flows-current)" -eq "$flows"
check "timeout: none ended as incomplete" \
	"$(stat_get "$BOX" tls_incomplete)" -eq 0
poll -t 5 timeouts_logged "$fit" || true
check "timeout: sessions logged with error timeout" \
	"$(grep -c ' error timeout$' "$OUT/monitor.txt")" -eq "$fit"
check "timeout: B's reading untouched" "$(config_get "$BOX_B" hs-bytes)" \
	-eq "$per"
