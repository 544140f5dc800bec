"""Settings: replace, test or remove the API key; the advanced API address."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.request import ValidationError
from ...core.settings import DEFAULT_API_BASE, SiteContact, normalize_api_base
from ..common.message_banner import field_error_label, plain_label
from ..common.network import validate_proxy

CONTACT_LABELS = {
    SiteContact.ASK: "Ask me each time",
    SiteContact.ALWAYS: "Always contact them",
    SiteContact.NEVER: "Never contact them",
}


class SettingsDialog(QDialog):
    replaceKeyRequested = Signal()
    testKeyRequested = Signal()
    removeKeyRequested = Signal()
    apiBaseChanged = Signal(str)
    siteContactChanged = Signal(object)
    proxyChanged = Signal(str)

    def __init__(self, api_base: str, parent: QWidget | None = None,
                 site_contact: SiteContact = SiteContact.ASK, proxy: str = "",
                 proxy_in_use: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(540)
        layout = QVBoxLayout(self)
        key_box = QGroupBox("API key")
        key_layout = QVBoxLayout(key_box)
        self.key_status = plain_label("Checking\u2026")
        key_layout.addWidget(self.key_status)
        row = QHBoxLayout()
        self.replace_button = QPushButton("Replace key\u2026")
        self.replace_button.clicked.connect(self.replaceKeyRequested)
        self.test_button = QPushButton("Test key")
        self.test_button.setToolTip("Checks the key with the service; this costs no search from your plan")
        self.test_button.clicked.connect(self._test)
        self.remove_button = QPushButton("Remove key")
        self.remove_button.clicked.connect(self.removeKeyRequested)
        row.addWidget(self.replace_button)
        row.addWidget(self.test_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        key_layout.addLayout(row)
        self.test_result = plain_label("")
        key_layout.addWidget(self.test_result)
        layout.addWidget(key_box)

        privacy = QGroupBox("Contact the sites that host results")
        privacy_layout = QVBoxLayout(privacy)
        privacy_layout.addWidget(plain_label(
            "Keeping full-size copies and checking links again visit the websites that host "
            "the pictures and pages. The people who run those sites may see the visit. "
            "Thumbnails are loaded from the addresses in the search answer (normally Bing's "
            "own servers). \u201cSearch with this image\u201d shows the result's picture "
            "only when this is set to Always."))
        self.contact_combo = QComboBox()
        for policy, label in CONTACT_LABELS.items():
            self.contact_combo.addItem(label, policy)
        self.contact_combo.setCurrentIndex(list(CONTACT_LABELS).index(site_contact))
        self.contact_combo.setAccessibleName("Contact the sites that host results")
        self.contact_combo.currentIndexChanged.connect(
            lambda _: self.siteContactChanged.emit(self.contact_combo.currentData()))
        privacy_layout.addWidget(self.contact_combo)
        layout.addWidget(privacy)

        advanced = self.advanced_box = QGroupBox("Advanced")
        adv_layout = QVBoxLayout(advanced)
        adv_layout.addWidget(plain_label(
            "Search service address. Only change this if your administrator told you to."))
        base_row = QHBoxLayout()
        self.base_edit = QLineEdit(api_base)
        self.base_edit.setPlaceholderText(DEFAULT_API_BASE)
        reset = QPushButton("Use default")
        reset.clicked.connect(lambda: self.base_edit.setText(DEFAULT_API_BASE))
        base_row.addWidget(self.base_edit, 1)
        base_row.addWidget(reset)
        adv_layout.addLayout(base_row)
        self.base_error = field_error_label()
        adv_layout.addWidget(self.base_error)
        in_use = f" Now: {proxy_in_use}." if proxy_in_use else " Now: none (direct)."
        adv_layout.addWidget(plain_label(
            "Proxy server, only if your IT department gives you one. Empty: the system's "
            "proxy is used. A change applies the next time the app starts." + in_use))
        self.proxy_edit = QLineEdit(proxy)
        self.proxy_edit.setPlaceholderText("http://proxy.example.org:8080")
        self.proxy_edit.setAccessibleName("Proxy server")
        adv_layout.addWidget(self.proxy_edit)
        self.proxy_error = field_error_label()
        adv_layout.addWidget(self.proxy_error)
        self._initial_proxy = proxy
        layout.addWidget(advanced)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._initial_base = api_base

    def set_key_status(self, text: str, *, has_key: bool) -> None:
        self.key_status.setText(text)
        self.test_button.setEnabled(has_key)
        self.remove_button.setEnabled(has_key)
        self.replace_button.setText("Replace key\u2026" if has_key else "Add key\u2026")

    def set_test_result(self, text: str) -> None:
        self.test_result.setText(text)
        self.test_button.setEnabled(True)

    def _test(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing\u2026")
        self.testKeyRequested.emit()

    def done(self, result: int) -> None:
        """Apply a changed API address or proxy on close; refuse to close on an invalid one."""
        proxy = self.proxy_edit.text().strip()
        if proxy != self._initial_proxy:
            try:
                proxy = validate_proxy(proxy)
            except ValidationError as exc:
                self.proxy_error.setText(str(exc))
                self.proxy_error.show()
                return
            self._initial_proxy = proxy
            self.proxyChanged.emit(proxy)
        text = self.base_edit.text().strip()
        if text and text != self._initial_base:
            try:
                text = normalize_api_base(text)
            except ValidationError as exc:
                self.base_error.setText(str(exc))
                self.base_error.show()
                return
            self.apiBaseChanged.emit("" if text == DEFAULT_API_BASE else text)
        elif not text and self._initial_base != DEFAULT_API_BASE:
            self.apiBaseChanged.emit("")
        super().done(result)
