#!/usr/bin/env bash
# Runs every benchmark; each appends its figures to its own bench/*.md (see bench/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install rollup -c --configBench --silent
bash scripts/node24 build/bench/judge.js
bash scripts/node24 build/bench/compare.js
bash scripts/node24 build/bench/docker-cache.js
bash scripts/node24 build/bench/warm-rerun.js
bash scripts/node24 build/bench/html.js
bash scripts/node24 build/bench/bisect.js
bash scripts/node24 build/bench/grade.js 100 500
bash scripts/node24 build/bench/boot-vs-shell.js
bash scripts/node24 build/bench/history.js 10000 1000
bash scripts/node24 build/bench/snapshot.js
