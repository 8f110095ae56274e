"""A private mosquitto for one bench session: a free 127.0.0.1 port (and a TLS one), no persistence,
set_tcp_nodelay, max_queued_messages high (a counted message is never dropped by the broker),
max_inflight_messages left at its default of 20 (the window the QoS 1/2 cases use)."""

import os
import socket
import subprocess
import time

from .proc import Proc

MAX_INFLIGHT = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificates(folder):
    """A CA and a server certificate for localhost / 127.0.0.1 (EC P-256, two days). Returns the paths."""
    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=bench-ca")
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(folder, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "2", "-extfile", "server.ext")
    for name in ("ca.key", "server.key"):
        os.chmod(os.path.join(folder, name), 0o644)  # readable if mosquitto drops to its own user
    return {name: os.path.join(folder, name) for name in ("ca.crt", "server.crt", "server.key")}


class Broker:
    """Start with start(), stop with stop() (SIGTERM to its pid). `port`, `tls_port`, `ca_file`."""

    def __init__(self, folder, tls=True):
        self.folder = folder
        self.tls = tls
        self.port = None
        self.tls_port = None
        self.ca_file = None
        self.proc = None
        self.log_file = os.path.join(folder, "mosquitto.log")

    def _config(self, certs):
        lines = [
            "per_listener_settings false",
            "allow_anonymous true",
            "persistence false",
            "set_tcp_nodelay true",
            "max_queued_messages 100000000",
            "max_inflight_messages %d" % MAX_INFLIGHT,
            "log_dest file %s" % self.log_file,
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if os.geteuid() == 0:
            lines.append("user root")
        lines.append("listener %d 127.0.0.1" % self.port)
        if certs:
            lines += ["listener %d 127.0.0.1" % self.tls_port, "cafile %s" % certs["ca.crt"],
                      "certfile %s" % certs["server.crt"], "keyfile %s" % certs["server.key"]]
        return "\n".join(lines) + "\n"

    def _ready(self, port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    def start(self):
        certs = make_certificates(self.folder) if self.tls else None
        if certs:
            self.ca_file = certs["ca.crt"]
        for _ in range(5):  # a free port can be taken between the check and the bind: try another
            self.port = free_port()
            self.tls_port = free_port() if certs else None
            conf = os.path.join(self.folder, "mosquitto.conf")
            with open(conf, "w") as f:
                f.write(self._config(certs))
            self.proc = Proc(["mosquitto", "-c", conf])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and self.proc.returncode is None:
                if self._ready(self.port) and (not certs or self._ready(self.tls_port)):
                    return self
                time.sleep(0.002)
            self.proc.stop()
        raise RuntimeError("mosquitto did not start: %s" % self.proc.describe_failure())

    def stop(self):
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
