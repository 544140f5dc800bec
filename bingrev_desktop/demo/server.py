"""The in-process demo engine: a loopback HTTP server speaking the xcrawl contract.

Typical use in tests::

    with DemoEngine() as engine:
        async with SearchService(engine.base_url, DEMO_API_KEY) as service:
            await service.client.search(
                SearchRequest.create(engine.query_image_url("lighthouse")))
        assert engine.search_requests[0]["image_url"].endswith("lighthouse.png")
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from . import images
from .contract import SearchParams
from .faults import Fault
from .handler import DemoHandler, DemoHTTPServer
from .state import EngineState

logger = logging.getLogger("bingrev_desktop.demo")

DEMO_API_KEY = "demo-key"


class DemoEngine:
    """A real HTTP server on a background thread; see the package docstring."""

    def __init__(
        self,
        api_key: str = DEMO_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
    ) -> None:
        self._host = host
        self._port = port
        self._state = EngineState(api_key, max(0.0, latency))
        self._server: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------
    def start(self) -> DemoEngine:
        """Bind and serve on a daemon thread; returns self. Port 0 picks a free port."""
        if self._server is not None:
            raise RuntimeError("demo engine already started")
        server = DemoHTTPServer((self._host, self._port), DemoHandler)
        server.state = self._state
        self._state.stopping.clear()
        shown_host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        self._state.base_url = f"http://{shown_host}:{server.server_address[1]}"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bingrev-demo-engine",
            daemon=True,
        )
        self._thread.start()
        logger.debug("demo engine listening on %s", self._state.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections, join the thread. Idempotent."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._state.stopping.set()  # wakes latency waits and drip loops
        server.shutdown()
        server.server_close()  # frees the listening port
        self._state.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None
        logger.debug("demo engine stopped")

    def __enter__(self) -> DemoEngine:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- addresses --------------------------------------------------------
    @property
    def base_url(self) -> str:
        if not self._state.base_url:
            raise RuntimeError("demo engine not started")
        return self._state.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def serp_url(self) -> str:
        return self.base_url + "/v1/serp"

    @property
    def api_key(self) -> str:
        return self._state.api_key

    def query_image_url(self, name: str) -> str:
        if images.query_image_size(name) is None:
            raise KeyError(f"no built-in query image named {name!r}")
        return f"{self.base_url}/query/{name}.png"

    @staticmethod
    def query_image_names() -> list[str]:
        return images.query_image_names()

    # -- faults -----------------------------------------------------------
    def set_fault(self, fault: Fault) -> None:
        """Arm ``fault`` (replacing any armed fault of the same kind)."""
        self._state.faults.arm(fault)

    def clear_faults(self) -> None:
        self._state.faults.clear()

    @property
    def active_faults(self) -> list[Fault]:
        return self._state.faults.active()

    def set_image_latency(self, seconds: float) -> None:
        """Delay every image answer, like a far-away image host (speed and order tests)."""
        self._state.image_latency = max(0.0, seconds)

    def set_image_base(self, base_url: str) -> None:
        """Point result pictures at another origin that serves this engine's images
        (``image_bytes``), such as an HTTP/2 host; "" serves them here again."""
        self._state.image_base = base_url.rstrip("/")

    def set_echo_key(self, on: bool) -> None:
        """Make every result URL carry the API key, as a careless service might."""
        self._state.echo_key = on

    # -- how results age (link checks) ---------------------------------------
    def remove_image(self, seed: str) -> None:
        """From now on the image (original, Bing copy and thumbnail) ``seed`` is gone: 404."""
        self._state.set_image_fate(seed, "gone")

    def change_image(self, seed: str) -> None:
        """From now on the image ``seed`` is served with other pixels (edited by its site)."""
        self._state.set_image_fate(seed, "changed")

    def restore_images(self) -> None:
        """Every removed or changed image is served as it was at first again."""
        self._state.restore_images()

    def answer_urls(self, image_url: str, *, mkt: str | None = None, count: int = 35,
                    run: int = 0, crop: tuple[float, float, float, float] | None = None
                    ) -> list[str]:
        """The image addresses (``original``) this engine answers, in order, for a search
        answered ``run`` times before: the known answer for sweep and rerun tests."""
        from .results import related_content

        params = SearchParams(image_url, crop, mkt, count)
        return [str(i["original"]) for i in related_content(params, self.base_url,
                                                             self._state.image_base, run)]

    def image_bytes(self, url: str) -> bytes:
        """Exactly what this engine serves now for an /img/ or /thumb/ URL (tests)."""
        return self._state.render_image(url)

    # -- observation ------------------------------------------------------
    @property
    def search_requests(self) -> list[dict[str, Any]]:
        """Copies of every JSON object POSTed to /v1/serp, in arrival order."""
        return self._state.search_requests()

    @property
    def request_log(self) -> list[tuple[str, str]]:
        """(method, path) of every request; query strings are left out."""
        return self._state.request_log()

    def clear_logs(self) -> None:
        self._state.clear_logs()
