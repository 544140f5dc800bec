#!/usr/bin/env bash
# Install the launcher, MIME type, AppStream metadata and icons for the current user
# (into ${XDG_DATA_HOME:-~/.local/share}). The bingrev-desktop command itself must be
# on PATH already (pip install, pipx, or a link to the PyInstaller bundle).
#
#   packaging/linux/install-desktop-integration.sh              # install
#   packaging/linux/install-desktop-integration.sh --uninstall  # remove again
#   DESTDIR=/tmp/stage PREFIX=/usr packaging/linux/install-desktop-integration.sh
#       # staged system-wide install (for distribution packages; skips cache updates)
set -euo pipefail

APP_ID="io.github.bingrev.Desktop"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ICONS="$ROOT/resources/icons/hicolor"

if [ -n "${PREFIX:-}" ]; then
  DATA="${DESTDIR:-}$PREFIX/share"
else
  DATA="${DESTDIR:-}${XDG_DATA_HOME:-$HOME/.local/share}"
fi

refresh() {
  [ -n "${DESTDIR:-}" ] && return 0  # staged install: the package manager's triggers do this
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$DATA/mime" >/dev/null 2>&1 || true
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$DATA/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$DATA/icons/hicolor" 2>/dev/null || true
  fi
}

icon_targets() {
  local dir
  for dir in "$ICONS"/*/apps; do
    local size; size="$(basename "$(dirname "$dir")")"
    local file
    for file in "$dir/$APP_ID".png "$dir/$APP_ID".svg; do
      [ -f "$file" ] && printf '%s\t%s\n' "$file" "$DATA/icons/hicolor/$size/apps/$(basename "$file")"
    done
  done
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml" \
        "$DATA/mime/packages/$APP_ID.xml"
  while IFS=$'\t' read -r _src dst; do rm -f "$dst"; done < <(icon_targets)
  refresh
  echo "Removed bingrev-desktop desktop integration from $DATA"
  exit 0
fi
[ -z "${1:-}" ] || { echo "usage: $0 [--uninstall]" >&2; exit 2; }

install -Dm644 "$HERE/$APP_ID.desktop" "$DATA/applications/$APP_ID.desktop"
install -Dm644 "$HERE/$APP_ID.metainfo.xml" "$DATA/metainfo/$APP_ID.metainfo.xml"
install -Dm644 "$HERE/$APP_ID.mime.xml" "$DATA/mime/packages/$APP_ID.xml"
while IFS=$'\t' read -r src dst; do install -Dm644 "$src" "$dst"; done < <(icon_targets)

refresh  # update-mime-database, update-desktop-database, icon cache (when present)
# Make the app the default for case files (a user install only; needs xdg-utils).
if [ -z "${DESTDIR:-}" ] && [ -z "${PREFIX:-}" ] && command -v xdg-mime >/dev/null 2>&1; then
  xdg-mime default "$APP_ID.desktop" application/x-bingrev-session >/dev/null 2>&1 || true
fi

echo "Installed bingrev-desktop desktop integration into $DATA"
command -v bingrev-desktop >/dev/null 2>&1 ||
  echo "Note: 'bingrev-desktop' is not on PATH yet; the launcher needs it (e.g. pipx install .)."
