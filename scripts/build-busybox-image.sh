#!/usr/bin/env bash
# Builds a small LXD-format busybox image (unified and split) from Debian's busybox-static.
# Usage: scripts/build-busybox-image.sh [--pad-mb N] OUT_DIR
# Writes OUT_DIR/busybox.tar.xz (metadata.yaml + templates/ + rootfs/) and the split pair
# OUT_DIR/busybox-meta.tar.xz + OUT_DIR/busybox-rootfs.tar.xz. Run as root: members are owned
# by 0:0 and stored with numeric owners. --pad-mb adds N MiB of random (incompressible) data
# as /pad.bin, compressed with xz -0 on all CPUs (about 45 s for 200 MiB on 2 CPUs).
set -euo pipefail

pad_mb=0
out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --pad-mb) pad_mb="${2:?--pad-mb needs a number}"; shift 2 ;;
    --pad-mb=*) pad_mb="${1#--pad-mb=}"; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
[ -n "$out" ] || { echo "usage: $0 [--pad-mb N] OUT_DIR" >&2; exit 2; }
case "$pad_mb" in ''|*[!0-9]*) echo "--pad-mb needs a whole number" >&2; exit 2 ;; esac
[ -x /bin/busybox ] || { echo "/bin/busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (the image's files must be owned by root)" >&2; exit 1; }

epoch="${SOURCE_DATE_EPOCH:-$(stat -c %Y /bin/busybox)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

# The filesystem tree.
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,root,tmp,dev,proc,sys,run,var/log,usr/share/udhcpc}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp /bin/busybox "$root/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done
ln -sf /bin/busybox "$root/sbin/init"

cat >"$root/etc/inittab" <<'EOF'
::sysinit:/etc/init.d/rcS
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
EOF

cat >"$root/etc/init.d/rcS" <<'EOF'
#!/bin/sh
# Boot: mount what the container manager did not, set the hostname, start DHCP on eth0.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /run || mount -t tmpfs -o mode=0755 tmpfs /run
case "$(hostname)" in ''|'(none)'|localhost) hostname -F /etc/hostname ;; esac
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  udhcpc -b -i eth0 -s /usr/share/udhcpc/default.script -p /run/udhcpc.eth0.pid >/dev/null 2>&1
fi
exit 0
EOF
chmod 0755 "$root/etc/init.d/rcS"

cat >"$root/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
# udhcpc event hook: applies the lease (address, default route, resolv.conf) to $interface.
[ -n "$1" ] || exit 1
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip -4 addr add "$ip/${mask:-24}" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    if [ -n "$router" ]; then
      while ip -4 route del default dev "$interface" 2>/dev/null; do :; done
      for r in $router; do
        ip -4 route add default via "$r" dev "$interface" && break
      done
    fi
    : >/etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >>/etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done
    ;;
esac
exit 0
EOF
chmod 0755 "$root/usr/share/udhcpc/default.script"

printf 'root::0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'busybox\n' >"$root/etc/hostname"
: >"$root/etc/resolv.conf"
if [ "$pad_mb" -gt 0 ]; then
  head -c "$((pad_mb * 1024 * 1024))" /dev/urandom >"$root/pad.bin"
fi

# Metadata and the hostname template.
mkdir -p "$work/templates"
printf '{{ container.name }}\n' >"$work/templates/hostname.tpl"
cat >"$work/metadata.yaml" <<EOF
architecture: x86_64
creation_date: $epoch
properties:
  os: busybox
  release: "1.35"
  description: BusyBox 1.35 (Debian busybox-static)
templates:
  /etc/hostname:
    when:
      - create
      - copy
    template: hostname.tpl
EOF

# Archives: sorted, fixed mtimes, numeric root owners. Padding is random, so compressing it
# harder only costs time (xz -6 on 200 MB of random data takes minutes).
xz_level=-6
xz_threads=-T1
[ "$pad_mb" -gt 0 ] && xz_level=-0 && xz_threads=-T0
chown -R 0:0 "$work"
find "$work" -exec touch -h -d "@$epoch" {} +
pack() { # pack OUTFILE DIR MEMBERS...
  local file="$1" dir="$2"
  shift 2
  tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" \
    --xattrs --xattrs-include='*' --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$dir" -cf - "$@" | xz "$xz_threads" "$xz_level" -c >"$file.tmp"
  mv "$file.tmp" "$file"
}
pack "$out/busybox.tar.xz" "$work" metadata.yaml templates rootfs
pack "$out/busybox-meta.tar.xz" "$work" metadata.yaml templates
pack "$out/busybox-rootfs.tar.xz" "$root" .
ls -l "$out"/busybox.tar.xz "$out"/busybox-meta.tar.xz "$out"/busybox-rootfs.tar.xz
