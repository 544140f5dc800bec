"""The API key's journey through the UI: first run, settings, test, remove.

Every keyring call is awaited from a worker thread (CredentialStore.a*), so the
dialogs stay responsive even when the password store asks to be unlocked.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ...core.credentials import CredentialStore, KeyStorageError
from ...core.errors import BingrevError
from ...core.redact import redact
from ...core.service import SearchService
from ...core.settings import API_KEY_ENV, DEFAULT_API_BASE, resolve_api_base
from ..common.message_banner import MessageBanner
from ..common.settings_store import SettingsStore
from ..common.tasks import TaskSet
from .key_dialog import ApiKeyDialog
from .settings_dialog import SettingsDialog

log = logging.getLogger("bingrev_desktop.keys")


class KeyFlow(QObject):
    demoRequested = Signal()
    searchRequested = Signal()  # a key arrived for a search that was waiting for one

    def __init__(self, dialog_parent: QWidget, banner: MessageBanner, settings: SettingsStore,
                 credentials: CredentialStore, service: SearchService, *, demo: bool) -> None:
        super().__init__(dialog_parent)
        self._parent, self._banner, self._settings = dialog_parent, banner, settings
        self.credentials = credentials
        self.service = service
        self.demo = demo
        self.tasks = TaskSet()
        self.key_dialog: ApiKeyDialog | None = None
        self.settings_dialog: SettingsDialog | None = None

    async def initialize(self, ask: bool = True) -> None:
        """Load the stored key off the GUI thread; ask for one if there is none."""
        if self.demo:
            return
        try:
            key = await self.credentials.aload()
        except KeyStorageError as exc:
            self._banner.show_error(exc)
            key = None
        self.service.client.set_api_key(key)
        if not key and ask:
            await self.ask(then_search=False)

    def ask_for_key(self, then_search: bool = False) -> None:
        self.tasks.spawn(self.ask(then_search))

    async def ask(self, then_search: bool) -> ApiKeyDialog:
        available = await self.credentials.akeyring_available()
        if self.key_dialog is not None:
            self.key_dialog.close()
            self.key_dialog.deleteLater()
        dialog = ApiKeyDialog(self._parent, keyring_available=available)
        dialog.finished.connect(lambda _result: dialog.key_edit.clear())  # no key lingers
        dialog.submitted.connect(
            lambda mode, key: self.tasks.spawn(self._store(dialog, mode, key, then_search)))
        dialog.demoRequested.connect(dialog.reject)
        dialog.demoRequested.connect(self.demoRequested)
        self.key_dialog = dialog
        dialog.open()  # window-modal without a nested event loop
        return dialog

    async def _store(self, dialog: ApiKeyDialog, mode: str, key: str, then_search: bool) -> None:
        try:
            if mode == "save":
                await self.credentials.asave(key)
            else:
                self.credentials.use_for_this_session(key)
        except KeyStorageError as exc:
            dialog.show_error(str(exc))
            return
        self.service.client.set_api_key(key.strip())
        dialog.accept()
        where = "in your password store" if mode == "save" else "until you close the app"
        self._banner.show_message("API key ready", f"Your key is kept {where}.")
        await self._refresh_settings()
        if then_search:
            self.searchRequested.emit()

    # -- settings -----------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        if self.settings_dialog is not None:
            self.settings_dialog.close()
            self.settings_dialog.deleteLater()
        settings = self._settings
        dialog = SettingsDialog(self.service.api_base, self._parent,
                                site_contact=settings.site_contact, proxy=settings.proxy,
                                proxy_in_use=redact(self.service.proxy or "") or None)
        dialog.proxyChanged.connect(self._proxy_changed)
        dialog.siteContactChanged.connect(
            lambda value: setattr(self._settings, "site_contact", value))
        dialog.replaceKeyRequested.connect(lambda: self.ask_for_key())
        dialog.testKeyRequested.connect(lambda: self.tasks.spawn(self._test_key(dialog)))
        dialog.removeKeyRequested.connect(lambda: self.tasks.spawn(self._remove_key()))
        dialog.apiBaseChanged.connect(self._api_base_changed)
        self.settings_dialog = dialog
        dialog.open()
        self.tasks.spawn(self._refresh_settings())
        return dialog

    async def _refresh_settings(self) -> None:
        dialog = self.settings_dialog
        if dialog is None:
            return
        if self.demo:
            dialog.set_key_status("Demo mode: no key is needed or used. To search Bing with "
                                  "your own key, choose Help \u203a Leave the demo.",
                                  has_key=False)
            dialog.replace_button.setEnabled(False)
            dialog.advanced_box.setEnabled(False)
            return
        has_key = self.service.client.has_key
        if not has_key:
            text = "No API key is set. Add one to search."
        elif self.credentials.environment_key():
            text = (f"The key comes from the {API_KEY_ENV} environment variable; nothing is "
                    "saved in your password store.")
        elif self.credentials.has_session_key:
            text = "A key is in use for this session only; it is not saved."
        else:
            text = "A key is saved in your computer's password store."
        dialog.set_key_status(text, has_key=has_key)

    async def _test_key(self, dialog: SettingsDialog) -> None:
        try:
            await self.service.client.verify_key()
        except BingrevError as exc:
            dialog.set_test_result(f"\u2717 {exc}")
            return
        dialog.set_test_result("\u2713 The service accepted the key.")

    async def _remove_key(self) -> None:
        try:
            await self.credentials.adelete()
        except KeyStorageError as exc:
            self._banner.show_error(exc)
            return
        self.service.client.set_api_key(None)
        await self._refresh_settings()

    def _proxy_changed(self, value: str) -> None:
        self._settings.proxy = value
        self._banner.show_message(
            "Proxy saved", "The new proxy setting applies the next time the app starts.")

    def _api_base_changed(self, value: str) -> None:
        self._settings.api_base = value
        self.service.configure(api_base=resolve_api_base(stored=value or DEFAULT_API_BASE))
        self._banner.show_message("Search service address changed",
                                        f"Searches now go to {self.service.api_base}.")
