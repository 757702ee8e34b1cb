# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/decrypt.sh: the "decrypt" item of tools/bench/guest.sh (which
# sources it, after selftests/lib.sh and topo_up): action decrypt, sslvd
# against SSLsplit and against the bare bridge, in one guest and in
# interleaved rounds.
#
# One nginx in the server namespace serves the same content on three ports
# per kind of certificate; the port decides who is in the way:
#
#   443, 1443  sslvd: an sslv rule "action decrypt", sslvd registered
#   444, 1444  SSLsplit (Debian's sslsplit -e tproxy): an nft bridge rule
#              brouts the client's frames to br0 (destination MAC br0's,
#              pkttype host), an inet tproxy rule hands them to sslsplit's
#              listener; it connects upstream from br0's address
#   445, 1445  nobody: the bare bridge (the module loaded, no rule matches)
#   446        SSLsplit for TLS 1.2: nginx allows only TLS 1.2 there, since
#              sslsplit, unlike sslvd, does not offer the server the
#              client's version (it would speak TLS 1.3 upstream)
#
# 44x present one certificate (server.test): a proxy forges its leaf once
# and then takes it from its cache. 144x present another certificate for
# every SNI (r<round>h<i>.test, written by certs.py), so every session of
# a round needs a new forged leaf. Both proxies sign with the same CA and
# a P-256 leaf key (sslvd makes its own at start, sslsplit gets one with
# -K), the server and the clients allow AES-128-GCM only (TLS 1.2
# ECDHE-ECDSA-AES128-GCM-SHA256, TLS 1.3 TLS_AES_128_GCM_SHA256).
#
# Measured, each configuration once per round (DEC_ROUNDS rounds):
#   dec.bulk{12,13}.{bare,sslvd,sslsplit}  MB/s of one curl download of a
#       sparse file, for DEC_SECS seconds (TLS 1.2 and 1.3)
#   dec.new{c,u}.{bare,sslvd,sslsplit}     sessions/s: DEC_CONNS full TLS
#       1.3 handshakes and a GET each, DEC_PROCS clients at a time,
#       cached (c) and uncached (u) leaves
#   dec.cpu.new{c,u}.{sslvd,sslsplit}      the proxy's CPU ms per session
#   dec.mem.{sslvd,sslsplit}               bytes per idle session:
#       DEC_IDLE TLS 1.3 sessions held open after one request each, the
#       growth of a freshly started proxy's RSS plus the kernel's (Slab and
#       TCP memory) growth beyond what the same sessions cost on the bare
#       bridge
# DEC_PROFILE=1 then records `perf record -a` of one TLS 1.3 download and
# one uncached session run through each proxy into
# $OUT/decrypt.profile.*.txt; each idle-session run leaves the slab caches
# that grew in $OUT/decrypt.slab.WHO.txt.

DEC_ROUNDS=${DEC_ROUNDS:-3}
DEC_SECS=${DEC_SECS:-3}
DEC_CONNS=${DEC_CONNS:-40}
DEC_PROCS=${DEC_PROCS:-4}
DEC_IDLE=${DEC_IDLE:-100}
DEC_MEM_ROUNDS=${DEC_MEM_ROUNDS:-2}
DEC_PROFILE=${DEC_PROFILE:-0}

DEC_SSLVD=${SSLVD:-$REPO/userspace/sslvd/sslvd}
DEC_CONN=$REPO/build/bench/tls_conns
DEC_CERTS=$REPO/tools/bench/certs.py
DEC_BOX_IP4=10.0.1.254
DEC_MARK=0x5c1d
DEC_SPLIT_MARK=0x5111
DEC_SPLIT_PORT=10444
declare -A dec_ports=([sslvd]=443 [sslsplit]=444 [bare]=445)
dec_pid_nginx= dec_pid_sslvd= dec_pid_split=

