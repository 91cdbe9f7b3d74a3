#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine, as root: install what Corral needs, build it,
# start corrald on its embedded SQLite (state in $CORRAL_DIR, default /var/lib/corral) and
# show the server through the corral CLI. Safe to run again: a running daemon is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

export CORRAL_DIR="${CORRAL_DIR:-/var/lib/corral}"
corral=(node packages/cli/bin/corral)
mkdir -p "$CORRAL_DIR/logs"
if ! "${corral[@]}" info >/dev/null 2>&1; then
  echo "starting corrald (state in $CORRAL_DIR, log in $CORRAL_DIR/logs/corrald.log)"
  setsid node packages/daemon/bin/corrald </dev/null >>"$CORRAL_DIR/logs/corrald.out" 2>&1 &
  for _ in $(seq 1 100); do
    "${corral[@]}" info >/dev/null 2>&1 && break
    sleep 0.1
  done
fi
"${corral[@]}" version
"${corral[@]}" info
echo
echo "corrald is running; its socket is $CORRAL_DIR/unix.socket."
echo "Try: CORRAL_DIR=$CORRAL_DIR node packages/cli/bin/corral profile list"
echo "     LXD_DIR=$CORRAL_DIR lxc profile list      (Debian's stock LXD client)"
echo "Stop it with: CORRAL_DIR=$CORRAL_DIR node packages/cli/bin/corral admin shutdown"
