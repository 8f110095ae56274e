"""`run_bench.py --smoke`: the functional check behind the ctest "bench: harness smoke". Every subject must
have run every case to its end with sane figures; the Lua bench scripts (bench/lua/) run on the real
`luatos`, on both paths (lua-host: socket.ETH0, lua-lwip: socket.LWIP_GP), and their result lines are
checked field by field; a few smoke-only runs take the scripts' paths no case of the plan takes (the
failure path, the pipelined loop without a window). Nothing here depends on speed."""

import dataclasses
import os

from .cases import LUA, CaseDef

NOT_SELECTED = "not selected (--subjects)"

# The scripts that are not a case of their own: the probe is asked before the cases, bench_util is
# every case's library, main.lua starts the case the params name.
LUA_HELPERS = {"bench_probe.lua", "bench_util.lua", "main.lua"}

BAD_ADAPTER = "NOPE"


def extra_cases(plan):
    """Smoke-only cases for the Lua subjects: QoS 1 pipelined with window 0, where the script leaves the pacing
    to the runtime (publish returning nothing means wait 1 ms)."""
    pipelined = next((c for c in plan if c.kind == "pipelined"), None)
    if pipelined is None:
        return []
    return [CaseDef("qos1-w0", "smoke: QoS1 pipelined, window 0", "pipelined",
                    dict(pipelined.params, qos=1, window=0), LUA, pipelined.figures, counter=True)]


def bad_adapter_case():
    return CaseDef("bad-adapter", "smoke: an adapter the runtime does not have", "startup", {}, ["lua-host"], [])


def run_extras(plan, subjects, runner):
    """The smoke-only runs: (case, subject, result) for each."""
    out = []
    for case in extra_cases(plan):
        for name in case.subjects:
            if subjects[name].available:
                out.append((case, subjects[name], runner.run(case, subjects[name], 1)))
    host = subjects.get("lua-host")
    if host is not None and host.available:
        bad = dataclasses.replace(host, adapter=BAD_ADAPTER)
        case = bad_adapter_case()
        out.append((case, bad, runner.run(case, bad, 1)))
    return out


def check(cases, subjects, results, unavailable, probe=None, extras=(), lua_dir=None):
    """A list of problems (empty: all good)."""
    problems = []
    for name, why in unavailable.items():
        if why != NOT_SELECTED:
            problems.append("%s: %s" % (name, why))  # the smoke runs on a full build: every subject can run
    for case in cases:
        for name in case.subjects:
            if name in unavailable:
                continue
            runs = [r for r in results if r.case == case.key and r.subject == name]
            if not runs:
                problems.append("%s/%s: did not run" % (case.key, name))
            for r in runs:
                where = "%s/%s" % (case.key, name)
                if not r.ok:
                    problems.append("%s: %s" % (where, r.error))
                    continue
                problems += ["%s: %s" % (where, p) for p in _check_run(case, r, subjects.get(name))]
    if any(s.kind == "lua" and s.available for s in subjects.values()):
        problems += ["probe: %s" % p for p in _check_probe(probe)]
    for case, subject, r in extras:
        where = "%s/%s" % (case.key, subject.name)
        if case.key == "bad-adapter":
            problems += ["%s: %s" % (where, p) for p in _check_bad_adapter(r)]
        elif not r.ok:
            problems.append("%s: %s" % (where, r.error))
        else:
            problems += ["%s: %s" % (where, p) for p in _check_run(case, r, subject)]
    if lua_dir is not None and not any(why == NOT_SELECTED for why in unavailable.values()):
        problems += _check_every_script_ran(cases, extras, lua_dir)
    return problems


def _check_probe(probe):
    if not probe:
        return ["no answer"]
    out = ["%s is %r" % (k, probe.get(k)) for k in ("ok", "mqtt", "ticks2", "eth0", "lwip_gp")
           if probe.get(k) is not True]
    if not probe.get("bsp"):
        out.append("no bsp")
    return out


def _check_bad_adapter(r):
    result = r.raw.get("result") or {}
    out = []
    if r.ok or result.get("ok") is not False:
        out.append("a run with socket.%s did not fail" % BAD_ADAPTER)
    if result.get("error") != "socket.%s does not exist" % BAD_ADAPTER:
        out.append("error %r" % result.get("error"))
    if r.raw.get("exit") != 1:
        out.append("exit status %r, not 1" % r.raw.get("exit"))
    return out


