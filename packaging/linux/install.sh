#!/bin/sh
# Install this Dialdeck bundle for the current user (no root): the bundle goes to
# ~/.local/opt/dialdeck, a `dialdeck` command to ~/.local/bin, the icon and the desktop entry
# (menu item and tel:/callto: link handler) to ~/.local/share. Run it from the unpacked folder:
#   ./install.sh            install (or update)
#   ./install.sh --remove   uninstall (your settings, history and recordings are kept)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
target=$HOME/.local/opt/dialdeck
if [ "${1:-}" = --remove ]; then
  rm -rf "$target" "$HOME/.local/bin/dialdeck" "$data/applications/dialdeck.desktop"
  rm -f "$data"/icons/hicolor/*/apps/dialdeck.png
  echo "Dialdeck removed."
  exit 0
fi
if [ "$here" != "$target" ]; then
  rm -rf "$target.new"
  mkdir -p "$(dirname "$target")"
  cp -R "$here" "$target.new"
  rm -rf "$target"
  mv "$target.new" "$target"
fi
mkdir -p "$HOME/.local/bin" "$data/applications"
ln -sf "$target/dialdeck" "$HOME/.local/bin/dialdeck"
for png in "$target"/icons/dialdeck-*.png; do
  size=$(basename "$png" .png | sed 's/dialdeck-//')
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$data/icons/hicolor/${size}x${size}/apps/dialdeck.png"
done
sed "s|^Exec=.*|Exec=\"$target/dialdeck\" %u|" "$target/dialdeck.desktop" > "$data/applications/dialdeck.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
if command -v xdg-mime >/dev/null 2>&1; then
  xdg-mime default dialdeck.desktop x-scheme-handler/tel
  xdg-mime default dialdeck.desktop x-scheme-handler/callto
fi
echo "Dialdeck installed: find it in your applications menu, or run: dialdeck"
