#!/usr/bin/env python3
"""Example 1: a PyTorch model defined here, exported to ONNX, and its latency,
energy and area on the VP for W8A8 and a mixed policy, as a table.

Timing-only compiles need no weights and no data, so an untrained model
gives the numbers its trained version will have. Run from the repository root:

    PYTHONPATH=build/release/python python3 examples/python/pytorch_latency_table.py
"""
import os
import tempfile

import torch
from torch import nn

import cimvp


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "smallnet.onnx")
    torch.onnx.export(SmallNet().eval(), torch.zeros(1, 1, 28, 28), path, input_names=["image"],
                      output_names=["logits"], opset_version=13)
    model = cimvp.Model.load(path)

arch = cimvp.Arch.load("configs/arch/default.yaml")
print(f"{model.name}: {len(model.layers)} layers {model.layers} on {arch.name}")
policies = {
    "W8A8": "w8a8",
    # fewer bits where most of the weights are (the first dense layer)
    "mixed": cimvp.Policy([(8, 8), (6, 6), (2, 4), (8, 8)]),
}
print(f"{'policy':8} {'cycles':>9} {'latency us':>11} {'energy uJ':>10} {'area mm2':>9} {'TOPS/W':>8}")
rows = {}
for name, policy in policies.items():
    r = arch.run(model.compile(arch, policy, timing_only=True))
    rows[name] = r
    print(f"{name:8} {r.cycles:9d} {r.seconds * 1e6:11.2f} {r.energy_joules * 1e6:10.3f} "
          f"{r.area.chip_mm2:9.3f} {r.figures_of_merit.tops_per_watt:8.3f}")
assert rows["mixed"].cycles < rows["W8A8"].cycles, "fewer bits must take fewer cycles"
