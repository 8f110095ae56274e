"""The goals of issue 7, each checked on one row of the table (case, figure, subject)."""

from dataclasses import dataclass

from . import stats
from .cases import LUA_RX_BUFFER

OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "==": lambda a, b: a == b}


@dataclass
class Goal:
    id: str
    text: str
    case: str
    figure: str
    subject: str
    op: str
    threshold: float
    # What is compared: "value" (the subject's figure), "ratio" (over `other_subject` in `other_case`, same
    # round) or "diff" (minus it, same round); `stat` says which of the rounds' numbers is checked.
    measure: str = "value"
    other_case: str = None
    other_subject: str = None
    stat: str = "median"

    def evaluate(self, results, unavailable):
        """(status, checked number or None, detail): status is "met", "MISSED" or "n/a"."""
        for name in (self.subject, self.other_subject):
            if name and name in unavailable:
                return "n/a", None, unavailable[name]
        mine = stats.per_round(results, self.case, self.figure, self.subject)
        if not mine:
            return "n/a", None, "no successful run"
        if self.measure == "value":
            numbers = list(mine.values())
        else:
            other = stats.per_round(results, self.other_case or self.case, self.figure, self.other_subject)
            combine = stats.ratio if self.measure == "ratio" else (lambda a, b: a - b)
            numbers = stats.paired(mine, other, combine)
            if not numbers:
                return "n/a", None, "no round with both %s and %s" % (self.subject, self.other_subject)
        s = stats.summary(numbers)
        checked = s[self.stat]
        return ("met" if OPS[self.op](checked, self.threshold) else "MISSED"), checked, None

    def describe_check(self, checked):
        what = {"value": "", "ratio": " x", "diff": " (diff)"}[self.measure]
        return "%s %s %g%s" % (fmt(checked), self.op, self.threshold, what)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and not v.is_integer():
        if abs(v) >= 100:
            return "%.0f" % v
        if abs(v) >= 1:
            return "%.3g" % v
        return "%.3g" % v
    return "%d" % v


def issue_goals():
    g = []
    for size, label in ((16, "16 B"), (1024, "1 KiB")):
        case = "qos0-%dB" % size
        g.append(Goal("qos0-rate-%d" % size, "QoS0 %s delivered >= 0.9x libmosquitto" % label, case,
                      "delivered_rate", "lua-host", ">=", 0.9, "ratio", other_subject="libmosquitto"))
        g.append(Goal("qos0-cpu-%d" % size, "QoS0 %s CPU/msg <= 1.0x libmosquitto" % label, case, "cpu_per_100k",
                      "lua-host", "<=", 1.0, "ratio", other_subject="libmosquitto"))
        g.append(Goal("lwip-%d" % size, "lwIP path >= 0.5x host path", case, "delivered_rate", "lua-lwip", ">=", 0.5,
                      "ratio", other_subject="lua-host"))
        for s in ("lua-host", "lua-lwip"):
            g.append(Goal("storm-lost-%d-%s" % (size, s), "storm delivers every message (every run)", case, "lost",
                          s, "==", 0, stat="max"))
            g.append(Goal("storm-rss-%d-%s" % (size, s), "storm peak RSS within 1 MB of the demo's", case,
                          "peak_rss", s, "<=", 1024, "diff", other_case="demo", other_subject="lua-demo"))
    for qos in (1, 2):
        g.append(Goal("qos%d-rate" % qos, "QoS%d delivered >= libmosquitto, same window" % qos, "qos%d-w20" % qos,
                      "delivered_rate", "lua-host", ">=", 1.0, "ratio", other_subject="libmosquitto"))
    g.append(Goal("rtt-p50", "QoS1 RTT p50 <= 1.1x libmosquitto", "rtt-qos1", "rtt_p50", "lua-host", "<=", 1.1,
                  "ratio", other_subject="libmosquitto"))
    g.append(Goal("demo-rss", "single-link demo peak RSS <= 4 MB (4096 KiB)", "demo", "peak_rss", "lua-demo", "<=",
                  4096))
    for s in ("lua-host", "lua-lwip"):
        g.append(Goal("idle-%s" % s, "idle client <= 8 KiB + its rx buffer (%d B)" % LUA_RX_BUFFER, "idle",
                      "rss_per_client", s, "<=", 8192 + LUA_RX_BUFFER))
        g.append(Goal("first-line-%s" % s, "first log line <= 3 ms after start", "startup", "first_line", s, "<=", 3))
        # The same less this machine's own cost of starting a program that prints one line: on a VM
        # exec alone can take ~3 ms.
        g.append(Goal("first-line-net-%s" % s, "... <= 3 ms beyond the exec floor (/bin/echo)", "startup",
                      "first_line", s, "<=", 3, "diff", other_subject="exec-floor"))
    return g
