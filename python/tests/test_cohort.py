"""`import cohort`: runs, sweeps and the model list, end to end."""

import math
from pathlib import Path

import pytest

import cohort

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "configs" / "quickstart.yaml"


def test_run_from_a_file_with_overrides_returns_metrics_timeline_and_memory(tmp_path):
    r = cohort.run(QUICKSTART, {"populations.walkers.size": 400}, steps=20, threads=1,
                   out=tmp_path / "out")
    assert list(r.metrics.columns)[:2] == ["step", "walkers"]
    assert list(r.metrics["step"]) == [0, 10, 20]
    assert r.metrics["walkers"].iloc[0] == 400
    assert r.timeline["step"].iloc[-1] == 20
    assert "accounted_used" in r.timeline.columns
    assert isinstance(r.memory, dict) and r.memory


def test_run_from_a_dict_gives_the_same_metrics_as_the_file(tmp_path):
    config = {"model": "random_walk", "seed": 42, "steps": 10, "threads": 1,
              "output": {"every": 5}, "populations": {"walkers": {"size": 300}},
              "parameters": {"width": 50, "height": 50}}
    a = cohort.run(config, out=tmp_path / "a")
    b = cohort.run(config, out=tmp_path / "b", threads=2)
    assert list(a.metrics["step"]) == [0, 5, 10]
    assert a.metrics.equals(b.metrics)


def test_a_bad_config_raises_with_exit_code_2(tmp_path):
    with pytest.raises(cohort.CohortError) as e:
        cohort.run(QUICKSTART, {"parameters.widht": 5}, out=tmp_path / "out")
    assert e.value.exit_code == 2


def test_sweep_returns_one_row_per_run_with_parameters_and_seed(tmp_path):
    df = cohort.sweep(QUICKSTART, {"populations.walkers.size": [200, 400]}, replicates=2, jobs=2,
                      steps=10, out=tmp_path / "sweep")
    assert len(df) == 4
    assert list(df["populations.walkers.size"]) == [200, 200, 400, 400]
    assert (df["status"] == "finished").all()
    assert df["seed"].nunique() == 2
    steps = cohort.sweep(QUICKSTART, {"populations.walkers.size": [200, 400]}, replicates=2,
                         jobs=2, steps=10, out=tmp_path / "sweep", resume=True, steps_table=True)
    assert len(steps) == 8  # steps 0 and 10 of each run


def test_models_lists_the_built_in_models_with_their_parameters():
    models = {m["name"]: m for m in cohort.models()}
    walk = models["random_walk"]
    assert walk["populations"][0]["name"] == "walkers"
    assert "width" in [p["name"] for p in walk["parameters"]]
    assert {"random_walk", "gene_network", "belief_agents"} <= set(models)


def test_snapshots_come_back_as_one_dataframe_per_population(tmp_path):
    r = cohort.run(QUICKSTART, {"populations.walkers.size": 50, "output.snapshots.every": 10},
                   steps=20, threads=1, out=tmp_path / "out")
    walkers = r.snapshots["walkers"]
    assert list(walkers.columns) == ["step", "uid", "cell.x", "cell.y",
                                     "displacement.dx", "displacement.dy"]
    assert sorted(walkers["step"].unique()) == [0, 10, 20]
    assert (walkers[walkers["step"] == 0]["uid"] == range(50)).all()
    assert (walkers[walkers["step"] == 0][["displacement.dx", "displacement.dy"]] == 0).all().all()


def test_compressed_snapshots_read_back_like_plain_ones(tmp_path):
    base = {"populations.walkers.size": 40, "output.snapshots.every": 5}
    plain = cohort.run(QUICKSTART, base, steps=10, threads=1, out=tmp_path / "plain")
    packed = cohort.run(QUICKSTART, {**base, "output.snapshots.compress": True}, steps=10,
                        threads=1, out=tmp_path / "packed")
    assert (tmp_path / "packed" / "snapshots_walkers.csv.gz").exists()
    assert packed.snapshots["walkers"].equals(plain.snapshots["walkers"])
