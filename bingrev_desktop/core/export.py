"""Exports for people without the app: a self-contained HTML report, CSV and JSON.

The HTML report embeds every stored image as a data: URI and forbids all
network loads with a Content-Security-Policy, so it reads the same offline.
Every remote string is escaped; links are only ever http(s).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from .case import Case, KeptCopy, LinkResult, LinkState, SearchRecord, plural
from .case_copies import record_copies
from .duplicates import CopyInfo
from .export_copies import CSV_FIELDS as COPY_FIELDS
from .export_copies import STYLE as COPIES_STYLE
from .export_copies import card_line, copies_section, csv_cells, json_fields
from .export_sweeps import STYLE as SWEEP_STYLE
from .export_sweeps import series_section, sweeps_section
from .fetcher import sniff_image_format
from .markets import find_market
from .redact import redact
from .response import ResultItem

CSV_FIELDS = ("search", "searched_at_utc", "query_image", "market", "crop", "position", "title",
              "site", "width", "height", "format", "page_url", "image_url", "bing_url", "starred",
              "note", "thumbnail_sha256", "thumbnail_state", "thumbnail_error",
              "original_sha256", "original_fetched_at_utc", "original_final_url",
              "original_status", "original_bytes", "original_error", "page_check",
              "page_checked_at_utc", "image_check", "image_checked_at_utc", *COPY_FIELDS)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _href(url: str | None) -> str | None:
    if url and urlsplit(url).scheme in ("http", "https"):
        return _e(url)
    return None


def _data_uri(data: bytes | None) -> str | None:
    fmt = sniff_image_format(data[:64]) if data else None
    if not data or fmt is None:
        return None
    return f"data:image/{fmt};base64,{base64.b64encode(data).decode()}"


def _crop_text(record: SearchRecord) -> str:
    crop = record.crop_fractions()
    if crop is None:
        return "whole image"
    return "left {} \u00b7 top {} \u00b7 right {} \u00b7 bottom {}".format(*crop)


def _market_text(record: SearchRecord) -> str:
    market = find_market(record.market) if record.market != "default" else None
    return market.label if market else "service default"


STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f1f1f;
background:#f6f7f9}
header,section{max-width:1200px;margin:0 auto;padding:16px 24px}
header{border-bottom:1px solid #ddd;background:#fff;max-width:none}
h1{margin:0 0 4px;font-size:24px} h2{margin:28px 0 8px;font-size:19px}
.muted{color:#5f6368;overflow-wrap:anywhere}
.hash{font:12px ui-monospace,monospace;color:#5f6368;word-break:break-all}
.query{display:flex;gap:20px;align-items:flex-start;flex-wrap:wrap;background:#fff;
border:1px solid #ddd;border-radius:8px;padding:14px}
.frame{position:relative;display:inline-block;max-width:420px}
.frame img{display:block;max-width:420px;max-height:320px}
.crop{position:absolute;border:2px solid #fff;outline:2px dashed #0b57d0;
box-shadow:0 0 0 9999px rgba(0,0,0,.45)}
.frame{overflow:hidden}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px;
margin-top:14px}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px;overflow:hidden}
.card.star{border-color:#b7791f;box-shadow:0 0 0 2px #f3d9a4}
.thumb{height:150px;display:flex;align-items:center;justify-content:center;background:#eef0f3;
border-radius:4px;margin-bottom:8px;color:#5f6368;font-size:13px}
.thumb img{max-width:100%;max-height:150px}
.title{font-weight:600;overflow-wrap:anywhere}.links a{margin-right:10px}
.note{background:#fff8e1;border-left:3px solid #b7791f;padding:4px 8px;margin-top:6px;
white-space:pre-wrap}
a{color:#0b57d0}
.evidence{margin-top:6px;font-size:13px}.original{display:block;max-width:100%;
max-height:320px;margin:4px 0;border:1px solid #ddd}.download{font-size:13px}
.link{font-size:13px}.link.gone{color:#b3261e;font-weight:600}
.link.changed{color:#8a4b00;font-weight:600}.link.unreachable{color:#5f6368}
table.checks{border-collapse:collapse;background:#fff}table.checks td,table.checks th{
border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:14px}
.sample{background:#fff4d6;border:1px solid #e0b84a;color:#5c4300;padding:6px 10px;
border-radius:6px;font-weight:600}
"""

