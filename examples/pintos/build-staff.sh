#!/bin/sh
# The staff kernel, built from this repository (the staff's solution) into out/os.dsk: the boot
# disk every student is judged against. Run by the staff workflows (publish-kernel.yml,
# grade.yml), and by hand before `diverge grade`.
set -eu
cd "$(dirname "$0")"
mkdir -p out
docker build --target disk -t pintos-staff-disk .
id=$(docker create pintos-staff-disk none)
docker cp "$id:/out/os.dsk" out/os.dsk
docker rm "$id" > /dev/null
sha256sum out/os.dsk
