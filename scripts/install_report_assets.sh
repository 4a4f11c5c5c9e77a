#!/usr/bin/env bash
# Installs the plotting libraries `cimvp report` inlines into its pages
# (Vega, Vega-Lite, vega-embed at the versions pinned in
# scripts/report-assets/package-lock.json) into /usr/local/share/cimvp/report-assets,
# or the folder given as $1 (then point CIMVP_REPORT_ASSETS at it). The
# report reads their minified builds from TARGET/node_modules/*/build; the
# pages it writes then open without network. Needs npm.
#   scripts/install_report_assets.sh [TARGET-DIR]
set -euo pipefail
target="${1:-${CIMVP_REPORT_ASSETS:-/usr/local/share/cimvp/report-assets}}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v npm >/dev/null || { echo "install_report_assets.sh: npm is missing: apt-get install npm" >&2; exit 1; }
mkdir -p "$target"
cp "$here/report-assets/package.json" "$here/report-assets/package-lock.json" "$target/"
# npm ci installs exactly the lock file's versions (and fails if it and package.json disagree).
npm ci --prefix "$target" --no-audit --no-fund --silent
for f in vega/build/vega.min.js vega-lite/build/vega-lite.min.js vega-embed/build/vega-embed.min.js; do
  [ -s "$target/node_modules/$f" ] || { echo "install_report_assets.sh: $target/node_modules/$f is missing" >&2; exit 1; }
done
echo "report assets installed: $target"