# Marks images that fail to show, so a reader (and the tests) can tell at once.
SCRIPT = """
addEventListener('load',function(){var bad=0,all=document.images;
for(var i=0;i<all.length;i++){if(!all[i].complete||all[i].naturalWidth===0){bad++;
all[i].replaceWith(document.createTextNode('image missing'));}}
document.body.setAttribute('data-images',all.length+bad);
document.body.setAttribute('data-broken-images',bad);
var links=document.querySelectorAll('a.download');for(var j=0;j<links.length;j++){
var img=document.getElementById(links[j].getAttribute('data-for'));
if(img){links[j].href=img.src;}}});
"""


def _bdi(text: object) -> str:
    """Remote text, escaped and isolated: a U+202E in it cannot reorder our own text."""
    return f"<bdi>{_e(text)}</bdi>"


def thumbnail_state(record: SearchRecord, url: str | None) -> tuple[str, str]:
    """("kept" | "failed" | "never loaded" | "no image", the failure's reason)."""
    if not url:
        return "no image", ""
    if url in record.thumbnails:
        return "kept", ""
    failure = record.thumbnail_failures.get(url)
    if failure is not None:
        return "failed", f"{failure.reason} ({failure.at})"
    return "never loaded", ""


def _copy_html(case: Case, record: SearchRecord, item: ResultItem, kept: KeptCopy) -> str:
    if not kept.ok:
        return (f'<div class="evidence">Full-size copy could not be kept '
                f"({_e(kept.fetched_at)} UTC): {_e(kept.error or '')}</div>")
    facts = (f"Full-size copy kept {_e(kept.fetched_at)} UTC &middot; {kept.size} bytes"
             f" &middot; HTTP {_e(kept.status)} &middot; {_e(kept.content_type or '')}")
    if kept.final_url and kept.final_url != kept.url:
        facts += f" &middot; after redirects: {_bdi(kept.final_url)}"
    embedded = ""
    if item.position in record.stars:
        uri = _data_uri(case.original(record, item.position))
        if uri:
            name = f"search{record.id}-result{item.position}-original"
            # One embedded copy, shown scaled; the link saves the exact bytes.
            embedded = (f'<img class="original" id="{name}" alt="full-size copy" src="{uri}">'
                        f'<a class="download" data-for="{name}" download="{name}">'
                        "Download the original (embedded in this report)</a>")
    return (f'<div class="evidence">{embedded}<div>{facts}</div>'
            f'<div class="hash">original sha256 {_e(kept.sha256)}</div></div>')


def _links_html(results: list[LinkResult]) -> str:
    rows = []
    for r in sorted(results, key=lambda r: r.kind != "page"):
        css = r.state.name.lower()
        detail = f" ({_e(r.detail)})" if r.detail and r.state is not LinkState.OK else ""
        rows.append(f'<div class="link {css}">{"Page" if r.kind == "page" else "Image"}: '
                    f"{_e(r.state.value)}{detail} &middot; checked {_e(r.checked_at)} UTC</div>")
    return "".join(rows)


def _result_card(case: Case, record: SearchRecord, item: ResultItem,
                 copies: dict[int, CopyInfo]) -> str:
    thumb_url = item.thumbnail_url
    data = case.thumbnail(record, thumb_url) if thumb_url else None
    uri = _data_uri(data)
    state, reason = thumbnail_state(record, thumb_url)
    thumb = (f'<img alt="" src="{uri}">' if uri else
             f"could not be loaded: {_e(reason)}" if state == "failed" else
             "never loaded" if thumb_url else "no image")
    links = []
    for label, url in (("page", item.source), ("image", item.image_url), ("Bing", item.link)):
        href = _href(url)
        if href:
            links.append(f'<a href="{href}" rel="noopener noreferrer">{label}</a>')
    star = item.position in record.stars
    note = record.notes.get(item.position)
    digest = record.thumbnails.get(thumb_url or "")
    facts = [f"#{item.position}", _bdi(item.domain or "unknown site"), _e(item.size_label)]
    if item.format:
        facts.append(_e(item.format.upper()))
    star_mark = "\u2605 " if star else ""
    parts = [
        f'<div class="card{" star" if star else ""}" id="r-{record.id}-{item.position}">'
        f'<div class="thumb">{thumb}</div>',
        f'<div class="title">{star_mark}{_bdi(item.display_title)}</div>',
        f'<div class="muted">{" &middot; ".join(facts)}</div>',
        card_line(copies.get(item.position)),
        f'<div class="links">{"".join(links)}</div>',
    ]
    if note:
        parts.append(f'<div class="note">{_e(note)}</div>')
    if digest:
        parts.append(f'<div class="hash">thumbnail sha256 {_e(digest)}</div>')
    kept = record.originals.get(item.position)
    if kept is not None:
        parts.append(_copy_html(case, record, item, kept))
    parts.append(_links_html(case.latest_links(record).get(item.position, [])))
    parts.append("</div>")
    return "".join(parts)


