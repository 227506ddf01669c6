"""cohort from Python: run simulations and sweeps, get pandas DataFrames.

    import cohort
    r = cohort.run("configs/quickstart.yaml", steps=50, out="out/py")
    r.metrics          # DataFrame: one row per reported step
    r.timeline         # DataFrame: the memory monitor's samples
    r.memory           # dict: the memory report (memory.json)
    r.snapshots        # dict: population -> DataFrame (step, uid, columns), with
                       #   output.snapshots.every set
    df = cohort.sweep("configs/quickstart.yaml", grid={"parameters.width": [50, 100]},
                      replicates=3, jobs=2, out="out/py_sweep")
    cohort.models()    # list of dicts: name, description, populations, parameters
    cohort.active_inference.infer_states(A, B, C, prior, obs)   # pymdp's formulas on numpy

Models are C++ (built in, or plugins); this package only starts runs and reads their files.
"""

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import _cohort
from . import active_inference

__version__ = _cohort.version
__all__ = ["run", "sweep", "models", "Run", "CohortError", "active_inference"]


class CohortError(RuntimeError):
    """A run or sweep that exited non-zero; `exit_code` is cohort's (see `cohort --help`)."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Run:
    """The outputs of one run, read from its output directory."""

    dir: Path
    metrics: pd.DataFrame
    timeline: pd.DataFrame
    memory: dict
    summary: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)  # population -> DataFrame (step, uid, columns)


def _overrides(overrides, steps, seed, threads):
    sets = [f"{key}={_yaml_value(value)}" for key, value in (overrides or {}).items()]
    for key, value in (("steps", steps), ("seed", seed), ("threads", threads)):
        if value is not None:
            sets.append(f"{key}={value}")
    return sets


def _yaml_value(value):
    # JSON is YAML: lists, dicts, booleans and strings keep their types on the cohort side.
    return value if isinstance(value, str) else json.dumps(value)


def _read_json(path):
    return json.loads(path.read_text()) if path.exists() else {}


def _read_snapshots(out_dir):
    """population -> DataFrame from snapshots_<population>.csv or .csv.gz (pandas unzips)."""
    frames = {}
    for path in sorted(out_dir.glob("snapshots_*.csv*")):
        name = path.name[len("snapshots_"):]
        for suffix in (".csv.gz", ".csv"):
            if name.endswith(suffix):
                frames[name[:-len(suffix)]] = pd.read_csv(path)
                break
    return frames


def run(config, overrides=None, *, out=None, steps=None, seed=None, threads=None, quiet=True):
    """Runs a config and returns its outputs as a `Run`.

    config: a YAML file, or a dict holding the config (paths in it are then relative to the
        working directory). overrides: {"key.path": value} applied like `--set`.
    out: the output directory (default: a new temporary directory).
    Raises CohortError when the run exits non-zero (bad config 2, budget refusal 3, ...).
    """
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="cohort_"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(config, dict):
        config_file = out_dir / "config.input.yaml"
        config_file.write_text(json.dumps(config))
    else:
        config_file = Path(config)
    code = _cohort.run(str(config_file), _overrides(overrides, steps, seed, threads), str(out_dir),
                       quiet)
    if code != 0:
        raise CohortError(f"cohort run {config_file} exited with code {code}", code)
    return Run(
        dir=out_dir,
        metrics=pd.read_csv(out_dir / "metrics.csv"),
        timeline=pd.read_csv(out_dir / "timeline.csv"),
        memory=_read_json(out_dir / "memory.json"),
        summary=_read_json(out_dir / "summary.json"),
        info=_read_json(out_dir / "run.json"),
        snapshots=_read_snapshots(out_dir),
    )


def _binary():
    for candidate in (os.environ.get("COHORT_BINARY"), _cohort.build_binary,
                      _cohort.install_binary, shutil.which("cohort")):
        if candidate and Path(candidate).exists():
            return candidate
    raise CohortError("cannot find the cohort program (set COHORT_BINARY)", 1)


def sweep(config, grid=None, *, replicates=1, jobs=1, out, steps=None, overrides=None,
          resume=False, steps_table=False):
    """Runs `cohort sweep` and returns sweep.csv (one row per run) as a DataFrame.

    grid: {"key.path": [v1, v2, ...]}, crossed. Failed runs are rows with status "failed", their
    exit code and message; they do not raise. steps_table=True returns sweep_steps.csv instead.
    """
    args = [_binary(), "sweep", str(config), "--replicates", str(replicates), "--jobs", str(jobs),
            "--out", str(out)]
    for key, values in (grid or {}).items():
        args += ["--grid", f"{key}=" + ",".join(_yaml_value(v) for v in values)]
    for assignment in _overrides(overrides, steps, None, None):
        args += ["--set", assignment]
    if resume:
        args.append("--resume")
    done = subprocess.run(args, capture_output=True, text=True)
    table = Path(out) / ("sweep_steps.csv" if steps_table else "sweep.csv")
    if not table.exists():
        raise CohortError(f"cohort sweep exited with code {done.returncode}: {done.stderr.strip()}",
                          done.returncode)
    return pd.read_csv(table)


def models():
    """The built-in models: name, description, populations and parameters (name and help)."""
    return _cohort.models()
