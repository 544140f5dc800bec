"""Deterministic search results shaped like the real ``bing_reverse_image`` answer.

Results depend only on (image_url, crop, mkt): a seeded ``random.Random``
drives everything, so the same request always gets the same list and a
different crop or market gets a different one.  ``count`` only truncates
(for counts of 5 or more the first N items are stable).

Loose typing is intentional, like the real API: some items carry
``width``/``height`` as strings and about one in six omit optional fields.
Titles contain markup, ampersands, quotes and non-ASCII text because remote
text must be escaped by clients.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from .contract import SearchParams
from .families import ASPECTS, FAMILY_EPOCH, Families, largest_size, size_for
from .images import ORIGINAL_CAP, fit_within, query_image_size, seed_for

JSON = dict[str, Any]

DOMAINS = (
    "news.example.org", "blog.sample-photos.net", "cdn.picturebank.example",
    "www.travel-journal.example.com", "images.stockly.test", "forum.photo-fans.example",
    "shop.printmaker.example.net", "static.wallpaper-hub.example", "media.cityguide.example.org",
    "photos.nordlys.example.no", "assets.designboard.example.com", "www.cafe-culture.example",
)  # fmt: skip
SUBJECTS = {
    "lighthouse": ("lighthouse", "coastal lighthouse", "harbour light", "beacon at sea"),
    "city": ("city skyline", "night city", "downtown towers", "urban skyline"),
    "mountain": ("mountain range", "alpine peaks", "snowy summit", "mountain valley"),
    "portrait": ("portrait", "studio portrait", "headshot", "profile photo"),
    "sunset": ("sunset", "evening sky", "dusk panorama", "golden hour"),
}
GENERIC = ("abstract shapes", "colour study", "geometric print", "wallpaper", "poster design")
TITLE_TEMPLATES = (
    "{Subject} photo | {site}",
    "Stunning {subject} wallpapers & backgrounds",
    "<b>{Subject}</b> - free stock image",
    '"{Subject}" by Zoë Martín',
    "Café terrace with a {subject} view",
    "{Subject} — Fotografía del día",
    "10 tips for shooting a {subject} (2024 edition)",
    "{Subject} 写真 | 東京フォト",
    "Print: {subject} on canvas, 60×40 cm",
    "{Subject} &amp; more",  # Bing sends entities; hostile titles live in the tests
    "Why the {subject} is everyone's favourite",
    "Weekend trip: {subject} & seaside",
)
THUMB_HEIGHTS = (135, 135, 135, 120, 150, 180)
OPTIONAL_FIELDS = ("date", "file_size", "cdn_original", "thumbnail_width", "thumbnail_height")
_QUERY_PATH = re.compile(r"^/query/([a-z0-9-]+)\.png$")
_SCENE_COPY = re.compile(r"^/img/q-([a-z0-9-]+)\.png$")
SHARED_HEAD = 5  # the top results are the same everywhere and always
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_search_id() -> str:
    """A 26-character ULID-like id (48-bit ms time + 80 random bits)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def utc_stamp(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))


def query_identity(image_url: str) -> tuple[str, str | None, tuple[int, int]]:
    """(picture seed, built-in scene name or None, size) for the query image."""
    parts = urlsplit(image_url)
    match = _QUERY_PATH.match(parts.path)
    if match and (size := query_image_size(match.group(1))) is not None:
        return "q-" + match.group(1), match.group(1), size
    served = _served_size(parts.path, parts.query)
    if served is not None:  # one of this engine's own originals (a pivot): its real size
        scene = _SCENE_COPY.match(parts.path)
        if scene and query_image_size(scene.group(1)) is not None:
            # A copy of a built-in scene (the lighthouse): searching it finds that scene
            # again, as Bing would, not unrelated shapes.
            return "q-" + scene.group(1), scene.group(1), served
        return seed_for("copy", image_url), None, served
    # Unknown images get a stable made-up size so aspect-based features work.
    rng = random.Random("size:" + image_url)
    aw, ah = rng.choice(ASPECTS)
    width = rng.choice((480, 640, 800, 1024, 1200))
    return seed_for("copy", image_url), None, (width, max(1, round(width * ah / aw)))


def _served_size(path: str, query: str) -> tuple[int, int] | None:
    if not path.startswith("/img/"):
        return None
    values = dict(parse_qsl(query))
    try:
        width, height = int(values["w"]), int(values["h"])
    except (KeyError, ValueError):
        return None
    if width < 1 or height < 1:
        return None
    return fit_within(width, height, ORIGINAL_CAP)


def _image_format(url: str) -> str:
    path = urlsplit(url).path.lower()
    for ext, fmt in ((".png", "png"), (".gif", "gif"), (".webp", "webp"), (".bmp", "bmp")):
        if path.endswith(ext):
            return fmt
    return "jpeg"


