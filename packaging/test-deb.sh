#!/usr/bin/env bash
# End-to-end check of the .deb on this machine: install it with apt-get, run the
# installed app's --self-check from /usr/bin, check that case files open with it,
# run lintian, remove the package, and check that only user data is left.
# Needs root (or sudo). .ci/run runs it on its fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=bingrev-desktop
APP_ID=io.github.bingrev.Desktop
MIME=application/x-bingrev-session
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)"
DEB="$PWD/dist/${NAME}_${VERSION}_$(dpkg --print-architecture).deb"
[ -f "$DEB" ] || bash packaging/build-deb.sh
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"  # never a password prompt in CI
fail() { echo "test-deb.sh: $*" >&2; exit 1; }

# User data that must survive removal: a case and settings in the usual places.
USER_HOME="$(mktemp -d)"
SANDBOX="$(mktemp -d)"
trap 'rm -rf "$USER_HOME" "$SANDBOX"' EXIT
mkdir -p "$USER_HOME/.local/share/$NAME" "$USER_HOME/.config/$NAME"
echo case > "$USER_HOME/.local/share/$NAME/kept.bingrev"
echo settings > "$USER_HOME/.config/$NAME/$NAME.conf"

echo "== apt-get install $DEB"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$DEB" >/dev/null
[ "$(readlink -f /usr/bin/$NAME)" = "/opt/$NAME/$NAME" ] || fail "/usr/bin/$NAME is not the bundle"
for f in /usr/share/applications/$APP_ID.desktop /usr/share/mime/packages/$APP_ID.xml \
         /usr/share/metainfo/$APP_ID.metainfo.xml /usr/share/icons/hicolor/256x256/apps/$APP_ID.png; do
  [ -f "$f" ] || fail "$f is missing after install"
done

echo "== /usr/bin/$NAME --self-check (private D-Bus session, unlocked gnome-keyring)"
mkdir -p "$SANDBOX/run"; chmod 700 "$SANDBOX/run"
env -u BINGREV_API_KEY -u BINGREV_API_BASE QT_QPA_PLATFORM=offscreen HOME="$SANDBOX" \
  XDG_RUNTIME_DIR="$SANDBOX/run" dbus-run-session -- bash -c '
    printf "deb-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec /usr/bin/bingrev-desktop --self-check' || fail "the installed app's self-check failed"

echo "== which application opens .bingrev files"
default="$(env HOME="$USER_HOME" XDG_DATA_HOME="$USER_HOME/.local/share" \
  XDG_CONFIG_HOME="$USER_HOME/.config" xdg-mime query default "$MIME")"
echo "xdg-mime query default $MIME: $default"
[ "$default" = "$APP_ID.desktop" ] || fail "case files do not open with the app"
# The shared MIME database (what file managers use) knows *.bingrev after the trigger ran.
grep -q "$MIME:\*\.bingrev" /usr/share/mime/globs2 || fail "*.bingrev is not in the MIME database"
[ -f "/usr/share/mime/${MIME}.xml" ] || fail "the MIME database has no $MIME"
echo "shared MIME database: *.bingrev is $MIME"

if command -v lintian >/dev/null 2>&1; then
  echo "== lintian (each remaining tag is explained in packaging/README.md)"
  lintian --no-tag-display-limit "$DEB" || true
else
  echo "== lintian is not installed: skipped"
fi

echo "== apt-get remove --purge $NAME"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq "$NAME" >/dev/null
left=()
for f in /opt/$NAME /usr/bin/$NAME /usr/share/applications/$APP_ID.desktop \
         /usr/share/mime/packages/$APP_ID.xml /usr/share/metainfo/$APP_ID.metainfo.xml \
         /usr/share/doc/$NAME; do
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
find /usr/share/icons/hicolor -name "$APP_ID.*" | grep -q . && left+=("icons")
grep -qs "$MIME" /usr/share/mime/types && left+=("MIME database entry")
((${#left[@]} == 0)) || fail "left behind after removal: ${left[*]}"
[ -f "$USER_HOME/.local/share/$NAME/kept.bingrev" ] && [ -f "$USER_HOME/.config/$NAME/$NAME.conf" ] \
  || fail "user data was touched"
echo "== OK: installed, self-checked, opens .bingrev files, removed; user data kept"
