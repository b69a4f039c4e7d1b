#!/usr/bin/env bash
# The NIC driver modules of the x86_64 fixture kernels (.cache/kernels/manifest.env, see
# fetch-kernels.sh) for the Linux network fixture: Debian's cloud kernels build virtio-net (and
# in 6.1 virtio-pci) as modules. Each kernel's package is downloaded and extracted, never
# installed; the modules go, uncompressed, to .cache/kernels/modules/<release>/. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.cache/kernels
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net"
log() { printf '[net-modules] %s\n' "$*"; }
# shellcheck disable=SC1090
source "$DEST/manifest.env"
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
for kernel in "$X86_61_A" "$X86_61_B" "$X86_612"; do
  release=${kernel#vmlinuz-}
  if [[ -f $DEST/modules/$release/virtio_net.ko ]]; then log "cached: $release"; continue; fi
  log "downloading linux-image-$release"
  (cd "$work" && apt-get download -q "linux-image-$release" >/dev/null)
  mkdir -p "$work/$release" "$DEST/modules/$release"
  dpkg-deb -x "$work"/linux-image-"$release"_*.deb "$work/$release"
  for m in $MODULES; do
    found=$(find "$work/$release/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
    [[ -n $found ]] || continue # built in
    case $found in
      *.xz) xz -dc "$found" >"$DEST/modules/$release/$m.ko" ;;
      *) cp "$found" "$DEST/modules/$release/$m.ko" ;;
    esac
  done
  rm -rf "$work/$release" "$work"/*.deb
done
