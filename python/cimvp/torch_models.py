"""Model.from_torch: a PyTorch module as a cimvp model, through the ONNX import (docs/onnx.md).

The module is exported with torch.onnx.export (eval mode) to a temporary
file, which is read at once, weights included, and removed: the Model does
not depend on it afterwards. torch is imported only when this is called.
"""
import os
import tempfile

from ._cimvp import Model


def from_torch(module, example_input, opset_version=13):
    """The cimvp Model of a torch.nn.Module; example_input fixes the input shape, e.g. torch.zeros(1, 1, 28, 28)."""
    import torch  # only here: cimvp itself does not need PyTorch

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, type(module).__name__ + ".onnx")
        torch.onnx.export(module, example_input, path, input_names=["input"], output_names=["output"],
                          opset_version=opset_version)
        return Model.load(path, weights=True)


Model.from_torch = staticmethod(from_torch)
