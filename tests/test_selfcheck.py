"""``run_self_check``: the report an install or a frozen bundle prints about itself."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail

from bingrev_desktop import __version__, selfcheck

ROOT = Path(__file__).resolve().parents[1]
CHECK_NAMES = [name for name, _ in selfcheck.CHECKS]
REQUIRED = os.environ.get("BINGREV_REQUIRE_SECRET_SERVICE") == "1"  # set by tests/run.sh


def report() -> tuple[int, list[str]]:
    out = io.StringIO()
    code = selfcheck.run_self_check(out)
    return code, out.getvalue().splitlines()


def line_for(lines: list[str], name: str) -> str:
    """The report line of check ``name`` ("STATUS  Name...  detail")."""
    found = [line for line in lines if line[6:].startswith(f"{name}  ")]
    assert len(found) == 1, (name, lines)
    return found[0]


@pytest.fixture(autouse=True)
def _qapp(qapp: Any) -> Any:
    """A QApplication first, so the self-check does not leave a bare QGuiApplication."""
    return qapp


def test_report_passes_with_one_line_per_check() -> None:
    code, lines = report()
    assert code == 0, "\n".join(lines)
    assert lines[0] == f"bingrev-desktop {__version__} self-check"
    assert len(lines) == len(CHECK_NAMES) + 2
    for name in CHECK_NAMES:
        assert line_for(lines, name).split()[0] in ("OK", "WARN"), lines
    assert lines[-1].startswith(f"All {len(CHECK_NAMES)} checks passed")
    assert "5 results from the demo engine" in line_for(lines, "Demo search")
    assert "png, jpeg, gif, webp" in line_for(lines, "Image formats")
    assert line_for(lines, "Thumbnail network").startswith("OK")
    assert "through Qt's network stack" in line_for(lines, "Thumbnail network")


@pytest.mark.skipif(not REQUIRED and not selfcheck._secret_service_running(),
                    reason="needs a Secret Service (tests/run.sh starts one)")
def test_real_keyring_backend_is_ok() -> None:
    assert selfcheck._secret_service_running() is True
    status, detail = selfcheck.check_keyring()
    assert status == "OK"
    assert "keyring.backends.SecretService" in detail


@pytest.mark.skipif(not REQUIRED and not selfcheck._secret_service_running(),
                    reason="needs a Secret Service (tests/run.sh starts one)")
def test_fail_backend_with_a_running_secret_service_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    code, lines = report()
    assert code == 1
    keyring_line = line_for(lines, "Keyring")
    assert keyring_line.startswith("FAIL")
    assert "keyring.backends.fail.Keyring" in keyring_line
    assert "org.freedesktop.secrets is running" in keyring_line
    assert lines[-1].startswith("FAILED: 1 of")


def test_fail_backend_without_a_secret_service_only_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    monkeypatch.setattr(selfcheck, "_secret_service_running", lambda: False)
    monkeypatch.setattr(sys, "platform", "linux")  # not win32/darwin, where it always fails
    status, detail = selfcheck.check_keyring()
    assert status == "WARN"
    assert "no Secret Service is running" in detail


def test_no_session_bus_means_no_secret_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert selfcheck._secret_service_running() is False


def test_a_crashing_check_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> tuple[selfcheck.Status, str]:
        raise RuntimeError("plugin\nexploded")

    monkeypatch.setattr(selfcheck, "CHECKS", (("Version", selfcheck.check_version), ("Boom", boom)))
    code, lines = report()
    assert code == 1
    assert line_for(lines, "Boom") == "FAIL  Boom     RuntimeError: plugin exploded"
    assert lines[-1] == "FAILED: 1 of 2 checks failed."


def test_warnings_do_not_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selfcheck, "CHECKS", (("Meh", lambda: ("WARN", "so-so")),))
    code, lines = report()
    assert code == 0
    assert lines[1:] == ["WARN  Meh  so-so", "All 1 checks passed, 1 warning."]


def test_demo_search_works_inside_a_running_loop() -> None:
    import asyncio

    async def inside() -> tuple[str, str]:
        return selfcheck.check_demo_search()

    status, detail = asyncio.run(inside())
    assert status == "OK", detail


def _fresh_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "PYTHONPATH")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout, even when an older copy is installed
    return env


@pytest.mark.parametrize("command", [
    ["-m", "bingrev_desktop.selfcheck"],
    [str(ROOT / "packaging" / "entry.py"), "--self-check"],
], ids=["module", "pyinstaller-entry"])
def test_self_check_in_a_fresh_process_without_a_display(command: list[str], tmp_path: Path) -> None:
    """No QApplication yet and no display: the check picks the offscreen platform itself."""
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True,
                          cwd=tmp_path, env=_fresh_env(), timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("self-check")
    assert "platform offscreen" in line_for(lines, "Qt")
    assert lines[-1].startswith("All ")