def _search_section(case: Case, number: int, record: SearchRecord) -> str:
    preview = _data_uri(case.preview(record))
    crop = record.crop_fractions()
    crop_box = ""
    if crop is not None and preview:
        left, top, right, bottom = (v * 100 for v in crop)
        crop_box = (f'<div class="crop" style="left:{left:.2f}%;top:{top:.2f}%;'
                    f'width:{right - left:.2f}%;height:{bottom - top:.2f}%"></div>')
    image = (f'<div class="frame"><img alt="searched image" src="{preview}">{crop_box}</div>'
             if preview else '<div class="thumb" style="width:300px">preview not saved</div>')
    parent = ""
    if record.parent_id is not None:
        parent = (f"<p>Pivot: searched with result #{_e(record.parent_position)} of search "
                  f"{_e(record.parent_id)}.</p>")
    response = record.response
    href = _href(record.image_url)
    link = f'<a href="{href}">{_e(record.image_url)}</a>' if href else _e(record.image_url)
    facts = (f"<b>Market:</b> {_e(_market_text(record))}<br>"
             f"<b>Part of image:</b> {_e(_crop_text(record))}<br>"
             f"<b>Searched:</b> {_e(record.created_at)} (UTC)<br>"
             f"<b>Results:</b> {len(response.results)}")
    if response.credits_used is not None:
        facts += f" &middot; <b>credits used:</b> {response.credits_used:g}"
    copies = record_copies(case, record)
    cards = "".join(_result_card(case, record, item, copies) for item in response.results)
    originals = {i.position: i for i in response.results
                 if (c := copies.get(i.position)) is not None and c.likely_original}
    thumbs = {p: f'<img alt="" src="{uri}">' for p, i in originals.items()
              if (uri := _data_uri(case.thumbnail(record, i.thumbnail_url or "")))}
    titles = {i.position: f'<a href="#r-{record.id}-{i.position}">{_bdi(i.display_title)}</a>'
              f" &middot; {_e(i.size_label)}" for i in response.results}
    return (
        f'<section id="search-{record.id}"><h2>Search {number}</h2>'
        f'<div class="query">{image}<div><p><b>Image:</b> {link}</p><p>{facts}</p>{parent}'
        f'<p class="hash">query image sha256 {_e(record.preview_sha256 or "not saved")}</p>'
        f'</div></div>{copies_section(case, record, thumbs, titles)}'
        f'<div class="grid">{cards or "<p>No results.</p>"}</div></section>'
    )


def _checks_section(case: Case) -> str:
    if not case.checks:
        return ""
    numbers = {r.id: n for n, r in enumerate(case.searches, 1)}
    rows = []
    for check in case.checks:
        state = " (cancelled)" if check.cancelled else ""
        rows.append(f"<tr><td>Check {check.id}{state}</td><td>{_e(check.started_at)} UTC</td>"
                    f"<td>{check.count(LinkState.OK)}</td><td>{check.count(LinkState.GONE)}</td>"
                    f"<td>{check.count(LinkState.CHANGED)}</td>"
                    f"<td>{check.count(LinkState.UNREACHABLE)}</td></tr>")
    changes = []
    for check in case.checks:
        for r in check.results:
            if r.state is not LinkState.OK:
                changes.append(
                    f'<li class="link {r.state.name.lower()}">Check {check.id}: search '
                    f"{numbers.get(r.search_id, '?')}, result #{r.position}, "
                    f"{'page' if r.kind == 'page' else 'image'} {_e(r.state.value)}"
                    f" ({_e(r.detail)}) &middot; {_e(r.checked_at)} UTC &middot; "
                    f"{_bdi(r.url)}</li>")
    return ('<section id="link-checks"><h2>Link checks</h2><p>Each check visited every '
            "result page and image again.</p><table class=\"checks\"><tr><th>Check</th>"
            "<th>When</th><th>Still there</th><th>Gone</th><th>Changed</th>"
            "<th>Could not be reached</th></tr>"
            f"{''.join(rows)}</table><ul>{''.join(changes)}</ul></section>")


