#!/usr/bin/env bash
# DDPG against random search with the same episode budget, over several
# seeds: each (method, seed) is `cimvp search --search-only --no-baselines`
# in its own folder, two at a time with one thread each; then a table of the
# search's best (its reward, speedup and validation accuracy) per run, the
# mean reward of its last quarter of episodes (what the method proposes once
# it has learned; random search does not learn), and the means per method.
# Finished runs are kept: run it again and they are only read (a killed run
# resumes).
#   scripts/compare_search_methods.sh SEARCH.yaml EPISODES OUT SEED...
#   (CIMVP: the binary, default build/release/apps/cimvp; JOBS: runs at once, default 2)
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: $0 SEARCH.yaml EPISODES OUT SEED..." >&2
  exit 2
fi
config=$1 episodes=$2 out=$3
shift 3
cimvp=${CIMVP:-build/release/apps/cimvp}
[ -x "$cimvp" ] || { echo "$0: $cimvp: no cimvp binary (build first, or set CIMVP)" >&2; exit 1; }
[ -f "$config" ] || { echo "$0: $config: no such search YAML" >&2; exit 1; }
mkdir -p "$out"

run() {  # METHOD SEED: one search, its last stdout line kept in OUT/METHOD-SEED.txt
  local dir="$out/$1-$2"
  if [ -f "$dir.txt" ]; then return; fi
  local resume=()
  [ -d "$dir" ] && resume=(--resume)
  "$cimvp" search --config "$config" -o "$dir" --episodes "$episodes" --seed "$2" --method "$1" \
    --no-baselines --search-only --threads 1 "${resume[@]}" >"$dir.out" 2>"$dir.log"
  grep -m1 "search's best\|no policy" "$dir.out" >"$dir.txt"
  echo "$1 seed $2: $(cat "$dir.txt")"
}
export -f run
export out config episodes cimvp
for seed in "$@"; do printf '%s %s\n' ddpg "$seed" random "$seed"; done |
  xargs -P "${JOBS:-2}" -L 1 bash -c 'run "$0" "$1"'

echo
echo "$(basename "$config"), $episodes episodes: the search's best per run"
printf '%-7s %5s %8s %9s %10s %8s %12s\n' method seed reward speedup accuracy episode last-quarter
for method in ddpg random; do
  for seed in "$@"; do
    last=$(awk -F, -v n="$episodes" 'NR > 1 && $1 >= n - int((n + 3) / 4) { s += $11; k++ } END { printf "%.4g", s / k }' \
      "$out/$method-$seed/episodes.csv")
    awk -v m="$method" -v s="$seed" -v last="$last" '
      /search.s best/ { gsub(/[,x%]/, " "); printf "%-7s %5s %8s %9s %10s %8s %12s\n", m, s, $NF, $5, $13, $4, last }
      /no policy/ { printf "%-7s %5s %8s %9s %10s %8s %12s\n", m, s, "none", "-", "-", "-", last }' "$out/$method-$seed.txt"
  done
done | tee "$out/table.txt"
awk '$3 != "none" { best[$1] += $3; n[$1]++ } { last[$1] += $NF; k[$1]++ }
     END { for (m in k) printf "%s: mean best reward %s (%d of %d seeds found one), mean reward of the last quarter %.4g\n",
                                m, n[m] ? sprintf("%.4g", best[m] / n[m]) : "none", n[m], k[m], last[m] / k[m] }' \
  "$out/table.txt" | sort
