"""The one table the bench prints and the machine-readable document it writes."""

import dataclasses

from . import stats
from .cases import FIGURES
from .goals import fmt
from .subjects import REFERENCE


def _ratio_summary(results, case, figure, subject):
    if subject == REFERENCE:
        return None
    mine = stats.per_round(results, case.key, figure, subject)
    ref = stats.per_round(results, case.key, figure, REFERENCE)
    return stats.summary(stats.paired(mine, ref, stats.ratio))


def _figure_names(case, results):
    if case.kind != "engine":
        return list(case.figures)
    names = []
    for r in results:
        if r.case == case.key:
            for name in r.figures:
                if name not in names:
                    names.append(name)
    return names


def _unit(figure):
    return FIGURES[figure.split("|")[-1]][0]


def build(cases, results, goals, unavailable):
    """Rows of the table and the figures/goals documents. A row: dict of the table's columns."""
    rows, figures_doc, goals_doc = [], [], []
    evaluated = {}
    for g in goals:
        status, checked, detail = g.evaluate(results, unavailable)
        evaluated.setdefault((g.case, g.figure, g.subject), []).append((g, status, checked, detail))
        goals_doc.append(dict(id=g.id, text=g.text, case=g.case, figure=g.figure, subject=g.subject, op=g.op,
                              threshold=g.threshold, measure=g.measure, other_case=g.other_case,
                              other_subject=g.other_subject, stat=g.stat, status=status, checked=checked,
                              detail=detail))

    def goal_text(key):
        parts = []
        for g, status, checked, detail in evaluated.get(key, []):
            if checked is not None:
                parts.append("%s: %s [%s]" % (status, g.text, g.describe_check(checked)))
            elif detail in unavailable.values():
                parts.append("%s: %s" % (status, g.text))  # the row already says why
            else:
                parts.append("%s: %s [%s]" % (status, g.text, detail))
        return "; ".join(parts)

    for case in cases:
        names = _figure_names(case, results)
        for subject in case.subjects:
            runs_of = [r for r in results if r.case == case.key and r.subject == subject]
            failed = [r for r in runs_of if not r.ok]
            if subject in unavailable or (runs_of and len(failed) == len(runs_of)):
                why = unavailable.get(subject) or "FAILED: %s" % failed[0].error
                shown = [f for f in names if (case.key, f, subject) in evaluated] or names[:1]
                for figure in shown:
                    rows.append(dict(case=case.title, figure=figure, subject=subject, note=why,
                                     goal=goal_text((case.key, figure, subject))))
                continue
            for figure in names:
                by_round = stats.per_round(results, case.key, figure, subject)
                s = stats.summary(by_round.values())
                if s is None and not failed and (case.key, figure, subject) not in evaluated:
                    continue  # a figure this subject does not have (a C peer's Lua heap)
                ratio = _ratio_summary(results, case, figure, subject)
                note = ""
                if failed:
                    note = "%d of %d runs failed: %s" % (len(failed), len(runs_of), failed[0].error)
                extra = [r.raw.get("note") for r in runs_of if r.raw.get("note")]
                if extra:
                    note = "; ".join(filter(None, [note, extra[0]]))
                rows.append(dict(case=case.title, figure=figure, subject=subject, unit=_unit(figure),
                                 median=s and s["median"], min=s and s["min"], max=s and s["max"],
                                 ratio=ratio and ratio["median"], ratio_min=ratio and ratio["min"],
                                 ratio_max=ratio and ratio["max"], note=note,
                                 goal=goal_text((case.key, figure, subject))))
                figures_doc.append(dict(case=case.key, figure=figure, unit=_unit(figure), subject=subject,
                                        rounds=by_round, summary=s, ratio_vs_libmosquitto=ratio))
    return rows, figures_doc, goals_doc


def _ratio_text(row):
    if row.get("ratio") is None:
        return ""
    if row["ratio_min"] == row["ratio_max"]:
        return "%.2fx" % row["ratio"]
    return "%.2fx (%.2f-%.2f)" % (row["ratio"], row["ratio_min"], row["ratio_max"])


def render(rows, title):
    header = ["case", "figure", "subject", "median", "min", "max", "vs libmosquitto", "goal / note"]
    table = []
    last_case = None
    for row in rows:
        case = row["case"] if row["case"] != last_case else ""
        last_case = row["case"]
        figure = row["figure"].replace("|", ": ") + (" [%s]" % row["unit"] if row.get("unit") else "")
        if "median" in row:
            cells = [case, figure, row["subject"], fmt(row["median"]), fmt(row["min"]), fmt(row["max"]),
                     _ratio_text(row), "; ".join(filter(None, [row["goal"], row["note"]]))]
        else:
            cells = [case, figure, row["subject"], "", "", "", "", "; ".join(filter(None, [row["note"], row["goal"]]))]
        table.append(cells)
    widths = [max(len(header[i]), *(len(r[i]) for r in table)) if table else len(header[i])
              for i in range(len(header) - 1)]
    lines = [title, ""]
    fmt_row = lambda cells: "  ".join(
        [c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(cells[:-1])] + [cells[-1]])
    lines.append(fmt_row(header).rstrip())
    lines.append("-" * min(200, sum(widths) + 2 * len(widths) + 20))
    for cells in table:
        lines.append(fmt_row(cells).rstrip())
    return "\n".join(lines)


def goal_summary(goals_doc):
    count = {"met": 0, "MISSED": 0, "n/a": 0}
    for g in goals_doc:
        count[g["status"]] += 1
    return "goals: %d met, %d missed, %d not measurable now (n/a)" % (count["met"], count["MISSED"], count["n/a"])


def run_dicts(results):
    return [dataclasses.asdict(r) for r in results]
