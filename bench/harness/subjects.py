"""The implementations under test and the one command line each runs per case.

  libmosquitto  build/bench/bench_peer_mosquitto    the reference peer (ratios are against it)
  paho          build/bench/bench_peer_paho         Paho C, MQTTClient API
  lua-host      build/luatos + bench/lua/, mqtt on socket.ETH0 (host sockets)
  lua-lwip      build/luatos + bench/lua/, mqtt on socket.LWIP_GP (lwIP on the simulated link)

Every subject gets the same parameters: the peers as options (bench/peers/options.hpp), the Lua
scripts as /luadb/bench_params.json. The runtime is told where the broker is with the host map
(--host NAME=127.0.0.1:PORT), so the scripts use plain names as a flashed script would.
"""

import json
import os
from dataclasses import dataclass, field

REFERENCE = "libmosquitto"

# The names the Lua scripts connect to; the runtime's host map sends them to the private broker.
LUA_BROKER = "bench.broker"
LUA_TLS_BROKER = "bench-tls.broker"
# What the single-link demo connects to (demo_scripts/single_mqtt/main.lua).
DEMO_HOST, DEMO_PORT = "lbsmqtt.airm2m.com", 1884


@dataclass
class Subject:
    name: str
    label: str
    kind: str  # "peer" or "lua"
    binary: str
    adapter: str = None  # lua: the socket adapter's name
    unavailable: str = None  # why it cannot run now (None: it can)
    notes: list = field(default_factory=list)

    @property
    def available(self):
        return self.unavailable is None


def make_subjects(source_dir, build_dir):
    bench_bin = os.path.join(build_dir, "bench")
    luatos = os.path.join(build_dir, "luatos")
    subjects = [
        Subject("libmosquitto", "libmosquitto C", "peer", os.path.join(bench_bin, "bench_peer_mosquitto")),
        Subject("paho", "Paho C", "peer", os.path.join(bench_bin, "bench_peer_paho")),
        Subject("lua-host", "Lua, host path", "lua", luatos, adapter="ETH0"),
        Subject("lua-lwip", "Lua, lwIP path", "lua", luatos, adapter="LWIP_GP"),
        # The shipped single-link demo (its default adapter), for the memory case.
        Subject("lua-demo", "Lua, single-link demo", "lua", luatos),
        # The start-up floor of this machine: spawn to the first line of a program that only prints one.
        Subject("exec-floor", "/bin/echo", "floor", "/bin/echo"),
    ]
    for s in subjects:
        if not os.access(s.binary, os.X_OK):
            s.unavailable = "not available yet (no %s)" % os.path.relpath(s.binary, source_dir)
    return {s.name: s for s in subjects}


def peer_argv(subject, spec, broker):
    """The peer's command line for one run. `spec`: the case's parameters (see cases.py)."""
    argv = [subject.binary, "--case", spec["case"], "--host", "127.0.0.1", "--port", broker.port,
            "--client-id", spec["client_id"]]
    for key, option in (("topic", "--topic"), ("size", "--size"), ("count", "--count"), ("qos", "--qos"),
                        ("window", "--window"), ("clients", "--clients"), ("duration", "--duration")):
        if spec.get(key) is not None:
            argv += [option, spec[key]]
    if spec.get("tls"):
        argv[argv.index("--port") + 1] = broker.tls_port
        argv += ["--tls-ca", broker.ca_file]
    return [str(a) for a in argv]


def lua_host_map(broker):
    out = ["--host", "%s=127.0.0.1:%d" % (LUA_BROKER, broker.port)]
    if broker.tls_port:
        out += ["--host", "%s=127.0.0.1:%d" % (LUA_TLS_BROKER, broker.tls_port)]
    return out


def lua_argv(subject, spec, broker, source_dir, run_dir, run_for_s):
    """The runtime's command line for one bench script run; writes RUN_DIR/bench_params.json."""
    params = dict(spec)
    params["adapter"] = subject.adapter
    if spec.get("tls"):
        params["host"], params["port"] = LUA_TLS_BROKER, broker.tls_port
    else:
        params["host"], params["port"] = LUA_BROKER, broker.port
    params_file = os.path.join(run_dir, "bench_params.json")
    with open(params_file, "w") as f:
        json.dump(params, f)
    # --attach-delay 0: the simulated network attach (500 ms by default) is not what these cases time.
    # --channels: the idle case holds its first client and `clients` more at once, past the module's 8.
    channels = ["--channels", str(spec["clients"] + 1)] if spec.get("case") == "idle" else []
    return [subject.binary, *lua_host_map(broker), "--attach-delay", "0", *channels, "--run-for",
            "%ds" % run_for_s, "--data-dir", os.path.join(run_dir, "data"),
            os.path.join(source_dir, "bench", "lua") + os.sep, params_file]


def lua_demo_argv(subject, broker, source_dir, run_dir, seconds):
    """The single-link demo as shipped, its broker name mapped to the private broker."""
    return [subject.binary, "--host", "%s=127.0.0.1:%d" % (DEMO_HOST, broker.port), "--run-for", "%gs" % seconds,
            "--data-dir", os.path.join(run_dir, "data"),
            os.path.join(source_dir, "demo_scripts", "single_mqtt") + os.sep]


LUA_RESULT_PREFIX = "I/user.bench "


def result_of(subject, proc):
    """The subject's result object (the last JSON line with a "case"), or None."""
    prefix = LUA_RESULT_PREFIX if subject.kind == "lua" else ""
    results = [obj for _, obj in proc.json_lines(prefix) if "case" in obj]
    return results[-1] if results else None


def event_time(subject, proc, event):
    """Seconds from spawn to the line announcing `event` ({"event": ...}), or None."""
    prefix = LUA_RESULT_PREFIX if subject.kind == "lua" else ""
    for t, obj in proc.json_lines(prefix):
        if obj.get("event") == event:
            return t
    return None


def probe_lua(subjects, broker, source_dir, run_dir):
    """Ask the runtime what it offers (bench/lua/bench_probe.lua); mark the Lua subjects it cannot run as
    unavailable, with the reason. Returns the probe's answer (or None)."""
    from .proc import Proc  # local: subjects.py is also imported by tools that never spawn

    lua = [s for s in subjects.values() if s.kind == "lua"]
    runnable = [s for s in lua if s.available]
    if not runnable:
        return None
    os.makedirs(run_dir, exist_ok=True)
    spec = {"case": "probe", "client_id": "bench-probe"}
    proc = Proc(lua_argv(runnable[0], spec, broker, source_dir, run_dir, 20))
    if not proc.wait(40):
        proc.stop()
    answer = result_of(runnable[0], proc)
    reason = None
    if proc.returncode == 2:
        first = (proc.stderr_text.strip().splitlines() or ["usage error"])[0]
        reason = "not available yet (luatos refused the bench's command line: %s)" % first
    elif answer is None or not answer.get("ok"):
        reason = "not available yet (the probe script failed: %s)" % proc.describe_failure()
    elif not answer.get("mqtt"):
        reason = "not available yet (the runtime has no mqtt module)"
    for s in lua:
        if s.available and reason:
            s.unavailable = reason
    if answer and not reason:
        if not answer.get("eth0"):
            subjects["lua-host"].unavailable = "not available (the runtime has no socket.ETH0)"
        if not answer.get("lwip_gp"):
            subjects["lua-lwip"].unavailable = "not available (the runtime has no socket.LWIP_GP)"
        if not answer.get("ticks2"):
            for s in lua:
                s.notes.append("no mcu.ticks2: Lua times have mcu.ticks() resolution")
    return answer
