#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the main job: installs what is
# missing, builds the release preset, and classifies Fashion-MNIST test images
# with the shipped mixed-precision model on the default architecture's VP.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh release
model=pretrained/lenet5-fmnist-w8a8.cimvp
build/release/apps/cimvp infer --arch configs/arch/default.yaml --model "$model" \
  --dataset fashion-mnist --count "${COUNT:-1000}" --report build/release/main-report.json
echo "report: build/release/main-report.json"
