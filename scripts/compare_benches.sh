#!/usr/bin/env bash
# Speed against another version of cimvp, measured in the same run:
#   scripts/compare_benches.sh BASE_REV [ROUNDS] [SEARCH_EPISODES]
# builds BASE_REV (a commit, e.g. the previous main) in a worktree beside this
# checkout, builds this checkout's benches, then runs vp_bench, sweep_bench
# and search_bench of both, alternating (base, this, base, this, ...) so that
# the machine's load falls on both alike. Every figure is the best of ROUNDS
# (2) runs; the table gives base, this, and this / base oriented so that
# above 1 is faster. Output and raw logs: build/compare-benches/.
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:?usage: scripts/compare_benches.sh BASE_REV [ROUNDS] [SEARCH_EPISODES]}
rounds=${2:-2}
episodes=${3:-20}
out=build/compare-benches
base_tree=$out/base-tree
mkdir -p "$out"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

benches=(vp_bench sweep_bench search_bench cimvp)
if [ ! -d "$base_tree" ]; then git worktree add --detach "$base_tree" "$base_rev" >/dev/null; fi
git -C "$base_tree" checkout --quiet --detach "$base_rev"
echo "== building $base_rev (base) and this checkout"
cmake -S "$base_tree" -B "$base_tree/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCIMVP_TESTS=OFF "${launcher[@]}" >"$out/base-configure.log"
cmake --build "$base_tree/build/release" -j2 --target "${benches[@]}" >"$out/base-build.log"
cmake --preset release "${launcher[@]}" >"$out/this-configure.log"
cmake --build --preset release -j2 --target "${benches[@]}" >"$out/this-build.log"

run() {  # run WHO ROUND: every bench of one build, its output in $out/WHO-ROUND.log
  local dir=$1 log=$out/$2-$3.log
  : >"$log"
  "$dir/bench/vp_bench" >>"$log"
  "$dir/bench/sweep_bench" --quick >>"$log"
  "$dir/bench/search_bench" "$PWD/configs/search/vgg-small-default-weight.yaml" "$episodes" >>"$log"
}
for r in $(seq 1 "$rounds"); do
  echo "== round $r of $rounds"
  run "$base_tree/build/release" base "$r"
  run build/release this "$r"
done

# figure: NAME | regex whose first number is the figure | higher (h) or lower (l) is better
figures=(
  "vp_bench timing-only MVM instructions/s (M)|timing-only: .* ([0-9.]+) M MVM|h"
  "vp_bench functional MVM instructions/s (M)|functional: .* ([0-9.]+) M MVM|h"
  "vp_bench fixed cost per run (us)|fixed cost per run .*: ([0-9.]+) us|l"
  "sweep_bench (a) one vgg-small point (s)|\\(a\\) one vgg-small point.*: ([0-9.]+) s wall|l"
  "sweep_bench (b) 108 points --jobs 1 (s)|--jobs 1 ([0-9.]+) s|l"
  "sweep_bench (b) 108 points --jobs 2 (s)|--jobs 2 ([0-9.]+) s \\(|l"
  "search_bench episodes per minute|([0-9.]+) episodes per minute|h"
  "search_bench fine-tune ms per policy|fine-tune +[0-9.]+ s +[0-9.]+ % +([0-9.]+) ms|l"
  "search_bench accuracy ms per policy|accuracy +[0-9.]+ s +[0-9.]+ % +([0-9.]+) ms|l"
  "search_bench VP ms per policy|VP +[0-9.]+ s +[0-9.]+ % +([0-9.]+) ms|l"
)
best() {  # best WHO REGEX ORIENTATION
  local who=$1 re=$2 dir=$3 v values=()
  for r in $(seq 1 "$rounds"); do
    v=$(grep -E -o -m1 -e "$re" "$out/$who-$r.log" | sed -E "s/$re/\\1/" || true)
    [ -n "$v" ] && values+=("$v")
  done
  [ ${#values[@]} -eq 0 ] && { echo "-"; return; }
  printf '%s\n' "${values[@]}" | sort -g | { if [ "$dir" = h ]; then tail -1; else head -1; fi; }
}
{
  echo "| figure (best of $rounds) | base $base_rev | this $(git rev-parse --short HEAD) | speed this / base |"
  echo "|---|---|---|---|"
  for f in "${figures[@]}"; do
    IFS='|' read -r name re dir <<<"$f"
    b=$(best base "$re" "$dir"); t=$(best this "$re" "$dir")
    ratio=$(awk -v b="$b" -v t="$t" -v d="$dir" 'BEGIN { if (b == "-" || t == "-" || b == 0 || t == 0) print "-";
      else printf "%.3f", d == "h" ? t / b : b / t }')
    echo "| $name | $b | $t | $ratio |"
  done
} | tee "$out/summary.md"
echo "(above 1: this is faster; raw output in $out/)"