def bing_detail_link(original: str, width: int, height: int, rng: random.Random) -> str:
    ident = f"{rng.getrandbits(160):040X}"
    thid = "OIP." + "".join(
        rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGH0123456789-") for _ in range(27)
    )
    return (
        "https://www.bing.com/images/search?view=detailV2"
        f"&ccid={rng.getrandbits(40):010x}&id={ident}&thid={thid}"
        f"&mediaurl={quote(original, safe='')}&exph={height}&expw={width}&q=imgurl&FORM=IRPRST"
    )


def image_info(params: SearchParams) -> JSON:
    _seed, _scene, (width, height) = query_identity(params.image_url)
    url = params.image_url
    return {
        "domain": urlsplit(url).hostname or "",
        "format": _image_format(url),
        "link": "https://www.bing.com/images/search?q=imgurl%3A"
        + quote(url, safe="")
        + "&view=detailv2&iss=sbi",
        "original": url,
        "source": url,
        "width": width,
        "height": height,
    }


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:40].strip("-") or "image"


def _share(*parts: object) -> int:
    """A stable number 0..99 for the parts (market and run membership)."""
    digest = hashlib.md5("|".join(map(str, parts)).encode("utf-8"), usedforsecurity=False)
    return int.from_bytes(digest.digest()[:4], "big") % 100


