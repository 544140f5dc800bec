"""User preferences in QSettings. Never the API key: that lives in the keyring only."""

from __future__ import annotations

import contextlib
import os

from PySide6.QtCore import QByteArray, QLocale, QSettings

from ...core.markets import find_market, market_for_locale
from ...core.redact import redact
from ...core.request import COUNT_DEFAULT, COUNT_MAX, COUNT_MIN
from ...core.settings import SiteContact

PROXY_KEY = "network/proxy"

MAX_RECENT = 15
SETTINGS_VERSION = 1  # bump with a migration whenever a key is renamed
VERSION_KEY = "meta/settings_version"


class SettingsStore:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings()
        if self._s.value(VERSION_KEY) is None:  # before the first rename of a key
            self._s.setValue(VERSION_KEY, SETTINGS_VERSION)
            self.sync()  # once, at the start: the file exists, private from then on
    def _set(self, key: str, value: object) -> None:
        # QSettings writes later, on its own; its rewrites keep the file's 0600 mode.
        self._s.setValue(key, value)

    def sync(self) -> None:
        """Write now and make the file private: it holds recent addresses and case paths.
        QSettings creates it with default permissions, then keeps whatever mode it has."""
        self._s.sync()
        path = self._s.fileName()
        if os.name == "posix" and path and os.path.isfile(path):
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)

    def _str(self, key: str, default: str = "") -> str:
        value = self._s.value(key, default)
        return value if isinstance(value, str) else default

    def _list(self, key: str) -> list[str]:
        value = self._s.value(key, [])
        if isinstance(value, str):
            value = [value]
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    @property
    def market(self) -> str:
        stored = find_market(self._str("search/market"))
        return stored.code if stored else market_for_locale(QLocale.system().name())

    @market.setter
    def market(self, code: str) -> None:
        self._set("search/market", code)

    @property
    def sweep_markets(self) -> list[str]:
        """The last sweep's countries (the sweep dialog starts from them)."""
        from ...core.sweep import MARKETS

        return [m for m in self._list("sweep/markets") if m in MARKETS]

    @sweep_markets.setter
    def sweep_markets(self, markets: list[str]) -> None:
        self._set("sweep/markets", list(markets))

    @property
    def count(self) -> int:
        try:
            value = int(self._str("search/count", str(COUNT_DEFAULT)))
        except ValueError:
            return COUNT_DEFAULT
        return min(COUNT_MAX, max(COUNT_MIN, value))

    @count.setter
    def count(self, value: int) -> None:
        self._set("search/count", str(value))

    @property
    def api_base(self) -> str:
        return self._str("advanced/api_base")

    @api_base.setter
    def api_base(self, value: str) -> None:
        if value:
            self._set("advanced/api_base", value)
        else:
            self._s.remove("advanced/api_base")

    @property
    def site_contact(self) -> SiteContact:
        """May full-size copies and link checks contact the sites that host results?"""
        return SiteContact.parse(self._str("privacy/contact_sites", SiteContact.ASK.value))

    @site_contact.setter
    def site_contact(self, value: SiteContact) -> None:
        self._set("privacy/contact_sites", value.value)

    @property
    def proxy(self) -> str:
        return self._str(PROXY_KEY)

    @proxy.setter
    def proxy(self, value: str) -> None:
        if value:
            self._set(PROXY_KEY, value)
        else:
            self._s.remove(PROXY_KEY)

    @property
    def group_copies(self) -> bool:
        """The grid shows each picture once (Group copies), as the user left it."""
        return self._str("view/group_copies") == "true"

    @group_copies.setter
    def group_copies(self, on: bool) -> None:
        self._set("view/group_copies", "true" if on else "false")

    @property
    def qsettings(self) -> QSettings:
        return self._s

    def recent_images(self) -> list[str]:
        return self._list("recent/images")[:MAX_RECENT]

    def add_recent_image(self, url: str) -> list[str]:
        url = redact(url)  # a result's address may carry a key a service echoed back
        items = [url] + [u for u in self.recent_images() if u != url]
        self._set("recent/images", items[:MAX_RECENT])
        return items[:MAX_RECENT]

    def clear_recent_images(self) -> None:
        self._s.remove("recent/images")

    def recent_sessions(self) -> list[str]:
        return self._list("recent/sessions")[:MAX_RECENT]

    def add_recent_session(self, path: str) -> None:
        items = [path] + [p for p in self.recent_sessions() if p != path]
        self._set("recent/sessions", items[:MAX_RECENT])

    def geometry(self) -> bytes | None:
        value = self._s.value("window/geometry")
        if isinstance(value, QByteArray):
            return bytes(value.data())
        return bytes(value) if isinstance(value, bytes | bytearray) else None

    def set_geometry(self, data: bytes) -> None:
        self._set("window/geometry", data)