dec_ca()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.crt" -days 30 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# dec_setup: certificates, nginx, the box (address, routes, sysctls), the
# module's rules, sslvd, sslsplit and its nft rules. Everything under $D.
dec_setup()
{
	local brmac r

	D=$tmp/decrypt
	mkdir -p "$D/www" "$D/certs" "$D/tmp"
	chmod 755 "$D"
	dec_ca "$D/box" "sslv bench box CA"
	dec_ca "$D/srvca" "sslv bench server CA"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$D/srv.key" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$D/leaf.key" 2>/dev/null
	/usr/bin/python3 "$DEC_CERTS" "$D/srvca.crt" "$D/srvca.key" "$D/srv.key" \
		"$D/certs" server.test 1
	for ((r = 1; r <= DEC_ROUNDS + 2; r++)); do
		/usr/bin/python3 "$DEC_CERTS" "$D/srvca.crt" "$D/srvca.key" \
			"$D/srv.key" "$D/certs" "r${r}h%d.test" "$DEC_CONNS"
	done
	echo ok >"$D/www/s"
	truncate -s 64G "$D/www/big"	# a hole: zeros, no memory
	cat >"$D/nginx.conf" <<-EOF
	daemon off;
	master_process off;
	worker_rlimit_nofile 65536;
	pid $D/nginx.pid;
	error_log $D/nginx.err;
	events { worker_connections 16384; }
	http {
		log_format m '\$remote_addr \$server_port \$ssl_protocol \$ssl_cipher \$request';
		access_log $D/access.log m;
		client_body_temp_path $D/tmp;
		proxy_temp_path $D/tmp;
		keepalive_timeout 900s;
		keepalive_requests 1000000;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
		ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
		ssl_session_cache off;
		ssl_session_tickets off;
		ssl_certificate_key $D/srv.key;
		root $D/www;
		server {
			listen 443 ssl; listen 444 ssl; listen 445 ssl;
			ssl_certificate $D/certs/server.test.crt;
		}
		server {
			listen 446 ssl;
			ssl_protocols TLSv1.2;
			ssl_certificate $D/certs/server.test.crt;
		}
		server {
			listen 1443 ssl; listen 1444 ssl; listen 1445 ssl;
			ssl_certificate $D/certs/\$ssl_server_name.crt;
		}
	}
	EOF
	ip netns exec "$SRV" nginx -c "$D/nginx.conf" -e "$D/nginx.err" &
	dec_pid_nginx=$!
	wait_for listening "$SRV" 1445

	# the box: an address for sslsplit's upstream side, no br_netfilter
	n_box sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.br0.rp_filter=0
	if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
		n_box sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0
	fi
	ip -n "$BOX" addr add $DEC_BOX_IP4/24 dev br0

	module_load
	n_box "$SSLVCTL" rule add dst $SRV_IP4 dport 443 action decrypt >/dev/null
	n_box "$SSLVCTL" rule add dst $SRV_IP4 dport 1443 action decrypt >/dev/null
	dec_start sslvd

	brmac=$(ip -n "$BOX" -br link show br0 | awk '{ print $3 }')
	n_box nft -f - <<-EOF
	table bridge sslsplit {
		chain pre {
			type filter hook prerouting priority -300; policy accept;
			ip daddr $SRV_IP4 tcp dport { 444, 446, 1444 } ether daddr set $brmac meta pkttype set host
		}
	}
	table inet sslsplit {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			ip daddr $SRV_IP4 tcp dport { 444, 446, 1444 } tproxy ip to :$DEC_SPLIT_PORT meta mark set $DEC_SPLIT_MARK accept
		}
	}
	EOF
	n_box ip rule add fwmark $DEC_SPLIT_MARK lookup $DEC_SPLIT_MARK
	n_box ip route add local 0.0.0.0/0 dev lo table $DEC_SPLIT_MARK
	dec_start sslsplit
}

