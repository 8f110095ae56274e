#!/usr/bin/env python3
"""The bench (issue 7): every case, several rounds, each subject next to its peers on one private broker.

    bench/run_bench.sh            # full: 3 rounds (about 20-30 minutes on 2 cores)
    bench/run_bench.sh --quick    # fewer messages, 1 round (about a minute)

Prints one table (median, min, max of every figure, the same-round ratio to the libmosquitto peer, each
goal met/missed) and writes bench/results/<timestamp>.json. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import cases as bench_cases  # noqa: E402
from harness import goals as bench_goals  # noqa: E402
from harness import report, smoke  # noqa: E402
from harness import subjects as bench_subjects  # noqa: E402
from harness.broker import MAX_INFLIGHT, Broker  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ["bench_peer_mosquitto", "bench_peer_paho", "bench_counter", "bench_engine", "luatos"]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer messages, 1 round: a smoke run of about a minute")
    mode.add_argument("--smoke", action="store_true",
                      help="tiny counts, 1 round, no build; exit 1 unless every available subject ran every case "
                           "with sane figures (the ctest 'bench: harness smoke')")
    p.add_argument("--runs", type=int, help="rounds (default 3; 1 with --quick/--smoke)")
    p.add_argument("--cases", help="comma-separated case keys to run (default: all): " +
                   ", ".join(c.key for c in bench_cases.plan("full")))
    p.add_argument("--subjects", help="comma-separated subjects (default: all): libmosquitto, paho, lua-host, "
                   "lua-lwip, lua-demo, exec-floor, engine")
    p.add_argument("--build-dir", default=os.path.join(SOURCE_DIR, "build"), help="the CMake build (default build/)")
    p.add_argument("--no-build", action="store_true", help="do not run cmake --build first")
    p.add_argument("--results-dir", default=os.path.join(SOURCE_DIR, "bench", "results"),
                   help="where <timestamp>.json goes (default bench/results/)")
    return p.parse_args(argv)


def build(build_dir):
    """cmake --build on the existing build folder, for the bench's targets that exist there."""
    if not os.path.isdir(build_dir):
        sys.exit("run_bench: no build folder %s (configure it first: cmake -S . -B build -G Ninja)" % build_dir)
    listed = subprocess.run(["cmake", "--build", build_dir, "--target", "help"], capture_output=True, text=True)
    known = {line.split(":")[0].strip() for line in listed.stdout.splitlines()}
    targets = [t for t in TARGETS if t in known] if listed.returncode == 0 else []
    cmd = ["cmake", "--build", build_dir, "-j2"] + (["--target", *targets] if targets else [])
    print("run_bench: " + " ".join(cmd), flush=True)
    if subprocess.run(cmd).returncode != 0:
        sys.exit("run_bench: the build failed")


def machine():
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "loadavg_start": os.getloadavg()}
    versions = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\\n", "mosquitto", "libmosquitto1",
                               "libpaho-mqtt1.3"], capture_output=True, text=True)
    info["packages"] = versions.stdout.split("\n")[:-1] if versions.returncode == 0 else []
    return info


def progress(result, total_rounds):
    if result.ok:
        shown = ", ".join("%s=%s" % (k.replace("|", ": "), bench_goals.fmt(v))
                          for k, v in list(result.figures.items())[:4 if result.subject != "engine" else 2])
        print("  [%d/%d] %-10s %-13s ok   %s" % (result.round, total_rounds, result.case, result.subject, shown),
              flush=True)
    else:
        print("  [%d/%d] %-10s %-13s FAIL %s" % (result.round, total_rounds, result.case, result.subject,
                                                 result.error), flush=True)


def run_rounds(plan, subjects, runner, runs, wanted):
    results = []
    for rnd in range(1, runs + 1):
        for case in plan:
            if case.kind == "engine":
                if "engine" in wanted:
                    results.append(runner.run_engine(case, rnd))
                    progress(results[-1], runs)
                continue
            chosen = [subjects[s] for s in case.subjects if s in wanted and subjects[s].available]
            if case.kind == "demo":
                # The demo only idles for its duration: run every subject's demo at once.
                started = [(s, runner.start(case, s, rnd)) for s in chosen]
                for s, (handle, failed) in started:
                    results.append(failed or runner.finish(case, s, rnd, handle))
                    progress(results[-1], runs)
                continue
            for s in chosen:
                results.append(runner.run(case, s, rnd))
                progress(results[-1], runs)
    return results


