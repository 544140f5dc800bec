"""Turn what a browser or file manager drops into an image URL (Qt-free).

Browsers drop an image inside a link as the *link*, so ``<img src>`` in the
HTML flavour is read first. When that image is a thumbnail whose link leads to the
full-size image (the link's address is an image, or a wrapper such as Bing's
``mediaurl=`` or Google's ``imgurl=`` names one), the full-size image is searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# Query parameters of image-search result links that hold the full image's address:
# Bing (mediaurl), Google (imgurl), Yandex (img_url), and generic ones.
WRAPPER_PARAMS = ("mediaurl", "imgurl", "img_url", "image_url", "imageurl")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif")


@dataclass(frozen=True)
class DroppedImage:
    url: str
    full_size_from_link: bool = False  # the link's full image, not the thumbnail shown


def img_src_from_html(markup: str, page_url: str | None = None) -> str | None:
    """First ``<img src>`` in an HTML fragment, made absolute when possible."""
    from .dropped_html import img_and_link

    found = img_and_link(markup, page_url)
    return found[0] if found else None


def full_image_of_link(link: str) -> str | None:
    """The full-size image a link leads to: a wrapper's image, or the link itself when
    its address is an image file; None for a link to a page."""
    unwrapped = unwrap_wrapper_url(link)
    if unwrapped != link:
        return unwrapped
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.path.casefold().endswith(IMAGE_SUFFIXES):
        return link
    return None


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


def pick_dropped(
    html_text: str | None = None,
    uri_list: str | None = None,
    moz_url: str | None = None,
    plain_text: str | None = None,
) -> DroppedImage | None:
    """Apply the preference order: the full image a linked ``<img>`` leads to, the
    ``<img>`` itself, then uri-list, x-moz-url and plain text."""
    from .dropped_html import img_and_link

    found = img_and_link(html_text) if html_text else None
    if found is not None:
        src, link = found
        full = full_image_of_link(link) if link else None
        if full is not None and full != src:
            return DroppedImage(full, full_size_from_link=True)
        return DroppedImage(unwrap_wrapper_url(src))
    candidates = [
        first_uri(uri_list) if uri_list else None,
        first_moz_url(moz_url) if moz_url else None,
        url_from_text(plain_text) if plain_text else None,
    ]
    for candidate in candidates:
        if candidate:
            unwrapped = unwrap_wrapper_url(candidate)
            return DroppedImage(unwrapped, full_size_from_link=unwrapped != candidate)
    return None


def pick_dropped_url(
    html_text: str | None = None,
    uri_list: str | None = None,
    moz_url: str | None = None,
    plain_text: str | None = None,
) -> str | None:
    """Just the address of :func:`pick_dropped`."""
    dropped = pick_dropped(html_text, uri_list, moz_url, plain_text)
    return dropped.url if dropped else None
