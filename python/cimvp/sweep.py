"""cimvp.sweep: a co-design sweep from its YAML file, as `cimvp sweep` (docs/sweeps.md)."""
import os
import shutil

from . import _cimvp


def _cli():
    """The cimvp binary the sweep's workers run: $CIMVP_BINARY, else the one built with this package (installed
    beside it, or in its build tree), else the PATH's."""
    prefix = os.path.dirname(os.path.dirname(_cimvp._installed_cli))
    installed = os.path.realpath(__file__).startswith(os.path.realpath(prefix) + os.sep)
    built_with = [_cimvp._installed_cli, _cimvp._build_tree_cli] if installed else [_cimvp._build_tree_cli]
    for candidate in [os.environ.get("CIMVP_BINARY")] + built_with + [shutil.which("cimvp")]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise _cimvp.InputError("a sweep runs its points in `cimvp sweep-worker` processes and no cimvp binary was "
                            "found: give cli= or set CIMVP_BINARY")


def sweep(config, output, *, jobs=1, timeout=0.0, resume=False, progress=None, cli=None):
    """Runs the sweep of `config` into the folder `output` (results.jsonl, results.csv), `jobs` points at a time.

    Every point is an architecture, so it runs in a process of its own (`cimvp sweep-worker`, `cli` or found as
    _cli() says); this process simulates nothing and keeps any architecture it has. progress(record, done, points)
    is called as each point finishes with its results.jsonl record; an exception it raises is raised when the
    sweep ends (the workers cannot be stopped midway; kill the process and resume=True to continue).
    Returns the counts `cimvp sweep` prints: points, skipped, ran, failed, failed_in_folder, warnings, seconds.
    """
    return _cimvp._sweep(config, output, cli or _cli(), jobs, timeout, resume, progress)
