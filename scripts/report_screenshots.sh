#!/usr/bin/env bash
# Screenshots of the three kinds of `cimvp report` page, from scratch: the
# shipped sweeps, a short lenet5 search and a vgg-small run, each report as
# OUT/<name>/report.html and its screenshot as OUT/<name>.png (headless
# Chromium). Resumes what a killed run left (sweeps and search resume).
#   scripts/report_screenshots.sh OUT [SWEEP...]    (default: every shipped sweep)
# About 4 minutes on 2 cores, most of it the search and its fine-tunes.
set -euo pipefail
out="${1:?usage: report_screenshots.sh OUT [SWEEP...]}"
shift
here="$(cd "$(dirname "$0")/.." && pwd)"
cimvp="${CIMVP:-$here/build/release/apps/cimvp}"
jobs="${JOBS:-2}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
sweeps=("$@")
[ ${#sweeps[@]} -gt 0 ] || sweeps=(lenet5-adc-accuracy vgg-small-xbar resnet18-cores)

shot() {  # report folder-or-file, name
  "$cimvp" report "$1" -o "$out/$2/report.html"
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$out/.chromium" --virtual-time-budget=30000 \
    --window-size=1400,4000 --screenshot="$out/$2.png" "file://$out/$2/report.html" 2>/dev/null
  echo "$out/$2.png"
}

for s in "${sweeps[@]}"; do
  resume=()
  [ -s "$out/$s/results.jsonl" ] && resume=(--resume)
  "$cimvp" sweep --config "$here/configs/sweeps/$s.yaml" -o "$out/$s" --jobs "$jobs" --no-progress "${resume[@]}"
  shot "$out/$s" "$s"
done

# A short lenet5 search: 40 episodes instead of the config's 600.
resume=()
[ -s "$out/lenet5-search/checkpoint.bin" ] && resume=(--resume)
"$cimvp" search --config "$here/configs/search/lenet5-fmnist.yaml" -o "$out/lenet5-search" --episodes 40 "${resume[@]}"
shot "$out/lenet5-search" lenet5-search

# A vgg-small run at W8A8 on the default architecture (timing).
mkdir -p "$out/vgg-small-run"
"$cimvp" compile --arch "$here/configs/arch/default.yaml" --model vgg-small --bits w8a8 --timing-only \
  -o "$out/vgg-small-run/vgg-small.img"
"$cimvp" run --arch "$here/configs/arch/default.yaml" --firmware "$out/vgg-small-run/vgg-small.img" --mode timing \
  --report "$out/vgg-small-run/report.json" >/dev/null
shot "$out/vgg-small-run/report.json" vgg-small-run
