#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""TLS ends for decrypt_fail.sh: a server and a client that say how their
connection ended.

  tls_peer.py server PORT CERT KEY MODE
  tls_peer.py client ADDR PORT CAFILE MODE [SNI]

Each prints "handshake" once its TLS handshake is done, and at the end one
line "end: WHAT", WHAT being the errno's name (ECONNRESET...), "eof" (the
peer closed, TCP FIN or close_notify) or "timeout" (nothing for 20 s).

server MODE:
  hold        echo what the client sends
  bad-record  echo the first line, then write a record that fails
              authentication (type 23, 32 random bytes) on the socket
              under the TLS layer, then read
  stream      send 4 KiB every 10 ms
client MODE:
  hold        send "ping", read the echo ("echo" printed), then read
  bad-record  the same, then write a record that fails authentication
  read        read (prints "got 64k" once 64 KiB came)
  deaf        never read: print "deaf", then the socket's error (SO_ERROR)
              once one comes, or "timeout" after 20 s
  partial     no TLS: send the first 40 bytes of a ClientHello, then close
              (FIN) after 0.5 s
"""
import errno
import os
import socket
import ssl
import sys
import time

BAD_RECORD = b"\x17\x03\x03\x00\x20" + os.urandom(32)


def how(e):
    """How an exception says the connection ended."""
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return "eof"
    if isinstance(e, ssl.SSLError):
        return "ssl %s" % e.reason
    return errno.errorcode.get(e.errno, str(e)) if e.errno else str(e)


def say(msg):
    print(msg, flush=True)


class Conn:
    """TLS over memory BIOs, so that the socket's own errors reach the
    caller (an SSLSocket reports a reset as a ragged EOF)."""

    def __init__(self, sock, ctx, server_side, sni=None):
        self.sock = sock
        self.inb, self.outb = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inb, self.outb, server_side=server_side,
                                server_hostname=sni)
        self.echo = False

    def flush(self):
        data = self.outb.read()
        if data:
            self.sock.sendall(data)

    def fill(self):
        data = self.sock.recv(65536)
        if data:
            self.inb.write(data)
        else:
            self.inb.write_eof()
        return data

    def handshake(self):
        while True:
            try:
                self.obj.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()

    def sendall(self, data):
        self.obj.write(data)
        self.flush()

    def recv(self, n):
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                self.fill()
            except ssl.SSLZeroReturnError:
                return b""

    def fileno(self):
        return self.sock.fileno()

    def getpeercert(self):
        return self.obj.getpeercert()


def finish(conn, read=True):
    """Reads until the connection ends; says how."""
    try:
        while read:
            data = conn.recv(65536)
            if not data:
                break
            if getattr(conn, "echo", False):
                conn.sendall(data)
        say("end: eof")
    except OSError as e:
        say("end: %s" % how(e))


def server(port, cert, key, mode):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.num_tickets = 0
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(8)
    say("listening")
    raw, _ = ls.accept()
    raw.settimeout(20)
    conn = Conn(raw, ctx, True)
    try:
        conn.handshake()
    except OSError as e:
        say("end: %s" % how(e))
        return
    say("handshake")
    if mode == "hold":
        conn.echo = True
        finish(conn)
    elif mode == "bad-record":
        try:
            conn.sendall(conn.recv(100))
            os.write(conn.fileno(), BAD_RECORD)
        except OSError as e:
            say("end: %s" % how(e))
            return
        finish(conn)
    elif mode == "stream":
        chunk = b"x" * 4096
        try:
            while True:
                conn.sendall(chunk)
                time.sleep(0.01)
        except OSError as e:
            say("end: %s" % how(e))


def client(addr, port, cafile, mode, sni="server.test"):
    if mode == "partial":
        hello = bytes.fromhex("16030100c4010000c00303") + os.urandom(29)
        s = socket.create_connection((addr, int(port)), timeout=20)
        say("connected")
        s.sendall(hello)
        time.sleep(0.5)
        s.shutdown(socket.SHUT_WR)
        finish(s)
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    try:
        raw = socket.create_connection((addr, int(port)), timeout=20)
        conn = Conn(raw, ctx, False, sni)
        conn.handshake()
    except OSError as e:
        say("end: %s" % how(e))
        return
    issuer = dict(x[0] for x in conn.getpeercert()["issuer"])
    say("handshake issuer=%s" % issuer.get("commonName"))
    if mode in ("hold", "bad-record"):
        try:
            conn.sendall(b"ping\n")
            if conn.recv(100) == b"ping\n":
                say("echo")
            if mode == "bad-record":
                os.write(conn.fileno(), BAD_RECORD)
        except OSError as e:
            say("end: %s" % how(e))
            return
        finish(conn)
    elif mode == "read":
        got = 0
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                if got < 65536 <= got + len(data):
                    say("got 64k")
                got += len(data)
            say("end: eof")
        except OSError as e:
            say("end: %s" % how(e))
    elif mode == "deaf":
        say("deaf")
        for _ in range(200):
            err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                say("end: %s" % errno.errorcode[err])
                return
            time.sleep(0.1)
        say("end: timeout")
    elif mode == "hello":
        conn.sock.close()
        say("end: closed")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(*sys.argv[2:6])
    else:
        client(*sys.argv[2:])
