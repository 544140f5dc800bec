"""Copy groups in the exports: a collapsible section per search in the HTML report
(each group with its likely original first), columns in the CSV and fields in the
JSON. The groups are rebuilt from the case's fingerprints (``case_copies``)."""

from __future__ import annotations

import html
from typing import Any

from .case import Case, SearchRecord
from .case_copies import record_copies
from .duplicates import CopyInfo, query_prints, to_text

CSV_FIELDS = ("copy_group", "copy_group_size", "likely_original", "copy_reasons",
              "closeness_to_query", "fingerprint")

STYLE = """
.copies details{background:#fff;border:1px solid #ddd;border-radius:8px;margin:8px 0;
padding:6px 12px}.copies summary{cursor:pointer;font-weight:600}
.copies .members{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));
gap:10px;margin:10px 0}.copies .member{font-size:13px;overflow-wrap:anywhere}
.copies .member img{max-width:100%;max-height:110px;display:block;margin-bottom:4px}
.copies .member.original{border-left:3px solid #00695c;padding-left:6px}
.badge{display:inline-block;background:#00695c;color:#fff;border-radius:4px;padding:0 6px;
font-size:12px;font-weight:600}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def csv_cells(copies: dict[int, CopyInfo], position: int) -> tuple[object, ...]:
    info = copies.get(position)
    if info is None:
        return ("", "", "", "", "", "")
    return (info.group, info.size, "yes" if info.likely_original else "",
            "; ".join(info.reasons), info.closeness or "", info.fingerprint)


def json_fields(case: Case, record: SearchRecord) -> dict[str, Any]:
    """What the JSON export says of a search's copies, by position."""
    copies = record_copies(case, record)
    return {
        "query_fingerprints": [to_text(v) for v in query_prints(record.query_print)],
        "copies": {str(p): {
            "group": c.group, "group_size": c.size, "likely_original": c.likely_original,
            "largest": c.largest, "earliest": c.earliest, "reasons": list(c.reasons),
            "closeness_to_query": c.closeness, "bits_from_query": c.distance,
            "fingerprint": c.fingerprint} for p, c in sorted(copies.items())},
    }


def card_line(info: CopyInfo | None) -> str:
    """A result card's line: "1 of 7 copies · likely original · same picture"."""
    if info is None:
        return ""
    parts = []
    if info.size > 1:
        parts.append(f"picture {info.group}: {info.size} copies")
    if info.likely_original:
        parts.append('<span class="badge">likely original</span>')
    if info.closeness:
        parts.append(_e(info.closeness))
    return f'<div class="muted">{" &middot; ".join(parts)}</div>' if parts else ""


def copies_section(case: Case, record: SearchRecord, thumbs: dict[int, str],
                   titles: dict[int, str]) -> str:
    """Groups of two or more copies, largest group first; each a <details> that opens
    on its likely original. ``thumbs`` and ``titles``: per position, ready HTML."""
    copies = record_copies(case, record)
    groups: dict[int, list[int]] = {}
    for position, info in sorted(copies.items()):
        groups.setdefault(info.group, []).append(position)
    shown = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))
    if not shown:
        return ""
    blocks = []
    for members in shown:
        members.sort(key=lambda p: (not copies[p].likely_original, p))
        head = copies[members[0]]
        why = "; ".join(r for r in head.reasons if r != "likely original")
        summary = f"Picture {head.group}: {len(members)} copies \u00b7 " + (
            f"likely original #{members[0]}" + (f" ({_e(why)})" if why else "")
            if head.likely_original else "no size or date tells which is the original")
        cells = "".join(
            f'<div class="member{" original" if copies[p].likely_original else ""}">'
            f"{thumbs.get(p, '')}#{p} {titles.get(p, '')}"
            f"{'<br>' + _e('; '.join(copies[p].reasons)) if copies[p].reasons else ''}"
            f"</div>" for p in members)
        blocks.append(f"<details><summary>{summary}</summary>"
                      f'<div class="members">{cells}</div></details>')
    total = len(copies)
    return (f'<div class="copies"><h3>Copies of the same picture</h3><p class="muted">'
            f"{len(set(groups))} distinct pictures among {total} results with a kept picture; "
            f"{len(shown)} were found more than once. Open a group to see its copies. The "
            "likely original is a guess from the sizes and dates the search reported.</p>"
            f"{''.join(blocks)}</div>")
