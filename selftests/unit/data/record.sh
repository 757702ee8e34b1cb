#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Re-records the handshake samples of this directory from real clients and
# servers talking over the loopback device. Needs root (tcpdump), openssl,
# gnutls-cli, curl, nmap, nginx, tshark, xxd and python3. Not run by CI: the
# recorded files are checked in and tls_test.c asserts their exact fields,
# so re-recording means reviewing those expectations again.
#
#   selftests/unit/data/record.sh [outdir]
#
# Each sample is one direction's opening bytes of the first TCP connection
# that carried data, in plain hex after one comment line:
#   <name>-client.hex   the ClientHello as sent (one or more records)
#   <name>-server.hex   the server's first flight, up to the client's next word
#
# pq-client.hex has no real client behind it: no client packaged in Debian 12
# offers a post-quantum group. It is openssl-tls13's ClientHello with
# X25519MLKEM768 (0x11ec) put first in supported_groups and a 1216-byte
# X25519MLKEM768 key share (random bytes, the size of a real one) put before
# the X25519 share, which makes it ~1.5 KB, about a browser's size. It is
# sent with an MSS of 536 so that it spans several TCP segments, and the
# server's real answer (it picks X25519) is recorded as pq-server.hex.
set -euo pipefail

OUT=$(realpath "${1:-$(dirname "$0")}")
WORK=$(mktemp -d)
PIDS=()
PORT=24430

