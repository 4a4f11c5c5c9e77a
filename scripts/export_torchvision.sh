#!/usr/bin/env bash
# torchvision's zoo as ONNX, with Debian's python3-torch and
# python3-torchvision (scripts/install_deps.sh installs them):
#   scripts/export_torchvision.sh DIR [NAME...]
# Each NAME (default: the fourteen networks of docs/onnx.md) is built with
# random weights (weights=None: nothing is downloaded) and exported with
# torch.onnx.export at opset 13 for one 3x224x224 image (inception_v3:
# 299x299) into DIR/NAME.onnx. Files already there are kept.
set -euo pipefail
dir=${1:?usage: scripts/export_torchvision.sh DIR [NAME...]}
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(resnet18 resnet50 vgg11 alexnet mobilenet_v2 mobilenet_v3_small squeezenet1_0
  googlenet inception_v3 efficientnet_b0 mnasnet0_5 shufflenet_v2_x0_5 regnet_x_400mf densenet121)
mkdir -p "$dir"
# Debian's interpreter, which has the packages (not one earlier on the PATH).
python=/usr/bin/python3
for name in "${names[@]}"; do
  [ -s "$dir/$name.onnx" ] && continue
  "$python" - "$name" "$dir/$name.onnx.tmp" <<'PY'
import sys
import torch
import torchvision

name, path = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
size = 299 if name == "inception_v3" else 224
model = getattr(torchvision.models, name)(weights=None, **({"aux_logits": False, "init_weights": True} if name in ("inception_v3", "googlenet") else {}))
if name in ("inception_v3", "googlenet", "shufflenet_v2_x0_5"):
    # Their own initialization (truncated normal, std 0.01; PyTorch's default
    # for ShuffleNet) shrinks the activations layer after layer: at the
    # classifier they are so small that its bias overflows the int32
    # accumulator. He initialization over the fan-in keeps them alive, as
    # trained weights would (over the fan-out, PyTorch counts a depthwise
    # layer's fan-out as all its channels' and ShuffleNet's still vanish).
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
model.eval()
torch.onnx.export(model, torch.randn(1, 3, size, size), path, opset_version=13)
PY
  mv "$dir/$name.onnx.tmp" "$dir/$name.onnx"
  echo "exported $dir/$name.onnx"
done
