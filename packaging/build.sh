#!/usr/bin/env bash
# Build the one-folder PyInstaller bundle into dist/bingrev-desktop/ and prove it works:
# the frozen app's --self-check must pass with a real Secret Service keyring.
#
#   packaging/build.sh            # reuse build/pyi-venv if it exists
#   FRESH=1 packaging/build.sh    # recreate the build venv first
#   SKIP_SELF_CHECK=1 packaging/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="$ROOT/build/pyi-venv"
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"

PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 &&
     "$cand" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))'; then
    PY="$cand"; break
  fi
done
[ -n "$PY" ] || { echo "build.sh: need Python 3.11-3.13" >&2; exit 1; }

started=$SECONDS
[ "${FRESH:-0}" = 1 ] && rm -rf "$VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
echo "== installing the project and PyInstaller into $VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q . pyinstaller
# A local path is not always rebuilt when the version did not change: force it.
"$VENV/bin/python" -m pip install -q --no-deps --force-reinstall .

echo "== pyinstaller"
rm -rf "$DIST/bingrev-desktop"
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/bingrev-desktop.spec
APP="$DIST/bingrev-desktop/bingrev-desktop"
[ -x "$APP" ] || { echo "build.sh: $APP was not built" >&2; exit 1; }
echo "== built $APP in $((SECONDS - started)) s, bundle size $(du -sh "$DIST/bingrev-desktop" | cut -f1)"

[ "${SKIP_SELF_CHECK:-0}" = 1 ] && exit 0

echo "== frozen self-check (offscreen Qt, private D-Bus session, unlocked gnome-keyring)"
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "build.sh: $tool is missing (apt-get install dbus gnome-keyring), or set SKIP_SELF_CHECK=1" >&2
    exit 1
  }
done
REPORT="$WORK/self-check.txt"
SANDBOX="$(mktemp -d)"
trap 'rm -rf "$SANDBOX"' EXIT
mkdir -p "$SANDBOX/run" && chmod 700 "$SANDBOX/run"
status=0
env -u BINGREV_API_KEY -u BINGREV_API_BASE -u PYTHON_KEYRING_BACKEND \
  QT_QPA_PLATFORM=offscreen HOME="$SANDBOX" XDG_RUNTIME_DIR="$SANDBOX/run" \
  XDG_DATA_HOME="$SANDBOX/data" XDG_CONFIG_HOME="$SANDBOX/config" XDG_CACHE_HOME="$SANDBOX/cache" \
  dbus-run-session -- bash -c '
    printf "build-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$0" --self-check
  ' "$APP" >"$REPORT" || status=$?
cat "$REPORT"
if [ "$status" -ne 0 ]; then
  echo "build.sh: the frozen self-check failed (exit $status)" >&2
  exit 1
fi
if grep -q "keyring.backends.fail" "$REPORT"; then
  echo "build.sh: the frozen app fell back to keyring's fail backend (backends not bundled?)" >&2
  exit 1
fi
echo "== OK: $APP ($(du -sh "$DIST/bingrev-desktop" | cut -f1)) in $((SECONDS - started)) s"
