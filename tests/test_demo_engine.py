"""The demo engine over real loopback HTTP: contract, determinism, images, faults."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bingrev_desktop.demo import DEMO_API_KEY, MARKETS, DemoEngine, Fault
from bingrev_desktop.demo.images import render

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine() -> Iterator[DemoEngine]:
    with DemoEngine() as eng:
        yield eng


@pytest.fixture()
def demo(engine: DemoEngine) -> Iterator[DemoEngine]:
    engine.clear_faults()
    engine.clear_logs()
    yield engine
    engine.clear_faults()


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def body(demo: DemoEngine, **extra: str) -> dict[str, str]:
    return {
        "engine": "bing_reverse_image",
        "image_url": demo.query_image_url("lighthouse"),
        **extra,
    }


def search(client: httpx.Client, demo: DemoEngine, **extra: str) -> httpx.Response:
    return client.post(demo.serp_url, headers=AUTH, json=body(demo, **extra))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def png_pixels_ok(data: bytes) -> bool:
    """Decompress IDAT and check it holds exactly height rows of 1 + width*3 bytes."""
    width, height = png_size(data)
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(tag + chunk) & 0xFFFFFFFF == crc
        if tag == b"IDAT":
            idat += chunk
        pos += 12 + length
    return len(zlib.decompress(idat)) == height * (1 + width * 3)


# -- contract -------------------------------------------------------------


def test_healthz_and_keep_alive(demo: DemoEngine, client: httpx.Client) -> None:
    for _ in range(3):  # same pooled connection each time: Content-Length is right
        r = client.get(demo.base_url + "/healthz")
        assert (r.status_code, r.text) == (200, "ok")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "demo-key"}]
)
def test_bad_key_is_401(demo: DemoEngine, client: httpx.Client, headers: dict[str, str]) -> None:
    r = client.post(demo.serp_url, headers=headers, json=body(demo))
    assert r.status_code == 401
    assert r.json() == {"error": "Invalid API key"}


BAD_BODIES: list[dict[str, Any]] = [
    {"engine": "google", "image_url": "https://a.example/x.png"},
    {"engine": "bing_reverse_image"},
    {"engine": "bing_reverse_image", "image_url": ""},
    {"engine": "bing_reverse_image", "image_url": "ftp://a.example/x.png"},
    {"engine": "bing_reverse_image", "image_url": "not a url"},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "mkt": "xx-XX"},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "mkt": ""},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "count": "0"},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "count": "151"},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "count": "ten"},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "count": 10},
    {"engine": "bing_reverse_image", "image_url": "https://a.example/x.png", "cal": "0.5"},
    {
        "engine": "bing_reverse_image",
        "image_url": "https://a.example/x.png",
        **{"cal": "0.6", "cat": "0", "car": "0.5", "cab": "1"},
    },
    {
        "engine": "bing_reverse_image",
        "image_url": "https://a.example/x.png",
        **{"cal": "0", "cat": "0.5", "car": "1", "cab": "0.5"},
    },
    {
        "engine": "bing_reverse_image",
        "image_url": "https://a.example/x.png",
        **{"cal": "-0.1", "cat": "0", "car": "1", "cab": "1"},
    },
    {
        "engine": "bing_reverse_image",
        "image_url": "https://a.example/x.png",
        **{"cal": "nan", "cat": "0", "car": "1", "cab": "1"},
    },
]


@pytest.mark.parametrize("payload", BAD_BODIES)
def test_invalid_parameters_are_400(
    demo: DemoEngine, client: httpx.Client, payload: dict[str, Any]
) -> None:
    r = client.post(demo.serp_url, headers=AUTH, json=payload)
    assert r.status_code == 400, payload
    assert isinstance(r.json()["error"], str) and r.json()["error"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_invalid_json_is_400(demo: DemoEngine, client: httpx.Client, raw: bytes) -> None:
    r = client.post(demo.serp_url, headers=AUTH, content=raw)
    assert r.status_code == 400
    assert "error" in r.json()


def test_non_post_is_405_and_unknown_path_404(demo: DemoEngine, client: httpx.Client) -> None:
    assert client.get(demo.serp_url).status_code == 405
    assert client.put(demo.serp_url, json={}).status_code == 405
    assert client.get(demo.base_url + "/nope").status_code == 404


def test_success_shape_and_default_count(demo: DemoEngine, client: httpx.Client) -> None:
    r = search(client, demo)
    assert r.status_code == 200
    data = r.json()
    meta = data["search_metadata"]
    assert meta["status"] == "completed" and len(meta["id"]) == 26 and meta["id"].isupper()
    assert meta["created_at"].endswith(" UTC") and isinstance(meta["total_time_taken"], float)
    assert data["search_parameters"] == body(demo)
    assert data["total_credits_used"] == 1
    assert data["image_info"]["width"] == 640 and data["image_info"]["height"] == 480
    items = data["related_content"]
    assert len(items) == 35
    assert [i["position"] for i in items] == list(range(1, 36))
    for item in items:
        assert item["link"].startswith("https://www.bing.com/images/search?view=detailV2&")
        assert item["original"].startswith(demo.base_url + "/img/")
        assert item["thumbnail"].startswith(demo.base_url + "/thumb/")
        assert item["source"].startswith(demo.base_url + "/site/")
    assert any("date" not in i or "cdn_original" not in i for i in items)
    assert any(isinstance(i["width"], str) for i in items)
    assert len({i["domain"] for i in items}) < len(items)  # domains are shared
    # json_endpoint serves the very same answer.
    stored = client.get(meta["json_endpoint"])
    assert stored.status_code == 200 and stored.json() == data


@pytest.mark.parametrize("count", ["1", "7", "150"])
def test_count_is_honoured(demo: DemoEngine, client: httpx.Client, count: str) -> None:
    assert len(search(client, demo, count=count).json()["related_content"]) == int(count)


def test_market_is_case_insensitive(demo: DemoEngine, client: httpx.Client) -> None:
    from bingrev_desktop.core.markets import MARKETS as APP_MARKETS

    # The engine accepts exactly the markets the app offers: the same 38 codes.
    assert sorted(MARKETS) == sorted(m.code for m in APP_MARKETS)
    assert len(MARKETS) == 38
    assert search(client, demo, mkt="EN-us").status_code == 200
    assert search(client, demo, mkt="es-ar").status_code == 200


def test_deterministic_and_cached(demo: DemoEngine, client: httpx.Client) -> None:
    first = search(client, demo, count="20", mkt="de-DE").json()
    assert first["search_metadata"]["cached"] is False
    # Determined by the request alone: the known answer, computed without a request.
    assert [i["original"] for i in first["related_content"]] == demo.answer_urls(
        demo.query_image_url("lighthouse"), mkt="de-DE", count=20)
    again = search(client, demo, count="20", mkt="de-DE").json()
    assert again["search_metadata"]["cached"] is True
    other_mkt = search(client, demo, count="20", mkt="fr-FR").json()
    assert other_mkt["related_content"] != first["related_content"]
    crop = {"cal": "0.5", "cat": "0", "car": "1", "cab": "1"}
    cropped = search(client, demo, count="20", mkt="de-DE", **crop).json()
    assert cropped["related_content"] != first["related_content"]


def test_markets_share_some_results_and_differ_in_others(demo: DemoEngine,
                                                         client: httpx.Client) -> None:
    """Sweeps need it: some results everywhere, some only in a few countries."""
    url = demo.query_image_url("lighthouse")
    found = {m: [i["original"] for i in search(client, demo, count="30", mkt=m).json()[
        "related_content"]] for m in ("de-DE", "fr-FR", "ja-JP", "en-US")}
    for market, urls in found.items():
        assert urls == demo.answer_urls(url, mkt=market, count=30)  # the known answer
        assert len(urls) == 30
    everywhere = set.intersection(*map(set, found.values()))
    assert len(everywhere) >= 10
    only = {m: set(u) - set().union(*(set(v) for k, v in found.items() if k != m))
            for m, u in found.items()}
    # Markets have results no other market shows (how many depends on the image's seed).
    assert any(only.values())


def test_a_later_run_differs_a_little(demo: DemoEngine, client: httpx.Client) -> None:
    """Search again later: a few results are new, a few are gone."""
    url = demo.query_image_url("lighthouse")  # what search() asks for
    runs = [[i["original"] for i in search(client, demo, count="35", mkt="en-GB").json()[
        "related_content"]] for _ in range(3)]
    for run, urls in enumerate(runs):
        assert urls == demo.answer_urls(url, mkt="en-GB", count=35, run=run)
    new, gone = set(runs[1]) - set(runs[0]), set(runs[0]) - set(runs[1])
    assert 1 <= len(new) <= 8 and 1 <= len(gone) <= 8
    assert len(set(runs[0]) & set(runs[1])) >= 25


def test_one_clear_largest_same_aspect_copy(demo: DemoEngine, client: httpx.Client) -> None:
    items = search(client, demo).json()["related_content"]
    sizes = [(int(i["width"]), int(i["height"])) for i in items]
    same = [s for s in sizes if abs(s[0] / s[1] - 4 / 3) < 0.02]
    biggest = max(same, key=lambda s: s[0] * s[1])
    assert biggest == (4000, 3000)
    assert sum(1 for s in same if s == biggest) == 1
    assert all(w * h < 4000 * 3000 for w, h in sizes if (w, h) != biggest)
    assert min(w for w, _ in sizes) < 300


def test_titles_need_escaping(demo: DemoEngine, client: httpx.Client) -> None:
    titles = [i["title"] for i in search(client, demo, count="150").json()["related_content"]]
    joined = "".join(titles)
    for needle in ("<b>", "&", '"', "é"):
        assert needle in joined


def test_requests_are_recorded_exactly(demo: DemoEngine, client: httpx.Client) -> None:
    search(client, demo, count="3", mkt="ja-JP")
    client.get(demo.base_url + "/healthz?x=secret")
    assert demo.search_requests == [body(demo, count="3", mkt="ja-JP")]
    assert demo.request_log == [("POST", "/v1/serp"), ("GET", "/healthz")]


# -- images ---------------------------------------------------------------


def test_query_images_are_distinct_pngs(demo: DemoEngine, client: httpx.Client) -> None:
    names = demo.query_image_names()
    assert {"lighthouse", "city", "mountain", "portrait"} <= set(names)
    blobs = {client.get(demo.query_image_url(n)).content for n in names}
    assert len(blobs) == len(names)
    for blob in blobs:
        assert png_pixels_ok(blob)
    with pytest.raises(KeyError):
        demo.query_image_url("nope")


def test_result_images_match_advertised_sizes(demo: DemoEngine, client: httpx.Client) -> None:
    items = search(client, demo, count="12").json()["related_content"]
    for item in items:
        thumb = client.get(item["thumbnail"])
        assert thumb.headers["content-type"] == "image/png"
        w, h = png_size(thumb.content)
        query = httpx.URL(item["thumbnail"]).params
        assert (w, h) == (int(query["w"]), int(query["h"]))
        assert item.get("thumbnail_width", w) == w and item.get("thumbnail_height", h) == h
        full = client.get(item["original"])
        fw, fh = png_size(full.content)
        assert max(fw, fh) <= 1600
        assert abs(fw / fh - int(item["width"]) / int(item["height"])) < 0.05
        if max(int(item["width"]), int(item["height"])) <= 1600:
            assert (fw, fh) == (int(item["width"]), int(item["height"]))
        assert png_pixels_ok(full.content)


def test_images_are_deterministic_and_fast() -> None:
    render.cache_clear()
    start = time.perf_counter()
    first = render("0123abcd", 640, 480)
    assert time.perf_counter() - start < 0.3
    render.cache_clear()
    assert render("0123abcd", 640, 480) == first
    assert render("0123abce", 640, 480) != first


def test_site_page_escapes(demo: DemoEngine, client: httpx.Client) -> None:
    item = search(client, demo, count="3").json()["related_content"][0]
    page = client.get(item["source"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<img src='/img/" in page.text and "&amp;h=" in page.text
    assert "<script" not in page.text


# -- faults ---------------------------------------------------------------


def test_latency_fault_and_times(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("latency", times=1, seconds=0.4))
    start = time.monotonic()
    assert search(client, demo, count="1").status_code == 200
    assert time.monotonic() - start >= 0.4
    start = time.monotonic()
    search(client, demo, count="1")
    assert time.monotonic() - start < 0.3


def test_status_fault_times(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("status", times=2, status=429, retry_after=7))
    for _ in range(2):
        r = search(client, demo, count="1")
        assert r.status_code == 429 and r.headers["retry-after"] == "7"
        assert isinstance(r.json()["error"], str)
    assert search(client, demo, count="1").status_code == 200
    assert demo.active_faults == []


@pytest.mark.parametrize(
    ("status", "fault_body", "ctype"),
    [
        (402, None, "application/json"),
        (403, '{"message": "Forbidden for this plan"}', "application/json"),
        (500, None, "application/json"),
        (502, "<html><body>502 Bad Gateway</body></html>", "text/html"),
        (503, None, "application/json"),
    ],
)
def test_status_fault_bodies(
    demo: DemoEngine, client: httpx.Client, status: int, fault_body: str | None, ctype: str
) -> None:
    demo.set_fault(Fault("status", status=status, body=fault_body))
    r = search(client, demo)
    assert r.status_code == status
    assert r.headers["content-type"].startswith(ctype)
    if fault_body is not None:
        assert r.text == fault_body


def test_malformed_json(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("malformed_json"))
    r = search(client, demo)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)


def test_truncated(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("truncated", times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        search(client, demo)
    assert search(client, demo).status_code == 200  # the pool recovers


def test_slow_drip_passes_read_timeout_but_not_deadline(demo: DemoEngine) -> None:
    demo.set_fault(Fault("slow_drip", bytes_per_second=1500))
    with httpx.Client(timeout=httpx.Timeout(10, read=0.5)) as c:
        start = time.monotonic()
        r = search(c, demo, count="2")
        assert time.monotonic() - start > 0.6  # slow, yet no read timeout
        assert len(r.json()["related_content"]) == 2
        deadline = time.monotonic() + 0.3
        got = 0
        with c.stream("POST", demo.serp_url, headers=AUTH, json=body(demo, count="30")) as s:
            for piece in s.iter_bytes():
                got += len(piece)
                if time.monotonic() > deadline:
                    break
        assert 0 < got < int(s.headers["content-length"])


def test_huge_body_streams(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("huge_body", times=1, size_bytes=3_000_000))
    r = search(client, demo)
    assert len(r.content) == 3_000_000 and r.json()["related_content"] == []
    demo.set_fault(Fault("huge_body", times=1))  # default 60 MB: only peek at it
    with client.stream("POST", demo.serp_url, headers=AUTH, json=body(demo)) as s:
        assert int(s.headers["content-length"]) == 60 * 1024 * 1024
        next(s.iter_bytes())


def test_wrong_shape(demo: DemoEngine, client: httpx.Client) -> None:
    demo.set_fault(Fault("wrong_shape"))
    data = search(client, demo).json()
    items = data["related_content"]
    assert "pages_with_this_image" in data
    assert any(not isinstance(i, dict) for i in items)
    dicts = [i for i in items if isinstance(i, dict)]
    assert any(i.get("title") is None for i in dicts)
    assert any("position" not in i for i in dicts)
    assert any(isinstance(i.get("position"), str) for i in dicts)
    assert any(not ({"original", "thumbnail", "cdn_original"} & set(i)) for i in dicts)


def test_image_faults(demo: DemoEngine, client: httpx.Client) -> None:
    item = search(client, demo, count="1").json()["related_content"][0]
    demo.set_fault(Fault("non_image_thumbnails", times=1))
    r = client.get(item["thumbnail"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    demo.set_fault(Fault("broken_thumbnails", times=1))
    assert client.get(item["original"]).status_code == 404
    demo.set_fault(Fault("huge_image", times=3))
    for url in (item["thumbnail"], item["original"], demo.query_image_url("city")):
        r = client.get(url)
        assert png_size(r.content) == (40000, 40000) and len(r.content) < 5000
    assert png_size(client.get(item["thumbnail"]).content) != (40000, 40000)


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault("nonsense")
    with pytest.raises(ValueError):
        Fault("status", times=0)
    with pytest.raises(ValueError):
        Fault.from_json({"kind": "status", "colour": "red"})


def test_fault_http_endpoints(demo: DemoEngine, client: httpx.Client) -> None:
    url = demo.base_url + "/_demo/fault"
    r = client.post(url, json={"kind": "status", "status": 503, "times": 1})
    assert r.status_code == 200
    assert search(client, demo).status_code == 503
    assert search(client, demo).status_code == 200
    assert client.post(url, json={"kind": "nope"}).status_code == 400
    assert client.post(url, content=b"{bad").status_code == 400
    client.post(url, json={"kind": "status", "status": 500})
    assert client.post(demo.base_url + "/_demo/clear").status_code == 200
    assert search(client, demo).status_code == 200


# -- lifecycle ------------------------------------------------------------


def test_stop_frees_port_even_with_open_connections() -> None:
    eng = DemoEngine().start()
    port = eng.port
    eng.set_fault(Fault("slow_drip", bytes_per_second=10))
    with httpx.Client(timeout=5) as c:
        c.get(eng.base_url + "/healthz")  # leaves an idle keep-alive connection
        with c.stream("POST", eng.serp_url, headers=AUTH, json=body(eng)) as s:
            assert s.status_code == 200
            start = time.monotonic()
            eng.stop()
            assert time.monotonic() - start < 2
    eng.stop()  # idempotent
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with DemoEngine(port=port) as again:
        assert httpx.get(again.base_url + "/healthz").text == "ok"


def test_command_line_runs_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bingrev_desktop.demo", "--port", "0", "--key", "k1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Demo engine on http://127.0.0.1:") and "(key: k1)" in line
        base = line.split()[3]
        r = httpx.post(
            base + "/v1/serp",
            headers={"Authorization": "Bearer k1"},
            json={"engine": "bing_reverse_image", "image_url": base + "/query/city.png"},
        )
        assert r.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_pictures_can_be_served_from_another_origin(demo: DemoEngine,
                                                    client: httpx.Client) -> None:
    """Benchmarks point the answers at an HTTP/2 host that serves the same bytes."""
    demo.set_image_base("https://127.0.0.1:4443/")
    try:
        items = search(client, demo, count="5").json()["related_content"]
    finally:
        demo.set_image_base("")
    assert all(i["thumbnail"].startswith("https://127.0.0.1:4443/thumb/") for i in items)
    assert all(i["original"].startswith("https://127.0.0.1:4443/img/") for i in items)
    here = items[0]["thumbnail"].replace("https://127.0.0.1:4443", demo.base_url)
    assert client.get(here).content == demo.image_bytes(items[0]["thumbnail"])
    again = search(client, demo, count="5").json()["related_content"]
    assert again[0]["thumbnail"].startswith(demo.base_url)
