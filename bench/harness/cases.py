"""The bench cases (issue 7), their sizes per mode, and how one run of one case yields its figures."""

import os
import re
import statistics
from dataclasses import dataclass, field

from . import subjects as subj
from .proc import Proc

PEERS = ["libmosquitto", "paho"]
LUA = ["lua-host", "lua-lwip"]
ALL = PEERS + LUA

# Figure name -> (unit, which way is better: +1 higher, -1 lower, 0 neither)
FIGURES = {
    "delivered_rate": ("msg/s", +1),
    "publish_rate": ("msg/s", +1),
    "lost": ("msgs", -1),
    "duplicates": ("msgs", -1),
    "cpu_per_100k": ("CPU s", -1),
    "peak_rss": ("KiB", -1),
    "rtt_p50": ("us", -1),
    "rtt_p90": ("us", -1),
    "rtt_p99": ("us", -1),
    "rss_per_client": ("B", -1),
    "lua_heap_per_client": ("B", -1),
    "first_line": ("ms", -1),
    "conack": ("ms", -1),
    "packets_per_s": ("pkt/s", +1),
    "allocs_per_msg": ("allocs", -1),
}

# Default receive buffer of a LuatOS client on the Air780EP: 32 KiB + 4 (docs/modules/mqtt.md).
LUA_RX_BUFFER = 32 * 1024 + 4


@dataclass
class CaseDef:
    key: str  # unique, used in tables and topics, e.g. "qos0-16B"
    title: str
    kind: str  # qos0 | pipelined | rtt | startup | idle | demo | engine
    params: dict
    subjects: list
    figures: list
    counter: bool = False
    notes: list = field(default_factory=list)


def plan(mode):
    """The cases for mode "full", "quick" or "smoke"."""
    sizes = {
        "full": dict(qos0=1_000_000, pipelined=100_000, rtt=10_000, clients=100, tls_clients=20, demo_s=60,
                     engine_s=0.5, startups=15),
        "quick": dict(qos0=20_000, pipelined=5_000, rtt=500, clients=100, tls_clients=10, demo_s=5, engine_s=0.1,
                      startups=5),
        "smoke": dict(qos0=300, pipelined=300, rtt=50, clients=5, tls_clients=2, demo_s=1, engine_s=0.02,
                      startups=2),
    }[mode]
    rate = ["delivered_rate", "publish_rate", "lost", "duplicates", "cpu_per_100k", "peak_rss"]
    cases = []
    for size, label in ((16, "16 B"), (1024, "1 KiB")):
        cases.append(CaseDef("qos0-%dB" % size, "1. QoS0 publish storm, %s" % label, "qos0",
                             dict(size=size, count=sizes["qos0"], qos=0), ALL, rate, counter=True))
    for qos in (1, 2):
        cases.append(CaseDef("qos%d-w20" % qos, "2. QoS%d pipelined, window 20" % qos, "pipelined",
                             dict(size=16, count=sizes["pipelined"], qos=qos, window=20), ALL, rate, counter=True))
    cases.append(CaseDef("rtt-qos1", "3. QoS1 round trip", "rtt", dict(size=16, count=sizes["rtt"], qos=1), ALL,
                         ["rtt_p50", "rtt_p90", "rtt_p99"]))
    cases.append(CaseDef("demo", "4. single-link demo, %g s" % sizes["demo_s"], "demo",
                         dict(duration=sizes["demo_s"]), PEERS + ["lua-demo"], ["peak_rss"]))
    cases.append(CaseDef("idle", "4. idle connected clients", "idle", dict(clients=sizes["clients"]), ALL,
                         ["rss_per_client", "lua_heap_per_client"]))
    cases.append(CaseDef("idle-tls", "4. idle TLS clients", "idle", dict(clients=sizes["tls_clients"], tls=True),
                         ["libmosquitto"] + LUA, ["rss_per_client", "lua_heap_per_client"]))
    # Each round's start-up figure is the median of several starts (one start is noise on this machine).
    cases.append(CaseDef("startup", "5. start-up (median of %d starts)" % sizes["startups"], "startup",
                         dict(repeat=sizes["startups"]), ALL + ["exec-floor"], ["first_line", "conack"]))
    cases.append(CaseDef("engine", "7. engine alone (bench_engine)", "engine", dict(seconds=sizes["engine_s"]),
                         ["engine"], ["packets_per_s", "allocs_per_msg"]))
    return cases


@dataclass
class RunResult:
    case: str
    subject: str
    round: int
    ok: bool
    error: str = None
    figures: dict = field(default_factory=dict)  # name -> value (engine: "row|name" -> value)
    raw: dict = field(default_factory=dict)