cleanup() {
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

wait_listen() {
	local i

	for i in $(seq 50); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}

# hexfile FILE COMMENT: stdin (hex) to FILE, 64 digits a line.
hexfile() {
	{ echo "# $2"; fold -w 64; echo; } > "$1"
	sed -i '/^$/d' "$1"
}

# extract PCAP PORT NAME CLIENT_COMMENT SERVER_COMMENT
# The first TCP connection with data is taken, or the one after $SKIP such.
extract() {
	tshark -r "$1" -Y 'tcp.len > 0' -T fields -e tcp.stream -e tcp.srcport \
		-e tcp.payload | tr -d ':' | awk -v port="$2" -v out="$WORK/$3" \
		-v skip="${SKIP:-0}" '
		!($1 in seen) { seen[$1] = 1; if (n++ == skip) stream = $1 }
		$1 != stream { next }
		$2 != port && srv != "" { fin = 1 }
		fin { next }
		$2 != port { cli = cli $3; next }
		{ srv = srv $3 }
		END { print cli > (out ".c"); print srv > (out ".s") }'
	[ -n "$4" ] && hexfile "$OUT/$3-client.hex" "$4" < "$WORK/$3.c"
	if [ -n "$5" ] && [ -s "$WORK/$3.s" ] && [ "$(wc -c < "$WORK/$3.s")" -gt 1 ]; then
		hexfile "$OUT/$3-server.hex" "$5" < "$WORK/$3.s"
	fi
}

# record NAME CLIENT_COMMENT SERVER_COMMENT SERVER_CMD -- CLIENT_CMD
# The commands see $PORT; the server is stopped after the client ends.
record() {
	local name=$1 ccom=$2 scom=$3 cap srv dump
	local -a server=()

	shift 3
	while [ "$1" != -- ]; do
		server+=("$1")
		shift
	done
	shift
	PORT=$((PORT + 1))
	cap="$WORK/$name.pcap"
	tcpdump -i lo --immediate-mode -Z root -U -s 0 -w "$cap" "tcp port $PORT" 2> "$WORK/tcpdump.log" &
	dump=$!
	PIDS+=("$dump")
	until grep -q listening "$WORK/tcpdump.log"; do sleep 0.1; done
	"${server[@]/@PORT@/$PORT}" > "$WORK/$name.server.log" 2>&1 &
	srv=$!
	PIDS+=("$srv")
	wait_listen "$PORT"
	timeout 10 "${@/@PORT@/$PORT}" < /dev/null > "$WORK/$name.client.log" 2>&1 || true
	sleep 0.5
	kill "$srv" 2>/dev/null || true
	kill -INT "$dump"
	wait "$dump" || true
	extract "$cap" "$PORT" "$name" "$ccom" "$scom"
}

cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
	-days 2 -subj /CN=sslv.test -addext subjectAltName=DNS:*.sslv.test \
	2> /dev/null
SSRV=(openssl s_server -quiet -accept 127.0.0.1:@PORT@
      -cert cert.pem -key key.pem)

record openssl-tls13 \
	"openssl 3.0 s_client -tls1_3 -servername www.sslv.test -alpn h2,http/1.1" \
	"openssl 3.0 s_server -tls1_3: ServerHello, then encrypted records" \
	"${SSRV[@]}" -tls1_3 -- \
	openssl s_client -connect 127.0.0.1:@PORT@ -tls1_3 \
	-servername www.sslv.test -alpn h2,http/1.1

record openssl-tls12 \
	"openssl 3.0 s_client -tls1_2 -servername tls12.sslv.test" \
	"openssl 3.0 s_server -tls1_2: ServerHello Certificate ServerKeyExchange ServerHelloDone" \
	"${SSRV[@]}" -tls1_2 -- \
	openssl s_client -connect 127.0.0.1:@PORT@ -tls1_2 -servername tls12.sslv.test

record curl \
	"curl 7.88 (OpenSSL 3.0) -k https://curl.sslv.test/ (ALPN h2, http/1.1)" "" \
	"${SSRV[@]}" -- \
	curl -sk --resolve curl.sslv.test:@PORT@:127.0.0.1 https://curl.sslv.test:@PORT@/

record gnutls \
	"gnutls-cli 3.7 --insecure --sni-hostname gnutls.sslv.test --alpn imap" "" \
	"${SSRV[@]}" -- \
	gnutls-cli --insecure --sni-hostname gnutls.sslv.test --alpn imap \
	-p @PORT@ 127.0.0.1

# nmap probes an unknown port with a TLS hello of its own before the script
# runs: skip that connection.
SKIP=1 record nmap-sslv2 "nmap 7.93 --script sslv2: SSLv2 CLIENT-HELLO" "" \
	"${SSRV[@]}" -- nmap -Pn -sT -p @PORT@ --script sslv2 127.0.0.1

SKIP=1 record nmap-ssl3 "nmap 7.93 --script ssl-poodle: SSLv3 ClientHello" \
	"openssl 3.0 s_server refusing SSLv3: fatal alert handshake_failure" \
	"${SSRV[@]}" -- nmap -Pn -sT -p @PORT@ --script ssl-poodle 127.0.0.1

cat > nginx.conf <<EOF
daemon off;
master_process off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events {}
http {
	access_log off;
	server {
		listen 127.0.0.1:@PORT@ ssl;
		ssl_certificate $WORK/cert.pem;
		ssl_certificate_key $WORK/key.pem;
		ssl_protocols TLSv1.2;
		ssl_verify_client on;
		ssl_client_certificate $WORK/cert.pem;
	}
}
EOF
sed "s/@PORT@/$((PORT + 1))/" nginx.conf > nginx-port.conf
record nginx-mtls "" \
	"nginx 1.22, TLS 1.2, ssl_verify_client on: ... CertificateRequest ServerHelloDone" \
	nginx -c "$WORK/nginx-port.conf" -e "$WORK/nginx.err" -- \
	openssl s_client -connect 127.0.0.1:@PORT@ -tls1_2 -servername mtls.sslv.test

# The post-quantum hello, built from openssl-tls13's (see the top).
xxd -r -p <(grep -v '^#' "$OUT/openssl-tls13-client.hex") > hello13.bin
python3 - hello13.bin pq.bin <<'EOF'
import os, struct, sys
rec = open(sys.argv[1], 'rb').read()
hs = rec[5:]
body = hs[4:]
p = 2 + 32
p += 1 + body[p]                                   # session id
p += 2 + struct.unpack('>H', body[p:p + 2])[0]     # cipher suites
p += 1 + body[p]                                   # compression
head, exts, q = body[:p + 2], b'', p + 2
while q < len(body):
	t, n = struct.unpack('>HH', body[q:q + 4])
	d = body[q + 4:q + 4 + n]
	q += 4 + n
	if t == 10:                                    # supported_groups
		g = b'\x11\xec' + d[2:]
		d = struct.pack('>H', len(g)) + g
	elif t == 51:                                  # key_share
		s = struct.pack('>HH', 0x11ec, 1216) + os.urandom(1216) + d[2:]
		d = struct.pack('>H', len(s)) + s
	exts += struct.pack('>HH', t, len(d)) + d
body = head[:-2] + struct.pack('>H', len(exts)) + exts
hs = b'\x01' + struct.pack('>I', len(body))[1:] + body
open(sys.argv[2], 'wb').write(rec[:3] + struct.pack('>H', len(hs)) + hs)
EOF
cat > send.py <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
s.connect(('127.0.0.1', int(sys.argv[2])))
s.sendall(open(sys.argv[1], 'rb').read())
s.settimeout(2)
try:
	while s.recv(65536):
		pass
except OSError:
	pass
EOF
record pq \
	"openssl-tls13 hello + X25519MLKEM768 group and 1216-byte share (record.sh), sent with MSS 536" \
	"openssl 3.0 s_server -tls1_3 answering the pq hello: ServerHello (x25519)" \
	"${SSRV[@]}" -tls1_3 -- python3 send.py pq.bin @PORT@
