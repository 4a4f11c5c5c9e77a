"""The report of one run, as `cimvp run --report` writes it.

Report wraps the JSON object the command line writes (the C++ to_json), so
that its fields cannot drift from the CLI's: every key is an attribute
(report.cycles, report.figures_of_merit.tops_per_watt, report.layers[0].cycles)
and to_dict() gives the object itself.
"""


class Section:
    """A JSON object whose keys read as attributes; lists of objects read as lists of Sections."""

    def __init__(self, data):
        self._data = data

    def __getattr__(self, name):
        try:
            value = self._data[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field '{name}' (fields: {', '.join(self._data)})") from None
        return _wrap(value)

    def __getitem__(self, key):
        return _wrap(self._data[key])

    def __contains__(self, key):
        return key in self._data

    def keys(self):
        return self._data.keys()

    def __dir__(self):
        return list(self._data) + ["to_dict", "keys"]

    def to_dict(self):
        return self._data

    def __repr__(self):
        return f"<{type(self).__name__} {', '.join(self._data)}>"


def _wrap(value):
    if isinstance(value, dict):
        return Section(value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [Section(v) for v in value]
    return value


class Report(Section):
    """One run: cycles, seconds, energy_joules, area, figures_of_merit, cores, layers, ... (the JSON report's keys).

    outputs: the integer outputs of a functional run with an input (numpy int32), else None.
    """

    def __init__(self, data, outputs=None):
        super().__init__(data)
        self.outputs = outputs

    def __repr__(self):
        d = self._data
        return (f"<cimvp.Report {d['arch']} {d['mode']}: {d['cycles']} cycles, {d['seconds']:.6g} s, "
                f"{d['energy_joules']:.6g} J, {d['area']['chip_mm2']:.6g} mm2>")
