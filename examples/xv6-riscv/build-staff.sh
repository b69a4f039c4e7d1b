#!/bin/sh
# The staff kernel and the disk, built from this repository (the staff's solution) into out/:
#   out/kernel   the reference every student is judged against
#   out/fs.img   the file-system image every kernel boots with (xv6's programs, the course's tests)
# Run by the staff workflows (publish-kernel.yml, grade.yml), and by hand before `diverge grade`.
set -eu
cd "$(dirname "$0")"
mkdir -p out
for target in kernel disk; do
  docker build --target "$target" -t "xv6-staff-$target" .
  id=$(docker create "xv6-staff-$target" none)
  docker cp "$id:/out/." out/
  docker rm "$id" > /dev/null
done
sha256sum out/kernel out/fs.img
