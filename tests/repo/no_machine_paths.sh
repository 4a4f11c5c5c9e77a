#!/usr/bin/env bash
# Fails when a tracked file names a path of one machine (a home folder, a
# work tree, /root, /mnt, a Windows drive): code, tests and docs must work
# and read the same on any clone.
#   tests/repo/no_machine_paths.sh SOURCE-DIR
set -euo pipefail
cd "$1"
pattern='(/work/|/home/|/Users/|/root/|/mnt/|[A-Z]:\\\\)'
if [ -d .git ] || [ -f .git ]; then
  files=$(git ls-files)
else
  files=$(find . -path ./build -prune -o -type f -print)
fi
# This script names the patterns it looks for; binary files are skipped (-I).
hits=$(printf '%s\n' $files | grep -v '^tests/repo/no_machine_paths.sh$' | xargs grep -InE "$pattern" 2>/dev/null || true)
if [ -n "$hits" ]; then
  echo "paths of one machine in the repository:"
  echo "$hits"
  exit 1
fi
echo "no machine paths in $(printf '%s\n' $files | wc -l) files"
