#!/usr/bin/env bash
# Fetches real Debian kernels for the Linux fixture family into .cache/kernels (idempotent):
# the two newest 6.1 x86_64 cloud builds, the newest 6.12 x86_64 cloud build, the newest arm64
# kernel, and arm64 busybox-static. Packages are downloaded and extracted, never installed.
# Versions are chosen from the apt index, which Debian rotates; .cache/kernels/manifest.env
# records what was chosen.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.cache/kernels
MANIFEST=$DEST/manifest.env
log() { printf '[kernels] %s\n' "$*"; }
mkdir -p "$DEST"

if [[ -f $MANIFEST ]]; then
  # shellcheck disable=SC1090
  source "$MANIFEST"
  ok=1
  for f in "${X86_61_A:-}" "${X86_61_B:-}" "${X86_612:-}" "${ARM64:-}" "${ARM64_BUSYBOX:-}"; do
    [[ -n $f && -s $DEST/$f ]] || ok=0
  done
  if ((ok)); then log "cached: $X86_61_A $X86_61_B $X86_612 $ARM64"; exit 0; fi
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
fi
apt-get update -q >/dev/null

newest() { # newest package names matching a regex, newest first
  apt-cache search --names-only "$1" | awk '{print $1}' | grep -E "$1" | sort -V -r
}
mapfile -t x86_61 < <(newest '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$')
mapfile -t x86_612 < <(newest '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64$')
mapfile -t arm64 < <(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64$' | awk '{print $1}' | sort -V -r)
((${#x86_61[@]} >= 2)) || { log "need two linux-image-6.1.0-*-cloud-amd64 packages in the apt index"; exit 1; }
((${#x86_612[@]} >= 1)) || { log "need a linux-image-6.12.*-cloud-amd64 package in the apt index"; exit 1; }
((${#arm64[@]} >= 1)) || { log "need a linux-image-6.1.0-*-arm64 package in the apt index"; exit 1; }

work=$(mktemp -d)
chmod 755 "$work" # apt downloads as _apt
trap 'rm -rf "$work"' EXIT
extract_kernel() { # package [arch] -> prints the extracted file name
  local pkg=$1 arch=${2:-} name
  (cd "$work" && apt-get download -q "$pkg${arch:+:$arch}" >/dev/null)
  mkdir -p "$work/x-$pkg"
  dpkg-deb -x "$work"/"${pkg}"_*.deb "$work/x-$pkg"
  name=vmlinuz-${pkg#linux-image-}
  cp "$work/x-$pkg"/boot/vmlinuz-* "$DEST/$name"
  echo "$name"
}
log "downloading ${x86_61[0]} ${x86_61[1]} ${x86_612[0]} ${arm64[0]}:arm64"
X86_61_A=$(extract_kernel "${x86_61[0]}")
X86_61_B=$(extract_kernel "${x86_61[1]}")
X86_612=$(extract_kernel "${x86_612[0]}")
ARM64=$(extract_kernel "${arm64[0]}" arm64)
(cd "$work" && apt-get download -q busybox-static:arm64 >/dev/null)
dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/bb-arm64"
cp "$work/bb-arm64/bin/busybox" "$DEST/busybox-arm64"
ARM64_BUSYBOX=busybox-arm64
cat >"$MANIFEST" <<MANIFEST
X86_61_A=$X86_61_A
X86_61_B=$X86_61_B
X86_612=$X86_612
ARM64=$ARM64
ARM64_BUSYBOX=$ARM64_BUSYBOX
MANIFEST
log "fetched into $DEST: $X86_61_A $X86_61_B $X86_612 $ARM64 $ARM64_BUSYBOX"
