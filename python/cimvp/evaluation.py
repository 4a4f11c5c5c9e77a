"""cimvp.evaluate: a model's accuracy at a policy, as `cimvp eval` computes it (no VP)."""

from dataclasses import dataclass, field
from typing import List

from ._cimvp import _evaluate


@dataclass
class Evaluation:
    accuracy: float  # correct / images
    correct: int
    images: int
    mode: str  # float, fake-quant or integer (the integer reference: what the VP computes)
    predictions: List[int] = field(repr=False)


def evaluate(model, policy=None, dataset="fashion-mnist", *, split="test", count=0, mode="integer", threads=2):
    """Accuracy of `model` at `policy` (None: the model's own) on a dataset split.

    mode: "integer" (the integer reference, bit for bit what the VP computes), "fake-quant" or "float".
    A trained model without scales for the policy is calibrated on the dataset's training images, as the CLI does.
    """
    return Evaluation(**_evaluate(model, policy, dataset, split, count, mode, threads))
