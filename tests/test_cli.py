"""The headless CLI as a user runs it: a real process against the demo engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bingrev_desktop.demo import DEMO_API_KEY, DemoEngine, Fault

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, key: str | None = DEMO_API_KEY, base: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINGREV_")}
    env["PYTHONPATH"] = str(ROOT)
    if key is not None:
        env["BINGREV_API_KEY"] = key
    if base is not None:
        env["BINGREV_API_BASE"] = base
    return subprocess.run([sys.executable, "-m", "bingrev_desktop", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT / "tests")


def test_search_prints_results(demo_engine: DemoEngine) -> None:
    url = demo_engine.query_image_url("lighthouse")
    done = cli("search", url, "--api-base", demo_engine.base_url, "--count", "5",
               "--mkt", "fr-fr", "--crop", "0,0,0.5,1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("5 results in ")
    assert done.stdout.count("page:  http") == 5
    assert demo_engine.search_requests[-1]["mkt"] == "fr-FR"
    assert demo_engine.search_requests[-1]["car"] == "0.5"
    # control characters in remote text never reach the terminal
    assert "\x1b" not in done.stdout


def test_search_json_and_env_base(demo_engine: DemoEngine) -> None:
    done = cli("search", demo_engine.query_image_url("city"), "--json", "--count", "3",
               base=demo_engine.base_url)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert len(payload["related_content"]) == 3


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault("status", status=401), "API key was not accepted"),
        (Fault("status", status=402), "no search credits"),
        (Fault("status", status=403), "may not run this search"),
        (Fault("status", status=429, retry_after=120), "too many searches"),
        (Fault("status", status=500), "error 500"),
        (Fault("status", status=503, body="<html>down</html>"), "error 503"),
        (Fault("malformed_json"), "answer could not be read"),
        (Fault("truncated"), "connection broke"),
        (Fault("huge_body", size_bytes=20 * 1024 * 1024), "far larger"),
        (Fault("slow_drip", bytes_per_second=20), "did not finish within 2 seconds"),
    ],
)
def test_each_fault_is_one_clear_line(demo_engine: DemoEngine, fault: Fault, words: str) -> None:
    demo_engine.set_fault(fault)
    done = cli("search", demo_engine.query_image_url("city"), "--api-base",
               demo_engine.base_url, "--timeout", "2")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert words in lines[0]
    assert "Traceback" not in done.stderr and DEMO_API_KEY not in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["search", "file:///tmp/x.png"], "file on your computer"),
        (["search", "https://x.org/a.png", "--mkt", "zz-ZZ"], "not a Bing market or region"),
        (["search", "https://x.org/a.png", "--count", "500"], "from 1 to 150"),
        (["search", "https://x.org/a.png", "--crop", "0.6,0,0.5,1"], "left edge before"),
        (["search", "https://x.org/a.png", "--crop", "1,2"], "four numbers"),
        (["search", "https://x.org/a.png", "--api-base", "ftp://x"], "must start with https"),
        (["search"], "required"),
        (["--bogus"], "unrecognized arguments"),
    ],
)
def test_bad_arguments(args: list[str], words: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_key(demo_engine: DemoEngine) -> None:
    env_free = cli("search", demo_engine.query_image_url("city"), "--api-base",
                   demo_engine.base_url, key=None)
    # No env key and (in tests/run.sh) an empty keyring: a clear message, not a crash.
    assert env_free.returncode == 1
    assert "No API key found" in env_free.stderr


def test_unreachable_api() -> None:
    with DemoEngine() as engine:
        base = engine.base_url
    done = cli("search", "https://x.org/a.png", "--api-base", base)
    assert done.returncode == 1
    assert "Could not connect to the server" in done.stderr


def test_version() -> None:
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("bingrev-desktop ")


def test_no_display_is_explained() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "bingrev_desktop"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "no screen to show the window on" in done.stderr
    assert "Traceback" not in done.stderr and "Aborted" not in done.stderr


def test_installed_entry_point(demo_engine: DemoEngine, tmp_path: Path) -> None:
    """The console script a `pip install .` puts beside the interpreter (as in CI)."""
    script = Path(sys.executable).parent / "bingrev-desktop"
    if not script.exists():
        pytest.skip("the package is not installed in this interpreter's environment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BINGREV_")}
    env["BINGREV_API_KEY"] = DEMO_API_KEY
    done = subprocess.run([str(script), "search", demo_engine.query_image_url("sunset"),
                           "--api-base", demo_engine.base_url, "--count", "4"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("4 results in ")
