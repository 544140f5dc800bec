"""A non-editable install ships every package and every resource."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "bingrev_desktop").rglob("__init__.py")
    }
    assert found <= listed, f"add to pyproject.toml: {sorted(found - listed)}"


def test_wheel_contains_resources(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("bingrev_desktop-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in (ROOT / "resources").rglob("*"):
        if resource.is_file():
            rel = resource.relative_to(ROOT / "resources").as_posix()
            assert f"bingrev_desktop/_resources/{rel}" in names, rel
    assert "bingrev_desktop/demo/server.py" in names


def test_installed_package_finds_resources(tmp_path: Path) -> None:
    """Run from another directory with only the installed package importable."""
    code = ("import bingrev_desktop.resources as r, bingrev_desktop as b; "
            "print(r.resource_dir()); print(b.__file__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, check=True, timeout=60)
    resource_dir, package_file = done.stdout.splitlines()
    assert Path(resource_dir, "MANIFEST.txt").is_file()
    if "site-packages" in package_file:  # CI installs non-editable
        assert "site-packages" in resource_dir
