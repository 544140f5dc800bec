"""The API client over real HTTP against the demo engine on loopback."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bingrev_desktop.core.client import RetryPolicy, parse_retry_after
from bingrev_desktop.core.errors import (
    AccessDeniedError,
    AuthenticationError,
    BadRequestError,
    BingrevError,
    ConnectionFailedError,
    DeadlineExceededError,
    ImageError,
    InvalidResponseError,
    MissingKeyError,
    RateLimitedError,
    ServiceUnavailableError,
)
from bingrev_desktop.core.request import SearchRequest
from bingrev_desktop.core.service import SearchService
from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine, Fault

FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base=0.01)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _search(engine: DemoEngine, request: SearchRequest, key: str = DEMO_API_KEY,
                  deadline: float = 20.0, retry: RetryPolicy = FAST_RETRY):  # type: ignore[no-untyped-def]
    async with SearchService(engine.base_url, key, deadline=deadline, retry=retry) as service:
        return await service.client.search(request)


def test_search_round_trip_sends_exact_body(demo_engine: DemoEngine) -> None:
    url = demo_engine.query_image_url("lighthouse")
    request = SearchRequest.create(url, crop=(0.25, 0.1, 0.75, 0.9), mkt="de-de", count=12)
    outcome = run(_search(demo_engine, request))
    assert demo_engine.search_requests == [{
        "engine": "bing_reverse_image", "image_url": url, "cal": "0.25", "cat": "0.1",
        "car": "0.75", "cab": "0.9", "mkt": "de-DE", "count": "12"}]
    response = outcome.response
    assert len(response.results) == 12
    assert [r.position for r in response.results] == list(range(1, 13))
    assert all(r.has_image for r in response.results)
    assert response.metadata.status == "completed" and response.metadata.cached is False
    assert response.credits_used == 1
    assert outcome.attempts == 1
    # The same request again is answered from the engine's cache.
    again = run(_search(demo_engine, request))
    assert again.response.metadata.cached is True


def test_crop_changes_results(demo_engine: DemoEngine) -> None:
    url = demo_engine.query_image_url("city")
    whole = run(_search(demo_engine, SearchRequest.create(url, count=10))).response
    half = run(_search(demo_engine, SearchRequest.create(url, crop=(0.5, 0, 1, 1), count=10)))
    assert [r.original for r in whole.results] != [r.original for r in half.response.results]


@pytest.mark.parametrize(
    ("fault", "error_type", "words"),
    [
        (Fault("status", status=401), AuthenticationError, "API key was not accepted"),
        (Fault("status", status=402), AccessDeniedError, "no search credits"),
        (Fault("status", status=403, body='{"message": "plan does not include engine"}'),
         AccessDeniedError, "plan does not include engine"),
        (Fault("status", status=400, body='{"error": "image_url unreachable"}'),
         BadRequestError, "image_url unreachable"),
        (Fault("status", status=500), ServiceUnavailableError, "error 500"),
        (Fault("status", status=503, body="<html><h1>502 Bad Gateway</h1></html>"),
         ServiceUnavailableError, "error 503"),
        (Fault("status", status=429, retry_after=1), RateLimitedError, "Wait 1 seconds"),
        (Fault("malformed_json"), InvalidResponseError, "answer could not be read"),
        (Fault("truncated"), InvalidResponseError, "connection broke"),
        (Fault("huge_body", size_bytes=20 * 1024 * 1024), InvalidResponseError, "far larger"),
    ],
)
def test_faults_map_to_plain_errors(demo_engine: DemoEngine, fault: Fault,
                                    error_type: type[BingrevError], words: str) -> None:
    demo_engine.set_fault(fault)
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"))
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, max_retry_after=5)
    with pytest.raises(error_type) as info:
        run(_search(demo_engine, request, retry=retry))
    error = info.value
    assert words in str(error)
    assert DEMO_API_KEY not in str(error) and DEMO_API_KEY not in error.technical_text()
    if fault.kind == "status":
        assert error.detail.status == fault.status
        assert str(fault.status) in error.technical_text()


def test_wrong_key_is_authentication_error(demo_engine: DemoEngine) -> None:
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"))
    with pytest.raises(AuthenticationError):
        run(_search(demo_engine, request, key="not-the-key"))


def test_missing_key(demo_engine: DemoEngine) -> None:
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"))
    with pytest.raises(MissingKeyError):
        run(_search(demo_engine, request, key=""))
    assert demo_engine.search_requests == []


def test_retries_5xx_then_succeeds(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("status", status=503, times=2))
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"), count=3)
    outcome = run(_search(demo_engine, request))
    assert outcome.attempts == 3 and len(outcome.response.results) == 3
    assert len(demo_engine.search_requests) == 3


def test_429_honours_retry_after(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("status", status=429, retry_after=1, times=1))
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"), count=2)
    started = time.monotonic()
    outcome = run(_search(demo_engine, request))
    assert outcome.attempts == 2
    assert time.monotonic() - started >= 0.95


def test_no_retry_for_401(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("status", status=401))
    with pytest.raises(AuthenticationError):
        run(_search(demo_engine, SearchRequest.create(demo_engine.query_image_url("city"))))
    assert len(demo_engine.search_requests) == 1


def test_deadline_stops_slow_drip(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("slow_drip", bytes_per_second=50))
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"))
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError, match="did not finish within 1 seconds"):
        run(_search(demo_engine, request, deadline=1.0))
    assert time.monotonic() - started < 3


def test_cancellation_propagates_and_client_survives(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("latency", seconds=5))
    request = SearchRequest.create(demo_engine.query_image_url("lighthouse"), count=2)

    async def scenario() -> int:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY, retry=FAST_RETRY) as svc:
            task = asyncio.create_task(svc.client.search(request))
            while not demo_engine.search_requests:  # in flight at the engine
                await asyncio.sleep(0.01)
            task.cancel()
            started = time.monotonic()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < 1
            demo_engine.clear_faults()
            outcome = await svc.client.search(request)  # the shared client still works
            return len(outcome.response.results)

    assert run(scenario()) == 2


def test_connection_refused_is_retried_then_reported() -> None:
    with DemoEngine() as engine:
        base = engine.base_url
    request = SearchRequest.create("https://example.org/a.png")

    async def scenario() -> None:
        async with SearchService(base, DEMO_API_KEY, retry=FAST_RETRY) as svc:
            await svc.client.search(request)

    with pytest.raises(ConnectionFailedError) as info:
        run(scenario())
    assert info.value.detail.attempts == 3
    assert "internet connection" in str(info.value)


def test_wrong_shape_is_parsed(demo_engine: DemoEngine) -> None:
    demo_engine.set_fault(Fault("wrong_shape"))
    outcome = run(_search(demo_engine, SearchRequest.create(demo_engine.query_image_url("city"))))
    results = outcome.response.results
    assert results and any(not r.has_image for r in results)
    assert outcome.response.skipped_items >= 1


def test_verify_key(demo_engine: DemoEngine) -> None:
    async def check(key: str) -> None:
        async with SearchService(demo_engine.base_url, key) as svc:
            await svc.client.verify_key()

    run(check(DEMO_API_KEY))
    with pytest.raises(AuthenticationError):
        run(check("bad-key"))


def test_key_never_in_logs_or_repr(demo_engine: DemoEngine,
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    demo_engine.set_fault(Fault("status", status=401, body=f'{{"error": "bad {DEMO_API_KEY}"}}'))

    async def scenario() -> str:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as svc:
            with pytest.raises(AuthenticationError) as info:
                await svc.client.search(SearchRequest.create(demo_engine.query_image_url("city")))
            return repr(svc) + repr(svc.client) + repr(info.value) + info.value.technical_text()

    text = run(scenario())
    assert DEMO_API_KEY not in text
    assert DEMO_API_KEY not in caplog.text


def test_auth_header_only_sent_to_api_host(demo_engine: DemoEngine) -> None:
    """Image downloads carry no Authorization header, even to the same host."""
    seen: list[str | None] = []

    async def scenario() -> None:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as svc:
            original_send = svc.http.send

            async def spy(request, **kwargs):  # type: ignore[no-untyped-def]
                seen.append(request.headers.get("authorization"))
                return await original_send(request, **kwargs)

            svc.http.send = spy  # type: ignore[method-assign]
            await svc.fetcher.fetch(demo_engine.query_image_url("city"))

    run(scenario())
    assert seen == [None]


def test_fetcher_bounds_and_errors(demo_engine: DemoEngine) -> None:
    async def fetch(url: str, **kw: int) -> bytes:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY) as svc:
            return (await svc.fetcher.fetch(url, **kw)).data

    url = demo_engine.query_image_url("city")
    assert run(fetch(url))[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ImageError, match="larger than 1 KB"):
        run(fetch(url, max_bytes=1024))
    demo_engine.set_fault(Fault("non_image_thumbnails"))
    with pytest.raises(ImageError, match="web page, not to an image"):
        run(fetch(demo_engine.base_url + "/thumb/1.png?w=100&h=80"))
    demo_engine.clear_faults()
    demo_engine.set_fault(Fault("broken_thumbnails"))
    with pytest.raises(ImageError, match="error 404"):
        run(fetch(demo_engine.base_url + "/thumb/1.png?w=100&h=80"))


def test_fetcher_concurrency_is_bounded(demo_engine: DemoEngine) -> None:
    async def scenario() -> int:
        async with SearchService(demo_engine.base_url, DEMO_API_KEY, image_concurrency=3) as svc:
            active = peak = 0
            original = svc.fetcher._download

            async def tracked(*args):  # type: ignore[no-untyped-def]
                nonlocal active, peak
                active += 1
                peak = max(peak, active)
                try:
                    await asyncio.sleep(0.02)
                    return await original(*args)
                finally:
                    active -= 1

            svc.fetcher._download = tracked  # type: ignore[method-assign]
            urls = [f"{demo_engine.base_url}/thumb/{i}.png?w=60&h=40" for i in range(12)]
            await asyncio.gather(*(svc.fetcher.fetch(u) for u in urls))
            return peak

    assert run(scenario()) == 3


@pytest.mark.parametrize(("value", "expected"), [("5", 5.0), (None, None), ("soon", None)])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_one_client_with_http2_when_available() -> None:
    from bingrev_desktop.core.http import http2_available

    async def scenario() -> bool:
        async with SearchService("https://run.xcrawl.com") as svc:
            # The API client and the image fetcher share the one AsyncClient.
            assert svc.client._http is svc.http and svc.fetcher._http is svc.http
            return bool(svc.http._transport._pool._http2)  # type: ignore[attr-defined]

    assert asyncio.run(scenario()) is http2_available()
    assert http2_available()  # h2 ships with the app (httpx[http2])
