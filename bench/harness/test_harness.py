"""ctest "bench: harness logic": same-round ratios, goal verdicts and the table, on made-up runs."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import report, stats  # noqa: E402
from harness.cases import CaseDef, RunResult  # noqa: E402
from harness.goals import Goal  # noqa: E402


def run(case, subject, rnd, ok=True, **figures):
    return RunResult(case, subject, rnd, ok, None if ok else "boom", dict(figures))


class SameRoundRatios(unittest.TestCase):
    def test_only_rounds_both_have_are_paired(self):
        results = [run("c", "a", 1, rate=90.0), run("c", "ref", 1, rate=100.0),
                   run("c", "a", 2, rate=50.0), run("c", "ref", 3, rate=10.0),
                   run("c", "a", 3, rate=30.0), run("c", "ref", 2, ok=False)]
        a = stats.per_round(results, "c", "rate", "a")
        ref = stats.per_round(results, "c", "rate", "ref")
        self.assertEqual(a, {1: 90.0, 2: 50.0, 3: 30.0})
        self.assertEqual(ref, {1: 100.0, 3: 10.0})  # the failed round 2 is not a figure
        self.assertEqual(stats.paired(a, ref, stats.ratio), [0.9, 3.0])

    def test_summary(self):
        self.assertEqual(stats.summary([3, None, 1, 2]), {"values": [3, 1, 2], "median": 2, "min": 1, "max": 3})
        self.assertIsNone(stats.summary([None]))


class Goals(unittest.TestCase):
    results = [run("q", "lua", 1, rate=95.0, lost=0), run("q", "ref", 1, rate=100.0),
               run("q", "lua", 2, rate=80.0, lost=3), run("q", "ref", 2, rate=100.0),
               run("q", "lua", 3, rate=91.0, lost=0), run("q", "ref", 3, rate=100.0),
               run("d", "demo", 1, rss=3000), run("d", "demo", 2, rss=3100), run("d", "demo", 3, rss=2900)]

    def test_ratio_goal_uses_the_median_of_same_round_ratios(self):
        g = Goal("g", "rate >= 0.9x", "q", "rate", "lua", ">=", 0.9, "ratio", other_subject="ref")
        self.assertEqual(g.evaluate(self.results, {}), ("met", 0.91, None))
        g.threshold = 0.92
        self.assertEqual(g.evaluate(self.results, {})[0], "MISSED")

    def test_every_run_goal_uses_the_worst_round(self):
        g = Goal("g", "nothing lost", "q", "lost", "lua", "==", 0, stat="max")
        self.assertEqual(g.evaluate(self.results, {}), ("MISSED", 3, None))

    def test_diff_goal_against_another_case(self):
        results = self.results + [run("q", "lua", 1, rss=3500), run("q", "lua", 2, rss=4200),
                                  run("q", "lua", 3, rss=3900)]
        results = [r for r in results if not (r.case == "q" and r.subject == "lua" and "rate" in r.figures)]
        g = Goal("g", "within 1 MB", "q", "rss", "lua", "<=", 1024, "diff", other_case="d", other_subject="demo")
        self.assertEqual(g.evaluate(results, {}), ("met", 1000, None))  # median of 500, 1100, 1000

    def test_unavailable_subject_is_not_applicable(self):
        g = Goal("g", "rate", "q", "rate", "lua", ">=", 0.9, "ratio", other_subject="ref")
        self.assertEqual(g.evaluate(self.results, {"lua": "not available yet (x)"}),
                         ("n/a", None, "not available yet (x)"))
        self.assertEqual(g.evaluate([], {}), ("n/a", None, "no successful run"))


class LuaCommandLine(unittest.TestCase):
    def test_idle_case_raises_the_socket_channels_for_its_clients(self):
        import tempfile
        from types import SimpleNamespace

        from harness import subjects
        subject = subjects.Subject("lua-host", "Lua", "lua", "/x/luatos", adapter="ETH0")
        broker = SimpleNamespace(port=1883, tls_port=None)
        with tempfile.TemporaryDirectory() as run_dir:
            idle = subjects.lua_argv(subject, {"case": "idle", "clients": 100}, broker, "/src", run_dir, 60)
            qos0 = subjects.lua_argv(subject, {"case": "qos0", "count": 5}, broker, "/src", run_dir, 60)
        self.assertEqual(idle[idle.index("--channels") + 1], "101")  # the first client and 100 more
        self.assertNotIn("--channels", qos0)  # the module's 8 for every other case


class Smoke(unittest.TestCase):
    """The smoke's own checks: what must make the ctest "bench: harness smoke" fail."""

    def subjects(self, unavailable=None):
        from harness import subjects
        return {"lua-host": subjects.Subject("lua-host", "Lua", "lua", "/x/luatos", adapter="ETH0",
                                             unavailable=unavailable)}

    def qos0_run(self, **result):
        counter = {"received": 3, "unique": 3, "bad_payload": 0}
        out = dict({"case": "qos0", "adapter": "ETH0", "clock_resolution_us": 1, "published": 3, "sent_events": 3,
                    "size": 16}, **result)
        r = run("q", "lua-host", 1, publish_rate=1.0, delivered_rate=1.0, lost=0, duplicates=0, cpu_per_100k=0.1,
                peak_rss=1000)
        r.raw = {"counter": counter, "result": out}
        return r

    def test_a_lua_subject_that_cannot_run_is_a_failure(self):
        from harness import smoke
        why = "not available yet (no build/luatos)"
        self.assertEqual(smoke.check([], self.subjects(why), [], {"lua-host": why}),
                         ["lua-host: " + why])
        self.assertEqual(smoke.check([], self.subjects(smoke.NOT_SELECTED), [], {"lua-host": smoke.NOT_SELECTED}), [])

    def test_a_script_result_is_checked_field_by_field(self):
        from harness import smoke
        case = CaseDef("q", "storm", "qos0", {"count": 3, "size": 16, "qos": 0}, ["lua-host"], [])
        probe = {"ok": True, "mqtt": True, "ticks2": True, "eth0": True, "lwip_gp": True, "bsp": "PC"}
        self.assertEqual(smoke.check([case], self.subjects(), [self.qos0_run()], {}, probe), [])
        problems = smoke.check([case], self.subjects(), [self.qos0_run(sent_events=2, adapter="LWIP_GP")], {},
                               probe)
        self.assertEqual(problems, ["q/lua-host: result adapter is 'LWIP_GP', not 'ETH0'",
                                    "q/lua-host: result sent_events is 2, not 3"])
        self.assertEqual(smoke.check([case], self.subjects(), [self.qos0_run()], {}, dict(probe, mqtt=False)),
                         ["probe: mqtt is False"])

    def test_every_bench_script_must_be_run_by_some_case(self):
        import tempfile

        from harness import smoke
        case = CaseDef("q", "storm", "qos0", {}, ["lua-host"], [])
        with tempfile.TemporaryDirectory() as lua_dir:
            for name in ("main.lua", "bench_util.lua", "bench_probe.lua", "bench_qos0.lua", "bench_new.lua"):
                open(os.path.join(lua_dir, name), "w").close()
            self.assertEqual(smoke._check_every_script_ran([case], [], lua_dir),
                             ["bench/lua/bench_new.lua: no smoke run takes it"])


