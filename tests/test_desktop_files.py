"""Linux desktop integration files and icons: valid, complete and consistent."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bingrev_desktop import APP_ID, __version__

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME = LINUX / f"{APP_ID}.mime.xml"
INSTALLER = LINUX / "install-desktop-integration.sh"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
MIME_TYPE = "application/x-bingrev-session"
TOOLS_REQUIRED = bool(os.environ.get("CI")) or os.environ.get("BINGREV_REQUIRE_TOOLS") == "1"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if TOOLS_REQUIRED:
            pytest.fail(f"{name} is required (CI or BINGREV_REQUIRE_TOOLS=1) but not installed")
        pytest.skip(f"{name} is not installed")
    return path


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def desktop_list(value: str) -> list[str]:
    return [part for part in value.split(";") if part]


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


# -- validators ---------------------------------------------------------------------

def test_desktop_file_validates() -> None:
    done = subprocess.run([tool("desktop-file-validate"), str(DESKTOP)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error:" not in done.stdout + done.stderr


def test_metainfo_validates() -> None:
    done = subprocess.run([tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mime_package_is_accepted_by_update_mime_database(tmp_path: Path) -> None:
    update = shutil.which("update-mime-database")  # shared-mime-info: optional even in CI
    if update is None:
        pytest.skip("update-mime-database is not installed (apt-get install shared-mime-info)")
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    shutil.copy(MIME, packages / f"{APP_ID}.xml")
    done = subprocess.run([update, str(tmp_path / "mime")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Error" not in done.stderr, done.stderr
    assert f"{MIME_TYPE}:*.bingrev" in (tmp_path / "mime" / "globs2").read_text()


# -- icons --------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_png_icon_exists_at_its_size(size: int) -> None:
    path = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert path.is_file(), f"missing {path.relative_to(ROOT)}: run packaging/render_icons.py"
    assert png_size(path) == (size, size)


def test_scalable_icon_is_the_app_svg() -> None:
    svg = ICONS / "bingrev-desktop.svg"
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == svg.read_bytes(), "run packaging/render_icons.py"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"


def test_bundle_icons_exist() -> None:
    ico = (ROOT / "packaging" / "windows" / "bingrev-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    assert (ROOT / "packaging" / "macos" / "bingrev-desktop.icns").read_bytes()[:4] == b"icns"


# -- consistency --------------------------------------------------------------------

def test_desktop_entry_matches_the_app() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "bingrev-desktop"
    assert "%f" in entry["Exec"].split()
    assert desktop_list(entry["Categories"]) == ["Graphics", "Network"]
    assert desktop_list(entry["MimeType"]) == [MIME_TYPE]


def test_mime_package_matches_the_desktop_entry() -> None:
    root = ET.parse(MIME).getroot()
    types = root.findall("m:mime-type", MIME_NS)
    assert [t.get("type") for t in types] == desktop_list(desktop_entry()["MimeType"])
    mime_type = types[0]
    assert [g.get("pattern") for g in mime_type.findall("m:glob", MIME_NS)] == ["*.bingrev"]
    assert mime_type.findtext("m:comment", namespaces=MIME_NS) == "Reverse image search case file"
    magic = mime_type.find("m:magic", MIME_NS)
    assert magic is not None and int(magic.get("priority", "50")) < 50
    match = magic.find("m:match", MIME_NS)
    assert match is not None
    assert (match.get("type"), match.get("offset"), match.get("value")) == (
        "string", "0", "SQLite format 3\\000")


def test_metainfo_matches_the_desktop_entry_and_mime_type() -> None:
    root = ET.parse(METAINFO).getroot()
    entry = desktop_entry()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID == entry["Icon"]
    assert root.findtext("name") == entry["Name"] == "Bing Reverse Image Search"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert [m.text for m in root.findall("provides/mediatype")] == desktop_list(entry["MimeType"])
    assert [b.text for b in root.findall("provides/binary")] == [entry["Exec"].split()[0]]
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == __version__
    assert releases[0].get("date") == "2026-11-25"
    developer = root.find("developer")
    assert developer is not None and developer.get("id") and developer.findtext("name")
    rating = root.find("content_rating")
    assert rating is not None and rating.get("type") == "oars-1.1"


def test_installer_puts_everything_in_place(tmp_path: Path) -> None:
    bash = tool("bash")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([bash, str(INSTALLER)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    data = tmp_path / "data"
    expected = [
        data / "applications" / DESKTOP.name,
        data / "metainfo" / METAINFO.name,
        data / "mime" / "packages" / f"{APP_ID}.xml",
        data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        *(data / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in SIZES),
    ]
    assert [p for p in expected if not p.is_file()] == []
    if shutil.which("update-mime-database"):
        assert f"{MIME_TYPE}:*.bingrev" in (data / "mime" / "globs2").read_text()

    done = subprocess.run([bash, str(INSTALLER), "--uninstall"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in expected if p.exists()] == []
