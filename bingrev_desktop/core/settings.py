"""Where the API lives and where the app keeps its files (no Qt, no key)."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .request import ValidationError

DEFAULT_API_BASE = "https://run.xcrawl.com"
API_BASE_ENV = "BINGREV_API_BASE"
API_KEY_ENV = "BINGREV_API_KEY"


def normalize_api_base(raw: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash, or ValidationError."""
    text = (raw or "").strip().rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise ValidationError(f"\u201c{raw}\u201d is not a valid API address.", "api_base") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "The API address must start with https:// (or http:// for a local test server).",
            "api_base",
        )
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValidationError(
            "The API address must start with https://, so your key is sent encrypted "
            "(http:// is only allowed for a test server on this computer).",
            "api_base",
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError(
            "The API address must not contain a user name, password, ?query or #fragment.",
            "api_base",
        )
    return text


def resolve_api_base(explicit: str | None = None, stored: str | None = None) -> str:
    """Command line beats the environment, which beats the saved setting."""
    for candidate in (explicit, os.environ.get(API_BASE_ENV), stored):
        if candidate and candidate.strip():
            return normalize_api_base(candidate)
    return DEFAULT_API_BASE


APP_DIR_NAME = "bingrev-desktop"


# platformdirs follows each OS's convention, as QStandardPaths does, without Qt. It is
# imported where a folder is asked for: it loads tempfile, shutil and random, which the
# window's first paint does not need.

def data_dir() -> Path:
    """Per-user data folder (autosave, spool), created on demand by callers."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def log_dir() -> Path:
    import platformdirs

    if sys.platform.startswith("linux"):
        # XDG: logs are state ($XDG_STATE_HOME/bingrev-desktop), kept where they were.
        return Path(platformdirs.user_state_dir(APP_DIR_NAME, appauthor=False))
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))


class SiteContact(enum.Enum):
    """The user's answer to "may the app contact the sites that host results?"."""

    ASK = "ask"
    ALWAYS = "always"
    NEVER = "never"

    @classmethod
    def parse(cls, text: object) -> SiteContact:
        return next((c for c in cls if c.value == text), cls.ASK)
