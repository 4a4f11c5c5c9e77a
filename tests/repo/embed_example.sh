#!/usr/bin/env bash
# Installs cimvp from BUILD-DIR into a fresh prefix, builds examples/embed as a
# separate CMake project against that installed package (find_package(cimvp)),
# and runs it: another SystemC top drives the accelerator through its host
# socket and control registers, and the output must equal the integer reference.
#   tests/repo/embed_example.sh SOURCE-DIR BUILD-DIR
set -euo pipefail
src="$1"; build="$2"
work="$build/embed-example"
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples/embed" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$work/build/embed_top" "$src/configs/arch/default.yaml" \
  "$src/pretrained/lenet5-fmnist-w8a8.cimvp"
