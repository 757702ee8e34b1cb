#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Undecryptable traffic, end to end with real clients and nginx across the
# bridge: the client-certificate default (a TLS 1.2 server that sends a
# CertificateRequest gets both ends reset, or is cut when so configured;
# TLS 1.3 hides the request), tls-version rules decided at the server's
# flight, nontls rules decided at the client's first bytes, and the
# client-side undecryptable classes of real recorded ClientHellos replayed
# over TCP. Each reset is seen by both real sockets and on the wire; the
# counters, rule hits and session log are exact; at the end no handshake
# memory is left.

source "$(dirname "$0")/../lib.sh"

DATA=$REPO/selftests/unit/data
NAME=undecryptable.sslv.test
W=$(mktemp -d)
on_exit rm -rf "$W"

# PEER_PY MODE ...: the test's own endpoints. Each prints (or logs) what a
# user would see: "handshake VERSION", "end ERRNO", "end TIMEOUT" when the
# connection stayed up and silent for WAIT seconds, "end EOF".
#   tls ADDR PORT SPORT           TLS 1.2 handshake (Python's ssl, OpenSSL)
#   send ADDR PORT SPORT FILE WAIT
#                                 connect, send FILE's bytes (a .hex file of
#                                 selftests/unit/data is decoded), read
#   sink PORT LOG                 accept and read every connection; log
#                                 "SPORT bytes N end ERRNO|EOF" at its end
PEER_PY='
import errno, socket, ssl, sys, threading

def why(e):
    if isinstance(e, socket.timeout):
        return "TIMEOUT"
    return errno.errorcode.get(e.errno, str(e.errno))

def connect(addr, port, sport):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("0.0.0.0", sport))
    c.settimeout(10)
    c.connect((addr, port))
    return c

def data(path):
    raw = open(path, "rb").read()
    if not path.endswith(".hex"):
        return raw
    return bytes.fromhex("".join(l for l in raw.decode().splitlines()
                                 if not l.startswith("#")))

def tls(addr, port, sport):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    try:
        s = ctx.wrap_socket(connect(addr, port, sport))
        print("handshake " + s.version())
    except OSError as e:
        print("end " + why(e))

def send(addr, port, sport, path, wait):
    try:
        c = connect(addr, port, sport)
        c.sendall(data(path))
        c.settimeout(float(wait))
        print("end EOF" if not c.recv(4096) else "end DATA")
    except OSError as e:
        print("end " + why(e))

def drain(conn, sport, log, lock):
    n, end = 0, "EOF"
    try:
        while True:
            b = conn.recv(65536)
            if not b:
                break
            n += len(b)
    except OSError as e:
        end = why(e)
    with lock, open(log, "a") as f:
        f.write("%d bytes %d end %s\n" % (sport, n, end))

def sink(port, log):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    lock = threading.Lock()
    while True:
        conn, peer = s.accept()
        threading.Thread(target=drain, args=(conn, peer[1], log, lock),
                         daemon=True).start()

mode, args = sys.argv[1], sys.argv[2:]
if mode == "tls":
    tls(args[0], int(args[1]), int(args[2]))
elif mode == "send":
    send(args[0], int(args[1]), int(args[2]), args[3], args[4])
else:
    sink(int(args[0]), args[1])
'

# hello_len FILE: how many bytes PEER_PY send sends of FILE.
hello_len()
{
	if [[ $1 == *.hex ]]; then
		echo $(($(grep -v '^#' "$1" | tr -d '\n' | wc -c) / 2))
	else
		stat -c %s "$1"
	fi
}

# compressed_hello IN OUT: the real ClientHello IN offering DEFLATE before
# NULL compression, as OpenSSL clients did before 1.1.0; no recorded client
# of today offers compression.
compressed_hello()
{
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import struct, sys
rec = bytes.fromhex("".join(l for l in open(sys.argv[1]).read().splitlines()
                            if not l.startswith("#")))
body = rec[9:]
p = 2 + 32
p += 1 + body[p]                                   # session id
p += 2 + struct.unpack(">H", body[p:p + 2])[0]     # cipher suites
assert body[p:p + 2] == b"\x01\x00"                # null compression only
body = body[:p] + b"\x02\x01\x00" + body[p + 2:]
hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
open(sys.argv[2], "wb").write(rec[:3] + struct.pack(">H", len(hs)) + hs)
EOF
}

