#!/usr/bin/env bash
# Builds the CLI's native parts with the system C compiler (part of `npm run build`): the
# launcher bin/corral (native/launcher.c) and the warm processes' addon (native/resident.c,
# against Node's own headers). Both include native/key.h. docs/performance.md says why.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
include="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$include/node_api.h" ] || include=/usr/include/node
mkdir -p "$here/native/build"
stale() { [ ! -f "$1" ] || [ "$2" -nt "$1" ] || [ "$here/native/key.h" -nt "$1" ]; }
addon="$here/native/build/resident.node"
if stale "$addon" "$here/native/resident.c"; then
  cc -O2 -Wall -Werror -shared -fPIC -DNODE_GYP_MODULE_NAME=resident -I"$include" -o "$addon.tmp" "$here/native/resident.c"
  mv "$addon.tmp" "$addon"
fi
launcher="$here/bin/corral"
if stale "$launcher" "$here/native/launcher.c" || [ ! -x "$launcher" ] || head -c 2 "$launcher" | grep -q '#!'; then
  cc -O2 -Wall -Werror -o "$launcher.tmp" "$here/native/launcher.c"
  mv "$launcher.tmp" "$launcher"
fi
