#!/usr/bin/env bash
# Runs every benchmark and appends the figures to bench/boot-vs-shell.md and bench/judge.md.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install rollup -c --configBench --silent
bash scripts/node24 build/bench/judge.js
bash bench/boot-vs-shell.sh