def html_report(case: Case) -> str:
    searches = "".join(_search_section(case, i + 1, r) for i, r in enumerate(case.searches))
    searches += sweeps_section(case) + series_section(case) + _checks_section(case)
    note = f'<p class="note">{_e(case.note)}</p>' if case.note else ""
    if case.sample_data:
        note = ('<p class="sample">Sample data from the demo mode: these are made-up '
                "results, not real Bing results.</p>") + note
    # Only our own script may run (by hash): even a crafted case cannot inject one.
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
           f"script-src 'sha256-{script_hash}'")
    return redact(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(case.title)} \u2014 reverse image search report</title>"
        f"<style>{STYLE}{SWEEP_STYLE}{COPIES_STYLE}</style><script>{SCRIPT}</script></head><body>"
        f"<header><h1>{_e(case.title)}</h1><div class=\"muted\">Reverse image search report "
        f"\u00b7 {plural(len(case.searches), 'search', 'searches')} \u00b7 case started "
        f"{_e(case.created_at)} "
        f"(UTC) \u00b7 made with bingrev-desktop {_e(__version__)}</div>{note}</header>"
        f"{searches or '<section><p>This case has no searches yet.</p></section>'}"
        "</body></html>"
    )


def _csv_cell(value: object) -> str:
    """Neutralise spreadsheet formulas in remote text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_report(case: Case) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for number, record in enumerate(case.searches, 1):
        links = case.latest_links(record)
        copies = record_copies(case, record)
        for item in record.response.results:
            state, reason = thumbnail_state(record, item.thumbnail_url)
            kept = record.originals.get(item.position) or KeptCopy("", "")
            checks = {r.kind: r for r in links.get(item.position, [])}
            page, image = checks.get("page"), checks.get("image")
            row = (number, record.created_at, record.image_url, record.market,
                   _crop_text(record), item.position, item.title, item.domain, item.width,
                   item.height, item.format, item.source, item.image_url, item.link,
                   "yes" if item.position in record.stars else "",
                   record.notes.get(item.position, ""),
                   record.thumbnails.get(item.thumbnail_url or "", ""), state, reason,
                   kept.sha256 or "", kept.fetched_at, kept.final_url, kept.status or "",
                   kept.size or "", kept.error or "",
                   page.state.value if page else "", page.checked_at if page else "",
                   image.state.value if image else "", image.checked_at if image else "",
                   *csv_cells(copies, item.position))
            writer.writerow([_csv_cell(v) for v in row])
    return redact(out.getvalue())


def json_report(case: Case) -> str:
    payload: dict[str, Any] = {
        "format": "bingrev-case-export", "app_version": __version__, "title": case.title,
        "note": case.note, "created_at": case.created_at,
        "searches": [{
            "id": r.id, "created_at": r.created_at, "request": r.request_body,
            "pivot_from": ({"search": r.parent_id, "position": r.parent_position}
                           if r.parent_id is not None else None),
            "sweep": r.sweep,  # searches of one market sweep share the number
            "query_image_sha256": r.preview_sha256, "elapsed_seconds": r.elapsed,
            "starred_positions": sorted(r.stars),
            "notes": {str(k): v for k, v in sorted(r.notes.items())},
            "thumbnail_sha256": r.thumbnails,
            "thumbnail_failures": {u: {"reason": f.reason, "at_utc": f.at}
                                   for u, f in r.thumbnail_failures.items()},
            "full_size_copies": {str(p): {
                "url": c.url, "final_url": c.final_url, "sha256": c.sha256, "status": c.status,
                "content_type": c.content_type, "bytes": c.size, "fetched_at_utc": c.fetched_at,
                "error": c.error} for p, c in sorted(r.originals.items())},
            **json_fields(case, r),  # copy groups, likely originals, fingerprints
            "response": r.response_raw,
        } for r in case.searches],
        "link_checks": [{
            "id": c.id, "started_at_utc": c.started_at, "finished_at_utc": c.finished_at,
            "cancelled": c.cancelled,
            "results": [{"search": x.search_id, "position": x.position, "kind": x.kind,
                         "url": x.url, "state": x.state.value, "status": x.status,
                         "detail": x.detail, "sha256": x.sha256, "checked_at_utc": x.checked_at}
                        for x in c.results],
        } for c in case.checks],
    }
    return redact(json.dumps(payload, ensure_ascii=False, indent=2))
