#!/usr/bin/env python3
"""A TLS echo server that sends every byte back as it comes (tests/support/tls_echo_server.hpp,
Echo::kBytes): `openssl s_server -rev` answers whole lines only, and the socket demos send no newline.

Usage: tls_raw_echo.py PORT CERT KEY. Listens on 127.0.0.1:PORT and prints "ACCEPT" once it does.
"""
import socket
import ssl
import sys
import threading


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(16)
    print("ACCEPT", flush=True)
    while True:
        raw, _ = listener.accept()
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
