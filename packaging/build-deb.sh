#!/usr/bin/env bash
# Build dist/bingrev-desktop_VERSION_ARCH.deb from the PyInstaller bundle (build.sh).
#
#   packaging/build-deb.sh          # builds the bundle first when dist/ has none
#
# The package installs the bundle to /opt/bingrev-desktop, links /usr/bin/bingrev-desktop,
# and puts the launcher, MIME type, AppStream metadata and hicolor icons in /usr/share.
# No maintainer scripts: dpkg's file triggers of shared-mime-info, desktop-file-utils and
# hicolor-icon-theme refresh the MIME, desktop and icon caches on install and removal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
NAME=bingrev-desktop
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)"
ARCH="$(dpkg --print-architecture)"
BUNDLE="$ROOT/dist/$NAME"
[ -x "$BUNDLE/$NAME" ] || SKIP_SELF_CHECK="${SKIP_SELF_CHECK:-0}" bash packaging/build.sh
STAGE="$ROOT/build/deb/${NAME}_${VERSION}_${ARCH}"
OUT="$ROOT/dist/${NAME}_${VERSION}_${ARCH}.deb"

rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/doc/$NAME"
cp -a "$BUNDLE" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
DESTDIR="$STAGE" PREFIX=/usr bash packaging/linux/install-desktop-integration.sh >/dev/null
# Debian policy: a copyright file and a compressed changelog for every package.
cat > "$STAGE/usr/share/doc/$NAME/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $NAME
Source: https://github.com/bingrev/bingrev-desktop

Files: *
Copyright: 2026 bingrev-desktop developers
License: MIT
 The bundle in /opt/$NAME also contains Python, Qt (LGPL-3) and PySide6 (LGPL-3);
 their licence texts are in /opt/$NAME/_internal.
COPYRIGHT
printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- bingrev-desktop developers <bingrev@example.org>  %s\n' \
  "$NAME" "$VERSION" "$VERSION" "$(date -R -u)" | gzip -9n > "$STAGE/usr/share/doc/$NAME/changelog.gz"
install -Dm644 packaging/linux/$NAME.1 "$STAGE/usr/share/man/man1/$NAME.1"
gzip -9n "$STAGE/usr/share/man/man1/$NAME.1"
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE/usr/share" -type f -exec chmod 644 {} +
find "$STAGE/opt/$NAME" -type f -name "*.so*" -exec chmod 644 {} +  # libraries, not programs

SIZE_KB="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: bingrev-desktop developers <bingrev@example.org>
Installed-Size: $SIZE_KB
Depends: libc6, libssl3 | libssl3t64, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-xinerama0, libxcb-randr0, libxcb-shape0, libxcb-xkb1, libegl1, libgl1
Recommends: gnome-keyring | kwalletmanager, shared-mime-info, desktop-file-utils
Section: graphics
Priority: optional
Homepage: https://github.com/bingrev/bingrev-desktop
Description: reverse image search on Bing for investigators
 Drop or paste an image address, mark the part that matters, pick a
 country, and see where the picture appears on the web: visually similar
 images and the pages that use them, through the xcrawl SERP API. Every
 investigation is kept as a case file that opens later without a network.
 The API key stays in the system's password store.
CONTROL
mkdir -p "$(dirname "$OUT")"
# gzip: what Debian's archive accepts (with xz), and far faster than xz on 180 MB of Qt.
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$OUT" >/dev/null
echo "== built $OUT ($(du -h "$OUT" | cut -f1))"
