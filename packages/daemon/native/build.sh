#!/usr/bin/env bash
# Builds the daemon's native helpers with the system C compiler against Node's own headers.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$include/node_api.h" ] || include=/usr/include/node
mkdir -p "$here/build"
out="$here/build/peercred.node"
if [ ! -f "$out" ] || [ "$here/peercred.c" -nt "$out" ]; then
  cc -O2 -Wall -Werror -shared -fPIC -DNODE_GYP_MODULE_NAME=peercred -I"$include" -o "$out" "$here/peercred.c"
fi
