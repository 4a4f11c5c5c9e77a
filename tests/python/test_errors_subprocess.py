"""Bad calls raise typed exceptions and never crash the interpreter: they run
in a fresh python3 whose exit status and stderr are checked, including the
second architecture after a simulation, which SystemC cannot elaborate."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import cimvp

from conftest import DEFAULT_ARCH, SOURCE_DIR

SCRIPT = textwrap.dedent("""
    import numpy as np
    import cimvp

    def expect(kind, call, text):
        try:
            call()
        except kind as e:
            assert text in str(e), (kind.__name__, text, str(e))
            print("raised", type(e).__name__)
            return
        raise AssertionError("no %s for %s" % (kind.__name__, text))

    arch = cimvp.Arch.load(ARCH)
    model = cimvp.Model.zoo("lenet5")
    image = model.compile(arch, "w8a8")
    expect(cimvp.ConfigError, lambda: arch.with_(adc_bitz=4), "adc_bitz")
    expect(cimvp.ConfigError, lambda: arch.with_(adc_bits=0), "adc.bits")
    expect(cimvp.ConfigError, lambda: cimvp.Arch.load("missing.yaml"), "missing.yaml")
    expect(cimvp.PolicyError, lambda: model.compile(arch, [(8, 8)] * 4 + [(8, 12)]), "12 is outside 1..8")
    expect(cimvp.ModelError, lambda: cimvp.Model.load("missing.cimvp"), "missing.cimvp")
    expect(cimvp.InputError, lambda: arch.infer(image, np.zeros((2, 28, 28), np.float32)), "shape (2, 28, 28)")
    expect(cimvp.InputError, lambda: arch.infer(image, np.zeros((2, 1, 28, 28), np.int64)), "dtype int64")
    expect(cimvp.InputError, lambda: arch.infer(image, None), "got NoneType")
    expect(TypeError, lambda: cimvp.Arch.load(None), "incompatible function arguments")
    expect(TypeError, lambda: model.compile(None, "w8a8"), "incompatible function arguments")
    print(arch.run(image).cycles > 0)
    other = arch.with_(crossbar_rows=128)
    expect(cimvp.SimulationError, lambda: other.run(model.compile(other, "w8a8", timing_only=True)),
           "SystemC elaborates a design once per process")
    expect(cimvp.SimulationError, lambda: other.prepare(), "once per process")
    print(arch.run(image).cycles > 0)  # the first architecture still runs
    print("done")
""")


def test_bad_calls_raise_and_the_interpreter_exits_cleanly():
    # The package this suite imports, whatever the working directory.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(cimvp.__file__)))
    p = subprocess.run([sys.executable, "-c", "ARCH = %r\n" % DEFAULT_ARCH + SCRIPT], env=env, cwd=SOURCE_DIR,
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    lines = p.stdout.split()
    assert lines.count("raised") == 12
    assert p.stdout.rstrip().endswith("done"), p.stdout
    assert p.stdout.count("True") == 2


def test_the_module_is_built_for_debians_python3():
    assert sys.executable == "/usr/bin/python3"


INTERRUPTED = textwrap.dedent("""
    import numpy as np
    import cimvp
    arch = cimvp.Arch.load(ARCH)
    image = cimvp.Model.load(MODEL).compile(arch)
    images, _ = cimvp.load_dataset("fashion-mnist", "test", 1000)
    batch = np.repeat(images, 20, axis=0)  # 20,000 images: several seconds
    print("started", flush=True)
    try:
        arch.infer(image, batch)
        print("finished")
    except KeyboardInterrupt:
        print("interrupted")
    # The VP is still usable: the same outputs as the integer reference.
    print((arch.infer(image, images[:50]) == image.reference(images[:50])).all())
""")


def test_ctrl_c_stops_a_long_batch():
    from conftest import LENET5_W8A8
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(cimvp.__file__)))
    p = subprocess.Popen([sys.executable, "-c", "ARCH = %r\nMODEL = %r\n" % (DEFAULT_ARCH, LENET5_W8A8) + INTERRUPTED],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "started\n"
    time.sleep(0.5)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert time.monotonic() - t0 < 3, "the batch went on after Ctrl-C"
    assert p.returncode == 0, err
    assert out == "interrupted\nTrue\n" and err == ""
