#!/usr/bin/env bash
# Builds the pattern benchmark with the engine's sources (optimized) and runs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${TMPDIR:-/tmp}/msvc-pattern-bench"
swiftc -O -module-name PatternBench -o "$out" \
  "$here/../../Sources/MsvcCore/Support/Pattern/"*.swift "$here/main.swift" 2>&1 | grep -v "^$" || true
"$out"
