"""Model.from_torch: a PyTorch module through the ONNX import, weights included:
the float model predicts what PyTorch predicts, and it compiles and runs
like the same module exported by hand."""
import numpy as np
import torch
from torch import nn

import cimvp
from conftest import DEFAULT_ARCH


def small_net():
    torch.manual_seed(1)
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(8 * 14 * 14, 10)).eval()


def test_from_torch_carries_the_weights():
    net = small_net()
    model = cimvp.Model.from_torch(net, torch.zeros(1, 1, 28, 28))
    assert model.input_shape == (1, 28, 28) and len(model.layers) == 2
    images, _ = cimvp.load_dataset("fashion-mnist", "test", 200)
    with torch.no_grad():
        expected = net(torch.from_numpy(images)).argmax(dim=1).tolist()
    # The temporary ONNX file is gone; the weights were read before.
    assert cimvp.evaluate(model, None, "fashion-mnist", count=200, mode="float").predictions == expected


def test_from_torch_equals_a_manual_export(tmp_path):
    net = small_net()
    path = str(tmp_path / "net.onnx")
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), path, input_names=["input"], output_names=["output"],
                      opset_version=13)
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    a = cimvp.Model.from_torch(net, torch.zeros(1, 1, 28, 28)).compile(arch, "w4a8", timing_only=True)
    b = cimvp.Model.load(path).compile(arch, "w4a8", timing_only=True)
    a.save(str(tmp_path / "a.img"))
    b.save(str(tmp_path / "b.img"))
    assert (tmp_path / "a.img").read_bytes() == (tmp_path / "b.img").read_bytes()
    # Calibrated on the training images, as `cimvp compile --dataset` does, and run on the VP.
    image = cimvp.Model.from_torch(net, torch.zeros(1, 1, 28, 28)).compile(arch, "w8a8", dataset="fashion-mnist")
    images, _ = cimvp.load_dataset("fashion-mnist", "test", 20)
    assert np.array_equal(arch.infer(image, images), image.reference(images))