class Table(unittest.TestCase):
    def test_rows_ratios_goals_and_unavailable_subjects(self):
        case = CaseDef("q", "1. storm", "qos0", {}, ["libmosquitto", "lua-host", "paho"], ["delivered_rate"])
        results = [run("q", "libmosquitto", 1, delivered_rate=100.0), run("q", "lua-host", 1, delivered_rate=80.0),
                   run("q", "libmosquitto", 2, delivered_rate=50.0), run("q", "lua-host", 2, delivered_rate=60.0)]
        goals = [Goal("g", "delivered >= 0.9x", "q", "delivered_rate", "lua-host", ">=", 0.9, "ratio",
                      other_subject="libmosquitto")]
        rows, figures, goals_doc = report.build([case], results, goals, {"paho": "not available yet (p)"})
        self.assertEqual([(r["subject"], r.get("median"), r.get("ratio")) for r in rows],
                         [("libmosquitto", 75.0, None), ("lua-host", 70.0, 1.0), ("paho", None, None)])
        self.assertEqual(rows[1]["goal"], "met: delivered >= 0.9x [1 >= 0.9 x]")  # ratios 0.8 and 1.2
        self.assertEqual(rows[2]["note"], "not available yet (p)")
        self.assertEqual(goals_doc[0]["status"], "met")
        text = report.render(rows, "title")
        self.assertIn("not available yet (p)", text)
        self.assertIn("1.00x (0.80-1.20)", text)


if __name__ == "__main__":
    unittest.main()
