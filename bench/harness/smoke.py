"""`run_bench.py --smoke`: the functional check behind the ctest "bench: harness smoke". Every subject that
can run must have run every case to its end with sane figures; nothing here depends on speed."""


def check(cases, subjects, results, unavailable):
    """A list of problems (empty: all good)."""
    problems = []
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
                problems += ["%s: %s" % (where, p) for p in _check_run(case, r)]
    return problems


def _check_run(case, r):
    f = r.figures
    out = []
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
