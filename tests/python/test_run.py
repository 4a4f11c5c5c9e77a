"""Arch.run: timing reports whose fields mirror the JSON report, and that add up; the GIL is released."""
import threading
import time

import pytest

import cimvp
from conftest import DEFAULT_ARCH, LENET5_W8A8

ARCH = cimvp.Arch.load(DEFAULT_ARCH)


def test_timing_report_fields_and_sums():
    ARCH.prepare()  # the architecture this file runs: elaborated before any run (a no-op later)
    image = cimvp.Model.zoo("lenet5").compile(ARCH, "w8a8", timing_only=True)
    r = ARCH.run(image)
    d = r.to_dict()
    assert r.mode == "timing" and r.arch == "default" and r.outputs is None
    for key in ("cycles", "seconds", "energy_joules", "area", "figures_of_merit", "cores", "layers", "totals",
                "inference_cycles", "components", "architecture"):
        assert key in d
        assert r[key] is not None
    assert r.cycles == d["cycles"] > 0
    # Everything adds up (platform/report.h): energy over cores, over layers plus outside_layers.
    assert sum(c.energy_joules for c in r.cores) == pytest.approx(r.energy_joules, rel=1e-9)
    layer_energy = sum(l.energy_joules for l in r.layers) + r.outside_layers.energy_joules
    assert layer_energy == pytest.approx(r.energy_joules, rel=1e-9)
    assert len(r.cores) == ARCH.cores
    # seconds are the exact simulated time; cycles count it at the clock
    assert r.seconds == pytest.approx(r.picoseconds * 1e-12, rel=1e-12)
    cycle_s = 1 / (ARCH["clock_mhz"] * 1e6)
    assert abs(r.cycles * cycle_s - r.seconds) <= cycle_s
    assert r.area.chip_mm2 > r.area.core_mm2 > 0
    assert r.figures_of_merit.tops_per_watt > 0
    assert r.architecture["adc"]["bits"] == ARCH["adc.bits"]
    assert "cycles" in r and "cylces" not in r and "layers" in r.keys()
    assert r.layers[0].to_dict() == d["layers"][0] and "name" in dir(r.layers[0])
    with pytest.raises(AttributeError, match="no field 'cylces'"):
        r.cylces
    assert "cycles" in repr(r)


def test_runs_are_repeatable_and_policies_differ():
    model = cimvp.Model.zoo("lenet5")
    w8 = ARCH.run(model.compile(ARCH, "w8a8", timing_only=True))
    w2 = ARCH.run(model.compile(ARCH, "w2a2", timing_only=True))
    again = ARCH.run(model.compile(ARCH, "w8a8", timing_only=True))
    assert again.cycles == w8.cycles and again.energy_joules == w8.energy_joules
    assert w2.cycles < w8.cycles  # fewer input slices per layer


def test_run_argument_errors():
    image = cimvp.Model.zoo("lenet5").compile(ARCH, "w8a8", timing_only=True)
    with pytest.raises(cimvp.InputError, match="mode must be 'timing' or 'functional', got 'fast'"):
        ARCH.run(image, mode="fast")
    with pytest.raises(cimvp.InputError, match="timing_only=True"):
        ARCH.infer(image, __import__("numpy").zeros((1, 1, 28, 28), "float32"))


def spin_until(event):
    ticks = 0
    while not event.is_set():
        ticks += 1
    return ticks


def spin_share(work):
    """This thread's spinning rate while `work` runs in another thread, over its rate alone."""
    alone = threading.Event()
    threading.Timer(0.3, alone.set).start()
    t0 = time.perf_counter()
    rate_alone = spin_until(alone) / (time.perf_counter() - t0)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (work(), done.set()))
    t0 = time.perf_counter()
    worker.start()
    rate = spin_until(done) / (time.perf_counter() - t0)
    worker.join()
    return rate / rate_alone


@pytest.mark.parametrize("call", ["compile", "run", "infer"])
def test_gil_is_released_during_compile_and_runs(call):
    # Each call is one long C++ call (0.1 to 1 s). Holding the GIL through it
    # leaves this thread only the call's ends (measured: 3 % of its rate
    # alone); released, it spins alongside (on a second core, or sharing one).
    if call == "compile":  # with weights: quantization and calibration
        model = cimvp.Model.zoo("vgg-small")
        work = lambda: model.compile(ARCH, "w4a4")
    elif call == "run":
        image = cimvp.Model.zoo("vgg16").compile(ARCH, "w8a8", timing_only=True)
        work = lambda: ARCH.run(image)
    else:
        image = cimvp.Model.load(LENET5_W8A8).compile(ARCH)
        images, _ = cimvp.load_dataset("fashion-mnist", "test", 1500)
        work = lambda: ARCH.infer(image, images)
    share = spin_share(work)
    assert share > 0.25, share
