"""Which proxy the app's one HTTP client uses: the one in Settings, else the system's
(Qt reads the platform's settings: Windows, macOS, and the environment on Linux),
else the environment's. Chosen once at start; a change applies after a restart,
because the client is long-lived."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtNetwork import QNetworkProxy, QNetworkProxyFactory, QNetworkProxyQuery

from ...core.http import proxy_from_environment
from ...core.request import ValidationError
from ...core.settings import DEFAULT_API_BASE
from .settings_store import PROXY_KEY


def validate_proxy(text: str) -> str:
    """``http://host:port`` (or https), optionally with a user; or ValidationError."""
    value = text.strip()
    if not value:
        return ""
    if "://" not in value:
        value = f"http://{value}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise ValidationError(f"\u201c{text}\u201d is not a proxy address.", "proxy") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("A proxy address looks like http://proxy.example.org:8080.",
                              "proxy")
    return value


def system_proxy(url: str = DEFAULT_API_BASE) -> str | None:
    for proxy in QNetworkProxyFactory.systemProxyForQuery(QNetworkProxyQuery(QUrl(url))):
        if proxy.type() == QNetworkProxy.ProxyType.HttpProxy and proxy.hostName():
            user = f"{proxy.user()}:{proxy.password()}@" if proxy.user() else ""
            return f"http://{user}{proxy.hostName()}:{proxy.port()}"
    return None


def proxy_for_app(settings: QSettings | None = None) -> str | None:
    stored = (settings or QSettings()).value(PROXY_KEY, "")
    if isinstance(stored, str) and stored.strip():
        try:
            return validate_proxy(stored) or None
        except ValidationError:
            pass  # a broken entry must not stop the app; the system's proxy still works
    return system_proxy() or proxy_from_environment()
