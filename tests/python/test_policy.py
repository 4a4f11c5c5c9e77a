"""cimvp.Policy: from dicts, pairs, lists, files and specs; bits and lengths checked like a policy file."""
import pytest

import cimvp


def test_the_forms_agree(tmp_path):
    by_dict = cimvp.Policy({"weight_bits": [8, 4, 2], "activation_bits": [8, 6, 4]})
    by_pairs = cimvp.Policy([(8, 8), (4, 6), (2, 4)])
    by_lists = cimvp.Policy([8, 4, 2], [8, 6, 4])
    assert by_dict == by_pairs == by_lists
    assert len(by_dict) == 3 and by_dict.weight_bits == [8, 4, 2] and by_dict.activation_bits == [8, 6, 4]
    assert by_dict.pairs() == [(8, 8), (4, 6), (2, 4)]
    assert str(by_dict) == "mixed" and str(cimvp.Policy.uniform("w4a6", 3)) == "w4a6"
    assert cimvp.Policy.uniform("W4A6", 2) == cimvp.Policy([(4, 6), (4, 6)])
    # A file written by hand reads back the same (the policy YAML format, docs/quantization.md).
    f = tmp_path / "p.yaml"
    f.write_text("weight_bits: [8, 4, 2]\nactivation_bits: [8, 6, 4]\n")
    assert cimvp.Policy.load(str(f)) == by_dict
    by_dict.save(str(tmp_path / "q.yaml"))
    assert cimvp.Policy.load(str(tmp_path / "q.yaml")) == by_dict
    assert cimvp.Policy(by_dict.to_dict()) == by_dict
    named = cimvp.Policy({"weight_bits": [8], "activation_bits": [8], "model": "lenet5"})
    assert named.model == "lenet5" and "w8a8 over 1 layers" in repr(named)


@pytest.mark.parametrize("make, message", [
    (lambda: cimvp.Policy([(9, 8)]), r"9 is outside 1\.\.8"),
    (lambda: cimvp.Policy([(8, 0)]), r"0 is outside 1\.\.8"),
    (lambda: cimvp.Policy({"weight_bits": [8, 8], "activation_bits": [8]}), "activation_bits"),
    (lambda: cimvp.Policy({"weight_bits": [8], "activation_bits": [8], "bits": 3}), "unknown key 'bits'"),
    (lambda: cimvp.Policy({"weight_bits": ["8"], "activation_bits": [8]}), r"weight_bits\[0\].*expected an integer"),
    (lambda: cimvp.Policy([(8, 8, 8)]), r"policy\[0\]: expected a \(weight_bits, activation_bits\) pair"),
    (lambda: cimvp.Policy([(8, True)]), "expected an integer"),
    (lambda: cimvp.Policy(3.5), "a policy is a cimvp.Policy"),
    (lambda: cimvp.Policy.uniform("w9a8", 2), "w9a8"),
    (lambda: cimvp.Policy.uniform("eight", 2), "eight"),
])
def test_bad_policies_raise_policy_error(make, message):
    with pytest.raises(cimvp.PolicyError, match=message):
        make()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(cimvp.PolicyError, match="nope.yaml"):
        cimvp.Policy.load(str(tmp_path / "nope.yaml"))


def test_policy_error_is_a_value_error():
    assert issubclass(cimvp.PolicyError, ValueError) and issubclass(cimvp.PolicyError, cimvp.Error)
