#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a passing test suite:
# installs what is missing, builds the release preset, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh release
ctest --preset release
