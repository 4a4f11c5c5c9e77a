"""cimvp.sweep: a co-design sweep from Python gives the command line's results,
reports each point to a callback, and leaves this process free to simulate."""
import json
import os
import subprocess

import pytest

import cimvp
from conftest import CLI, DEFAULT_ARCH


def sweep_file(tmp_path):
    f = tmp_path / "sweep.yaml"
    f.write_text(f"base: {DEFAULT_ARCH}\ngrid:\n  adc.bits: [6, 8]\n  crossbar.rows: [128, 256]\n"
                 "models: [lenet5]\npolicies: [w8a8]\nmetrics: [latency, energy, area]\n")
    return str(f)


def records(folder):
    lines = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()]
    for r in lines:  # wall times and the worker's provenance (its command line) are not results
        for key in ("host_seconds", "cimvp"):
            r.pop(key, None)
            r.get("report", {}).pop(key, None)
    return sorted(lines, key=lambda r: r["id"])


def test_sweep_equals_the_cli_and_reports_each_point(tmp_path):
    cfg = sweep_file(tmp_path)
    subprocess.run([CLI, "sweep", "--config", cfg, "-o", str(tmp_path / "cli"), "--jobs", "2"], check=True,
                   capture_output=True)
    seen = []
    summary = cimvp.sweep(cfg, str(tmp_path / "py"), jobs=2, progress=lambda r, done, n: seen.append((r, done, n)),
                          cli=os.environ["CIMVP_BINARY"])
    assert summary["points"] == 4 and summary["ran"] == 4 and summary["failed"] == 0
    assert records(tmp_path / "py") == records(tmp_path / "cli")
    assert [done for _, done, _ in seen] == [1, 2, 3, 4] and all(n == 4 for _, _, n in seen)
    assert sorted(r["id"] for r, _, _ in seen) == [r["id"] for r in records(tmp_path / "cli")]
    # Resumed: every point is already there.
    again = cimvp.sweep(cfg, str(tmp_path / "py"), resume=True)
    assert again["skipped"] == 4 and again["ran"] == 0
    # The sweep simulated nothing here: this process still runs any architecture.
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    assert arch.run(cimvp.Model.zoo("lenet5").compile(arch, "w8a8", timing_only=True)).cycles > 0


def test_callback_errors_are_raised_after_the_sweep(tmp_path):
    def fail(record, done, points):
        raise ValueError(f"stop at {done}")
    with pytest.raises(ValueError, match="stop at 1"):
        cimvp.sweep(sweep_file(tmp_path), str(tmp_path / "out"), progress=fail)
    # Every point still ran and was recorded (the workers cannot be stopped midway).
    assert len((tmp_path / "out/results.jsonl").read_text().splitlines()) == 4


def test_sweep_errors(tmp_path):
    with pytest.raises(cimvp.ConfigError, match="nope.yaml"):
        cimvp.sweep(str(tmp_path / "nope.yaml"), str(tmp_path / "out"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {DEFAULT_ARCH}\ngrid:\n  adc.bits: [8, ten]\nmodels: [lenet5]\npolicies: [w8a8]\n"
                   "metrics: [latency]\n")
    with pytest.raises(cimvp.ConfigError, match="bad.yaml:3:.*adc.bits.*ten"):
        cimvp.sweep(str(bad), str(tmp_path / "out"))
    with pytest.raises(cimvp.InputError, match="jobs must be at least 1"):
        cimvp.sweep(sweep_file(tmp_path), str(tmp_path / "out"), jobs=0)


def test_the_workers_are_the_binary_built_with_the_package(monkeypatch):
    import sys
    monkeypatch.delenv("CIMVP_BINARY")
    # From the build tree: the build tree's cimvp, whatever is installed or on the PATH.
    assert os.path.samefile(sys.modules["cimvp.sweep"]._cli(), CLI)