# The session log: one monitor in text, one in JSON, for the whole test.
# They listen once a rejected SYN (port 1) shows in both.
monitor_up()
{
	ip netns exec "$BOX" "$SSLVCTL" monitor >"$OUT/monitor.txt" &
	ip netns exec "$BOX" "$SSLVCTL" -j monitor >"$OUT/monitor.json" &
	n_box "$SSLVCTL" rule add dport 1 action reject >/dev/null
	wait_for monitors_heard
	n_box "$SSLVCTL" rule flush
}

monitors_heard()
{
	n_cli "$SOCK" client "$SRV_IP4" 1 "$W/probe.status"
	grep -q ":1 " "$OUT/monitor.txt" &&
		grep -q '"dport":1,' "$OUT/monitor.json"
}

# session SPORT: the session line of the client port SPORT, once logged,
# without its flow id ("session CLIENT > SERVER ...").
session()
{
	wait_for -t 15 grep -q "^session flow [0-9]* $CLI_IP4:$1 " \
		"$OUT/monitor.txt"
	grep "^session flow [0-9]* $CLI_IP4:$1 " "$OUT/monitor.txt" |
		sed -E 's/^session flow [0-9]+ /session /'
}

# session_word SPORT KEY: the word after KEY in SPORT's session line.
session_word()
{
	session "$1" | awk -v key="$2" \
		'{ for (i = 1; i < NF; i++) if ($i == key) print $(i + 1) }'
}

# session_cipher SPORT: the cipher suite of SPORT's session line, its id
# and its IANA name ("0xc02c TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384").
session_cipher()
{
	session "$1" |
		sed -E 's/.* cipher (0x[0-9a-f]{4} TLS_[A-Z0-9_]+) sni .*/\1/'
}

# session_json SPORT EXPR: EXPR (Python, over the event "e") evaluated on
# SPORT's session event in JSON.
session_json()
{
	wait_for -t 15 grep -q "\"event\":\"session\".*\"sport\":$1," \
		"$OUT/monitor.json"
	grep "\"event\":\"session\".*\"sport\":$1," "$OUT/monitor.json" |
		/usr/bin/python3 -c 'import json, sys
e = json.loads(sys.stdin.readline())
print(eval(sys.argv[1]))' "$2"
}

# stats_reset: zero the counters, keeping the running tls_incomplete total.
INCOMPLETE=0
stats_reset()
{
	INCOMPLETE=$((INCOMPLETE + $(stat_get "$BOX" tls_incomplete)))
	n_box "$SSLVCTL" stats reset
}

# check_stats TAG NAME=VALUE...: each counter has exactly its VALUE.
check_stats()
{
	local tag=$1 stats kv

	shift
	stats=$(n_box cat /proc/net/sslv_stats)
	for kv in "$@"; do
		check "$tag: ${kv%=*}" \
			"$(awk -v n="${kv%=*}" '$1 == n { print $2 }' <<<"$stats")" \
			-eq "${kv#*=}"
	done
}

# rule_hits ID: the hit counter of rule ID.
rule_hits()
{
	n_box "$SSLVCTL" rule list | awk -v id="$1" '$2 == id { print $NF }'
}

