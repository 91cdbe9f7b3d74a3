#!/usr/bin/env bash
# Gives root a subordinate uid and gid range when it has none of at least 65536 ids, the way
# LXD's documentation tells LXC hosts to (root:1000000:1000000000). LXC maps a container's ids
# with newuidmap/newgidmap whenever they are installed, and they refuse any range root was not
# given in /etc/subuid and /etc/subgid; a new Debian machine's files are empty.
# Never changes or removes an existing line; safe to run again. Files can be overridden for
# tests: SUBUID_FILE, SUBGID_FILE (then the line is appended directly, not through usermod).
set -euo pipefail

want_start=1000000
want_size=1000000000
min_size=65536

# Prints "start size" for a range of want_size ids that overlaps no line of the file: LXD's
# 1000000 when it is free, else the first 65536-aligned start above every existing range.
free_range() {
  awk -F: -v s="$want_start" -v n="$want_size" '
    NF >= 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { start[NR] = $2 + 0; end[NR] = $2 + $3 }
    END {
      clash = 0; top = 0
      for (i in start) {
        if (start[i] < s + n && s < end[i]) clash = 1
        if (end[i] > top) top = end[i]
      }
      if (clash) s = int((top + 65535) / 65536) * 65536
      if (s + n > 4294967295) { print "none"; exit }
      print s, n
    }' "$1"
}

ensure() {
  local kind="$1" file="$2"
  [ -e "$file" ] || : >"$file"
  if awk -F: -v min="$min_size" '($1 == "root" || $1 == "0") && $3 + 0 >= min { found = 1 } END { exit !found }' "$file"; then
    return 0
  fi
  local range start size
  range=$(free_range "$file")
  if [ "$range" = none ]; then
    echo "ensure-root-subids: no free range of $want_size ids left in $file; add a root line by hand" >&2
    return 1
  fi
  read -r start size <<<"$range"
  local last=$((start + size - 1))
  if [ -z "${SUBUID_FILE:-}${SUBGID_FILE:-}" ] && command -v usermod >/dev/null; then
    usermod "--add-sub${kind}s" "$start-$last" root
  else
    echo "root:$start:$size" >>"$file"
  fi
  echo "gave root the subordinate ${kind} range $start-$last in $file"
}

ensure uid "${SUBUID_FILE:-/etc/subuid}"
ensure gid "${SUBGID_FILE:-/etc/subgid}"
