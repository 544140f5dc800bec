"""The HTML report's sweep and "over time" sections (escaped like the rest)."""

from __future__ import annotations

import html
import itertools

from .case import Case
from .series import query_key
from .sweep import region_of, result_key
from .sweep_case import sweep_view

STYLE = """
table.matrix{border-collapse:collapse;background:#fff;font-size:13px}
table.matrix td,table.matrix th{border:1px solid #ddd;padding:2px 4px;text-align:center}
table.matrix th.m{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
font-weight:600;padding:4px 2px}
table.matrix td.r{text-align:left;max-width:320px;overflow-wrap:anywhere}
table.matrix tr.region th{background:#eef0f3;font-size:12px}
.tick{color:#1d6f42;font-weight:700}.scroll{overflow-x:auto}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def sweeps_section(case: Case) -> str:
    numbers = sorted({s.sweep for s in case.searches if s.sweep is not None})
    parts = []
    for number in numbers:
        view = sweep_view(case, number)
        if view is None:
            continue
        rows = "".join(
            f"<tr><td>{_e(s.market)}</td><td>{s.results}</td><td>{s.unique}</td>"
            f"<td class=\"r\">{_e(', '.join(s.top_domains))}</td></tr>" for s in view.summary)
        codes = view.market_codes
        # Regions group the columns, and the market codes stand rotated: 38 stay readable.
        groups = [(region, len(list(members)))
                  for region, members in itertools.groupby(codes, key=region_of)]
        region_row = "".join(f'<th colspan="{n}">{_e(r)}</th>' for r, n in groups)
        head = "".join(f'<th class="m">{_e(c)}</th>' for c in codes)
        body = []
        for position, item in enumerate(view.record.response.results, 1):
            found = set(view.markets.get(position, []))
            ticks = "".join('<td class="tick">\u2713</td>' if c in found else "<td></td>"
                            for c in codes)
            body.append(f'<tr><td class="r">{_e(item.display_title)} \u2014 '
                        f"{_e(item.domain or 'unknown site')}</td><td>{len(found)}</td>"
                        f"{ticks}</tr>")
        parts.append(
            f'<section id="sweep-{number}"><h2>Sweep {number}: one image in '
            f"{len(codes)} countries</h2><p class=\"muted\">{_e(view.searches[0].image_url)} "
            f"\u00b7 {_e(view.searches[0].created_at)} (UTC) \u00b7 "
            f"{len(view.record.response.results)} different results</p>"
            '<table class="matrix"><tr><th>Country</th><th>Results</th><th>Only here</th>'
            f"<th>Top sites</th></tr>{rows}</table>"
            '<h3>Which country found which result</h3><div class="scroll"><table class="matrix">'
            f'<tr class="region"><th></th><th></th>{region_row}</tr>'
            f"<tr><th>Result</th><th>Countries</th>{head}</tr>{''.join(body)}</table></div>"
            "</section>")
    return "".join(parts)


def series_section(case: Case) -> str:
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, search in enumerate(case.searches):
        groups.setdefault(query_key(search), []).append(index)
    parts = []
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        runs = [case.searches[i] for i in indexes]
        rows = [f"<tr><td>Search {indexes[0] + 1}</td><td>{_e(runs[0].created_at)}</td>"
                f"<td>{len(runs[0].response.results)}</td><td>first run</td><td></td></tr>"]
        for (previous, run), index in zip(itertools.pairwise(runs), indexes[1:], strict=True):
            before = {result_key(i): i for i in previous.response.results}
            now = {result_key(i): i for i in run.response.results}
            new = [now[k] for k in now if k not in before]
            gone = [before[k] for k in before if k not in now]
            names = "; ".join([f"new: {i.display_title} ({i.domain or '?'})" for i in new]
                              + [f"gone: {i.display_title} ({i.domain or '?'})" for i in gone])
            rows.append(f"<tr><td>Search {index + 1}</td><td>{_e(run.created_at)}</td>"
                        f"<td>{len(run.response.results)}</td>"
                        f"<td>+{len(new)} new, \u2212{len(gone)} gone</td>"
                        f'<td class="r">{_e(names)}</td></tr>')
        parts.append(
            f"<h3>{_e(runs[0].image_url)} \u00b7 {_e(runs[0].market)}</h3>"
            '<table class="matrix"><tr><th>Run</th><th>When (UTC)</th><th>Results</th>'
            f"<th>Change</th><th>What changed</th></tr>{''.join(rows)}</table>")
    if not parts:
        return ""
    return ('<section id="over-time"><h2>Over time: the same search run again</h2>'
            f"{''.join(parts)}</section>")
