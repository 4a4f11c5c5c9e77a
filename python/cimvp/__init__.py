"""cimvp: the virtual platform of an RRAM computing-in-memory accelerator, from Python.

The cycles, energy and area of any policy of a network, and functional runs on
numpy arrays, with the same pipeline and the same numbers as the `cimvp`
command line (docs/python.md)::

    import cimvp
    arch = cimvp.Arch.load("configs/arch/default.yaml").with_(adc_bits=6)
    model = cimvp.Model.zoo("lenet5")
    report = arch.run(model.compile(arch, "w8a8", timing_only=True))
    print(report.cycles, report.energy_joules, report.area["chip_mm2"])

SystemC elaborates a design once per process: the VP of every architecture a
process runs must exist before its first run. Arch.prepare() makes it; a run
makes its architecture's itself. A new architecture after the first run
raises SimulationError: run it in another process (docs/python.md).
"""

from ._cimvp import (  # noqa: F401  (the public API)
    Arch,
    CompileError,
    ConfigError,
    DatasetError,
    Error,
    Image,
    InputError,
    Model,
    ModelError,
    Policy,
    PolicyError,
    SimulationError,
    __version__,
    commit,
    dataset_names,
    load_dataset,
    search,
    zoo_names,
)
from .evaluation import Evaluation, evaluate  # noqa: F401
from .report import Report  # noqa: F401
from .sweep import sweep  # noqa: F401
from . import torch_models  # noqa: F401  (adds Model.from_torch)

__all__ = [
    "Arch", "Model", "Policy", "Image", "Report", "Evaluation", "evaluate", "search", "sweep", "load_dataset", "dataset_names",
    "zoo_names", "params", "Error", "ConfigError", "ModelError", "PolicyError", "CompileError", "InputError",
    "DatasetError", "SimulationError",
]


def params():
    """Every architecture parameter: key, unit, default, range, doc (as `cimvp params`)."""
    from ._cimvp import _param_table
    return _param_table()