def main(argv):
    args = parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    runs = args.runs or (3 if mode == "full" else 1)
    build_dir = os.path.abspath(args.build_dir)
    if not (args.no_build or args.smoke):
        build(build_dir)

    plan = bench_cases.plan(mode)
    if args.cases:
        keys = args.cases.split(",")
        unknown = [k for k in keys if k not in {c.key for c in plan}]
        if unknown:
            sys.exit("run_bench: unknown case(s) %s" % ", ".join(unknown))
        plan = [c for c in plan if c.key in keys]
    subjects = bench_subjects.make_subjects(SOURCE_DIR, build_dir)
    wanted = set(args.subjects.split(",")) if args.subjects else set(subjects) | {"engine"}
    for name in ("bench_peer_mosquitto", "bench_counter"):
        if not os.access(os.path.join(build_dir, "bench", name), os.X_OK):
            sys.exit("run_bench: %s is not built in %s" % (name, build_dir))

    started = datetime.datetime.now()
    run_id = started.strftime("%Y%m%dT%H%M%S")
    machine_info = machine()
    with tempfile.TemporaryDirectory(prefix="luatos-bench-") as work:
        with Broker(work) as broker:
            print("run_bench: %s mode, %d round(s), private mosquitto on 127.0.0.1:%d (TLS %d), max_inflight %d"
                  % (mode, runs, broker.port, broker.tls_port, MAX_INFLIGHT), flush=True)
            probe = bench_subjects.probe_lua(subjects, broker, SOURCE_DIR, os.path.join(work, "probe"))
            unavailable = {n: s.unavailable for n, s in subjects.items() if not s.available}
            for n, why in unavailable.items():
                print("run_bench: %s %s" % (n, why), flush=True)
            runner = bench_cases.CaseRunner(SOURCE_DIR, build_dir, broker, work, run_id)
            t0 = time.monotonic()
            results = run_rounds(plan, subjects, runner, runs, wanted)
            # The Lua scripts' paths no case of the plan takes (only checked, not in the table).
            extras = smoke.run_extras(plan, {n: s for n, s in subjects.items() if n in wanted}, runner) \
                if mode == "smoke" else []
            for _, _, r in extras:
                progress(r, runs)
            elapsed = time.monotonic() - t0

    unavailable.update({n: smoke.NOT_SELECTED for n in subjects if n not in wanted})
    goals = [g for g in bench_goals.issue_goals() if g.case in {c.key for c in plan}]
    rows, figures_doc, goals_doc = report.build(plan, results, goals, unavailable)
    title = ("bench %s: %s mode, %d round(s), %.0f s; medians of the rounds, ratios against the libmosquitto "
             "peer of the same round" % (run_id, mode, runs, elapsed))
    print()
    print(report.render(rows, title))
    print()
    print(report.goal_summary(goals_doc))
    for s in subjects.values():
        for note in s.notes:
            print("note: %s: %s" % (s.name, note))

    doc = {
        "tool": "bench/run_bench.py", "run_id": run_id, "started": started.isoformat(timespec="seconds"),
        "mode": mode, "runs": runs, "elapsed_s": elapsed, "machine": dict(machine_info, loadavg_end=os.getloadavg()),
        "broker": {"max_inflight_messages": MAX_INFLIGHT, "set_tcp_nodelay": True},
        "subjects": {n: {"label": s.label, "binary": s.binary, "adapter": s.adapter, "unavailable": unavailable.get(n),
                         "notes": s.notes} for n, s in subjects.items()},
        "lua_probe": probe,
        "cases": [{"key": c.key, "title": c.title, "kind": c.kind, "params": c.params, "subjects": c.subjects}
                  for c in plan],
        "figures": figures_doc, "goals": goals_doc, "table": rows, "runs_raw": report.run_dicts(results),
        "smoke_extra_runs": report.run_dicts([r for _, _, r in extras]),
    }
    os.makedirs(args.results_dir, exist_ok=True)
    out = os.path.join(args.results_dir, "%s.json" % run_id)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, default=str)
    print("run_bench: wrote %s" % os.path.relpath(out, SOURCE_DIR) if out.startswith(SOURCE_DIR) else out)

    if mode == "smoke":
        problems = smoke.check(plan, subjects, results, unavailable, probe, extras,
                               None if args.cases else os.path.join(SOURCE_DIR, "bench", "lua"))
        with open(out) as f:
            json.load(f)  # the document must read back
        for p in problems:
            print("smoke: %s" % p)
        print("smoke: %s" % ("FAILED" if problems else "ok"))
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
