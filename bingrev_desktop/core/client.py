"""The xcrawl SERP client: one search = one POST, with deadline, retries and caps."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from .answers import read_answer
from .errors import (
    AccessDeniedError,
    AuthenticationError,
    BadRequestError,
    BingrevError,
    DeadlineExceededError,
    ErrorDetail,
    InvalidResponseError,
    MissingKeyError,
    RateLimitedError,
    ServiceUnavailableError,
    excerpt,
)
from .http import BodyTooLargeError, read_capped, request_id, server_message, transport_error
from .redact import redact, register_secret
from .request import ENGINE, SearchRequest
from .response import SearchResponse, UnfinishedSearchError
from .settings import normalize_api_base

UNREADABLE = ("The service's answer could not be read. Try again; if it keeps happening, "
              "the service may have changed.")

log = logging.getLogger("bingrev_desktop.client")

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    request: SearchRequest
    response: SearchResponse
    elapsed: float
    attempts: int
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # A pivot: (search id, result position) it came from; travels with the search.
    parent: tuple[int, int] | None = None


@dataclass(slots=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 10.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        delay: float = min(self.backoff_max, self.backoff_base * 2.0 ** (attempt - 1))
        return delay * random.uniform(0.8, 1.2)  # jitter so clients don't retry in step


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value[:9])
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Retry(Exception):
    def __init__(self, error: BingrevError, wait: float | None) -> None:
        self.error, self.wait = error, wait


class XcrawlClient:
    """Talks to ``{api_base}/v1/serp``. The key is only ever sent to that URL."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_base: str,
        api_key: str | None = None,
        *,
        deadline: float = 90.0,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self._http = http
        self.api_base = normalize_api_base(api_base)
        self._api_key: str | None = None
        self.set_api_key(api_key)
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        has_key = "set" if self._api_key else "unset"
        return f"XcrawlClient(api_base={self.api_base!r}, key={has_key})"

    @property
    def endpoint(self) -> str:
        return f"{self.api_base}/v1/serp"

    @property
    def has_key(self) -> bool:
        return bool(self._api_key)

    def moved_to(self, api_base: str) -> XcrawlClient:
        """The same client (key, deadline, retries) for another API address."""
        return XcrawlClient(self._http, api_base, self._api_key, deadline=self.deadline,
                            retry=self.retry)

    def set_api_key(self, key: str | None) -> None:
        key = (key or "").strip() or None
        register_secret(key)
        self._api_key = key

    async def search(self, request: SearchRequest) -> SearchOutcome:
        """Run one search. Raises a :class:`BingrevError`; cancellation propagates."""
        started = time.monotonic()
        attempts = 0
        try:
            async with asyncio.timeout(self.deadline):
                while True:
                    attempts += 1
                    try:
                        response = await self._attempt(request.to_body(), attempts)
                    except _Retry as retry:
                        if attempts >= self.retry.max_attempts:
                            raise retry.error from None
                        wait = retry.wait if retry.wait is not None else self.retry.backoff(attempts)
                        remaining = self.deadline - (time.monotonic() - started)
                        if wait > min(self.retry.max_retry_after, remaining):
                            raise retry.error from None
                        log.info("retrying search in %.1fs (%s)", wait, type(retry.error).__name__)
                        await asyncio.sleep(wait)
                        continue
                    return SearchOutcome(request, response, time.monotonic() - started, attempts)
        except TimeoutError:
            raise DeadlineExceededError(
                f"The search did not finish within {self.deadline:.0f} seconds, so it was "
                "stopped. The service may be busy: try again in a minute.",
                ErrorDetail(url=self.endpoint, cause="overall deadline", attempts=attempts),
            ) from None

    async def verify_key(self) -> None:
        """Cheap key check: a search without an image is refused for free.

        401/403 means the key is bad; a 400 (missing image_url) means it was accepted.
        """
        try:
            async with asyncio.timeout(30):
                await self._attempt({"engine": ENGINE}, 1)
        except BadRequestError as exc:
            if exc.detail.status in (400, 422):
                return  # refused for the missing image, so the key itself was accepted
            raise BadRequestError(
                "This address does not answer like the search service. Check the API "
                "address in File \u203a Settings.", exc.detail) from None
        except TimeoutError:
            raise DeadlineExceededError(
                "The service did not answer within 30 seconds.", ErrorDetail(url=self.endpoint)
            ) from None
        except _Retry as retry:
            raise retry.error from None

    async def _attempt(self, body: dict[str, str], attempt: int) -> SearchResponse:
        if not self._api_key:
            raise MissingKeyError(
                "No API key is set. Add your xcrawl API key in Settings, or try the demo mode."
            )
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json"}
        url = self.endpoint
        log.debug("POST %s attempt %d", url, attempt)
        try:
            async with self._http.stream(
                "POST", url, json=body, headers=headers, follow_redirects=False
            ) as response:
                try:
                    raw = await read_capped(response, self.max_response_bytes)
                except BodyTooLargeError:
                    raise InvalidResponseError(
                        "The service sent an answer far larger than any search result, so it "
                        "was not read.",
                        ErrorDetail(url=url, status=response.status_code, attempts=attempt,
                                    cause=f"body over {self.max_response_bytes} bytes"),
                    ) from None
        except httpx.HTTPError as exc:
            error = transport_error(exc, url, attempt)
            if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                raise _Retry(error, None) from exc
            raise error from exc
        detail = ErrorDetail(
            status=response.status_code, body_excerpt=excerpt(raw[:4096]),
            request_id=request_id(response, raw[:65536]), url=self.endpoint, attempts=attempt,
        )
        if 200 <= response.status_code < 300:
            return await self._parse_ok(raw, detail)
        return self._interpret(response, raw, detail)

    def _interpret(self, response: httpx.Response, raw: bytes,
                   detail: ErrorDetail) -> SearchResponse:
        status = response.status_code
        said = server_message(raw)
        suffix = f" The service said: \u201c{said}\u201d" if said else ""
        error: BingrevError
        if status == 401:
            error = AuthenticationError(
                "The API key was not accepted. Check it in File \u203a Settings." + suffix, detail
            )
        elif status == 402:
            error = AccessDeniedError(
                "Your xcrawl account has no search credits left. Top it up, then search again."
                + suffix, detail)
        elif status == 403:
            error = AccessDeniedError(
                "This API key may not run this search. The account may be out of credits or "
                "its plan may not include it." + suffix, detail)
        elif status == 429:
            wait = parse_retry_after(response.headers.get("retry-after"))
            when = f" Wait {wait:.0f} seconds, then try again." if wait else " Try again soon."
            error = RateLimitedError("The service is getting too many searches." + when + suffix,
                                     detail)
            raise _Retry(error, wait)
        elif status >= 500:
            error = ServiceUnavailableError(
                f"The search service has a problem right now (error {status}). "
                "Try again in a minute." + suffix, detail)
            if status in RETRY_STATUSES:
                raise _Retry(error, None)
        elif 300 <= status < 400:
            error = InvalidResponseError(
                "The service tried to redirect the search elsewhere. Check the API address in "
                "Settings.", detail)
        else:
            error = BadRequestError(
                f"The search service did not accept this search (error {status})." + suffix,
                detail)
        raise error

    async def _parse_ok(self, raw: bytes, detail: ErrorDetail) -> SearchResponse:
        """Never read an answer as "no results" when the service said something else.
        Parsing happens off the event loop (the GUI thread), see :mod:`answers`."""
        def failed(message: str, exc: BaseException) -> InvalidResponseError:
            return InvalidResponseError(message, ErrorDetail(
                status=detail.status, body_excerpt=detail.body_excerpt,
                request_id=detail.request_id, url=detail.url, attempts=detail.attempts,
                cause=redact(f"{type(exc).__name__}: {exc}")[:200]))

        said = server_message(raw) if len(raw) < 65536 else None
        if said and b'"related_content"' not in raw:  # a 200 carrying an error object
            raise BadRequestError(f"The search service said: \u201c{said}\u201d", detail)
        try:
            return await read_answer(raw)
        except UnfinishedSearchError as exc:
            raise failed(f"The search service did not finish this search (it reported "
                         f"\u201c{exc.status}\u201d). Try again in a minute.", exc) from None
        except (ValueError, RecursionError) as exc:  # ResponseFormatError is a ValueError
            raise failed(UNREADABLE, exc) from None