# dec_start sslvd|sslsplit: (re)start that proxy, a fresh process
dec_start()
{
	if [[ $1 == sslvd ]]; then
		if [[ -n $dec_pid_sslvd ]]; then
			kill "$dec_pid_sslvd"
			wait "$dec_pid_sslvd" || true
		fi
		ip netns exec "$BOX" "$DEC_SSLVD" -f --mark $DEC_MARK \
			--ca-cert "$D/box.crt" --ca-key "$D/box.key" \
			--trust-store "$D/srvca.crt" --idle-timeout 900 \
			2>>"$OUT/decrypt.sslvd.log" &
		dec_pid_sslvd=$!
		wait_for listening "$BOX" 8443
	else
		if [[ -n $dec_pid_split ]]; then
			kill "$dec_pid_split"
			wait "$dec_pid_split" || true
			poll test -z "$(n_box ss -Hltn "sport = :$DEC_SPLIT_PORT")" || true
		fi
		# -u root: the keys are in a directory only root reads
		ip netns exec "$BOX" sslsplit -u root -k "$D/box.key" -c "$D/box.crt" \
			-K "$D/leaf.key" ssl 0.0.0.0 $DEC_SPLIT_PORT tproxy \
			>>"$OUT/decrypt.sslsplit.log" 2>&1 &
		dec_pid_split=$!
		wait_for listening "$BOX" $DEC_SPLIT_PORT
	fi
}

# dec_cpu_ms PID: CPU time (user + system) of PID and its children, ms
dec_cpu_ms()
{
	local p t=0 tck

	tck=$(getconf CLK_TCK)
	for p in "$1" $(pgrep -P "$1" || true); do
		t=$((t + $(awk '{ print $14 + $15 }' /proc/$p/stat)))
	done
	echo $((t * 1000 / tck))
}

dec_teardown()
{
	local p

	for p in $dec_pid_split $dec_pid_sslvd $dec_pid_nginx; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	dec_pid_split= dec_pid_sslvd= dec_pid_nginx=
	n_box nft delete table bridge sslsplit 2>/dev/null || true
	n_box nft delete table inet sslsplit 2>/dev/null || true
	n_box ip rule del fwmark $DEC_SPLIT_MARK lookup $DEC_SPLIT_MARK 2>/dev/null || true
	ip -n "$BOX" addr del $DEC_BOX_IP4/24 dev br0 2>/dev/null || true
	[[ -z $module_loaded ]] || module_unload
}

# dec_curl_args VERSION: curl's options for one TLS version and the cipher
dec_curl_args()
{
	if [[ $1 == 1.2 ]]; then
		echo --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256
	else
		echo --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256
	fi
}

# dec_port WHO VERSION: the server port for WHO and VERSION
dec_port()
{
	if [[ $1 == sslsplit && $2 == 1.2 ]]; then
		echo 446
	else
		echo "${dec_ports[$1]}"
	fi
}

# dec_check WHO VERSION: one GET through WHO: the page, the issuer the
# client sees, both legs' protocol and cipher.
dec_check()
{
	local who=$1 v=$2 port err issuer cipher want

	port=$(dec_port "$who" "$v")

	err=$(n_cli curl -sv -k -m 20 $(dec_curl_args "$v") \
		--resolve "server.test:$port:$SRV_IP4" \
		"https://server.test:$port/s" 2>&1) || true
	check "$who TLS $v: the page" "$(grep -c '^ok$' <<<"$err" || true)" -eq 1
	issuer=$(sed -n 's/^\*  issuer: //p' <<<"$err")
	want="CN=sslv bench box CA"
	[[ $who == bare ]] && want="CN=sslv bench server CA"
	check "$who TLS $v: issuer" "$issuer" == "$want"
	if [[ $v == 1.2 ]]; then
		cipher="TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
	else
		cipher="TLSv1.3 TLS_AES_128_GCM_SHA256"
	fi
	check "$who TLS $v: the client's leg" \
		"$(sed -n 's/^\* SSL connection using \(.*\) \/ \(.*\)/\1 \2/p' <<<"$err")" \
		== "$cipher"
	check "$who TLS $v: the server's leg" \
		"$(tail -n 1 "$D/access.log" | cut -d' ' -f3-4)" == "$cipher"
}

