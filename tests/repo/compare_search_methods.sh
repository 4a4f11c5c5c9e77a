#!/usr/bin/env bash
# scripts/compare_search_methods.sh on a search small enough for a test
# (lenet5, 3 episodes, seeds 1 and 2): a row per method and seed, the means
# per method, and a second call that only reads the finished runs.
#   tests/repo/compare_search_methods.sh SOURCE-DIR CIMVP-BINARY
set -euo pipefail
src="$1"
export CIMVP="$2" SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Cost-target mode: every policy is eligible, so every run has a best.
config="$out/search.yaml"
cat >"$config" <<YAML
model: $src/pretrained/lenet5-fmnist-float.cimvp
dataset: fashion-mnist
arch: $src/configs/arch/default.yaml
cost_target: 0.8
validation: {images: 300}
YAML
first=$("$src/scripts/compare_search_methods.sh" "$config" 3 "$out" 1 2)
echo "$first"
for m in ddpg random; do
  for s in 1 2; do
    [ "$(wc -l < "$out/$m-$s/episodes.csv")" -eq 4 ] || fail "$m seed $s: expected 3 episodes"
    [ ! -e "$out/$m-$s/summary.json" ] || fail "$m seed $s: --search-only wrote a summary"
    grep -Eq "^$m +$s +-?[0-9.e-]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +-?[0-9.e-]+$" <<<"$first" || fail "no row for $m seed $s"
  done
  grep -q "^$m: mean best reward -\?[0-9].* (2 of 2 seeds found one)" <<<"$first" || fail "no mean for $m"
done
# The warm-up (20 episodes) covers the whole budget, and DDPG's warm-up draws
# the same random actions as random search with the same seed: both methods
# start from the same policies, and only the kinds differ.
for s in 1 2; do
  grep -q ",warmup," "$out/ddpg-$s/episodes.csv" || fail "DDPG's rows are not warm-up episodes"
  [ "$(sed 's/,warmup,/,random,/' "$out/ddpg-$s/episodes.csv")" = "$(cat "$out/random-$s/episodes.csv")" ] ||
    fail "seed $s: DDPG's warm-up and random search proposed different policies"
done

second=$("$src/scripts/compare_search_methods.sh" "$config" 3 "$out" 1 2)
[ "$(tail -n 9 <<<"$first")" = "$second" ] || fail "the second call did not print the same table from the finished runs"
echo PASS
