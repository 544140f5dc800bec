"""Byte sizes as people read them, and the image-download cap the network layer and
the grid share. No network imports: the window's first paint needs these."""

from __future__ import annotations

from contextvars import ContextVar

# Image downloads in flight at once. Six (a browser's per-host HTTP/1.1 limit) made
# 25 serial rounds of latency for 150 thumbnails; sixteen over HTTP/1.1, or multiplexed
# on one HTTP/2 connection, cut that to about ten. Bounded, and below the pool size.
IMAGE_CONCURRENCY = 16
# The grid's loads in flight at once once its host is known to speak HTTP/2 (one
# multiplexed connection, no queue in front of the tiles on screen); until then, and
# over HTTP/1.1, IMAGE_CONCURRENCY: one per connection Qt opens to a host.
THUMBNAIL_LOADS = 96


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.0f} MB"


# Set by the grid's loader while it loads a tile that is on screen, read by the
# network layer, which then gives that download priority over the background fill.
on_screen_load: ContextVar[bool] = ContextVar("bingrev_on_screen_load", default=False)
