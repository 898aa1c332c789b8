#!/usr/bin/env bash
# The macOS disk image: Dialdeck.app beside a link to /Applications, compressed (UDZO).
#   packaging/macos/make_dmg.sh dist/Dialdeck.app dist/Dialdeck-VERSION-macos.dmg
# Run by packaging/finish.py after PyInstaller; then sign_and_notarize.sh when signing is set up.
set -euo pipefail
app=$1 dmg=$2
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$dmg"
hdiutil create -volname Dialdeck -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