def _lifecycle(j: int) -> tuple[int, int | None]:
    """(first run it is found in, run it is no longer found from) of pool item ``j``.
    Every few items near the top change with each run, so each later run has a few
    new results and a few gone ones, whatever the image."""
    k = j - SHARED_HEAD
    if k < 0:
        return 0, None
    first = 1 + (k // 7) % 3 if k % 7 == 3 else 0
    last = 1 + (k // 5) % 3 if k % 5 == 1 else None
    return first, last


def in_market(pool_seed: str, j: int, mkt: str | None) -> bool:
    """Half the pool is found from every market; each other result only from about a
    quarter of the markets: a picture can be invisible from one country. Results that
    come and go over time are found everywhere, so every market sees the change."""
    if mkt is None or j < SHARED_HEAD or _lifecycle(j) != (0, None):
        return True
    if _share(pool_seed, j, "shared") < 50:
        return True
    return _share(pool_seed, j, mkt.lower()) < 25


def alive(pool_seed: str, j: int, run: int) -> bool:
    """Over time a few results appear (found from a later run on) and a few vanish."""
    first, last = _lifecycle(j)
    return first <= run and (last is None or run < last)


def related_content(params: SearchParams, base_url: str, image_base: str = "",
                    run: int = 0) -> list[JSON]:
    """``image_base`` serves the pictures from another origin (an HTTP/2 host in the
    benchmarks); by default the engine serves them itself. ``run`` is how many times
    this exact search was answered before: later runs differ a little."""
    pool_seed = params.pool_seed()
    pool = _pool(params, pool_seed, base_url, image_base or base_url,
                 params.count * 3 + 12)
    chosen = [item for j, item in enumerate(pool)
              if in_market(pool_seed, j, params.mkt) and alive(pool_seed, j, run)]
    items = chosen[:params.count]
    for position, item in enumerate(items, 1):
        item["position"] = position
    return items


def _pool(params: SearchParams, pool_seed: str, base_url: str, image_base: str,
          size: int) -> list[JSON]:
    """Every result this image could get, whatever the market or the day."""
    rng = random.Random("results:" + pool_seed)
    copy_seed, scene, (qw, qh) = query_identity(params.image_url)
    aspect = qw / qh
    subjects = SUBJECTS.get(scene or "", GENERIC)
    domains = rng.sample(DOMAINS, k=rng.randint(5, 8))  # few domains so several results share one
    span = min(params.count, SHARED_HEAD)
    largest_at = rng.randrange(span)
    stringly_at = (largest_at + 1 + rng.randrange(max(1, span - 1))) % max(span, 1)
    sparse_at = rng.randrange(span)
    items: list[JSON] = []
    families = Families(pool_seed, copy_seed, aspect)
    for i in range(size):
        is_copy = i == largest_at or rng.random() < 0.55
        if i == largest_at:
            width, height = largest_size(aspect)
        elif is_copy:
            width, height = size_for(rng, aspect, 120, 2400)
        else:
            aw, ah = rng.choice(ASPECTS)
            width, height = size_for(rng, aw / ah, 120, 3000)
        seed = copy_seed if is_copy else seed_for(pool_seed, str(i))
        seed, edit, width, height, first_day = families.member(
            i, seed, is_copy, i == largest_at, width, height)
        tag = f"&edit={edit}" if edit else ""
        fmt = rng.choice(("jpeg", "jpeg", "png"))
        domain = rng.choice(domains)
        subject = rng.choice(subjects)
        template = rng.choice(TITLE_TEMPLATES)
        if i == 1:  # Bing bolds the words it matched: every answer has such a title
            template = "<b>{Subject}</b> - free stock image"
        title = template.format(subject=subject, Subject=subject.capitalize(), site=domain)
        original = f"{image_base}/img/{seed}.png?w={width}&h={height}{tag}"
        thumb_h = min(height, rng.choice(THUMB_HEIGHTS))  # Bing never upscales thumbnails
        thumb_w = min(width, 400, max(40, round(thumb_h * width / height)))
        source = f"{base_url}/site/{domain}/{_slug(title)}--{seed}--{width}x{height}.html"
        # Bing gives each result a thumbnail address of its own, copies of one picture
        # included (its "OIP." id is the page's image, not the picture's content).
        oip = hashlib.sha1(source.encode()).hexdigest()[:10]
        item: JSON = {
            "position": i + 1,
            "title": title,
            "link": bing_detail_link(original, width, height, rng),
            "source": source,
            "original": original,
            "cdn_original": f"{original}&cdn=1",
            "thumbnail": f"{image_base}/thumb/{seed}.png?w={thumb_w}&h={thumb_h}{tag}&id={oip}",
            "domain": domain,
            "format": fmt,
            "width": width,
            "height": height,
            "thumbnail_width": thumb_w,
            "thumbnail_height": thumb_h,
        }
        day = rng.randrange(0, 3650)
        stamp = time.gmtime(1_420_070_400 + day * 86400 + rng.randrange(86400))
        if rng.random() < 0.8:
            item["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
        if rng.random() < 0.8:
            per_pixel = 0.25 if fmt == "jpeg" else 1.1
            item["file_size"] = (
                f"{max(900, round(width * height * per_pixel * rng.uniform(0.6, 1.4)))} B"
            )
        if i == sparse_at or rng.random() < 1 / 6:
            for name in rng.sample(OPTIONAL_FIELDS, k=rng.randint(2, len(OPTIONAL_FIELDS))):
                item.pop(name, None)
        if i != largest_at and (i == stringly_at or rng.random() < 0.08):
            item["width"], item["height"] = str(width), str(height)
        if first_day is not None:  # a family's original: first posted, always dated
            item["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
                FAMILY_EPOCH + first_day * 86400 + 9 * 3600))
        elif families.later_day is not None and "date" in item:  # a repost: later
            item["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
                FAMILY_EPOCH + families.later_day * 86400 + 15 * 3600))
        items.append(item)
    return items


def build_response(
    params: SearchParams,
    body: JSON,
    base_url: str,
    *,
    cached: bool,
    started: float,
    search_id: str,
    image_base: str = "",
    run: int = 0,
) -> JSON:
    """The full success payload; ``started`` is the time.time() of arrival."""
    now = time.time()
    return {
        "search_metadata": {
            "cached": cached,
            "created_at": utc_stamp(started),
            "id": search_id,
            "json_endpoint": f"{base_url}/serp/{search_id}.json",
            "processed_at": utc_stamp(now),
            "raw_html_file": f"{base_url}/serp/{search_id}.html",
            "status": "completed",
            "total_time_taken": round(now - started, 3),
        },
        "search_parameters": dict(body),
        "total_credits_used": 1,
        "image_info": image_info(params),
        "related_content": related_content(params, base_url, image_base, run),
    }


def wrong_shape(response: JSON) -> JSON:
    """Mangle a good response the way a loosely-typed API might (fault ``wrong_shape``)."""
    items: list[Any] = [dict(item) for item in response.get("related_content", [])]
    while len(items) < 5:
        items.append({"position": len(items) + 1, "title": "filler", "thumbnail": None})
    items[0]["title"] = None
    items[0]["unexpected_field"] = {"nested": [1, 2, 3]}
    items[1].pop("position", None)
    items[2].update(position="3", width="640", height="480", thumbnail_width="188")
    for key in ("original", "cdn_original", "thumbnail", "link"):
        items[3].pop(key, None)
    items[4]["width"] = None
    items.insert(2, "not-an-object")
    items.insert(4, None)
    items.append(["a", "list", "instead", "of", "an", "object"])
    shaped = dict(response)
    shaped["related_content"] = items
    shaped["search_metadata"] = dict(response.get("search_metadata", {}), total_time_taken="13")
    shaped["total_credits_used"] = "1"
    shaped["pages_with_this_image"] = [
        {
            "title": "A page with this image",
            "link": "https://news.example.org/story",
            "thumbnail": None,
        },
        {"name": 42},
    ]
    shaped["related_searches"] = [{"query": "lighthouse at night", "link": None}]
    return shaped


def echo_key(response: JSON, api_key: str) -> JSON:
    """Append ``api_key=KEY`` to every URL of every result (the key-echo test)."""
    items = response.get("related_content")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        for key in ("link", "source", "original", "cdn_original", "thumbnail"):
            value = item.get(key)
            if isinstance(value, str) and value.startswith("http"):
                item[key] = f"{value}{'&' if '?' in value else '?'}api_key={api_key}"
    return response