# dec_pid WHO: the pid of proxy WHO (sslvd, sslsplit); none for bare
dec_pid()
{
	case $1 in
	sslvd) echo "$dec_pid_sslvd" ;;
	sslsplit) echo "$dec_pid_split" ;;
	esac
}

# dec_bulk WHO VERSION: MB/s of one download through WHO, and the CPU
# (user and system: kTLS's crypto runs in the proxy's own system calls)
# the proxy spent a MB
dec_bulk()
{
	local who=$1 v=$2 port out pid c0

	pid=$(dec_pid "$who")
	port=$(dec_port "$who" "$v")
	[[ -z $pid ]] || c0=$(dec_cpu_ms "$pid")
	out=$(n_cli curl -s -k -m "$DEC_SECS" -o /dev/null $(dec_curl_args "$v") \
		-w '%{size_download} %{time_total} %{time_pretransfer}' \
		--resolve "server.test:$port:$SRV_IP4" \
		"https://server.test:$port/big") || true
	sample "dec.bulk${v/./}.$who" "$(awk '{ printf "%.2f", $1 / ($2 - $3) / 1e6 }' <<<"$out")"
	[[ -z $pid ]] || sample "dec.cpu.bulk${v/./}.$who" \
		"$(awk -v c=$(($(dec_cpu_ms "$pid") - c0)) '{ printf "%.1f", c / ($1 / 1e6) }' <<<"$out")"
}

# dec_new WHO c|u ROUND: TLS 1.3 sessions/s through WHO
dec_new()
{
	local who=$1 kind=$2 round=$3 port=${dec_ports[$1]} name=server.test
	local out s0 h0 f0 p0 pid c0

	if [[ $kind == u ]]; then
		port=$((port + 1000)) name="r${round}h%d.test"
	fi
	pid=$(dec_pid "$who")
	[[ -z $pid ]] || c0=$(dec_cpu_ms "$pid")
	if [[ $who == sslvd ]]; then
		s0=$(counter decrypt_sessions) h0=$(counter decrypt_cache_hits)
		f0=$(counter decrypt_failed) p0=$(counter decrypt_ktls_partial)
	fi
	out=$(n_cli "$DEC_CONN" rate $SRV_IP4 $port "$DEC_CONNS" "$DEC_PROCS" 1.3 "$name") ||
		true
	check "$who new sessions ($kind, round $round): none failed" \
		"$(awk '{ print $4 }' <<<"$out")" -eq 0
	sample "dec.new$kind.$who" "$(awk '{ printf "%.1f", $2 / $6 }' <<<"$out")"
	[[ -z $pid ]] || sample "dec.cpu.new$kind.$who" \
		"$(awk -v c=$(($(dec_cpu_ms "$pid") - c0)) '{ printf "%.1f", c / $2 }' <<<"$out")"
	[[ $who == sslvd ]] || return 0
	# the module counts sslvd's report of each session at its end
	poll -t 20 test "$(counter decrypt_sessions)" -ge $((s0 + DEC_CONNS)) || true
	check "sslvd ($kind, round $round): every session decrypted" \
		$(($(counter decrypt_sessions) - s0)) -eq "$DEC_CONNS"
	check "sslvd ($kind, round $round): none failed" \
		$(($(counter decrypt_failed) - f0)) -eq 0
	check "sslvd ($kind, round $round): kTLS all four ways" \
		$(($(counter decrypt_ktls_partial) - p0)) -eq 0
	if [[ $kind == u ]]; then
		check "sslvd (u, round $round): no leaf from the cache" \
			$(($(counter decrypt_cache_hits) - h0)) -eq 0
	else
		check "sslvd (c, round $round): leaves from the cache" \
			$(($(counter decrypt_cache_hits) - h0)) -ge $((DEC_CONNS - 1))
	fi
}

# dec_kernel_kb: kernel memory that sockets and their kTLS state take:
# Slab (kB) plus TCP's pages (sockstat "mem", in pages)
dec_kernel_kb()
{
	local slab pages

	echo 2 >/proc/sys/vm/drop_caches
	slab=$(awk '$1 == "Slab:" { print $2 }' /proc/meminfo)
	pages=$(awk '$1 == "TCP:" { print $NF }' /proc/net/sockstat)
	echo $((slab + pages * 4))
}

