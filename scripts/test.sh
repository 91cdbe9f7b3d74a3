#!/usr/bin/env bash
# The whole test suite: install/build, format and lint checks, then every test file through
# node's test runner (explicit file list: node 20 does not expand globs). Its summary is last.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx eslint --max-warnings 0 .
mapfile -t files < <(find packages/*/dist/test test/dist -name '*.test.js' 2>/dev/null | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
export CORRAL_CLI_RESIDENT=0 # no pool of warm CLI processes left behind (docs/performance.md)
exec node --test --test-reporter=spec "${files[@]}"
