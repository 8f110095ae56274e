#!/usr/bin/env python3
"""A WebSocket (RFC 6455) echo server for the websocket module's end-to-end tests.

Standard library only. Listens on 127.0.0.1 (port 0 = a free one) and prints "port N" once it
listens, then one line per thing a test checks: "request <path>", "header <name>: <value>" for
headers other than the handshake's own, "frame fin=F op=O masked=M <payload>" for each frame from the
client. A text frame is echoed, except for these commands, which make the server act:
  frag      two fragments: "Hel" (FIN 0, text) then "lo" (FIN 1, continuation)
  ping-me   a ping with payload "abc", then the text "pinged" (the client's pong is logged)
  close-me  a close frame (1000)
  big       a text frame of 32769 bytes;  max: one of 32768 bytes
  bye       closes the TCP connection
A binary frame is echoed as binary; a ping is answered with a pong and the text "got ping". Path /refuse answers 404; path /greet sends "hi" in the same
write as the 101 response. With --cert and --key it speaks TLS (wss://).
"""
import argparse
import base64
import hashlib
import socket
import ssl
import struct
import sys
import threading

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OWN_HEADERS = {"host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"}


def log(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def frame(fin, op, payload):
    head = bytes([(0x80 if fin else 0) | op])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n <= 0xFFFF:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def serve(conn):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk:
            return
        request += chunk
    head, _, rest = request.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    log("request " + path)
    key = ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "sec-websocket-key":
            key = value.strip()
        if name.lower() not in OWN_HEADERS:
            log("header " + line)
    if path == "/refuse":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").encode()
    if path == "/greet":
        response += frame(True, 1, b"hi")
    conn.sendall(response)
    pending = rest
    while True:
        if len(pending) < 2:
            pending += read_exact(conn, 2 - len(pending))
        b0, b1 = pending[0], pending[1]
        pending = pending[2:]

        def take(n):
            nonlocal pending
            while len(pending) < n:
                pending += read_exact(conn, n - len(pending))
            out, pending = pending[:n], pending[n:]
            return out

        fin, op, masked, n = b0 >> 7, b0 & 0x0F, b1 >> 7, b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", take(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", take(8))[0]
        mask = take(4) if masked else b"\0\0\0\0"
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(take(n)))
        shown = payload.decode("latin-1") if len(payload) <= 64 else "<%d bytes>" % len(payload)
        log("frame fin=%d op=%d masked=%d %s" % (fin, op, masked, shown))
        if op == 1 and payload == b"frag":
            conn.sendall(frame(False, 1, b"Hel") + frame(True, 0, b"lo"))
        elif op == 1 and payload == b"ping-me":
            conn.sendall(frame(True, 9, b"abc") + frame(True, 1, b"pinged"))
        elif op == 1 and payload == b"close-me":
            conn.sendall(frame(True, 8, struct.pack(">H", 1000)))
        elif op == 1 and payload == b"big":
            conn.sendall(frame(True, 1, b"x" * 32769))
        elif op == 1 and payload == b"max":
            conn.sendall(frame(True, 1, b"y" * 32768))
        elif op == 1 and payload == b"bye":
            return
        elif op in (1, 2):
            conn.sendall(frame(True, op, payload))
        elif op == 9:
            conn.sendall(frame(True, 10, payload) + frame(True, 1, b"got ping"))
        elif op == 8:
            return


def handle(conn, context):
    try:
        if context is not None:
            conn = context.wrap_socket(conn, server_side=True)
        serve(conn)
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    log("port %d" % listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn, context), daemon=True).start()


if __name__ == "__main__":
    main()
