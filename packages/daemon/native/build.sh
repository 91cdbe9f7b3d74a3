#!/usr/bin/env bash
# Builds the daemon's native helpers with the system C compiler against Node's own headers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$include/node_api.h" ] || include=/usr/include/node
mkdir -p "$here/build"
# N-API addons: peer credentials of a unix socket, and process file descriptors (pidfd).
for addon in peercred pidfd; do
  out="$here/build/$addon.node"
  if [ ! -f "$out" ] || [ "$here/$addon.c" -nt "$out" ]; then
    cc -O2 -Wall -Werror -shared -fPIC -DNODE_GYP_MODULE_NAME=$addon -I"$include" -o "$out" "$here/$addon.c"
  fi
done
# Exec, file, mount and console helpers (docs/exec.md): forkexec and forkconsole link liblxc; forkfile and forkmount need only libc.
for helper in forkexec forkfile forkmount forkconsole; do
  bin="$here/build/corral-$helper"
  if [ ! -f "$bin" ] || [ "$here/$helper.c" -nt "$bin" ]; then
    libs=""
    case "$helper" in forkexec | forkconsole) libs="$(pkg-config --cflags --libs lxc)" ;; esac
    # shellcheck disable=SC2086
    cc -O2 -Wall -Werror -o "$bin" "$here/$helper.c" $libs
  fi
done
