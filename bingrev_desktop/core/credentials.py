"""The API key in the OS keyring (service ``bingrev-desktop``), never in a file.

Keyring calls are synchronous D-Bus/OS calls that may wait for an unlock
prompt, so the ``a*`` coroutines run them in a worker thread. When no keyring
backend works, the key can be kept in memory for this run only.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import BingrevError, ErrorDetail
from .redact import register_secret
from .settings import API_KEY_ENV

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger("bingrev_desktop.credentials")


def _keyring() -> ModuleType:
    """keyring, imported on first use (in a worker thread): its import and backend
    discovery take about 100 ms that the window's first paint does not need."""
    import keyring
    import keyring.errors  # keyring.errors.* is used by the callers

    return keyring

T = TypeVar("T")
KEYRING_DEADLINE = 60.0  # long enough to type an unlock password
SERVICE_NAME = "bingrev-desktop"
ACCOUNT_NAME = "xcrawl-api-key"
MAX_KEY_LENGTH = 512


class KeyStorageError(BingrevError):
    title = "Cannot use the password store"


def validate_key_text(raw: str) -> str:
    key = (raw or "").strip()
    if not key:
        raise KeyStorageError("The API key is empty.")
    if len(key) > MAX_KEY_LENGTH or any(c.isspace() or not c.isprintable() for c in key):
        raise KeyStorageError(
            "That does not look like an API key: it has spaces, line breaks or is too long. "
            "Copy the key again from your xcrawl account page."
        )
    return key


def _backend_usable(backend: KeyringBackend) -> bool:
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    if module.startswith("keyring.backends.chainer"):
        return bool(getattr(backend, "backends", ()))
    return True


class CredentialStore:
    """Where the key comes from, in order: environment, this-run key, keyring."""

    def __init__(self, service: str = SERVICE_NAME, account: str = ACCOUNT_NAME) -> None:
        self.service, self.account = service, account
        self._session_key: str | None = None

    def __repr__(self) -> str:
        return f"CredentialStore(service={self.service!r})"

    # -- synchronous API: call these from a worker thread only -----------------
    def backend_name(self) -> str:
        backend = _keyring().get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def keyring_available(self) -> bool:
        try:
            return _backend_usable(_keyring().get_keyring())
        except Exception:  # a broken backend is as good as none
            log.warning("keyring backend failed to load", exc_info=True)
            return False

    def load(self) -> str | None:
        env_key = os.environ.get(API_KEY_ENV, "").strip()
        if env_key:
            register_secret(env_key)
            return env_key
        if self._session_key:
            return self._session_key
        if not self.keyring_available():
            return None
        try:
            key = _keyring().get_password(self.service, self.account)
        except Exception as exc:  # D-Bus and backend errors are not all KeyringError
            raise self._storage_error("read", exc) from None
        register_secret(key)
        return key or None

    def save(self, raw_key: str) -> None:
        key = validate_key_text(raw_key)
        register_secret(key)
        if not self.keyring_available():
            raise KeyStorageError(
                "This computer has no password store (keyring) the app can use, so the key "
                "cannot be saved. You can still use it for this session only.",
                ErrorDetail(cause=f"backend: {self.backend_name()}"),
            )
        try:
            _keyring().set_password(self.service, self.account, key)
        except Exception as exc:
            raise self._storage_error("save", exc) from None
        self._session_key = None
        log.info("API key saved to the keyring (%s)", self.backend_name())

    def delete(self) -> None:
        self._session_key = None
        if not self.keyring_available():
            return
        try:
            _keyring().delete_password(self.service, self.account)
        except _keyring().errors.PasswordDeleteError:
            pass  # nothing stored: already the state the user asked for
        except Exception as exc:
            raise self._storage_error("remove", exc) from None

    def use_for_this_session(self, raw_key: str) -> None:
        key = validate_key_text(raw_key)
        register_secret(key)
        self._session_key = key

    @property
    def has_session_key(self) -> bool:
        return self._session_key is not None

    @staticmethod
    def environment_key() -> bool:
        """Is the key given by BINGREV_API_KEY (it wins over anything stored)?"""
        return bool(os.environ.get(API_KEY_ENV, "").strip())

    def _storage_error(self, verb: str, exc: Exception) -> KeyStorageError:
        if isinstance(exc, _keyring().errors.KeyringLocked):
            message = ("The password store is locked. Unlock it (log in again or open your "
                       "keyring app) and try again.")
        elif verb == "read":
            message = "The API key could not be read from the password store."
        else:
            message = f"Could not {verb} the API key in the password store."
        try:
            backend = self.backend_name()
        except Exception:  # the backend itself may be what is broken
            backend = "unknown backend"
        return KeyStorageError(message, ErrorDetail(cause=f"{type(exc).__name__}: {exc} ({backend})"))

    # -- async wrappers: safe to await from the GUI loop -----------------------
    # Each has a deadline: an unlock prompt nobody answers must not hang the app.
    async def _in_thread(self, call: Callable[..., T], *args: Any) -> T:
        try:
            async with asyncio.timeout(KEYRING_DEADLINE):
                return await asyncio.to_thread(call, *args)
        except TimeoutError:
            raise KeyStorageError(
                "The password store did not answer. If it asked for a password, unlock it "
                "and try again.", ErrorDetail(cause=f"no answer within {KEYRING_DEADLINE} s"),
            ) from None

    async def aload(self) -> str | None:
        return await self._in_thread(self.load)

    async def asave(self, raw_key: str) -> None:
        await self._in_thread(self.save, raw_key)

    async def adelete(self) -> None:
        await self._in_thread(self.delete)

    async def akeyring_available(self) -> bool:
        try:
            return await self._in_thread(self.keyring_available)
        except KeyStorageError:
            return False

    async def abackend_name(self) -> str:
        return await self._in_thread(self.backend_name)
