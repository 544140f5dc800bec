"""Demo engine: an offline stand-in for the xcrawl ``bing_reverse_image`` API.

It is a real HTTP server on loopback (stdlib only) that answers
``POST /v1/serp`` like the real service, serves generated images for every
URL it returns, and can inject faults for tests.  See ``server.DemoEngine``
for the Python API, ``handler`` for the URL layout and ``faults`` for the
fault kinds.  Run it standalone with ``python -m bingrev_desktop.demo``.
"""

from .contract import DEFAULT_COUNT, ENGINE, MARKETS, MAX_COUNT
from .faults import KINDS as FAULT_KINDS
from .faults import Fault
from .server import DEMO_API_KEY, DemoEngine

__all__ = [
    "DEFAULT_COUNT",
    "DEMO_API_KEY",
    "ENGINE",
    "FAULT_KINDS",
    "MARKETS",
    "MAX_COUNT",
    "DemoEngine",
    "Fault",
]
