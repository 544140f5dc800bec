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
from .case import Case, SearchRecord, plural
from .fetcher import sniff_image_format
from .markets import find_market
from .redact import redact
from .response import ResultItem

CSV_FIELDS = ("search", "searched_at_utc", "query_image", "market", "crop", "position", "title",
              "site", "width", "height", "format", "page_url", "image_url", "bing_url", "starred",
              "note", "thumbnail_sha256")


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
.sample{background:#fff4d6;border:1px solid #e0b84a;color:#5c4300;padding:6px 10px;
border-radius:6px;font-weight:600}
"""

# Marks images that fail to show, so a reader (and the tests) can tell at once.
SCRIPT = """
addEventListener('load',function(){var bad=0,all=document.images;
for(var i=0;i<all.length;i++){if(!all[i].complete||all[i].naturalWidth===0){bad++;
all[i].replaceWith(document.createTextNode('image missing'));}}
document.body.setAttribute('data-images',all.length+bad);
document.body.setAttribute('data-broken-images',bad);});
"""


def _result_card(case: Case, record: SearchRecord, item: ResultItem) -> str:
    thumb_url = item.thumbnail_url
    data = case.thumbnail(record, thumb_url) if thumb_url else None
    uri = _data_uri(data)
    thumb = (f'<img alt="" src="{uri}">' if uri else
             "not saved" if thumb_url else "no image")
    links = []
    for label, url in (("page", item.source), ("image", item.image_url), ("Bing", item.link)):
        href = _href(url)
        if href:
            links.append(f'<a href="{href}" rel="noopener noreferrer">{label}</a>')
    star = item.position in record.stars
    note = record.notes.get(item.position)
    digest = record.thumbnails.get(thumb_url or "")
    facts = [f"#{item.position}", _e(item.domain or "unknown site"), _e(item.size_label)]
    if item.format:
        facts.append(_e(item.format.upper()))
    star_mark = "\u2605 " if star else ""
    parts = [
        f'<div class="card{" star" if star else ""}"><div class="thumb">{thumb}</div>',
        f'<div class="title">{star_mark}{_e(item.display_title)}</div>',
        f'<div class="muted">{" &middot; ".join(facts)}</div>',
        f'<div class="links">{"".join(links)}</div>',
    ]
    if note:
        parts.append(f'<div class="note">{_e(note)}</div>')
    if digest:
        parts.append(f'<div class="hash">thumbnail sha256 {_e(digest)}</div>')
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
    cards = "".join(_result_card(case, record, item) for item in response.results)
    return (
        f'<section id="search-{record.id}"><h2>Search {number}</h2>'
        f'<div class="query">{image}<div><p><b>Image:</b> {link}</p><p>{facts}</p>{parent}'
        f'<p class="hash">query image sha256 {_e(record.preview_sha256 or "not saved")}</p>'
        f'</div></div><div class="grid">{cards or "<p>No results.</p>"}</div></section>'
    )


def html_report(case: Case) -> str:
    searches = "".join(_search_section(case, i + 1, r) for i, r in enumerate(case.searches))
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
        f"<style>{STYLE}</style><script>{SCRIPT}</script></head><body>"
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
        for item in record.response.results:
            row = (number, record.created_at, record.image_url, record.market,
                   _crop_text(record), item.position, item.title, item.domain, item.width,
                   item.height, item.format, item.source, item.image_url, item.link,
                   "yes" if item.position in record.stars else "",
                   record.notes.get(item.position, ""),
                   record.thumbnails.get(item.thumbnail_url or "", ""))
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
            "query_image_sha256": r.preview_sha256, "elapsed_seconds": r.elapsed,
            "starred_positions": sorted(r.stars),
            "notes": {str(k): v for k, v in sorted(r.notes.items())},
            "thumbnail_sha256": r.thumbnails, "response": r.response_raw,
        } for r in case.searches],
    }
    return redact(json.dumps(payload, ensure_ascii=False, indent=2))
