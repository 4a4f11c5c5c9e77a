"""Functional runs on numpy arrays: the VP's outputs equal the integer
reference's, argmax accuracy equals evaluate()'s integer accuracy, and bad
arrays raise InputError naming the shape or dtype."""
import numpy as np
import pytest

import cimvp
from conftest import DEFAULT_ARCH, LENET5_W8A8

ARCH = cimvp.Arch.load(DEFAULT_ARCH)
MODEL = cimvp.Model.load(LENET5_W8A8)
IMAGE = MODEL.compile(ARCH)
IMAGES, LABELS = cimvp.load_dataset("fashion-mnist", "test", 300)


def test_dataset_arrays():
    assert IMAGES.dtype == np.float32 and IMAGES.shape == (300, 1, 28, 28)
    assert LABELS.dtype == np.uint8 and LABELS.shape == (300,)
    assert 0.0 <= IMAGES.min() and IMAGES.max() <= 1.0 and IMAGES.max() > 0.5
    assert set(LABELS.tolist()) == set(range(10))
    assert "fashion-mnist" in cimvp.dataset_names()


def test_vp_equals_the_integer_reference():
    vp = ARCH.infer(IMAGE, IMAGES)
    reference = IMAGE.reference(IMAGES)
    assert vp.dtype == np.int32 and vp.shape == (300, 10)
    assert np.array_equal(vp, reference)
    assert len(np.unique(vp, axis=0)) > 250  # real outputs, not one row repeated


def test_accuracy_agrees_with_evaluate():
    vp = ARCH.infer(IMAGE, IMAGES)
    correct = int((np.argmax(vp, axis=1) == LABELS).sum())
    e = cimvp.evaluate(MODEL, None, "fashion-mnist", count=300, mode="integer")
    assert e.images == 300 and e.correct == correct and e.accuracy == pytest.approx(correct / 300)
    assert e.accuracy > 0.8  # a trained network (float 90 %+, pretrained/README)
    assert list(np.argmax(vp, axis=1)) == e.predictions
    as_float = cimvp.evaluate(MODEL, None, "fashion-mnist", count=300, mode="float")
    assert abs(as_float.accuracy - e.accuracy) < 0.05


def test_float64_and_non_contiguous_batches():
    vp = ARCH.infer(IMAGE, IMAGES[:20])
    assert np.array_equal(ARCH.infer(IMAGE, IMAGES[:20].astype(np.float64)), vp)
    strided = np.ascontiguousarray(IMAGES[:40])[::2]
    assert np.array_equal(ARCH.infer(IMAGE, strided), ARCH.infer(IMAGE, IMAGES[:40:2].copy()))
    assert ARCH.infer(IMAGE, IMAGES[:0]).shape == (0, 10)


def test_single_run_outputs_equal_the_batch_row():
    r = ARCH.run(IMAGE, IMAGES[7])
    assert r.mode == "functional"
    assert np.array_equal(r.outputs, ARCH.infer(IMAGE, IMAGES[7:8])[0])


@pytest.mark.parametrize("batch, message", [
    (IMAGES[0], r"shape \(1, 28, 28\); expected \(N, 1, 28, 28\)"),
    (IMAGES.reshape(300, 784), r"shape \(300, 784\)"),
    (np.zeros((2, 3, 28, 28), np.float32), r"shape \(2, 3, 28, 28\)"),
    ((IMAGES[:2] * 255).astype(np.uint8), "dtype uint8; expected float32 or float64"),
    (IMAGES[:2].tolist(), "expected a numpy array of shape .*got list"),
    (np.where(np.arange(2 * 784).reshape(2, 1, 28, 28) == 800, np.nan, IMAGES[:2]).astype(np.float32),
     "element 800 is nan; inputs must be finite"),
])
def test_bad_batches(batch, message):
    with pytest.raises(cimvp.InputError, match=message):
        ARCH.infer(IMAGE, batch)
    with pytest.raises(cimvp.InputError, match=message):
        IMAGE.reference(batch)


def test_bad_single_input():
    with pytest.raises(cimvp.InputError, match=r"Arch.run\(inputs\): shape \(2, 1, 28, 28\); expected \(1, 28, 28\)"):
        ARCH.run(IMAGE, IMAGES[:2])
    with pytest.raises(cimvp.InputError, match="a timing run takes no inputs"):
        ARCH.run(IMAGE, inputs=IMAGES[0], mode="timing")


def test_evaluate_errors():
    with pytest.raises(cimvp.DatasetError, match="no-such"):
        cimvp.evaluate(MODEL, None, "no-such")
    with pytest.raises(cimvp.InputError, match="mode must be"):
        cimvp.evaluate(MODEL, None, "fashion-mnist", mode="fast")
    with pytest.raises(cimvp.PolicyError, match="w9a9"):
        cimvp.evaluate(MODEL, "w9a9", "fashion-mnist", count=10)
    with pytest.raises(cimvp.DatasetError, match="split"):
        cimvp.load_dataset("fashion-mnist", "nowhere")
