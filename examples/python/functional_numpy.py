#!/usr/bin/env python3
"""Example 3: a functional run of the VP on numpy images, checked against the integer reference.

The pretrained LeNet-5 (W8A8) classifies Fashion-MNIST test images on the
virtual platform; every output must equal the integer reference's, the
arithmetic the accelerator is specified by. Run from the repository root:

    PYTHONPATH=build/release/python python3 examples/python/functional_numpy.py [COUNT]
"""
import sys
import time

import numpy as np

import cimvp

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
arch = cimvp.Arch.load("configs/arch/default.yaml")
model = cimvp.Model.load("pretrained/lenet5-fmnist-w8a8.cimvp")
image = model.compile(arch)  # its own policy (W8A8), with weights: functional runs
images, labels = cimvp.load_dataset("fashion-mnist", "test", count)  # float32 (N, 1, 28, 28), uint8 (N,)

t0 = time.perf_counter()
outputs = arch.infer(image, images)  # int32 (N, 10): the VP's integer logits
seconds = time.perf_counter() - t0
reference = image.reference(images)  # the same network in the integer reference

differ = int((outputs != reference).any(axis=1).sum())
predicted = outputs.argmax(axis=1)
accuracy = float((predicted == labels).mean())
logits = outputs * image.output_scale  # real-valued logits, if you want them
print(f"{model.name} at {image.policy} on {arch.name}: {count} images in {seconds:.2f} s "
      f"({count / seconds:.0f} images/s)")
print(f"accuracy {100 * accuracy:.2f} %; {differ} of {count} outputs differ from the integer reference")
print(f"first image: class {predicted[0]} (label {labels[0]}), logits {np.round(logits[0], 2).tolist()}")
sys.exit(1 if differ else 0)
