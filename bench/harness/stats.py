"""Medians, extremes and same-round ratios of the figures of several rounds."""

import statistics


def summary(values):
    """{"values", "median", "min", "max"} of the numbers in `values` (None skipped), or None if there are none."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"values": vals, "median": statistics.median(vals), "min": min(vals), "max": max(vals)}


def per_round(results, case, figure, subject):
    """{round: value} of one figure of one subject in one case, from the runs that succeeded."""
    out = {}
    for r in results:
        if r.case == case and r.subject == subject and r.ok and r.figures.get(figure) is not None:
            out[r.round] = r.figures[figure]
    return out


def paired(a, b, combine):
    """combine(a[r], b[r]) for every round r that both have (a figure is only ever compared with its peer's
    figure from the same round: the machine's load changes between rounds)."""
    out = []
    for rnd in sorted(set(a) & set(b)):
        try:
            out.append(combine(a[rnd], b[rnd]))
        except ZeroDivisionError:
            pass
    return out


def ratio(a, b):
    return a / b