def _check_every_script_ran(cases, extras, lua_dir):
    """Each bench/lua/bench_<kind>.lua is the script of a case kind the smoke ran for a Lua subject."""
    ran = {c.kind for c in cases if set(c.subjects) & set(LUA)} | {c.kind for c, _, _ in extras}
    scripts = {f for f in os.listdir(lua_dir) if f.endswith(".lua")} - LUA_HELPERS
    return ["bench/lua/%s: no smoke run takes it" % f for f in sorted(scripts)
            if not (f.startswith("bench_") and f[len("bench_"):-len(".lua")] in ran)]


def _check_lua_result(case, r, subject):
    """The fields of a Lua script's result line (of each start, for a repeated case) that say it did what its
    case asked, exactly."""
    repeats = r.raw.get("repeats")
    if repeats is not None:
        out = []
        for one in repeats:
            out += _check_one_lua_result(case, one.get("result") or {}, subject)
        return out
    return _check_one_lua_result(case, r.raw.get("result") or {}, subject)


def _check_one_lua_result(case, result, subject):
    p = case.params
    out = []

    def expect(key, value):
        if result.get(key) != value:
            out.append("result %s is %r, not %r" % (key, result.get(key), value))

    expect("case", case.kind)
    expect("adapter", subject.adapter)
    expect("clock_resolution_us", 1)  # the runtime has mcu.ticks2
    if case.kind == "qos0":
        expect("published", p["count"])
        expect("sent_events", p["count"])  # one sent(0) per publish
        expect("size", p["size"])
    elif case.kind == "pipelined":
        expect("published", p["count"])
        expect("completed", p["count"])
        expect("qos", p["qos"])
        expect("window", p["window"])
        if p["window"] > 0:
            # The script publishes `window` before it yields for the first event; never more.
            expect("max_in_flight", min(p["window"], p["count"]))
            expect("publish_retries", 0)
        elif not 0 < result.get("max_in_flight", 0) <= p["count"]:
            out.append("max_in_flight %r" % result.get("max_in_flight"))
    elif case.kind == "rtt":
        expect("count", p["count"])
    elif case.kind == "idle":
        expect("requested", p["clients"])
        expect("clients", p["clients"])  # --channels gives every client its channel
        expect("connected", p["clients"])
        expect("tls", bool(p.get("tls")))
    elif case.kind == "startup":
        if not isinstance(result.get("conack_uptime_ms"), int):
            out.append("no conack_uptime_ms")
    return out


def _check_run(case, r, subject):
    f = r.figures
    out = []
    if subject is not None and subject.kind == "lua" and case.kind != "demo":
        out += _check_lua_result(case, r, subject)
    if case.kind in ("qos0", "pipelined"):
        counter = r.raw.get("counter") or {}
        count = case.params["count"]
        if counter.get("received") != count or counter.get("unique") != count:
            out.append("counter received %s (unique %s) of %d" % (counter.get("received"), counter.get("unique"),
                                                                  count))
        if f.get("lost") != 0 or f.get("duplicates") != 0 or counter.get("bad_payload") != 0:
            out.append("lost %s, duplicates %s, bad %s" % (f.get("lost"), f.get("duplicates"),
                                                          counter.get("bad_payload")))
        if not f.get("publish_rate", 0) > 0 or not f.get("delivered_rate", 0) > 0:
            out.append("rates not positive: %s" % f)
        if f.get("cpu_per_100k") is None or f["cpu_per_100k"] < 0 or not f.get("peak_rss", 0) > 0:
            out.append("process figures missing: %s" % f)
        result = r.raw.get("result") or {}
        if result.get("published") != count:
            out.append("published %s of %d" % (result.get("published"), count))
    elif case.kind == "rtt":
        if not 0 < f["rtt_p50"] <= f["rtt_p90"] <= f["rtt_p99"]:
            out.append("percentiles out of order: %s" % f)
        if (r.raw.get("result") or {}).get("rtt_us", {}).get("n") != case.params["count"]:
            out.append("not %d samples" % case.params["count"])
    elif case.kind == "idle":
        result = r.raw.get("result") or {}
        if result.get("connected") != case.params["clients"]:
            out.append("connected %s of %d" % (result.get("connected"), case.params["clients"]))
        if f.get("rss_per_client") is None:
            out.append("no rss_per_client")
    elif case.kind == "startup" and r.subject == "exec-floor":
        if not f.get("first_line", 0) > 0:
            out.append("no first line")
    elif case.kind == "startup":
        if not 0 < f["first_line"] <= f["conack"]:
            out.append("first line %.3f ms, conack %.3f ms" % (f["first_line"], f["conack"]))
    elif case.kind == "demo":
        if not f.get("peak_rss", 0) > 0:
            out.append("no peak RSS")
    elif case.kind == "engine":
        rows = [k for k in f if k.endswith("|packets_per_s")]
        if len(rows) < 8 or any(not f[k] > 0 for k in rows):
            out.append("engine rows: %s" % rows)
    return out