# dec_rss_kb PID: resident kB of PID and its children (sslsplit forks one)
dec_rss_kb()
{
	local p kb=0

	for p in "$1" $(pgrep -P "$1" || true); do
		kb=$((kb + $(awk '$1 == "VmRSS:" { print $2 }' /proc/$p/status)))
	done
	echo $kb
}

# dec_mem WHO: hold DEC_IDLE idle TLS 1.3 sessions through WHO; records
# dec.mem.WHO.{rss,kernel} (bytes, growth while held) and .held
dec_mem()
{
	local who=$1 port=${dec_ports[$1]} pid k0 r0=0 k1 r1=0 est

	# a fresh proxy: a process that ran sessions before reuses their freed
	# memory, and its RSS would not grow with these
	case $who in
	sslvd) dec_start sslvd; pid=$dec_pid_sslvd ;;
	sslsplit) dec_start sslsplit; pid=$dec_pid_split ;;
	*) pid= ;;
	esac
	k0=$(dec_kernel_kb)
	dec_slab >"$tmp/slab.0"
	[[ -z $pid ]] || r0=$(dec_rss_kb "$pid")
	mkfifo "$tmp/hold.in"
	n_cli "$DEC_CONN" hold $SRV_IP4 "$port" "$DEC_IDLE" 1.3 server.test \
		<"$tmp/hold.in" >"$tmp/hold.out" &
	local hold=$!
	exec {dec_fd}>"$tmp/hold.in"
	wait_for -t 300 grep -q held "$tmp/hold.out"
	sleep 1		# the last reports and frees settle
	k1=$(dec_kernel_kb)
	dec_slab >"$tmp/slab.1"
	[[ -z $pid ]] || r1=$(dec_rss_kb "$pid")
	# the caches that grew most, bytes per session
	awk -v n="$DEC_IDLE" 'NR == FNR { b[$1] = $2; next }
		{ d = $2 - b[$1]; if (d > 0) printf "%-28s %8.0f\n", $1, d / n }' \
		"$tmp/slab.0" "$tmp/slab.1" | sort -k2 -rn | head -n 15 \
		>>"$OUT/decrypt.slab.$who.txt"
	echo >>"$OUT/decrypt.slab.$who.txt"
	est=$(n_box ss -Htn state established | wc -l)
	exec {dec_fd}>&-
	wait $hold || true
	rm -f "$tmp/hold.in"
	check "$who: $DEC_IDLE idle sessions held" \
		"$(awk '{ print $2 }' "$tmp/hold.out")" -eq "$DEC_IDLE"
	if [[ $who != bare ]]; then
		check "$who: both legs of each in the box" "$est" -ge $((2 * DEC_IDLE))
	fi
	sample "dec.mem.$who.rss" $(((r1 - r0) * 1024))
	sample "dec.mem.$who.kernel" $(((k1 - k0) * 1024))
	sample "dec.mem.$who.held" "$DEC_IDLE"
	# the sessions' ends settle before the next configuration
	poll -t 30 test "$(n_box ss -Htn state established | wc -l)" -eq 0 || true
}

# dec_profile NAME CMD...: perf record -e cpu-clock -a while CMD (a
# command run in the client's namespace) runs; the report by command,
# object and symbol, and by command alone, in $OUT/decrypt.profile.NAME*
dec_profile()
{
	local name=$1

	shift
	command -v perf >/dev/null || return 0
	perf record -q -e cpu-clock -a -o "$tmp/perf.data" -- \
		ip netns exec "$CLI" "$@" >"$OUT/decrypt.profile.$name.out" \
		2>"$tmp/perf.err" || true
	perf report -q -i "$tmp/perf.data" --stdio --sort comm,dso,sym \
		--percent-limit 0.5 2>/dev/null >"$OUT/decrypt.profile.$name.txt" || true
	perf report -q -i "$tmp/perf.data" --stdio --sort comm,dso \
		--percent-limit 0.5 2>/dev/null >"$OUT/decrypt.profile.$name.comm.txt" || true
}

