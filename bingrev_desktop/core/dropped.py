"""Turn what a browser or file manager drops into an image URL (Qt-free).

Browsers drop an image inside a link as the *link*, so ``<img src>`` in the
HTML flavour is read first; wrapper links from Bing (``mediaurl=``) and Google
(``imgurl=``) are unwrapped to the image they point at.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

WRAPPER_PARAMS = ("mediaurl", "imgurl", "image_url", "imageurl")


class _ImgSrcParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.casefold(): v for k, v in attrs if v}
        if tag == "base" and "href" in values:
            self.base = values["href"]
        elif tag == "img":
            src = values.get("src") or values.get("data-src")
            if src:
                self.sources.append(src.strip())


def img_src_from_html(markup: str, page_url: str | None = None) -> str | None:
    """First ``<img src>`` in an HTML fragment, made absolute when possible."""
    parser = _ImgSrcParser()
    try:
        parser.feed(markup[:200_000])
    except Exception:
        return None
    if not parser.sources:
        return None
    src = html.unescape(parser.sources[0])
    base = parser.base or page_url
    return urljoin(base, src) if base and not urlsplit(src).scheme else src


def unwrap_wrapper_url(url: str) -> str:
    """``https://www.bing.com/images/search?...&mediaurl=<img>`` -> ``<img>``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parse_qs(parts.query)
    for name in WRAPPER_PARAMS:
        for key, values in query.items():
            if key.casefold() == name and values and values[0].startswith(("http://", "https://")):
                return values[0]
    return url


def first_uri(uri_list: str) -> str | None:
    """First entry of a ``text/uri-list`` (comments start with #)."""
    for line in uri_list.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def first_moz_url(text: str) -> str | None:
    """``text/x-moz-url`` is "URL\\nTitle" (often UTF-16)."""
    return first_uri(text)


def url_from_text(text: str) -> str | None:
    """A URL pasted as plain text, possibly with other words around it."""
    stripped = text.strip()
    if not stripped:
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", stripped) or stripped.startswith(("/", "~")):
        return stripped.splitlines()[0].strip()
    match = re.search(r"https?://\S+", stripped)
    return match.group(0) if match else stripped


def with_scheme(text: str) -> str:
    """``www.example.com/cat.jpg`` typed without https:// gets it; anything else is kept."""
    stripped = text.strip()
    if re.match(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/\S*)?$", stripped, re.IGNORECASE):
        return "https://" + stripped
    return stripped


def pick_dropped_url(
    html_text: str | None = None,
    uri_list: str | None = None,
    moz_url: str | None = None,
    plain_text: str | None = None,
) -> str | None:
    """Apply the preference order: html img, uri-list, x-moz-url, plain text."""
    candidates = [
        img_src_from_html(html_text) if html_text else None,
        first_uri(uri_list) if uri_list else None,
        first_moz_url(moz_url) if moz_url else None,
        url_from_text(plain_text) if plain_text else None,
    ]
    for candidate in candidates:
        if candidate:
            return unwrap_wrapper_url(candidate)
    return None
