"""Key storage against the real Secret Service (gnome-keyring in tests/run.sh)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail

from bingrev_desktop.core.credentials import CredentialStore, KeyStorageError
from bingrev_desktop.core.redact import redact


def secret_service_running() -> bool:
    try:
        from keyring.backends.SecretService import Keyring

        return bool(Keyring.priority)  # type: ignore[truthy-function]
    except Exception:
        return False


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[CredentialStore]:
    monkeypatch.delenv("BINGREV_API_KEY", raising=False)
    s = CredentialStore(service=f"bingrev-desktop-test-{uuid.uuid4().hex[:8]}")
    yield s
    with contextlib.suppress(KeyStorageError):
        s.delete()


REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"  # set by tests/run.sh


@pytest.mark.skipif(not REQUIRED and not secret_service_running(),
                    reason="needs a Secret Service (tests/run.sh starts one)")
def test_round_trip_on_real_secret_service(store: CredentialStore) -> None:
    assert "SecretService" in store.backend_name()
    assert store.keyring_available()

    async def scenario() -> tuple[str | None, str | None, str | None]:
        before = await store.aload()
        await store.asave("  xk-live-1234567890abcdef  ")
        loaded = await store.aload()
        await store.adelete()
        return before, loaded, await store.aload()

    before, loaded, after = asyncio.run(scenario())
    assert before is None
    assert loaded == "xk-live-1234567890abcdef"
    assert after is None
    assert "xk-live-1234567890abcdef" not in redact("key=xk-live-1234567890abcdef")
    # A second store with the same service name sees the same key: it is really stored.
    store.save("xk-second-key-0001")
    assert CredentialStore(service=store.service).load() == "xk-second-key-0001"
    store.delete()
    store.delete()  # deleting nothing is fine


def test_env_key_wins(store: CredentialStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BINGREV_API_KEY", "env-key-123456")
    assert store.load() == "env-key-123456"


@pytest.mark.parametrize("bad", ["", "   ", "has space", "line\nbreak", "x" * 600])
def test_bad_keys_rejected(store: CredentialStore, bad: str) -> None:
    with pytest.raises(KeyStorageError):
        store.save(bad)


def test_no_backend_offers_session_only(store: CredentialStore) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not store.keyring_available()
        assert store.load() is None
        with pytest.raises(KeyStorageError, match="for this session only"):
            store.save("xk-session-only-key")
        store.use_for_this_session("xk-session-only-key")
        assert store.load() == "xk-session-only-key"
        assert store.has_session_key
        store.delete()
        assert store.load() is None
    finally:
        keyring.set_keyring(previous)


def test_keyring_calls_have_a_deadline(store: CredentialStore,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A password store that never answers (an ignored unlock prompt) ends in a message."""
    import threading

    import bingrev_desktop.core.credentials as credentials

    release = threading.Event()
    monkeypatch.setattr(credentials, "KEYRING_DEADLINE", 0.3)
    monkeypatch.setattr(store, "load", lambda: release.wait(1) and None)
    try:
        with pytest.raises(KeyStorageError, match="did not answer"):
            asyncio.run(store.aload())
    finally:
        release.set()
