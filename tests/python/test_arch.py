"""cimvp.Arch: loading, keyword overrides checked by the YAML reader, typed errors."""
import pytest

import cimvp
from conftest import DEFAULT_ARCH, SOURCE_DIR


def test_load_reads_the_file():
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    text = (SOURCE_DIR / "configs/arch/default.yaml").read_text()
    assert arch.name == "default"
    assert arch == cimvp.Arch.from_yaml(text)
    assert arch == cimvp.Arch.from_yaml(arch.to_yaml())
    assert arch.cores == arch["mesh.rows"] * arch["mesh.cols"]


def test_with_sets_a_key_as_a_yaml_file_would(tmp_path):
    base = cimvp.Arch.load(DEFAULT_ARCH)
    changed = base.with_(adc_bits=6)
    assert changed["adc.bits"] == 6 and changed["adc_bits"] == 6
    assert base["adc.bits"] != 6  # a copy; the original is unchanged
    # The same architecture from a YAML file giving only adc.bits (the
    # built-in defaults are default.yaml's): an independent path.
    f = tmp_path / "a.yaml"
    f.write_text("name: default\nadc:\n  bits: 6\n")
    assert changed == cimvp.Arch.load(str(f))
    assert changed != base
    # Dotted keys in a dict, several at once, floats and text values.
    more = base.with_({"crossbar.rows": 128}, clock_mhz=500.0)
    assert more["crossbar.rows"] == 128 and more["clock_mhz"] == 500.0


def test_keyword_names_are_unambiguous():
    keys = [p["key"] for p in cimvp.params()]
    underscored = [k.replace(".", "_") for k in keys]
    assert len(set(underscored)) == len(keys)
    assert "adc.bits" in keys


def test_unknown_key_names_the_closest():
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    with pytest.raises(cimvp.ConfigError, match=r"unknown architecture parameter 'adc_bit'.*adc_bits"):
        arch.with_(adc_bit=6)
    with pytest.raises(cimvp.ConfigError, match="adc_bit"):
        arch["adc_bit"]


def test_value_out_of_range_names_the_key():
    arch = cimvp.Arch.load(DEFAULT_ARCH)
    with pytest.raises(cimvp.ConfigError, match=r"adc\.bits") as e:
        arch.with_(adc_bits=99)
    assert "default with adc.bits=99" in str(e.value)
    with pytest.raises(cimvp.ConfigError, match="crossbar.rows"):
        arch.with_(crossbar_rows="many")
    with pytest.raises(cimvp.ConfigError, match="expected a number or a string"):
        arch.with_(adc_bits=[6])


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(cimvp.ConfigError, match="no-such.yaml"):
        cimvp.Arch.load(str(tmp_path / "no-such.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("adc:\n  bitz: 6\n")
    with pytest.raises(cimvp.ConfigError, match=r"bad.yaml:2:.*bitz"):
        cimvp.Arch.load(str(bad))
    assert issubclass(cimvp.ConfigError, cimvp.Error)


def test_param_table_matches_the_cli():
    import subprocess
    from conftest import CLI
    out = subprocess.run([CLI, "params"], capture_output=True, text=True, check=True).stdout
    for p in cimvp.params():
        assert p["key"] in out
