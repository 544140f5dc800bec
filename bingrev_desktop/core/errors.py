"""One small error hierarchy for everything that can go wrong talking to the web.

Each error carries a sentence for a non-technical user (``str(error)``) and,
separately, the technical detail (status, body excerpt, request id) that the UI
shows one click away. The API key never appears in either.
"""

from __future__ import annotations

from dataclasses import dataclass

from .redact import redact

EXCERPT_CHARS = 500


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    status: int | None = None
    body_excerpt: str = ""
    request_id: str | None = None
    url: str | None = None
    cause: str = ""
    attempts: int = 1

    def as_text(self) -> str:
        lines = []
        if self.url:
            lines.append(f"URL: {self.url}")
        if self.status is not None:
            lines.append(f"HTTP status: {self.status}")
        if self.request_id:
            lines.append(f"Request id: {self.request_id}")
        if self.attempts > 1:
            lines.append(f"Attempts: {self.attempts}")
        if self.cause:
            lines.append(f"Cause: {self.cause}")
        if self.body_excerpt:
            lines.append(f"Response body (start):\n{self.body_excerpt}")
        return redact("\n".join(lines))


class BingrevError(Exception):
    """Base class. ``title`` is a short heading, ``str()`` the user's sentence."""

    title = "Something went wrong"
    retryable = False

    def __init__(self, message: str, detail: ErrorDetail | None = None) -> None:
        super().__init__(redact(message))
        self.detail = detail or ErrorDetail()

    @property
    def user_message(self) -> str:
        return str(self)

    def technical_text(self) -> str:
        kind = type(self).__name__
        detail = self.detail.as_text()
        return f"{kind}: {self}\n{detail}" if detail else f"{kind}: {self}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, status={self.detail.status})"


class BadRequestError(BingrevError):
    title = "The search service refused the request"


class AuthenticationError(BingrevError):
    title = "API key not accepted"


class AccessDeniedError(BingrevError):
    title = "Search not allowed"


class RateLimitedError(BingrevError):
    title = "Too many searches"
    retryable = True


class ServiceUnavailableError(BingrevError):
    title = "The search service has a problem"
    retryable = True


class ConnectionFailedError(BingrevError):
    title = "Cannot reach the service"
    retryable = True


class DeadlineExceededError(BingrevError):
    title = "It took too long"


class InvalidResponseError(BingrevError):
    title = "Unexpected answer"


class ImageError(BingrevError):
    """An image could not be downloaded or decoded."""

    title = "Image not usable"


# A bug in loading one thumbnail: it costs that tile, never the grid or its fill.
UNEXPECTED_THUMBNAIL_ERROR = "Unexpected error while loading this thumbnail."


class NotAnImageError(ImageError):
    """The address answered, but with a web page or other non-image content."""

    title = "Not an image"


class MissingKeyError(BingrevError):
    title = "No API key"


def excerpt(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = redact(text.strip())  # before cutting: a cut key would no longer match
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS] + "\u2026"
    return redact(text)
