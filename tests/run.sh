#!/usr/bin/env bash
# Lint, type-check the whole package (strict), then run pytest inside a private D-Bus
# session with a real, unlocked gnome-keyring Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"

echo "== ruff"; "$PY" -m ruff check .
echo "== mypy --strict (the whole package)"; "$PY" -m mypy bingrev_desktop
export QT_QPA_PLATFORM=offscreen QT_API=pyside6 PYTHONDONTWRITEBYTECODE=1
# Tests never touch the developer's real files.
export HOME_SANDBOX; HOME_SANDBOX="$(mktemp -d)"
export XDG_DATA_HOME="$HOME_SANDBOX/data" XDG_CONFIG_HOME="$HOME_SANDBOX/config" \
  XDG_STATE_HOME="$HOME_SANDBOX/state" XDG_CACHE_HOME="$HOME_SANDBOX/cache" \
  XDG_RUNTIME_DIR="$HOME_SANDBOX/run"
mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
unset BINGREV_API_KEY BINGREV_API_BASE
export BINGREV_REQUIRE_SECRET_SERVICE=1  # keyring tests fail rather than skip

echo "== pytest"
exec dbus-run-session -- bash -c '
  printf "ci-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$0" -m pytest -p no:cacheprovider "${@}"
' "$PY" "${@:2}"
