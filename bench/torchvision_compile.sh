#!/usr/bin/env bash
# Timing-only compile of torchvision's networks (issue 22: each under 1 s
# wall), with the ratio to a reference measured in the same run: the
# timing-only compile of the zoo's lenet5 (the shortest compile there is:
# what the machine does in the time of starting cimvp and writing an image):
#   bench/torchvision_compile.sh [DIR] [CIMVP]
# DIR (build/release/torchvision, written by scripts/export_torchvision.sh)
# holds NAME.onnx; networks cimvp refuses are listed as refused.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/release/torchvision}
cimvp=${2:-build/release/apps/cimvp}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds() {  # seconds COMMAND...: wall time of one run, or "refused"
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo refused; return; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'
}
ref=$(seconds "$cimvp" compile --arch configs/arch/large.yaml --model lenet5 --bits w8a8 --timing-only -o "$work/x.img")
printf '%-20s %12s %8s\n' network timing-only ratio
printf '%-20s %11.2fs %8.1f\n' "lenet5 (reference)" "$ref" 1
for f in "$dir"/*.onnx; do
  name=$(basename "$f" .onnx)
  t=$(seconds "$cimvp" compile --arch configs/arch/large.yaml --model "$f" --bits w8a8 --timing-only -o "$work/x.img")
  if [ "$t" = refused ]; then
    printf '%-20s %12s\n' "$name" refused
  else
    printf '%-20s %11.2fs %8.1f\n' "$name" "$t" "$(awk -v t="$t" -v r="$ref" 'BEGIN {print t / r}')"
  fi
done
