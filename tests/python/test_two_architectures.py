"""Several architectures in one process: prepared before the first run, each
runs and keeps its own SoC (the same numbers as in a process of its own); a
new one after the first run is refused with SimulationError."""
import os
import subprocess
import sys

import pytest

import cimvp
from conftest import DEFAULT_ARCH

BASE = cimvp.Arch.load(DEFAULT_ARCH)
SMALL_ADC = BASE.with_(adc_bits=6)
FEW_ROWS = BASE.with_(crossbar_rows=128)


def cycles_alone(arch_overrides):
    # The same run in a process of its own: the independent path.
    script = ("import cimvp\narch = cimvp.Arch.load(%r).with_(**%r)\n"
              "print(arch.run(cimvp.Model.zoo('lenet5').compile(arch, 'w8a8', timing_only=True)).cycles)"
              % (DEFAULT_ARCH, arch_overrides))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(cimvp.__file__)))
    return int(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              check=True).stdout)


def test_prepared_architectures_run_side_by_side():
    SMALL_ADC.prepare()
    FEW_ROWS.prepare()
    model = cimvp.Model.zoo("lenet5")
    runs = {}
    for name, arch in (("small_adc", SMALL_ADC), ("few_rows", FEW_ROWS), ("small_adc again", SMALL_ADC)):
        runs[name] = arch.run(model.compile(arch, "w8a8", timing_only=True))
    assert runs["small_adc"].architecture["adc"]["bits"] == 6
    assert runs["few_rows"].architecture["crossbar"]["rows"] == 128
    assert runs["small_adc again"].cycles == runs["small_adc"].cycles
    assert runs["small_adc"].cycles == cycles_alone({"adc_bits": 6})
    assert runs["few_rows"].cycles == cycles_alone({"crossbar_rows": 128})
    # A device seed is not a new SoC (flow::soc_for reseeds the one it has).
    reseeded = SMALL_ADC.with_(device_seed=7)
    assert reseeded.run(model.compile(reseeded, "w8a8", timing_only=True)).cycles == runs["small_adc"].cycles
    # Any other architecture now needs a process of its own.
    with pytest.raises(cimvp.SimulationError, match="once per process"):
        BASE.run(model.compile(BASE, "w8a8", timing_only=True))