# dec_slab: /proc/slabinfo as "cache bytes" lines
dec_slab()
{
	awk 'NR > 2 { print $1, $3 * $4 }' /proc/slabinfo
}

# dec_crypto: the kernel's AES-GCM and GHASH for the CPU, as udev loads them
# on a box whose CPU has AES-NI and PCLMULQDQ (the guest has no udev, and
# kTLS would otherwise use the generic C code while every OpenSSL in the
# run uses AES-NI); says which AES-GCM kTLS gets.
dec_crypto()
{
	if grep -qw aes /proc/cpuinfo; then
		modprobe -a aesni_intel ghash_clmulni_intel 2>/dev/null || true
	fi
	say "kernel AES-GCM: $(awk '/^name/ { n = $3 } /^driver/ { d = $3 }
		/^priority/ && n == "gcm(aes)" && $3 > best { best = $3; drv = d }
		END { print drv ? drv : "none loaded yet (generic)" }' /proc/crypto)"
}

decrypt()
{
	local round who v kind

	command -v sslsplit >/dev/null || ksft_fail "decrypt: no sslsplit (tools/deps.sh --test)"
	[[ -x $DEC_SSLVD ]] || ksft_fail "decrypt: no $DEC_SSLVD (make userspace)"
	[[ -x $DEC_CONN ]] || ksft_fail "decrypt: no $DEC_CONN (make -C tools/bench)"
	modprobe -a tls nft_tproxy nft_socket nf_tproxy_ipv4 nft_meta_bridge 2>/dev/null || true
	dec_crypto
	ulimit -n 65536
	on_exit dec_teardown
	dec_setup
	sample dec.rounds "$DEC_ROUNDS"
	sample dec.conns "$DEC_CONNS"
	sample dec.procs "$DEC_PROCS"
	for who in bare sslvd sslsplit; do
		for v in 1.2 1.3; do
			dec_check $who $v
		done
	done
	for ((round = 1; round <= DEC_ROUNDS; round++)); do
		say "decrypt round $round/$DEC_ROUNDS"
		for v in 1.2 1.3; do
			for who in bare sslvd sslsplit; do
				dec_bulk $who $v
			done
		done
		for kind in c u; do
			for who in bare sslvd sslsplit; do
				dec_new $who $kind $round
			done
		done
	done
	for ((round = 1; round <= DEC_MEM_ROUNDS; round++)); do
		say "decrypt idle sessions round $round/$DEC_MEM_ROUNDS"
		for who in bare sslvd sslsplit; do
			dec_mem $who
		done
	done
	if ((DEC_PROFILE)); then
		say "decrypt profiles"
		round=$((DEC_ROUNDS + 1))
		for who in sslvd sslsplit; do
			dec_profile bulk13.$who curl -s -k -m "$DEC_SECS" -o /dev/null \
				$(dec_curl_args 1.3) -w '%{speed_download}\n' \
				--resolve "server.test:${dec_ports[$who]}:$SRV_IP4" \
				"https://server.test:${dec_ports[$who]}/big"
			dec_profile newu.$who "$DEC_CONN" rate $SRV_IP4 \
				$((dec_ports[$who] + 1000)) "$DEC_CONNS" "$DEC_PROCS" 1.3 \
				"r${round}h%d.test"
			round=$((round + 1))
		done
		n_box cat /proc/net/sslv_stats >"$OUT/decrypt.sslv_stats"
	fi
	dec_teardown
}

# The "ips" item: the attached IPS's cost. The same sslvd decrypts port 443
# with no IPS set (plain) and, in the same interleaved rounds, through an
# IPS that passes everything: a bridge joining the interfaces sslvd makes
# (`sslvctl ips set out ips0 in ips1`), so every byte also crosses a
# generated TCP connection and the bridge. Measured per round and mode:
#   dec.ips.bulk.{plain,ips}  MB/s of one TLS 1.3 download (DEC_SECS)
#   dec.ips.lat.{plain,ips}   ms per request: DEC_REQS GETs of a small page
#                             one after another on one kept-alive connection
#                             (after a first GET, whose time holds the
#                             handshakes)
DEC_REQS=${DEC_REQS:-100}

