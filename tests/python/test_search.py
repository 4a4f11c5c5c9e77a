"""cimvp.search: the bit-width search from Python gives the command line's
summary and episodes, and reports its progress to a callback."""
import json
import subprocess

import pytest

import cimvp
from conftest import CLI, DEFAULT_ARCH


def config(tmp_path):
    # A latency-only search (no weights, no dataset) of the zoo's lenet5: seconds, not hours.
    f = tmp_path / "search.yaml"
    f.write_text(f"model: lenet5\narch: {DEFAULT_ARCH}\noutput: out\naccuracy: none\ncost_target: 0.5\n"
                 "episodes: 6\nwarmup: 3\nbaselines: false\n")
    return str(f)


def comparable(summary):
    summary = dict(summary)
    for wall_time in ("cimvp", "seconds"):  # provenance (the command line) and wall time
        summary.pop(wall_time)
    return summary


def test_search_equals_the_cli_and_reports_progress(tmp_path):
    cfg = config(tmp_path)
    subprocess.run([CLI, "search", "--config", cfg, "-o", str(tmp_path / "cli")], check=True, capture_output=True)
    calls, messages = [], []
    summary = cimvp.search(cfg, output=str(tmp_path / "py"), progress=lambda phase, p: calls.append((phase, p)),
                           message=messages.append)
    assert comparable(summary) == comparable(json.loads((tmp_path / "cli/summary.json").read_text()))
    assert (tmp_path / "py/episodes.csv").read_text() == (tmp_path / "cli/episodes.csv").read_text()
    assert [p["episodes_done"] for phase, p in calls] == [1, 2, 3, 4, 5, 6]
    assert all(phase == "search" and p["episodes"] == 6 for phase, p in calls)
    assert calls[-1][1]["last"]["episode"] == 5 and len(calls[-1][1]["last"]["weight_bits"]) == 5
    assert messages  # the job says what it does

    # An exception in the callback stops the search and reaches the caller.
    def stop(phase, p):
        if p["episodes_done"] == 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cimvp.search(cfg, output=str(tmp_path / "stopped"), progress=stop)
    # ... and the search resumes from its checkpoint to the same episodes.
    cimvp.search(cfg, output=str(tmp_path / "stopped"), resume=True)
    assert (tmp_path / "stopped/episodes.csv").read_text() == (tmp_path / "cli/episodes.csv").read_text()


def test_search_errors(tmp_path):
    with pytest.raises(cimvp.ConfigError, match="missing.yaml"):
        cimvp.search(str(tmp_path / "missing.yaml"))
    cfg = config(tmp_path)
    with pytest.raises(cimvp.InputError, match="method must be ddpg or random, got 'ppo'"):
        cimvp.search(cfg, method="ppo")
    with pytest.raises(cimvp.InputError, match="episodes must be at least 1"):
        cimvp.search(cfg, episodes=0)
    with pytest.raises(cimvp.InputError, match="resume or force"):
        cimvp.search(cfg, resume=True, force=True)
