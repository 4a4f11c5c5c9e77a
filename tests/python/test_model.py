"""cimvp.Model and Model.compile: zoo, model files, ONNX; the CLI's image bytes; typed errors."""
import subprocess

import pytest

import cimvp
from conftest import CLI, DEFAULT_ARCH, LENET5_W8A8, SOURCE_DIR

LENET5_ONNX = str(SOURCE_DIR / "tests/fixtures/onnx/lenet5_float.onnx")


def test_zoo_and_files():
    assert "lenet5" in cimvp.zoo_names() and "vgg16" in cimvp.zoo_names()
    zoo = cimvp.Model.zoo("lenet5")
    assert zoo.name == "lenet5" and zoo.input_shape == (1, 28, 28) and zoo.policy is None
    trained = cimvp.Model.load(LENET5_W8A8)
    assert trained.layers == zoo.layers and len(trained.layers) == 5
    assert trained.policy == cimvp.Policy.uniform("w8a8", 5)
    assert trained.parameter_count == zoo.parameter_count > 0
    assert zoo.output_shape == (10, 1, 1) and zoo.spec == "lenet5" and "zoo" in zoo.metadata["source"]
    assert trained.spec == LENET5_W8A8 and trained.metadata["dataset"] == "fashion-mnist"
    assert "lenet5" in repr(zoo)
    onnx = cimvp.Model.load(LENET5_ONNX)
    assert len(onnx.layers) == 5 and onnx.input_shape == (1, 28, 28)
    # `cimvp layers` lists the same quantizable layers, in policy order.
    out = subprocess.run([CLI, "layers", "--model", "lenet5"], capture_output=True, text=True, check=True).stdout
    for name in zoo.layers:
        assert name in out


def test_compile_gives_the_image_the_cli_writes(tmp_path):
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    for timing_only in (True, False):
        image = cimvp.Model.zoo("lenet5").compile(arch, "w8a8", timing_only=timing_only)
        assert image.timing_only == timing_only and image.policy == cimvp.Policy.uniform("w8a8", 5)
        image.save(str(tmp_path / "py.img"))
        cmd = [CLI, "compile", "--arch", DEFAULT_ARCH, "--model", "lenet5", "--bits", "w8a8", "-o",
               str(tmp_path / "cli.img")] + (["--timing-only"] if timing_only else [])
        subprocess.run(cmd, capture_output=True, check=True)
        assert (tmp_path / "py.img").read_bytes() == (tmp_path / "cli.img").read_bytes()
    assert "conv1" in image.explain() and image.placement in ("resident", "per-layer")
    assert image.input_shape == (1, 28, 28) and image.output_size == 10 and image.output_scale > 0
    assert image.arch == arch and "lenet5 at w8a8 for default" in repr(image)


def test_policy_forms_and_the_models_own():
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    model = cimvp.Model.load(LENET5_W8A8)
    own = model.compile(arch, timing_only=True)  # None: the file's policy, as the CLI without --bits
    assert own.policy == model.policy
    mixed = [(8, 8), (4, 6), (2, 4), (4, 4), (8, 8)]
    for spec in (mixed, cimvp.Policy(mixed), {"weight_bits": [8, 4, 2, 4, 8], "activation_bits": [8, 6, 4, 4, 8]}):
        assert model.compile(arch, spec, timing_only=True).policy == cimvp.Policy(mixed)


def test_model_errors(tmp_path):
    with pytest.raises(cimvp.ModelError, match=r"'lenet6' is not a zoo model.*lenet5"):
        cimvp.Model.zoo("lenet6")
    with pytest.raises(cimvp.ModelError, match="missing.cimvp"):
        cimvp.Model.load(str(tmp_path / "missing.cimvp"))
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a protobuf")
    with pytest.raises(cimvp.ModelError, match="garbage.onnx"):
        cimvp.Model.load(str(garbage))


def test_compile_errors():
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    model = cimvp.Model.zoo("lenet5")
    with pytest.raises(cimvp.PolicyError, match="policy for lenet5: weight_bits has 2 entries, the model has 5"):
        model.compile(arch, [(8, 8), (8, 8)], timing_only=True)
    with pytest.raises(cimvp.PolicyError, match="carries no policy|--bits|policy"):
        model.compile(arch, timing_only=True)  # a zoo model has no policy of its own
    with pytest.raises(cimvp.InputError, match="placement"):
        model.compile(arch, "w8a8", timing_only=True, placement="everywhere")
    with pytest.raises(cimvp.InputError, match="cores"):
        model.compile(arch, "w8a8", timing_only=True, cores=-1)
    # 1500-byte buffers cannot hold conv2's rows (tests/apps/compile_cli_test.cpp): the layer is named.
    tiny = arch.with_(buffer_bytes=1500)
    with pytest.raises(cimvp.CompileError, match="conv2"):
        model.compile(tiny, "w8a8")
    # A trained float model without scales for the policy and no dataset to calibrate on.
    float_model = cimvp.Model.load(LENET5_ONNX)
    with pytest.raises(cimvp.ModelError, match="no-such-dataset"):
        float_model.compile(arch, "w4a4", dataset="no-such-dataset")


def test_version_is_the_clis():
    out = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"cimvp {cimvp.__version__} (commit ")
    # The commit is the tree's at build time: the module and the CLI agree
    # when built together, so only its form is checked here.
    import re
    assert re.fullmatch(r"[0-9a-f]{40}(-modified)?|unknown", cimvp.commit), cimvp.commit
