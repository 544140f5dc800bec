"""Where the API lives and where the app keeps its files (no Qt, no key)."""

from __future__ import annotations

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


def _xdg(env: str, fallback: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def data_dir() -> Path:
    """Per-user data folder (autosave, recent files), created on demand by callers."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = _xdg("XDG_DATA_HOME", ".local/share")
    return base / "bingrev-desktop"


def log_dir() -> Path:
    if sys.platform == "win32":
        return data_dir() / "logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "bingrev-desktop"
    return _xdg("XDG_STATE_HOME", ".local/state") / "bingrev-desktop"