def run_timeout(case):
    count = case.params.get("count", 0)
    if case.kind == "qos0":
        return 60 + count / 2000
    if case.kind == "pipelined":
        return 60 + count / 500
    if case.kind == "rtt":
        return 60 + count / 100
    if case.kind == "demo":
        return case.params["duration"] + 60
    return 120


class CaseRunner:
    """Runs one case for one subject against the session's broker."""

    def __init__(self, source_dir, build_dir, broker, work_dir, run_id):
        self.source_dir = source_dir
        self.build_dir = build_dir
        self.broker = broker
        self.work_dir = work_dir
        self.run_id = run_id
        self.counter_bin = os.path.join(build_dir, "bench", "bench_counter")
        self.engine_bin = os.path.join(build_dir, "bench", "bench_engine")
        self._serial = 0

    def _spec(self, case, subject_name, rnd):
        self._serial += 1
        spec = {k: v for k, v in case.params.items() if k != "repeat"}
        spec["case"] = case.kind
        spec["topic"] = "bench/%s/%s/%s/%d" % (self.run_id, case.key, subject_name, rnd)
        spec["client_id"] = "bench-%s-%d" % (self.run_id, self._serial)
        return spec

    def _run_dir(self, case, subject_name, rnd):
        d = os.path.join(self.work_dir, "%s-%s-%d" % (case.key, subject_name, rnd))
        os.makedirs(d, exist_ok=True)
        return d

    def start(self, case, subject, rnd):
        """Spawn the subject (and the counter first, if the case counts); returns a handle for finish()."""
        spec = self._spec(case, subject.name, rnd)
        run_dir = self._run_dir(case, subject.name, rnd)
        counter = None
        if case.counter:
            counter = Proc([self.counter_bin, "--port", self.broker.port, "--topic", spec["topic"],
                            "--qos", spec["qos"], "--count", spec["count"], "--size", spec["size"],
                            "--idle-ms", 10000, "--start-timeout-ms", int(run_timeout(case) * 1000)])
            if counter.wait_line(lambda line: '"ready"' in line, 15) is None:
                counter.stop()
                return None, RunResult(case.key, subject.name, rnd, False,
                                       "bench_counter not ready: " + counter.describe_failure())
        timeout = run_timeout(case)
        if subject.kind == "peer":
            argv = subj.peer_argv(subject, spec, self.broker)
        elif subject.kind == "floor":
            argv = [subject.binary, '{"case":"startup","ok":true}']
        elif case.kind == "demo":
            argv = subj.lua_demo_argv(subject, self.broker, self.source_dir, run_dir, case.params["duration"])
        else:
            argv = subj.lua_argv(subject, spec, self.broker, self.source_dir, run_dir, int(timeout))
        return (Proc(argv), counter, spec, timeout), None

    def finish(self, case, subject, rnd, handle):
        proc, counter, spec, timeout = handle
        result = RunResult(case.key, subject.name, rnd, False)
        result.raw["argv"] = proc.argv
        if not proc.wait(timeout + 15):
            proc.stop()
            result.error = "timed out after %d s" % timeout
        if counter is not None:
            # The broker may still be delivering what it queued for a slower counter: let the counter stop
            # by itself (all counted, or 10 s without a message), unless the publisher failed.
            if result.error or proc.returncode != 0 or not counter.wait(timeout):
                counter.stop()
            result.raw["counter"] = next((o for _, o in reversed(counter.json_lines()) if o.get("impl") == "counter"),
                                         None)
            if counter.returncode != 0 and not result.error:
                result.error = "bench_counter: " + counter.describe_failure()
        result.raw["exit"] = proc.returncode
        result.raw["cpu_s"] = proc.cpu_s
        result.raw["peak_rss_kb"] = proc.peak_rss_kb
        result.raw["maxrss_kb_wait4"] = proc.maxrss_kb
        result.raw["wall_s"] = proc.wall_s
        if result.error:
            return result
        if case.kind == "demo":
            return self._demo_figures(subject, proc, result)
        out = subj.result_of(subject, proc)
        result.raw["result"] = out
        if out is None or not out.get("ok") or proc.returncode != 0:
            result.error = (out or {}).get("error") or ("no result line; " + proc.describe_failure())
            return result
        try:
            self._figures(case, subject, proc, out, result)
        except (KeyError, TypeError, ZeroDivisionError) as e:
            result.error = "result incomplete: %r" % (e,)
            return result
        result.ok = result.error is None
        return result

    def run(self, case, subject, rnd):
        repeat = case.params.get("repeat", 1)
        runs = []
        for _ in range(repeat):
            handle, failed = self.start(case, subject, rnd)
            runs.append(failed or self.finish(case, subject, rnd, handle))
            if not runs[-1].ok:
                return runs[-1]
        if repeat == 1:
            return runs[0]
        merged = RunResult(case.key, subject.name, rnd, True, raw={"repeats": [r.raw for r in runs]})
        for name in runs[0].figures:
            merged.figures[name] = statistics.median(r.figures[name] for r in runs)
        return merged

    def _figures(self, case, subject, proc, out, result):
        f = result.figures
        per_100k = lambda messages: proc.cpu_s / messages * 100_000
        if case.kind in ("qos0", "pipelined"):
            counter = result.raw.get("counter")
            if not counter or not counter.get("ok"):
                result.error = "bench_counter: %s" % ((counter or {}).get("error") or "no result")
                return
            f["publish_rate"] = out["rate"]
            f["delivered_rate"] = counter.get("rate")
            f["lost"] = counter["missing"]
            f["duplicates"] = counter["duplicates"]
            f["cpu_per_100k"] = per_100k(spec_count(case))
            f["peak_rss"] = peak_rss(proc, out)
            if counter["missing"] or counter["duplicates"] or counter["bad_payload"]:
                result.raw["delivery_problem"] = True
        elif case.kind == "rtt":
            rtt = out["rtt_us"]
            f["rtt_p50"], f["rtt_p90"], f["rtt_p99"] = rtt["p50"], rtt["p90"], rtt["p99"]
        elif case.kind == "idle":
            f["rss_per_client"] = out["rss_per_client_b"]
            if "lua_heap_per_client_b" in out:
                f["lua_heap_per_client"] = out["lua_heap_per_client_b"]
            clients = out.get("clients", case.params["clients"])
            if clients != case.params["clients"]:
                result.raw["note"] = "%d of %d clients created" % (clients, case.params["clients"])
        elif case.kind == "startup" and subject.kind == "floor":
            f["first_line"] = proc.lines[0][0] * 1000
        elif case.kind == "startup":
            first = proc.lines[0][0] if proc.lines else None
            conack = subj.event_time(subject, proc, "conack")
            if first is None or conack is None:
                result.error = "no first line / conack line"
                return
            f["first_line"] = first * 1000
            f["conack"] = conack * 1000

    def _demo_figures(self, subject, proc, result):
        if proc.returncode != 0:
            result.error = proc.describe_failure()
            return result
        out = None
        if subject.kind == "peer":
            out = subj.result_of(subject, proc)
            if out is None or not out.get("ok"):
                result.error = (out or {}).get("error") or "no result line"
                return result
        elif not any(" conack " in line or line.endswith(" conack") for _, line in proc.lines):
            result.error = "the demo never logged its conack event"
            return result
        result.figures["peak_rss"] = peak_rss(proc, out if subject.kind == "peer" else None)
        result.ok = True
        return result

    def run_engine(self, case, rnd):
        """bench_engine's table: one figure pair per row ("case payload" -> packets/s, allocs/msg)."""
        result = RunResult(case.key, "engine", rnd, False)
        if not os.access(self.engine_bin, os.X_OK):
            result.error = "no bench_engine"
            return result
        proc = Proc([self.engine_bin, case.params["seconds"]])
        if not proc.wait(300):
            proc.stop()
            result.error = "timed out"
            return result
        if proc.returncode != 0:
            result.error = proc.describe_failure()
            return result
        # "<name words> <payload> <packets/s> <ns/packet> <allocs/msg> <MB/s>"
        row = re.compile(r"^(?P<name>\S.*?)\s+(?P<payload>\d+)\s+(?P<pps>[\d.]+)\s+(?P<ns>[\d.]+)\s+"
                         r"(?P<allocs>[\d.]+)\s+(?P<mbs>[\d.]+)$")
        for _, line in proc.lines:
            m = row.match(line.strip())
            if m:
                name = "%s %sB" % (m["name"], m["payload"])
                result.figures["%s|packets_per_s" % name] = float(m["pps"])
                result.figures["%s|allocs_per_msg" % name] = float(m["allocs"])
        result.ok = bool(result.figures)
        if not result.ok:
            result.error = "no rows in bench_engine's output"
        return result


def peak_rss(proc, result):
    """Peak resident set in KiB: the harness's VmHWM samples, or the subject's own VmHWM at its end (the
    peers report it) when that is higher (growth after the last sample)."""
    own = (result or {}).get("peak_rss_kb")
    figures = [v for v in (proc.peak_rss_kb, own) if v]
    return max(figures) if figures else None


def spec_count(case):
    return case.params["count"]
