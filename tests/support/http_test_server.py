#!/usr/bin/env python3
"""The HTTP(S) server the http tests start (tests/support/http_server.hpp).

Usage: http_test_server.py CERT KEY CA
Listens on two free 127.0.0.1 ports and prints "PORTS <both> <https>" on stdout once both accept
connections: <both> answers plain HTTP and HTTPS (a connection whose first byte is a TLS handshake
record is served over TLS with CERT/KEY, PEM), so one --host entry serves a script's http:// and
https:// URLs of one name; <https> answers HTTPS only; <mtls> HTTPS only to clients with a
certificate CA signed. The line is "PORTS <both> <https> <mtls>". Every response closes the connection.

Paths (the query string is ignored unless said):
  /echo            200, text/plain: the request as received (request line, headers in order, body)
  /get, /post, /   200, application/json: {"method", "path", "headers": {...}, "body"}
  /anything...     same as /get (the demos' other URLs land here too)
  /chunked         200, chunked: "chunk-1 ", "chunk-2 ", ..., "chunk-5" (five chunks)
  /chunked_cut     200, chunked: two chunks, then the connection closes without the last chunk
  /redirect        302, Location: /get, a short body
  /status/N        status N, body "status N"
  /big?n=BYTES     200, Content-Length: BYTES of the pattern "0123456789" repeated
  /slow?ms=MS      the headers after MS milliseconds, then "slow"
  /stall           the status line, then nothing (the connection stays open)
  /cut_headers     half a header block, then the connection closes
  /short_body      Content-Length: 10, 4 bytes, then the connection closes
  /nolength        200 without Content-Length and without chunks: "whole" in one piece, then close
  /huge_headers    a header block larger than 8 KiB
  /odd_header      X-Odd: "a b" and X-Plain: "ab c" (LuatOS's header-value quirk), no body
  /gzip, /v7/weather/...  200, a gzip-compressed JSON document (the http demo's weather query)
  /empty           200, Content-Length: 0
  /resolve?name=N  200, application/json: ["192.0.2.<len(N)>"] (Alibaba's HTTP DNS, httpdns.ali)
  /d?dn=N          200, text/plain: "198.51.100.<len(N)>,198.51.100.1" (Tencent's HTTP DNS, httpdns.tx)
"""
import gzip
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, code, body, ctype="text/plain", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def handle_any(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        path = url.path
        body = self._body()
        if path == "/echo":
            head = self.requestline + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in self.headers.items())
            self._send(200, head.encode() + b"\r\n" + body)
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(1, 6):
                piece = (f"chunk-{i}" + (" " if i < 5 else "")).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True
        elif path == "/chunked_cut":
            self._raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n")
        elif path == "/redirect":
            self._send(302, b"moved", extra=[("Location", "/get")])
        elif path.startswith("/status/"):
            code = int(path.split("/")[2])
            self._send(code, f"status {code}".encode())
        elif path == "/big":
            n = int(q.get("n", ["100000"])[0])
            data = (b"0123456789" * (n // 10 + 1))[:n]
            self._send(200, data, "application/octet-stream")
        elif path == "/slow":
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000)
            self._send(200, b"slow")
        elif path == "/stall":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            time.sleep(30)
            self.close_connection = True
        elif path == "/cut_headers":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Type: te")
        elif path == "/short_body":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd")
        elif path == "/nolength":
            self._raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nwhole")
        elif path == "/odd_header":
            self._raw(b"HTTP/1.1 200 OK\r\nX-Odd: a b\r\nX-Plain: ab c\r\nContent-Length: 0\r\n\r\n")
        elif path == "/huge_headers":
            self._raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"x" * 9000 + b"\r\n\r\nbody")
        elif path == "/gzip" or path.startswith("/v7/weather/"):
            doc = json.dumps({"code": "200", "now": {"text": "sunny", "temp": "21"}}).encode()
            self._send(200, gzip.compress(doc), "application/json", [("Content-Encoding", "gzip")])
        elif path == "/empty":
            self._send(200, b"")
        elif path == "/resolve":
            name = q.get("name", [""])[0]
            self._send(200, json.dumps([f"192.0.2.{len(name)}"]).encode(), "application/json")
        elif path == "/d":
            name = q.get("dn", [""])[0]
            self._send(200, f"198.51.100.{len(name)},198.51.100.1".encode())
        else:
            doc = {
                "method": self.command,
                "path": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("latin-1"),
            }
            self._send(200, json.dumps(doc, sort_keys=True).encode(), "application/json")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sniff_tls = None  # an SSLContext: serve connections that start with a TLS record over TLS

    def finish_request(self, request, client_address):
        if self.sniff_tls is not None:
            try:
                first = request.recv(1, socket.MSG_PEEK)
                if first == b"\x16":
                    request = self.sniff_tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                return
        super().finish_request(request, client_address)


def main():
    cert, key, ca = sys.argv[1], sys.argv[2], sys.argv[3]
    plain = Server(("127.0.0.1", 0), Handler)
    secure = Server(("127.0.0.1", 0), Handler)
    mutual = Server(("127.0.0.1", 0), Handler)
    mctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    mctx.load_cert_chain(cert, key)
    mctx.load_verify_locations(ca)
    mctx.verify_mode = ssl.CERT_REQUIRED
    mutual.socket = mctx.wrap_socket(mutual.socket, server_side=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    secure.socket = ctx.wrap_socket(secure.socket, server_side=True)
    plain.sniff_tls = ctx
    for s in (plain, secure, mutual):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = " ".join(str(s.server_address[1]) for s in (plain, secure, mutual))
    print(f"PORTS {ports}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
