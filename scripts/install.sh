#!/usr/bin/env bash
# Installs msvc into PREFIX (default: ~/.local): the release binary, stripped, in PREFIX/bin,
# the built-in templates in PREFIX/share/msvc/templates (where msvc finds them), and the shell
# completions in PREFIX/share/msvc/completions.
#
#   swift build -c release --static-swift-stdlib && scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-${PREFIX:-$HOME/.local}}"
binary=.build/release/msvc
if [ ! -x "$binary" ]; then
  echo "error: $binary is missing; build it first: swift build -c release --static-swift-stdlib" >&2
  exit 1
fi
mkdir -p "$prefix/bin" "$prefix/share/msvc"
# Copy, then move into place, so a running msvc is never overwritten in place.
cp "$binary" "$prefix/bin/.msvc.new"
strip --strip-debug "$prefix/bin/.msvc.new" 2>/dev/null || echo "note: strip not found; installing with debug info" >&2
chmod 755 "$prefix/bin/.msvc.new"
mv -f "$prefix/bin/.msvc.new" "$prefix/bin/msvc"
rm -rf "$prefix/share/msvc/templates.new"
cp -R templates "$prefix/share/msvc/templates.new"
rm -rf "$prefix/share/msvc/templates"
mv "$prefix/share/msvc/templates.new" "$prefix/share/msvc/templates"
mkdir -p "$prefix/share/msvc/completions"
cp completions/* "$prefix/share/msvc/completions/"
echo "installed msvc $("$prefix/bin/msvc" --version) into $prefix/bin (templates in $prefix/share/msvc/templates)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add it to PATH: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
