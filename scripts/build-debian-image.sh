#!/usr/bin/env bash
# Builds an LXD-format Debian image with systemd from Debian's packages (mmdebstrap), cached.
# Usage: scripts/build-debian-image.sh [--release bookworm|trixie] [--force] [OUT_DIR]
# Prints the path of OUT_DIR/debian-RELEASE-HASH.tar.zst (metadata.yaml + templates/ + rootfs/),
# HASH being that of this script: an image already there is reused, not rebuilt (--force
# rebuilds it). OUT_DIR defaults to $CORRAL_IMAGE_CACHE, else /var/cache/corral/images. The
# container gets its address by DHCP through systemd-networkd and resolves names through
# systemd-resolved; /etc/hostname and /etc/hosts come from the image's templates.
# Import it with: lxc image import "$(scripts/build-debian-image.sh)" --alias debian
set -euo pipefail

release=bookworm
force=0
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="${2:?--release needs a name}"; shift 2 ;;
    --release=*) release="${1#--release=}"; shift ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
case "$release" in
  bookworm) version=12 ;;
  trixie) version=13 ;;
  *) echo "--release must be bookworm or trixie" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "run as root (the image's files must be owned by root)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (scripts/install-deps.sh)" >&2; exit 1; }

out="${out:-${CORRAL_IMAGE_CACHE:-/var/cache/corral/images}}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
hash="$(sha256sum "$0" | cut -c1-12)"
image="$out/debian-$release-$hash.tar.zst"
if [ "$force" = 0 ] && [ -s "$image" ]; then
  echo "$image"
  exit 0
fi

# One build at a time per cache directory; a second caller waits and reuses the result.
exec 9>"$out/.debian-$release.lock"
flock 9
if [ "$force" = 0 ] && [ -s "$image" ]; then
  echo "$image"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"
epoch="${SOURCE_DATE_EPOCH:-$(date +%s)}"

# The system: minbase plus systemd as init, udev, dbus, networkd (in systemd) and resolved,
# iproute2 and procps (free, uptime) for the tests and the operator. No Recommends (mmdebstrap's
# default), so nothing that would reach the network on its own (no timesyncd, no apt timers' use).
packages=systemd,systemd-sysv,udev,dbus,systemd-resolved,libpam-systemd,libnss-resolve,iproute2,procps
mirror="http://deb.debian.org/debian"
mmdebstrap --variant=minbase --mode=root --format=directory --include="$packages" \
  --customize-hook='chroot "$1" systemctl enable systemd-networkd.service systemd-resolved.service' \
  --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
  --customize-hook='ln -s ../run/systemd/resolve/stub-resolv.conf "$1/etc/resolv.conf"' \
  --customize-hook='mkdir -p "$1/var/log/journal"' \
  --customize-hook='rm -f "$1/var/lib/dbus/machine-id"; : > "$1/etc/machine-id"' \
  "$release" "$root" \
  "deb $mirror $release main" \
  "deb $mirror $release-updates main" \
  "deb http://deb.debian.org/debian-security $release-security main" >&2

# eth0 by DHCP (the managed bridge's dnsmasq), with the DNS server and search domain it hands
# out; the MAC as client id, so the lease matches dnsmasq's static entries for the instance.
mkdir -p "$root/etc/systemd/network"
cat >"$root/etc/systemd/network/eth0.network" <<'EOF'
[Match]
Name=eth0

[Network]
DHCP=ipv4
IPv6AcceptRA=yes

[DHCPv4]
ClientIdentifier=mac
UseDomains=true
EOF
echo "$release" >"$root/etc/hostname"

# Metadata and templates, as LXD's images carry them: the hostname and hosts follow the instance.
mkdir -p "$work/templates"
printf '{{ container.name }}\n' >"$work/templates/hostname.tpl"
cat >"$work/templates/hosts.tpl" <<'EOF'
127.0.0.1	localhost
127.0.1.1	{{ container.name }}

# The following lines are desirable for IPv6 capable hosts
::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF
cat >"$work/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $epoch
properties:
  os: debian
  release: $release
  version: "$version"
  variant: default
  description: Debian $version ($release) with systemd, built by mmdebstrap
templates:
  /etc/hostname:
    when:
      - create
      - copy
      - rename
    template: hostname.tpl
  /etc/hosts:
    when:
      - create
      - copy
      - rename
    template: hosts.tpl
EOF

chown -R 0:0 "$work/templates" "$work/metadata.yaml"
tar --sort=name --numeric-owner --xattrs --xattrs-include='*' \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$work" -cf - metadata.yaml templates rootfs | zstd -q -T0 -10 -o "$image.tmp"
mv "$image.tmp" "$image"
# Older builds of this release (another script version) are no longer used.
find "$out" -maxdepth 1 -name "debian-$release-*.tar.zst" ! -name "$(basename "$image")" -delete
echo "$image"