# client_next PCAP SPORT: the client's next sequence number (absolute), as
# the segments from SPORT in PCAP leave it, RSTs aside; modulo 2^32.
client_next()
{
	tcpdump -r "$1" -nn -S "src host $CLI_IP4 and src port $2" 2>/dev/null |
		awk 'function mod(x) { return x - int(x / 4294967296) * 4294967296 }
		/Flags \[R/ { next }
		match($0, /seq [0-9]+(:[0-9]+)?/) {
			split(substr($0, RSTART + 4, RLENGTH - 4), s, ":")
			end = (2 in s) ? s[2] : s[1] + (/Flags \[[^]]*[SF]/ ? 1 : 0)
			end = mod(end)
			if (!seen || mod(end - next_seq) < 2147483648)
				next_seq = end
			seen = 1
		}
		END { printf "%.0f\n", next_seq }'
}

# rst_seqs PCAP SPORT: the sequence number of each RST from SPORT in PCAP.
rst_seqs()
{
	tcpdump -r "$1" -nn -S \
		"src port $2 and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null |
		sed -n 's/.* seq \([0-9]*\).*/\1/p'
}

# payload_pkts PCAP SRCPORT DSTPORT: segments with payload from SRCPORT to
# DSTPORT in PCAP.
payload_pkts()
{
	pkts "$1" "src port $2 and dst port $3 and" \
		"(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2)) > 0"
}

# rst_seen PCAP SPORT: an RST from SPORT is in PCAP (a running capture).
rst_seen()
{
	[[ -n $(rst_seqs "$1" "$2") ]]
}

# no_conn PORT: no connection to the server's PORT is left.
no_conn()
{
	[[ -z $(n_srv ss -Htn "sport = :$1") ]]
}

# server_reset TAG PCAP SPORT PORT: the server end of SPORT's connection got
# exactly one RST, at the client's next sequence number, and dropped it.
server_reset()
{
	local tag=$1 pcap=$2 sport=$3 port=$4

	check "$tag: RSTs reaching the server" "$(rst_seqs "$pcap" "$sport" | wc -l)" \
		-eq 1
	check "$tag: RST seq is the client's next" "$(rst_seqs "$pcap" "$sport")" \
		== "$(client_next "$pcap" "$sport")"
	check_run "$tag: server holds no connection to $port" poll no_conn "$port"
}

# 1. No rule: a TLS 1.2 server asking for a client certificate gets the
# flow rejected at its flight (the CertificateRequest), both ends reset.
test_client_cert_default()
{
	local tag=client-cert sport=40001 out

	stats_reset
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port 443
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port 443
	curl_get $sport 443 --tls-max 1.2
	check "$tag: curl exit" "$CURL_RC" -eq 35
	check "$tag: curl error" "$CURL_ERR" == \
		"curl: (35) Recv failure: Connection reset by peer"
	poll rst_seen "$OUT/$tag.srv.pcap" $sport || true
	capture_stop
	server_reset "$tag" "$OUT/$tag.srv.pcap" $sport 443
	check "$tag: server flight segments reaching the client" \
		"$(payload_pkts "$OUT/$tag.cli.pcap" 443 $sport)" -eq 0
	check "$tag: server flight segments sent" \
		"$(payload_pkts "$OUT/$tag.srv.pcap" 443 $sport)" -ge 1
	check_stats "$tag" tls_client_hello=1 tls_server_hello=1 \
		tls_client_cert=1 tls_rejected=1 T_ssl_policy_reject=2 \
		tls_sessions=1
	check "$tag: session" "$(session $sport | cut -d' ' -f4-)" == \
		"$SRV_IP4:443 tls 1.2 cipher $(session_cipher $sport) sni $NAME alpn h2 action reject reason client-cert classes client-cert"
	check "$tag: session JSON reason, classes" \
		"$(session_json $sport 'e["reason"], e["classes"]')" == \
		"('client-cert', ['client-cert'])"

	stats_reset
	out=$(n_cli /usr/bin/python3 -c "$PEER_PY" tls "$SRV_IP4" 443 40002)
	check "$tag: python ssl client" "$out" == "end ECONNRESET"
	check_run "$tag: server holds no connection (python)" poll no_conn 443
	check_stats "$tag python" tls_client_cert=1 tls_rejected=1 \
		T_ssl_policy_reject=2
	check "$tag: python session" \
		"$(session_word 40002 action) $(session_word 40002 reason)" == \
		"reject client-cert"

	stats_reset
	out=$(n_cli timeout 20 openssl s_client -tls1_2 \
		-connect "$SRV_IP4:443" </dev/null 2>&1) || true
	check "$tag: openssl s_client reset" \
		"$(grep -c 'errno=104' <<<"$out")" -ge 1
	check_run "$tag: server holds no connection (openssl)" poll no_conn 443
	check_stats "$tag openssl" tls_client_cert=1 tls_rejected=1 \
		T_ssl_policy_reject=2
}

# 2. client-cert cut: the handshake goes on and nginx refuses by itself.
test_client_cert_cut()
{
	local tag=client-cert-cut sport=40011

	stats_reset
	n_box "$SSLVCTL" config set client-cert cut
	curl_get $sport 443 --tls-max 1.2
	check "$tag: curl exit" "$CURL_RC" -eq 0
	check "$tag: nginx refuses (no certificate sent)" "$CURL_CODE" -eq 400
	check_stats "$tag" tls_client_cert=1 tls_rejected=0 \
		T_ssl_policy_reject=0 tls_sessions=1
	check "$tag: session" \
		"$(session_word $sport action) $(session_word $sport classes)" == \
		"cut client-cert"

	n_box "$SSLVCTL" config set client-cert reject
	check "$tag: config shows reject again" \
		"$(n_box "$SSLVCTL" config | awk '$1 == "client-cert" { print $2 }')" \
		== reject
}

# 3. TLS 1.3 encrypts the CertificateRequest: sslv cannot see it, only a
# path that decrypts the handshake could. The flow is cut, nginx refuses.
test_client_cert_tls13()
{
	local tag=client-cert-tls13 sport=40021

	stats_reset
	curl_get $sport 4443 --tlsv1.3
	check "$tag: curl exit" "$CURL_RC" -eq 0
	check "$tag: nginx refuses (no certificate sent)" "$CURL_CODE" -eq 400
	check_stats "$tag" tls_server_hello=1 tls_client_cert=0 tls_rejected=0 \
		T_ssl_policy_reject=0
	check "$tag: session" \
		"$(session_word $sport tls) $(session_word $sport action)" == \
		"1.3 cut"
	check "$tag: no class seen" "$(session_word $sport classes)" == ""
}

# 4. tls-version: decided at the server's flight, whose segment is dropped.
test_tls_version()
{
	local tag=tls-version sport=40031 id

	stats_reset
	id=$(n_box "$SSLVCTL" rule add dport 8443 tls-version 1.0-1.2 \
		action reject | awk '{ print $2 }')
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port 8443
	capture_start "$CLI" eth0 "$OUT/$tag.cli.pcap" tcp port 8443
	curl_get $sport 8443 --tls-max 1.2
	check "$tag: curl 1.2 exit" "$CURL_RC" -eq 35
	check "$tag: curl 1.2 error" "$CURL_ERR" == \
		"curl: (35) Recv failure: Connection reset by peer"
	poll rst_seen "$OUT/$tag.srv.pcap" $sport || true
	capture_stop
	check "$tag: ServerHello segments reaching the client" \
		"$(payload_pkts "$OUT/$tag.cli.pcap" 8443 $sport)" -eq 0
	check "$tag: ServerHello segments sent" \
		"$(payload_pkts "$OUT/$tag.srv.pcap" 8443 $sport)" -ge 1
	server_reset "$tag" "$OUT/$tag.srv.pcap" $sport 8443
	check_stats "$tag 1.2" tls_client_hello=1 tls_server_hello=1 \
		tls_rejected=1 T_ssl_policy_reject=2
	check "$tag: rule hits after 1.2" "$(rule_hits "$id")" -eq 1
	check "$tag: 1.2 session" "$(session $sport | cut -d' ' -f4-)" == \
		"$SRV_IP4:8443 tls 1.2 cipher $(session_cipher $sport) sni $NAME alpn h2 action reject rule $id reason rule"

	curl_get $((sport + 1)) 8443
	check "$tag: curl 1.3 exit" "$CURL_RC" -eq 0
	check "$tag: curl 1.3 status" "$CURL_CODE" -eq 200
	check_stats "$tag 1.3" tls_client_hello=2 tls_server_hello=2 \
		tls_rejected=1 T_ssl_policy_reject=2
	check "$tag: rule hits after 1.3" "$(rule_hits "$id")" -eq 1
	check "$tag: 1.3 session" \
		"$(session_word $((sport + 1)) tls) $(session_word $((sport + 1)) action)" \
		== "1.3 cut"
	n_box "$SSLVCTL" rule flush
}

# 5. nontls: decided at the client's first bytes. On 8443, whose server
# asks for no certificate, so that TLS passes by its own merit.
test_nontls()
{
	local tag=nontls sport=40041 id out

	stats_reset
	printf 'GET / HTTP/1.0\r\n\r\n' >"$W/http.req"
	id=$(n_box "$SSLVCTL" rule add dport 8443 nontls action reject |
		awk '{ print $2 }')
	capture_start "$SRV" eth0 "$OUT/$tag.srv.pcap" tcp port 8443
	out=$(n_cli /usr/bin/python3 -c "$PEER_PY" send "$SRV_IP4" 8443 $sport \
		"$W/http.req" 10)
	check "$tag: plain HTTP client" "$out" == "end ECONNRESET"
	poll rst_seen "$OUT/$tag.srv.pcap" $sport || true
	capture_stop
	server_reset "$tag" "$OUT/$tag.srv.pcap" $sport 8443
	check "$tag: request never reached the server" \
		"$(payload_pkts "$OUT/$tag.srv.pcap" $sport 8443)" -eq 0
	check_stats "$tag" tls_nontls=1 tls_client_hello=0 tls_rejected=1 \
		T_ssl_policy_reject=2
	check "$tag: rule hits" "$(rule_hits "$id")" -eq 1
	check "$tag: session" "$(session $sport | cut -d' ' -f4-)" == \
		"$SRV_IP4:8443 action reject rule $id reason rule error nontls"

	curl_get $((sport + 1)) 8443
	check "$tag: TLS curl status" "$CURL_RC $CURL_CODE" == "0 200"
	check_stats "$tag TLS" tls_client_hello=1 tls_rejected=1 \
		T_ssl_policy_reject=2
	check "$tag: rule hits after TLS" "$(rule_hits "$id")" -eq 1
	n_box "$SSLVCTL" rule flush
}

# replay TAG SPORT HELLO WANT: send the recorded HELLO to the sink on 9443;
# the client must see WANT ("end ECONNRESET", or "end TIMEOUT": still
# connected after 2 s) and the sink the matching end.
replay()
{
	local tag=$1 sport=$2 hello=$3 want=$4 bytes end

	check "$tag: client" \
		"$(n_cli /usr/bin/python3 -c "$PEER_PY" send "$SRV_IP4" 9443 \
		$sport "$hello" 2)" == "$want"
	if [[ $want == "end ECONNRESET" ]]; then
		bytes=0 end=ECONNRESET
	else
		bytes=$(hello_len "$hello")
		end=EOF
	fi
	wait_for grep -q "^$sport " "$W/sink.log"
	check "$tag: server end" "$(grep "^$sport " "$W/sink.log")" == \
		"$sport bytes $bytes end $end"
	# An undecided handshake is counted incomplete when its flow ends,
	# just before its session record: wait for the record, so that the
	# count lands before the next stats_reset reads and zeroes it.
	[[ $want == "end ECONNRESET" ]] ||
		check_run "$tag: logged incomplete" wait_for -t 15 grep -q \
			"^session flow [0-9]* $CLI_IP4:$sport .* error incomplete$" \
			"$OUT/monitor.txt"
}

# 6. The client-side classes, from real ClientHellos replayed over TCP.
test_client_classes()
{
	local tag id

	ip netns exec "$SRV" /usr/bin/python3 -c "$PEER_PY" sink 9443 \
		"$W/sink.log" &
	wait_for listening "$SRV" 9443
	compressed_hello "$DATA/openssl-tls12-client.hex" "$W/deflate.bin"

	tag=legacy-ssl
	stats_reset
	id=$(n_box "$SSLVCTL" rule add dport 9443 undecryptable legacy-ssl \
		action reject | awk '{ print $2 }')
	replay "$tag ssl3" 40051 "$DATA/nmap-ssl3-client.hex" "end ECONNRESET"
	replay "$tag sslv2" 40052 "$DATA/nmap-sslv2-client.hex" "end ECONNRESET"
	replay "$tag tls13" 40053 "$DATA/openssl-tls13-client.hex" "end TIMEOUT"
	check_stats "$tag" tls_client_hello=3 tls_rejected=2 \
		T_ssl_policy_reject=4
	check "$tag: rule hits" "$(rule_hits "$id")" -eq 2
	check "$tag: ssl3 session" "$(session 40051 | cut -d' ' -f4-)" == \
		"$SRV_IP4:9443 action reject rule $id reason rule classes legacy-ssl,no-cipher"
	check "$tag: sslv2 session classes" "$(session_word 40052 classes)" == \
		legacy-ssl,no-cipher
	n_box "$SSLVCTL" rule flush

	tag=no-cipher
	stats_reset
	id=$(n_box "$SSLVCTL" rule add dport 9443 undecryptable no-cipher \
		action reject | awk '{ print $2 }')
	replay "$tag ssl3" 40061 "$DATA/nmap-ssl3-client.hex" "end ECONNRESET"
	replay "$tag tls13" 40062 "$DATA/openssl-tls13-client.hex" "end TIMEOUT"
	check_stats "$tag" tls_client_hello=2 tls_rejected=1 \
		T_ssl_policy_reject=2
	check "$tag: rule hits" "$(rule_hits "$id")" -eq 1
	check "$tag: ssl3 session classes" "$(session_word 40061 classes)" == \
		legacy-ssl,no-cipher
	n_box "$SSLVCTL" rule flush

	tag=compression
	stats_reset
	id=$(n_box "$SSLVCTL" rule add dport 9443 undecryptable compression \
		action reject | awk '{ print $2 }')
	replay "$tag deflate" 40071 "$W/deflate.bin" "end ECONNRESET"
	replay "$tag tls12" 40072 "$DATA/openssl-tls12-client.hex" "end TIMEOUT"
	replay "$tag ssl3" 40073 "$DATA/nmap-ssl3-client.hex" "end TIMEOUT"
	check_stats "$tag" tls_client_hello=3 tls_rejected=1 \
		T_ssl_policy_reject=2
	check "$tag: rule hits" "$(rule_hits "$id")" -eq 1
	check "$tag: deflate session" "$(session 40071 | cut -d' ' -f4-)" == \
		"$SRV_IP4:9443 sni tls12.sslv.test action reject rule $id reason rule classes compression"
	n_box "$SSLVCTL" rule flush
}

# 7. Once every flow is gone, no handshake memory is left. The replays that
# stayed connected got no answer from the sink: their handshakes ended
# incomplete (tls13 twice, tls12, ssl3 under the compression rule).
test_hs_memory()
{
	check_run "hs-bytes: back to 0" poll -t 20 hs_bytes_zero
	INCOMPLETE=$((INCOMPLETE + $(stat_get "$BOX" tls_incomplete)))
	check "hs-bytes: tls_incomplete" "$INCOMPLETE" -eq 4
	check "hs-bytes: sessions logged incomplete" \
		"$(grep '^session .* error incomplete$' "$OUT/monitor.txt" |
		   cut -d' ' -f4 | sort | tr '\n' ' ')" == \
		"$CLI_IP4:40053 $CLI_IP4:40062 $CLI_IP4:40072 $CLI_IP4:40073 "
}

hs_bytes_zero()
{
	[[ $(n_box "$SSLVCTL" config | awk '$1 == "hs-bytes" { print $2 }') == 0 ]]
}


module_load
topo_up
# Closed and half-closed flows go within a second, so that scenario 7 need
# not wait for the peers' last segments.
n_box "$SSLVCTL" config set timeout-closed 1 timeout-closing 1
monitor_up
mtls_nginx_up

test_client_cert_default
test_client_cert_cut
test_client_cert_tls13
test_tls_version
test_nontls
test_client_classes
test_hs_memory
