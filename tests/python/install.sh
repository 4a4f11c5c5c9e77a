#!/usr/bin/env bash
# `cmake --install` puts the cimvp package where Debian's python3 finds it:
# installed into a scratch prefix, it imports from there (not from the build
# tree) and runs; with the default prefix (/usr/local) its folder is on
# python3's sys.path.
#   tests/python/install.sh BUILD-DIR PYTHON
set -euo pipefail
build=$1 python=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
init=$(find "$prefix" -path '*/cimvp/__init__.py' | head -1)
[ -n "$init" ] || { echo "no cimvp/__init__.py under the install prefix"; exit 1; }
site=$(dirname "$(dirname "$init")")
relative=${site#"$prefix"/}
cd "$prefix"
env -u PYTHONPATH PYTHONPATH="$site" "$python" - "$prefix" <<'PY'
import sys
import cimvp
assert cimvp.__file__.startswith(sys.argv[1]), cimvp.__file__
assert "lenet5" in cimvp.zoo_names()
print("imported", cimvp.__file__)
PY
"$python" -c "import sys; d = '/usr/local/$relative'; assert d in sys.path, (d, sys.path); print(d, 'is on sys.path')"
