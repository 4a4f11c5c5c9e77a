"""Arch.infer on an architecture whose ADC ranges are calibrated on training
images (prime-like.yaml: a 6-bit ADC, adc.calibration): the same predictions
as `cimvp infer`, which calibrates the same way."""
import subprocess

import numpy as np
import pytest

import cimvp
from conftest import CLI, LENET5_W8A8, SOURCE_DIR

PRIME = str(SOURCE_DIR / "configs/arch/prime-like.yaml")


def test_calibrated_adc_predictions_equal_the_cli(tmp_path):
    arch = cimvp.Arch.load(PRIME)
    assert arch["adc.calibration"] != "none"
    count = 200
    predictions = tmp_path / "p.txt"
    subprocess.run([CLI, "infer", "--arch", PRIME, "--model", LENET5_W8A8, "--dataset", "fashion-mnist", "--count",
                    str(count), "--predictions", str(predictions), "--no-check"], check=True, capture_output=True)
    expected = [int(x) for x in predictions.read_text().split()]
    image = cimvp.Model.load(LENET5_W8A8).compile(arch)
    images, labels = cimvp.load_dataset("fashion-mnist", "test", count)
    got = arch.infer(image, images, calibration="fashion-mnist").argmax(axis=1)
    assert got.tolist() == expected
    assert (got == labels).mean() > 0.8  # calibrated: near the float accuracy (an uncalibrated 6-bit ADC is not)


def test_calibration_is_required_and_checked():
    arch = cimvp.Arch.load(PRIME)
    image = cimvp.Model.load(LENET5_W8A8).compile(arch)
    images = np.zeros((1, 1, 28, 28), np.float32)
    with pytest.raises(cimvp.InputError, match="calibrates its ADC ranges.*calibration='fashion-mnist'"):
        arch.infer(image, images)
    with pytest.raises(cimvp.DatasetError, match="no-such"):
        arch.infer(image, images, calibration="no-such")
