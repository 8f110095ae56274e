#!/usr/bin/env python3
"""The fleet bench (issue 15): `luatos fleet` with K devices against a private mosquitto.

    bench/fleet_bench.py                      # 300 devices at 100/s (a few minutes on 2 shared cores)
    bench/fleet_bench.py --devices 5000 --ramp 200

Each device runs bench/fleet/main.lua: connect, subscribe, a numbered QoS 1 uplink every 3 s. A second
client (mosquitto_sub, QoS 1, kept session) records every uplink. The bench prints:
  - the ramp: when the last device connected, next to the ramp's own length;
  - PSS per device (smaps_rollup of every device process) and the supervisor's;
  - the fleet's CPU at steady state (every device process plus the supervisor, in cores), and the broker's;
    the devices' wake-ups a second (voluntary context switches: one per turn of a device's event loop);
  - a 30 s outage on a part of the fleet (--outage-devices, default 20%) through the fleet's --control:
    how many reconnected and when;
  - QoS 1 uplinks lost: numbers missing below each device's highest one at the observer, and the
    devices' acknowledged uplinks the observer never got.
Figures only: nothing here is a pass/fail test. See bench/README.md, "Fleet".
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.broker import Broker  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS = re.compile(r"^\[ *(\d+)s\] started (\d+)/(\d+) attached (\d+) mqtt (\d+) up ([\d.]+)/s "
                    r"down ([\d.]+)/s reconnects (\d+) errors (\d+)$")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--devices", type=int, default=300)
    p.add_argument("--ramp", type=float, default=100, help="devices started per second")
    p.add_argument("--steady", type=float, default=20, help="seconds of steady state measured")
    p.add_argument("--outage", type=float, default=30, help="seconds of outage")
    p.add_argument("--outage-devices", type=float, default=0.2, help="the fraction of the fleet cut off")
    p.add_argument("--build-dir", default=os.path.join(SOURCE_DIR, "build"))
    p.add_argument("--keep", action="store_true", help="keep the fleet folder")
    return p.parse_args()


class Fleet:
    """`luatos fleet` with its status lines parsed as they come."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.cond = threading.Condition()
        self.status = None
        self.lines = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            m = STATUS.match(line)
            with self.cond:
                self.lines.append(line)
                if m:
                    g = [float(x) for x in m.groups()]
                    self.status = dict(t=g[0], started=g[1], devices=g[2], attached=g[3], mqtt=g[4], up=g[5],
                                       down=g[6], reconnects=g[7], errors=g[8], at=time.monotonic())
                self.cond.notify_all()

    def wait(self, pred, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not (self.status and pred(self.status)):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cond.wait(min(left, 1))
            return dict(self.status)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def cpu_ns(pid):
    """Nanoseconds on a CPU, every thread (schedstat: exact, where /proc/PID/stat rounds to 10 ms ticks,
    more than a quiet device uses in a minute)."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return total


def threads(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return None


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def wakeups(pid):
    """Times the process went to sleep of its own accord (every thread's voluntary_ctxt_switches):
    one per wake-up of its event loop."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return total


def cpu_over(pids, seconds, wakes=None):
    """Cores used by `pids` over `seconds` (processes that end meanwhile are left out); with `wakes`
    (a dict), wakes["per_process_per_s"] is their mean wake-ups a second over the same time."""
    before = {p: (cpu_ns(p), wakeups(p)) for p in pids}
    start = time.monotonic()
    time.sleep(seconds)
    used = 0
    woke = 0
    counted = 0
    for p, (b, wb) in before.items():
        a = cpu_ns(p)
        if a is not None and b is not None:
            used += a - b
        wa = wakeups(p)
        if wa is not None and wb is not None:
            woke += wa - wb
            counted += 1
    elapsed = time.monotonic() - start
    if wakes is not None:
        wakes["per_process_per_s"] = round(woke / max(counted, 1) / elapsed, 2)
    return used / 1e9 / elapsed


def main():
    args = parse_args()
    # A SIGTERM (timeout, Ctrl-C's cousin) unwinds through the finally below: the fleet, the observer
    # and the broker are stopped by pid, nothing is left running.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    luatos = os.path.join(args.build_dir, "luatos")
    k = args.devices
    work = tempfile.mkdtemp(prefix="fleet-bench-")
    broker = Broker(work, tls=False).start()
    observed_file = os.path.join(work, "observed.txt")
    observer = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-c", "-i",
                                 "fleet-bench-observer", "-v", "-t", "/fleet/up/#"],
                                stdout=open(observed_file, "w"), stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # its SUBACK: the first uplinks come at least attach-delay + a connect later
    ctl = os.path.join(work, "fleet.ctl")
    summary_file = os.path.join(work, "summary.json")
    argv = [luatos, "fleet", "--devices", str(k), "--ramp", "%g/s" % args.ramp, "--dir", os.path.join(work, "d"),
            "--control", ctl, "--summary", summary_file, "--host", "bench.broker=127.0.0.1:%d" % broker.port,
            os.path.join(SOURCE_DIR, "bench", "fleet") + "/"]
    print("fleet bench: %d devices at %g/s, folder %s" % (k, args.ramp, work), flush=True)
    t0 = time.monotonic()
    fleet = Fleet(argv)
    out = {"devices": k, "ramp_per_s": args.ramp}
    try:
        s = fleet.wait(lambda s: s["mqtt"] >= k, timeout=k / args.ramp + 120)
        if s is None:
            last = fleet.status or {}
            print("not all connected: %s" % last)
            out["all_connected"] = False
        else:
            out["all_connected"] = True
            out["all_connected_s"] = round(s["at"] - t0, 1)
        out["ramp_s"] = round(k / args.ramp, 1)

        time.sleep(5)  # settle: the last devices' first publishes
        pids = children(fleet.proc.pid)
        pss = [pss_kb(p) for p in pids]
        pss = [x for x in pss if x is not None]
        out["device_processes"] = len(pids)
        out["pss_per_device_kb"] = round(sum(pss) / max(len(pss), 1))
        out["supervisor_pss_kb"] = pss_kb(fleet.proc.pid)
        out["threads_per_device"] = threads(pids[0]) if pids else None
        broker_pid = broker.proc.pid if hasattr(broker.proc, "pid") else None
        wakes = {}
        out["steady_cpu_cores_devices"] = round(cpu_over(pids, args.steady, wakes), 4)
        out["steady_wakeups_per_device_per_s"] = wakes.get("per_process_per_s")
        out["steady_cpu_cores_supervisor"] = round(cpu_over([fleet.proc.pid], 5), 4)
        out["steady_cpu_cores_broker"] = round(cpu_over([broker_pid], 5), 4) if broker_pid else None
        out["steady_uplinks_per_s"] = fleet.status["up"] if fleet.status else None

        # The outage.
        n_out = max(1, int(round(k * args.outage_devices)))
        before = fleet.status["reconnects"]
        answer = subprocess.run(["python3", "-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); "
                                 "s.connect(sys.argv[1]); s.sendall((sys.argv[2]+'\\n').encode()); "
                                 "print(s.makefile().readline().strip())", ctl,
                                 "outage %g devices=0-%d" % (args.outage, n_out - 1)],
                                capture_output=True, text=True).stdout.strip()
        t_out = time.monotonic()
        out["outage"] = {"devices": n_out, "seconds": args.outage, "answer": answer}
        s = fleet.wait(lambda s: s["attached"] <= k - n_out, timeout=10)
        out["outage"]["attached_during"] = s["attached"] if s else None
        s = fleet.wait(lambda s: s["reconnects"] - before >= n_out and s["mqtt"] >= k, timeout=args.outage + 120)
        if s:
            out["outage"]["all_reconnected_after_s"] = round(s["at"] - t_out, 1)
            out["outage"]["reconnects"] = int(s["reconnects"] - before)
        else:
            out["outage"]["all_reconnected_after_s"] = None
            out["outage"]["status"] = fleet.status
        time.sleep(10)  # what the outage held back has arrived
    finally:
        fleet.proc.send_signal(signal.SIGTERM)
        try:
            fleet.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            fleet.proc.kill()
        time.sleep(1)
        observer.send_signal(signal.SIGTERM)
        observer.wait(timeout=10)
        broker.stop()

    summary = json.load(open(summary_file)) if os.path.exists(summary_file) else {}
    seen = {}
    for line in open(observed_file, errors="replace"):
        parts = line.split()
        if len(parts) != 2:
            continue
        seen.setdefault(parts[0], set()).add(int(parts[1]))
    gaps = sum(max(v) - len(v) for v in seen.values())  # numbers 1..max never seen
    unique = sum(len(v) for v in seen.values())
    out["observer_devices"] = len(seen)
    out["observer_uplinks_unique"] = unique
    out["acked_uplinks"] = summary.get("uplinks")
    out["qos1_lost_gaps"] = gaps
    out["qos1_acked_not_observed"] = max(0, (summary.get("uplinks") or 0) - unique)
    out["summary"] = {key: summary.get(key) for key in ("clean", "crashed", "never_connected", "reconnects",
                                                        "connect_ms")}
    print(json.dumps(out, indent=2))
    if not args.keep:
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
