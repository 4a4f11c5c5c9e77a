"""The Python API and the command line give identical reports and predictions
for the same model, policy and architecture: `cimvp compile` + `cimvp run
--report` against Model.compile + Arch.run, `cimvp infer --predictions`
against Arch.infer."""
import json
import subprocess

import numpy as np

import cimvp
from conftest import CLI, DEFAULT_ARCH, LENET5_W8A8

ARCH = cimvp.Arch.load(DEFAULT_ARCH)


def comparable(report):
    # Provenance names the process (the CLI's command line, or python) and
    # host_seconds is wall time: neither is part of a run's result.
    report = dict(report)
    del report["cimvp"], report["host_seconds"]
    return report


def cli_report(tmp_path, model, policy_args, timing_only):
    image, report = tmp_path / "cli.img", tmp_path / "cli.json"
    subprocess.run([CLI, "compile", "--arch", DEFAULT_ARCH, "--model", model, *policy_args, "-o", str(image)]
                   + (["--timing-only"] if timing_only else []), check=True, capture_output=True)
    subprocess.run([CLI, "run", "--arch", DEFAULT_ARCH, "--firmware", str(image),
                    "--mode", "timing" if timing_only else "functional", "--report", str(report)],
                   check=True, capture_output=True)
    return json.loads(report.read_text())


def test_timing_reports_are_identical(tmp_path):
    policy = tmp_path / "mixed.yaml"
    policy.write_text("weight_bits: [8, 4, 2, 4, 8]\nactivation_bits: [8, 6, 4, 4, 8]\n")
    for model, args, py_policy in (("lenet5", ["--bits", "w8a8"], "w8a8"),
                                   ("lenet5", ["--policy", str(policy)], cimvp.Policy.load(str(policy))),
                                   ("vgg-small", ["--bits", "w4a4"], "w4a4")):
        expected = cli_report(tmp_path, model, args, timing_only=True)
        got = ARCH.run(cimvp.Model.load(model).compile(ARCH, py_policy, timing_only=True)).to_dict()
        assert comparable(got) == comparable(expected), model
        assert got["cimvp"]["version"] == expected["cimvp"]["version"]


def test_functional_report_with_zero_inputs_is_identical(tmp_path):
    # `cimvp run --mode functional` without --input runs zeros; so does Arch.run(mode="functional").
    expected = cli_report(tmp_path, LENET5_W8A8, [], timing_only=False)
    got = ARCH.run(cimvp.Model.load(LENET5_W8A8).compile(ARCH), mode="functional").to_dict()
    assert comparable(got) == comparable(expected)


def test_predictions_are_identical(tmp_path):
    count = 200
    predictions = tmp_path / "predictions.txt"
    subprocess.run([CLI, "infer", "--arch", DEFAULT_ARCH, "--model", LENET5_W8A8, "--dataset", "fashion-mnist",
                    "--count", str(count), "--predictions", str(predictions)], check=True, capture_output=True)
    expected = [int(line) for line in predictions.read_text().split()]
    images, labels = cimvp.load_dataset("fashion-mnist", "test", count)
    logits = ARCH.infer(cimvp.Model.load(LENET5_W8A8).compile(ARCH), images)
    assert list(np.argmax(logits, axis=1)) == expected
