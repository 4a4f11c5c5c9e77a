"""Shared fixtures of the cimvp Python tests.

ctest runs every test file in a process of its own (tests/python/CMakeLists.txt):
SystemC elaborates once per process, so the runs of one file share one
architecture (or prepare all of theirs first). The environment names the
source tree (CIMVP_SOURCE_DIR) and the command line (CIMVP_BINARY), which
several tests compare the module against.
"""
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ["CIMVP_SOURCE_DIR"])
CLI = os.environ["CIMVP_BINARY"]
DEFAULT_ARCH = str(SOURCE_DIR / "configs/arch/default.yaml")
LENET5_W8A8 = str(SOURCE_DIR / "pretrained/lenet5-fmnist-w8a8.cimvp")


@pytest.fixture
def source_dir():
    return SOURCE_DIR


def pytest_sessionfinish(session, exitstatus):
    # The suite must never skip in CI: a skipped test is a failed run.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