# dec_ips_mode plain|ips: no IPS, or the pass-everything bridge, ready
dec_ips_mode()
{
	if [[ $1 == plain ]]; then
		n_box "$SSLVCTL" ips del 2>/dev/null || true
		poll test -z "$(n_box ip -br link show ips1 2>/dev/null)" || true
		return
	fi
	local ups

	# up once a probe got through the bridge: a new configuration is up
	# at once, then down when its first probe finds no bridge yet
	ups=$(dec_ips_ups)
	n_box "$SSLVCTL" ips set out ips0 in ips1
	wait_for n_box ip link show ips1
	n_box ip link set ips0 master ipsbr
	n_box ip link set ips1 master ipsbr
	wait_for -t 30 dec_ips_up_since "$ups"
}

dec_ips_flows() { (($(counter ips_flows) == $1)); }
dec_ips_up_since() { (($(dec_ips_ups) > $1)); }
dec_ips_ups() { grep -c 'a probe got through ips0 and ips1: up' "$OUT/decrypt.sslvd.log" || true; }

# dec_ips_lat MODE: ms per request on one kept-alive connection
dec_ips_lat()
{
	local urls=() i out

	for ((i = 0; i <= DEC_REQS; i++)); do
		urls+=(-o /dev/null "https://server.test:443/s")
	done
	out=$(n_cli curl -s -k -m 120 $(dec_curl_args 1.3) \
		-w '%{http_code} %{num_connects} %{time_total}\n' \
		--resolve "server.test:443:$SRV_IP4" "${urls[@]}") || true
	check "ips $1: $((DEC_REQS + 1)) requests answered" \
		"$(grep -c '^200 ' <<<"$out")" -eq $((DEC_REQS + 1))
	check "ips $1: on one connection" "$(awk '{ n += $2 } END { print n }' <<<"$out")" -eq 1
	# the first request's time holds the handshakes: the others only
	sample "dec.ips.lat.$1" "$(awk -v n="$DEC_REQS" 'NR > 1 { t += $3 }
		END { printf "%.3f", t * 1000 / n }' <<<"$out")"
}

ips()
{
	local round mode f0 o0

	[[ -x $DEC_SSLVD ]] || ksft_fail "ips: no $DEC_SSLVD (make userspace)"
	modprobe -a tls 2>/dev/null || true
	dec_crypto
	ulimit -n 65536
	on_exit dec_teardown
	dec_setup
	n_box ip link add ipsbr type bridge forward_delay 0
	n_box ip link set ipsbr up
	sample dec.ips.rounds "$DEC_ROUNDS"
	sample dec.ips.reqs "$DEC_REQS"
	for ((round = 1; round <= DEC_ROUNDS; round++)); do
		say "ips round $round/$DEC_ROUNDS"
		for mode in plain ips; do
			dec_ips_mode $mode
			f0=$(counter ips_flows) o0=$(counter ips_fail_open)
			dec_bulk sslvd 1.3
			# dec_bulk's sample is the decrypt item's: move it here
			sed -i '$ s/^dec\.bulk13\.sslvd /dec.ips.bulk.'$mode' /' "$SAMPLES"
			dec_ips_lat $mode
			if [[ $mode == ips ]]; then
				check_run "ips round $round: both flows through the IPS" \
					poll dec_ips_flows $((f0 + 2))
			else
				check "plain round $round: no flow through an IPS" \
					"$(counter ips_flows)" -eq "$f0"
			fi
			check "$mode round $round: none cut for want of the IPS" \
				"$(counter ips_fail_open)" -eq "$o0"
		done
	done
	n_box "$SSLVCTL" ips del 2>/dev/null || true
	dec_teardown
}
