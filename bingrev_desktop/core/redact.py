"""Keep the API key out of logs, error texts and reprs.

The credentials code registers every key it hands out; :func:`redact` then
replaces it anywhere it appears, and :class:`RedactingFilter` does the same for
every log record, whatever logger or argument carried it.
"""

from __future__ import annotations

import logging
import threading

MASK = "\u2022\u2022\u2022\u2022"  # four bullets
_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(secret: str | None) -> None:
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Formats the message early and redacts it; attach to handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now so the redacted text is what gets written.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
