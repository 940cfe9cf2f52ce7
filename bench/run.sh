#!/usr/bin/env bash
# Runs every benchmark. Each prints its own baseline, measured in the same run, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in bench/*.ps1; do
  echo "== $bench"
  dotnet pwsh -NoProfile -NonInteractive -File "$bench"
done
for bench in bench/*.mjs; do
  [[ -e $bench ]] || continue
  echo "== $bench"
  node "$bench"
done
