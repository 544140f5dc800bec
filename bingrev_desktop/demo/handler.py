"""HTTP request handler of the demo engine (stdlib ``http.server`` only).

URL layout (all relative to the engine's base URL):

* ``POST /v1/serp`` -- the search contract; other methods get 405.
* ``GET /healthz`` -- ``ok``.
* ``GET /query/<name>.png`` -- built-in query images.
* ``GET /img/<seed>.png?w=W&h=H`` -- originals (served capped, see images.py).
* ``GET /thumb/<seed>.png?w=W&h=H`` -- thumbnails.
* ``GET /site/<domain>/<slug>--<seed>--<W>x<H>.html`` -- a page "using" an image.
* ``GET /serp/<id>.json`` / ``.html`` -- ``json_endpoint`` / ``raw_html_file``.
* ``GET /web_v1/user/credit-user-info?app_key=KEY`` -- credit balance (shape guessed).
* ``POST /_demo/fault``, ``POST /_demo/clear`` -- fault control, loopback only.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import logging
import re
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from . import images
from .contract import ValidationError, parse_request
from .faults import IMAGE_KINDS, SERP_BODY_KINDS, Fault
from .responders import send_serp_body
from .results import build_response, echo_key, new_search_id, wrong_shape
from .state import IMAGE_PATH, TOTAL_CREDITS, EngineState

logger = logging.getLogger("bingrev_desktop.demo")

MAX_REQUEST_BODY = 1024 * 1024
_IMAGE_PATH = IMAGE_PATH
_QUERY_PATH = re.compile(r"^/query/([a-z0-9-]{1,48})\.png$")
_SITE_PATH = re.compile(
    r"^/site/([a-z0-9.-]{1,100})/([a-z0-9-]{0,60})--([a-z0-9-]{1,48})--(\d{1,4})x(\d{1,4})\.html$"
)
_SERP_PATH = re.compile(r"^/serp/([0-9A-Z]{26})\.(json|html)$")


class DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must never block stop()
    state: EngineState


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every answer sets Content-Length
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections are dropped after this
    server: DemoHTTPServer
    server_version = "bingrev-demo/1.0"

    # -- plumbing ---------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.state.add_connection(self.connection)

    def finish(self) -> None:
        self.server.state.drop_connection(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        # A client hanging up mid-answer is normal in fault tests; not an error.
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        # Replaces the default stderr logging; the request line has no secrets.
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_json(
        self, status: int, payload: object, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send(status, body, "application/json; charset=utf-8", headers)

    def send_error_json(
        self, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_json(status, {"error": message}, headers)

    def _read_body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length", "0") or "0"
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BODY:
            self.close_connection = True
            self.send_error_json(413 if length > 0 else 400, "invalid or too large Content-Length")
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        path, _, query = self.path.partition("?")
        # Only method and path are recorded: query strings may carry keys.
        state.log_request(method, path)
        raw = self._read_body()
        if raw is None:
            return
        if path == "/v1/serp":
            if method != "POST":
                self.send_error_json(405, "Method not allowed; use POST", {"Allow": "POST"})
            else:
                self._serp(raw)
            return
        routes: dict[tuple[str, str], Callable[[], None]] = {
            ("GET", "/healthz"): lambda: self.send(200, b"ok", "text/plain; charset=utf-8"),
            ("POST", "/_demo/fault"): lambda: self._demo_fault(raw),
            ("POST", "/_demo/clear"): self._demo_clear,
            ("GET", "/web_v1/user/credit-user-info"): lambda: self._credits(query),
        }
        route = routes.get((method, path))
        if route is not None:
            route()
        elif method == "GET" and path.startswith(("/img/", "/thumb/")):
            self._image(path, query)
        elif method == "GET" and path.startswith("/query/"):
            self._query_image(path)
        elif method == "GET" and path.startswith("/site/"):
            self._site(path)
        elif method == "GET" and path.startswith("/serp/"):
            self._stored(path)
        else:
            self.send_error_json(404, "Not found")

    # -- the search contract ----------------------------------------------
    def _serp(self, raw: bytes) -> None:
        state = self.server.state
        started = time.time()
        try:
            body: object = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if isinstance(body, dict):
            state.log_search(body)
        delay = state.latency
        latency = state.faults.take(("latency",))
        if latency is not None:
            delay += latency.seconds
        if delay > 0 and state.stopping.wait(delay):
            self.close_connection = True
            return
        gate = state.faults.take(("status",))
        if gate is not None:
            payload, ctype = gate.status_body()
            extra = {} if gate.retry_after is None else {"Retry-After": str(gate.retry_after)}
            self.send(gate.status, payload, ctype, extra)
            return
        if not state.key_matches(self.headers.get("Authorization")):
            self.send_error_json(401, "Invalid API key")
            return
        if body is None:
            self.send_error_json(400, "request body is not valid JSON")
            return
        try:
            params = parse_request(body)
        except ValidationError as exc:
            self.send_error_json(400, str(exc))
            return
        assert isinstance(body, dict)  # parse_request guarantees it
        shaping = state.faults.take(SERP_BODY_KINDS)
        search_id = new_search_id()
        run = state.mark_served(body)
        response = build_response(
            params, body, state.base_url, cached=run > 0, started=started, search_id=search_id,
            image_base=state.image_base, run=run,
        )
        if shaping is not None and shaping.kind == "wrong_shape":
            response = wrong_shape(response)
        if state.echo_key:
            response = echo_key(response, state.api_key)
        data = json.dumps(response, ensure_ascii=False).encode("utf-8")
        state.store(search_id, data)
        send_serp_body(self, data, shaping)

    # -- images and pages -------------------------------------------------
    def _image_fault(self, kinds: tuple[str, ...]) -> bool:
        fault = self.server.state.faults.take(kinds)
        if fault is None:
            return False
        if fault.kind == "broken_thumbnails":
            self.send_error_json(404, "image not found")
        elif fault.kind == "non_image_thumbnails":
            self.send(
                200,
                b"<html><body><h1>Oops</h1>not an image</body></html>",
                "text/html; charset=utf-8",
            )
        else:
            self.send(200, images.bomb(), "image/png")
        return True

    def _image(self, path: str, query: str) -> None:
        match = _IMAGE_PATH.match(path)
        if match is None:
            self.send_error_json(404, "Not found")
            return
        if self._image_fault(IMAGE_KINDS):
            return
        if self.server.state.image_latency > 0:
            time.sleep(self.server.state.image_latency)  # a far-away image host
        args = parse_qs(query)
        try:
            width = int(args.get("w", ["640"])[0])
            height = int(args.get("h", ["480"])[0])
        except ValueError:
            width = height = 0
        if not (1 <= width <= images.MAX_DIMENSION and 1 <= height <= images.MAX_DIMENSION):
            self.send_error_json(400, "w and h must be integers between 1 and 4000")
            return
        if self.server.state.image_fate(match.group(2)) == "gone":
            self.send_error_json(404, "image not found")
            return
        self.send(200, self.server.state.render_image(f"{path}?{query}"), "image/png")

    def _query_image(self, path: str) -> None:
        match = _QUERY_PATH.match(path)
        data = images.render_query(match.group(1)) if match else None
        if data is None:
            self.send_error_json(404, "Not found")
        elif not self._image_fault(("huge_image",)):
            self.send(200, data, "image/png")

    def _site(self, path: str) -> None:
        match = _SITE_PATH.match(path)
        if match is None:
            self.send_error_json(404, "Not found")
            return
        domain, slug, seed, width, height = match.groups()
        title = html.escape(slug.replace("-", " ").strip().capitalize() or "Untitled")
        img = html.escape(f"/img/{seed}.png?w={width}&h={height}", quote=True)
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><p>{html.escape(domain)}</p><h1>{title}</h1>"
            f"<img src='{img}' alt='{title}' style='max-width:100%'></body></html>"
        )
        self.send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def _stored(self, path: str) -> None:
        match = _SERP_PATH.match(path)
        data = self.server.state.stored(match.group(1)) if match else None
        if match is None or data is None:
            self.send_error_json(404, "Not found")
        elif match.group(2) == "json":
            self.send(200, data, "application/json; charset=utf-8")
        else:
            title = html.escape(match.group(1))
            page = f"<!doctype html><title>Search {title}</title><p>Demo raw HTML</p>"
            self.send(200, page.encode("utf-8"), "text/html; charset=utf-8")

    # -- side endpoints ---------------------------------------------------
    def _credits(self, query: str) -> None:
        state = self.server.state
        key = parse_qs(query).get("app_key", [""])[0]
        if not state.key_matches("Bearer " + key):
            self.send_json(401, {"code": 401, "msg": "invalid app_key", "data": None})
            return
        used = state.credits_used
        data = {
            "remain_credits": max(0, TOTAL_CREDITS - used),
            "consumed_credits": used,
            "total_credits": TOTAL_CREDITS,
        }
        self.send_json(200, {"code": 200, "msg": "success", "data": data})

    def _loopback_only(self) -> bool:
        try:
            if ipaddress.ip_address(self.client_address[0]).is_loopback:
                return True
        except ValueError:
            pass
        self.send_error_json(403, "fault control is only available from loopback")
        return False

    def _demo_fault(self, raw: bytes) -> None:
        if not self._loopback_only():
            return
        try:
            fault = Fault.from_json(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            self.send_error_json(400, f"invalid fault: {exc}")
            return
        self.server.state.faults.arm(fault)
        self.send_json(200, {"ok": True, "kind": fault.kind})

    def _demo_clear(self) -> None:
        if self._loopback_only():
            self.server.state.faults.clear()
            self.send_json(200, {"ok": True})
