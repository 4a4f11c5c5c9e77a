#!/usr/bin/env python3
"""Example 2: a HAQ-style loop that asks the VP for the latency of each candidate policy.

HAQ's users asked how to build the latency lookup table for their own models;
here it is measured: the per-layer cycles of uniform policies give the table,
a greedy loop lowers the bits of the layer that saves the most cycles until
the network meets a latency budget, and the VP measures the final policy
(the table only predicts it). Run from the repository root:

    PYTHONPATH=build/release/python python3 examples/python/haq_latency_loop.py [MODEL] [BUDGET]
"""
import sys

import cimvp

name = sys.argv[1] if len(sys.argv) > 1 else "vgg-small"
budget = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5  # of W8A8's cycles
arch = cimvp.Arch.load("configs/arch/default.yaml")
model = cimvp.Model.zoo(name)
layers = len(model.layers)
bits = [8, 6, 4, 2]


def latency(policy):
    """The VP's cycles for a policy, and each layer's."""
    r = arch.run(model.compile(arch, policy, timing_only=True))
    per_layer = {l.name: l.cycles for l in r.layers}
    return r.cycles, per_layer


# The lookup table, measured: cycles of every layer at every uniform bit width.
table = {}
for b in bits:
    total, per_layer = latency(f"w{b}a{b}")
    table[b] = [per_layer.get(layer, 0) for layer in model.layers]
print(f"{name} on {arch.name}: measured latency table (cycles per layer)")
print(f"{'layer':12}" + "".join(f"{f'W{b}A{b}':>10}" for b in bits))
for i, layer in enumerate(model.layers):
    print(f"{layer:12}" + "".join(f"{table[b][i]:10d}" for b in bits))

full, _ = latency("w8a8")
target = budget * full
policy = [8] * layers
measured = full
steps = 0
while measured > target:
    # The layer whose next lower width saves the most cycles by the table.
    best, saving = None, 0
    for i in range(layers):
        if policy[i] == bits[-1]:
            continue
        lower = bits[bits.index(policy[i]) + 1]
        s = table[policy[i]][i] - table[lower][i]
        if best is None or s > saving:
            best, saving = i, s
    if best is None:
        break
    policy[best] = bits[bits.index(policy[best]) + 1]
    measured, _ = latency(cimvp.Policy([(b, b) for b in policy]))  # the VP, not the table
    steps += 1
predicted = sum(table[policy[i]][i] for i in range(layers))
print(f"W8A8: {full} cycles; budget {budget:.2f}x = {target:.0f}")
print(f"after {steps} steps: bits {policy}, VP {measured} cycles ({measured / full:.3f}x), "
      f"table sum {predicted} (layers only)")
assert measured <= target or all(b == bits[-1] for b in policy)
