#!/usr/bin/env bash
# The whole test suite (after scripts/setup.sh): types, lint, formatting, an up-to-date dist/ and
# pages' scripts, then every Jest test (unit and integration with real QEMU) on Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

# The static checks that only read the tree run side by side (each is one process, mostly on one
# core); each one's output is shown under its own heading once all have ended, in this order.
checks=$(mktemp -d)
trap 'rm -rf "$checks"' EXIT
names=()
check() {
  local name=$1
  shift
  names+=("$name")
  local out="$checks/${#names[@]}"
  { "$@" >"$out.log" 2>&1 && echo 0 >"$out.status" || echo $? >"$out.status"; } &
}
check "typecheck" npx --no-install tsc --noEmit -p .
# The pages' scripts, with the DOM's types instead of Node's.
check "typecheck the pages' scripts (src/render/client)" npx --no-install tsc --noEmit -p src/render/client
check "lint" npx --no-install eslint .
check "layers (.dependency-cruiser.cjs)" bash scripts/node24 node_modules/.bin/depcruise src --config .dependency-cruiser.cjs
check "format" npx --no-install prettier --check .
wait
failed=0
for i in "${!names[@]}"; do
  step "${names[$i]}"
  cat "$checks/$((i + 1)).log"
  [[ $(cat "$checks/$((i + 1)).status") == 0 ]] || { echo "${names[$i]}: failed" >&2; failed=1; }
done
((failed == 0)) || exit 1
step "the pages' scripts (src/render/html-scripts.ts) are built from src/render/client"
bash scripts/node24 scripts/build-clients.mjs --check
step "schema/config.v1.json is generated from the config schema (src/config/json-schema.ts)"
bash scripts/node24 scripts/config-schema.mjs --check
step "dist/ is up to date"
npm run --silent build >/dev/null 2>&1
if [[ -n $(git status --porcelain -- dist) ]]; then
  git --no-pager status --short -- dist
  echo "dist/ is stale: run 'npm run build' and commit it" >&2
  exit 1
fi
step "action tables (README.md, docs/action.md) match action.yml"
bash scripts/node24 scripts/action-docs.mjs --check
step "fake GitHub server bundle (for the workflow tests)"
npx --no-install rollup -c --configFake --silent
# Two tiers, which together are every suite of jest.config.js: the fast one (jest.unit.config.js:
# no Docker, QEMU or browser) on every core, then the slow one (jest.slow.config.js) one suite at a
# time, as its QEMU boots already fill the cores. A path filter in "$@" may leave a tier empty.
node24=$(bash scripts/node24 --version)
results=$(mktemp -d)
status=0
tier() {
  local name=$1 config=$2
  shift 2
  step "jest on Node $node24: the $name tier ($config)"
  bash scripts/node24 --experimental-vm-modules node_modules/jest/bin/jest.js -c "$config" \
    --ci --passWithNoTests --json --outputFile="$results/$name.json" "$@" || status=$?
}
tier fast jest.unit.config.js "$@"
tier slow jest.slow.config.js "$@"
# A plain closing line that CI summaries read, whatever Jest printed above.
bash scripts/node24 -e '
  const fs = require("fs");
  const runs = process.argv.slice(1).filter(fs.existsSync).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
  console.log(`jest: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests")} skipped`);
  if (sum("numTotalTestSuites") === 0) {
    console.error("jest: no suite matched in either tier");
    process.exitCode = 1;
  }
' "$results/fast.json" "$results/slow.json" || status=1
rm -rf "$results"
exit "$status"
