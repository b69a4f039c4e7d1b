#!/usr/bin/env bash
# Benchmark: `diverge boot` of three Debian kernels against a plain shell script that runs the
# very same QEMU command lines (taken from diverge's observations) in parallel with `&` and
# `wait`. Both run in the same session, alternating, ROUNDS times; the median ratio is reported
# and appended to bench/boot-vs-shell.md. Target: ratio ≤ 1.15.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
node24() { bash scripts/node24 "$@"; }
source .cache/kernels/manifest.env
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash fixtures/linux/build-harness.sh "$work/root" x86_64
printf 'harness:\n  dir: %s\n  results: { format: ktap }\n' "$work/root" >"$work/diverge.yml"
kernels=(-k "a=.cache/kernels/$X86_61_A" -k "b=.cache/kernels/$X86_61_B" -k "c=.cache/kernels/$X86_612")
now() { date +%s.%N; }

diverge_once() {
  rm -rf "$work/out"
  node24 dist/cli.js boot -c "$work/diverge.yml" "${kernels[@]}" -o "$work/out" 2>"$work/diverge.err"
}

# Warm-up (page cache, the per-boot KVM probe cache), and the command lines for the shell script.
diverge_once
node24 -e '
  const fs = require("fs"), path = require("path");
  const dir = process.argv[1], out = process.argv[2];
  const q = (s) => `'"'"'${s.replace(/'"'"'/g, `'"'"'\\'"'"''"'"'`)}'"'"'`;
  const lines = ["#!/bin/sh"];
  for (const f of fs.readdirSync(dir).sort()) {
    const { boot } = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
    lines.push(`${boot.command.map(q).join(" ")} </dev/null >${q(out + "/" + f + ".log")} 2>&1 &`);
  }
  lines.push("wait");
  fs.writeFileSync(out + "/parallel.sh", lines.join("\n") + "\n");
' "$work/out/observations" "$work"
cp -r "$work/out/harness" "$work/harness-copy"
sed -i "s|$work/out/harness/|$work/harness-copy/|g" "$work/parallel.sh"

ratios=()
for round in $(seq 1 "$ROUNDS"); do
  t0=$(now); diverge_once; t1=$(now)
  bash "$work/parallel.sh"; t2=$(now)
  d=$(echo "$t1 - $t0" | bc -l); s=$(echo "$t2 - $t1" | bc -l); r=$(echo "$d / $s" | bc -l)
  ratios+=("$r")
  printf 'round %d: diverge %.2f s, shell %.2f s, ratio %.3f\n' "$round" "$d" "$s" "$r"
  grep -q 'completed at stage done' "$work/diverge.err" || { cat "$work/diverge.err"; exit 1; }
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
accel=$(grep -o 'accel [a-z]*' "$work/diverge.err" | head -1)
line=$(printf '| %s | %s | %d | %.3f | %s | %s |' "$(date -u +%Y-%m-%d)" "${accel#accel }" "$ROUNDS" "$median" "$(nproc) cores" "${BENCH_NOTE:-}")
echo "median ratio diverge/shell: $(printf '%.3f' "$median") (target ≤ 1.15)"
if [[ ${BENCH_RECORD:-1} == 1 ]]; then echo "$line" >>bench/boot-vs-shell.md; fi
awk -v m="$median" 'BEGIN { exit !(m <= 1.15) }'
