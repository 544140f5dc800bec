"""The ``<img>`` (and the link around it) in the HTML a browser drops (Qt-free).

Apart from :mod:`dropped`, which the window's first paint loads: ``html.parser``
compiles some 17 regular expressions at import, and only an HTML drop needs them."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class _ImgSrcParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []
        self.links: list[str | None] = []  # the enclosing <a href> of each source
        self.base: str | None = None
        self._open_link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.casefold(): v for k, v in attrs if v}
        if tag == "base" and "href" in values:
            self.base = values["href"]
        elif tag == "a":
            self._open_link = (values.get("href") or "").strip() or None
        elif tag == "img":
            src = values.get("src") or values.get("data-src")
            if src:
                self.sources.append(src.strip())
                self.links.append(self._open_link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open_link = None


def _absolute(address: str, base: str | None) -> str:
    try:
        relative = not urlsplit(address).scheme
    except ValueError:
        return address
    return urljoin(base, address) if base and relative else address


def img_and_link(markup: str, page_url: str | None = None) -> tuple[str, str | None] | None:
    parser = _ImgSrcParser()
    try:
        parser.feed(markup[:200_000])
    except Exception:
        return None
    if not parser.sources:
        return None
    base = parser.base or page_url
    link = parser.links[0]
    return (_absolute(html.unescape(parser.sources[0]), base),
            _absolute(html.unescape(link), base) if link else None)
