#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine, as root: install what Corral needs, build it,
# start corrald on its embedded SQLite (state in $CORRAL_DIR, default /var/lib/corral),
# create a managed bridge and a storage pool, build the busybox image from Debian's
# busybox-static, launch a container on the bridge and show it running with its address.
# Safe to run again: what exists is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

export CORRAL_DIR="${CORRAL_DIR:-/var/lib/corral}"
corral() { packages/cli/bin/corral "$@"; }
mkdir -p "$CORRAL_DIR/logs"
if ! corral info >/dev/null 2>&1; then
  echo "starting corrald (state in $CORRAL_DIR, log in $CORRAL_DIR/logs/corrald.log)"
  setsid node packages/daemon/bin/corrald </dev/null >>"$CORRAL_DIR/logs/corrald.out" 2>&1 &
  for _ in $(seq 1 100); do
    corral info >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
corral version

# A managed bridge with its own dnsmasq, on test addresses (198.18.0.0/15, fd42::/16), without
# NAT or routing: the demo container reaches the host and its neighbours, nothing beyond.
if ! corral network show corralbr0 >/dev/null 2>&1; then
  corral network create corralbr0 ipv4.address=198.18.0.1/24 ipv6.address=fd42:c0::1/64 \
    ipv4.nat=false ipv6.nat=false ipv4.routing=false ipv6.routing=false
fi
if ! corral profile device show default | grep -q '^eth0:'; then
  corral profile device add default eth0 nic network=corralbr0 name=eth0
fi

# A storage pool and the root disk in the default profile (init --auto keeps the bridge above).
corral storage show default >/dev/null 2>&1 || corral init --auto

# The busybox image, built from Debian's busybox-static.
if ! corral image info busybox >/dev/null 2>&1; then
  work="$(mktemp -d)"
  bash scripts/build-busybox-image.sh "$work" >/dev/null
  corral image import "$work/busybox.tar.xz" --alias busybox
  rm -rf "$work"
fi

# A container, running.
corral info demo >/dev/null 2>&1 || corral launch busybox demo
[ "$(corral list demo --format csv -c s)" = "RUNNING" ] || corral start demo
# Its address comes from the bridge's DHCP.
for _ in $(seq 1 50); do
  corral list demo --format csv -c 4 | grep -q 198.18 && break
  sleep 0.2
done
corral list
corral exec demo -- uname -a

echo
echo "corrald is running; its socket is $CORRAL_DIR/unix.socket."
echo "Try: packages/cli/bin/corral exec demo -- sh"
echo "     LXD_DIR=$CORRAL_DIR lxc list      (Debian's stock LXD client works too)"
echo "Stop the daemon with: packages/cli/bin/corral admin shutdown (containers keep running)"
