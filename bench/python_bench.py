#!/usr/bin/env python3
"""Speed of the Python API (docs/benchmarks.md; issue 24), as ratios against
references measured in the same run:

 1. the latency of a policy of vgg16 on cim-aq-paper.yaml from Python
    (Model.compile timing-only + Arch.run) against the C++ search's evaluator
    (rl::VpLatency::measure) on the same policies: goal, within 10 %;
 2. functional lenet5 on 1,000 numpy images (Arch.infer): images/s (goal at
    least 3,000), against `cimvp infer`'s classification in C++
    (flow::Pipeline::classify) on the same images, whose predictions it must
    equal; its outputs must equal the integer reference's (Image.reference).

Both need one process per architecture, so 2 runs in a child process.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py [POLICIES] [IMAGES]
"""
import os
import random
import subprocess
import sys
import time

import cimvp
from cimvp import _cimvp


def latency(policies_count):
    arch = cimvp.Arch.load("configs/arch/cim-aq-paper.yaml")
    model = cimvp.Model.zoo("vgg16")
    rng = random.Random(1)
    layers = len(model.layers)
    policies = [cimvp.Policy.uniform("w8a8", layers)] + [
        cimvp.Policy([(rng.randint(2, 8), rng.randint(2, 8)) for _ in range(layers)]) for _ in range(policies_count - 1)]
    arch.run(model.compile(arch, policies[0], timing_only=True))  # elaboration, once, outside both timings
    python_s, reference_s = 0.0, 0.0
    for p in policies:  # alternating, so that load on the machine hits both alike
        t0 = time.perf_counter()
        r = arch.run(model.compile(arch, p, timing_only=True))
        python_s += time.perf_counter() - t0
        seconds, cycles = _cimvp._reference_latency(model, arch, [p])
        reference_s += seconds
        assert r.inference_cycles == cycles[0], (r.inference_cycles, cycles[0])
    n = len(policies)
    print(f"vgg16 on cim-aq-paper.yaml, {n} policies: Python {1e3 * python_s / n:.1f} ms per policy, "
          f"C++ evaluator {1e3 * reference_s / n:.1f} ms; ratio {python_s / reference_s:.3f} (goal <= 1.10)")


def functional(count, rounds=3):
    arch = cimvp.Arch.load("configs/arch/default.yaml")
    image = cimvp.Model.load("pretrained/lenet5-fmnist-w8a8.cimvp").compile(arch)
    images, _ = cimvp.load_dataset("fashion-mnist", "test", count)
    arch.infer(image, images[:10])  # elaboration and loading, outside the timing
    python_s, reference_s = 0.0, 0.0
    for _ in range(rounds):  # alternating, as above
        t0 = time.perf_counter()
        vp = arch.infer(image, images)
        python_s += time.perf_counter() - t0
        seconds, predictions = _cimvp._reference_classify(image, arch, images)
        reference_s += seconds
        assert list(vp.argmax(axis=1)) == predictions
    assert (vp == image.reference(images)).all()
    n = rounds * count
    print(f"lenet5 functional, {count} numpy images x {rounds}: Python {n / python_s:.0f} images/s (goal >= 3000), "
          f"C++ classify {n / reference_s:.0f} images/s; time ratio {python_s / reference_s:.3f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--functional":
        functional(int(sys.argv[2]))
        sys.exit(0)
    policies = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    images = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    latency(policies)
    subprocess.run([sys.executable, __file__, "--functional", str(images)], check=True, env=os.environ)
