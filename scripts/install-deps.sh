#!/usr/bin/env bash
# Installs what Corral needs on a Debian 12 host, idempotently: system packages, then npm
# dependencies and the build. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Run-time packages (lxcfs gives containers their own /proc/meminfo, cpuinfo and uptime), plus
# lxd-client and python3-pylxd that the compatibility tests drive, dig and tcpdump that the
# network tests use, bzip2 and bsdtar (libarchive-tools) that the image corpus test writes
# archives with, mmdebstrap that builds the Debian image (scripts/build-debian-image.sh),
# rsync that migration between servers runs on both ends (LXD's transfer), and chromium that
# the web UI tests drive headless through playwright-core.
packages=(lxc uidmap dnsmasq-base nftables iptables iproute2 busybox-static xz-utils zstd
  squashfs-tools acl lxd-client python3-pylxd gcc libc6-dev make lxc-dev pkg-config btrfs-progs
  bind9-dnsutils tcpdump bzip2 libarchive-tools lxcfs mmdebstrap rsync chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Unprivileged containers need a subordinate id range for root (a new machine has none).
bash scripts/ensure-root-subids.sh

# npm dependencies (better-sqlite3 compiles from source here) and the TypeScript build.
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
npm run build
