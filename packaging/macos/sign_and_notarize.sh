#!/usr/bin/env bash
# Sign, notarise and staple a release (macOS, Xcode command-line tools). Placeholders, to be set
# by whoever holds the Apple Developer account (never committed):
#   DIALDECK_CODESIGN_IDENTITY  "Developer ID Application: Example Ltd (TEAMID1234)"
#   DIALDECK_NOTARY_PROFILE     a keychain profile made once with:
#       xcrun notarytool store-credentials dialdeck-notary --apple-id you@example.com \
#             --team-id TEAMID1234 --password <app-specific password>
# With DIALDECK_CODESIGN_IDENTITY set, `./run package` already signs every binary in the .app with
# the hardened runtime and packaging/macos/entitlements.plist (PyInstaller's codesign_identity).
# This script then signs the disk image, sends it to Apple's notary service, waits, and staples
# the ticket so the app opens without a network connection on first launch.
#   packaging/macos/sign_and_notarize.sh dist/Dialdeck.app dist/Dialdeck-VERSION-macos.dmg
set -euo pipefail
app=$1 dmg=$2
: "${DIALDECK_CODESIGN_IDENTITY:?set it to your Developer ID Application identity}"
: "${DIALDECK_NOTARY_PROFILE:?set it to your notarytool keychain profile}"
codesign --verify --deep --strict --verbose=2 "$app"
codesign --sign "$DIALDECK_CODESIGN_IDENTITY" --timestamp "$dmg"
xcrun notarytool submit "$dmg" --keychain-profile "$DIALDECK_NOTARY_PROFILE" --wait
xcrun stapler staple "$dmg"
xcrun stapler staple "$app"
spctl --assess --type open --context context:primary-signature --verbose "$dmg"
