"""Study CLI: compare / sweep / montecarlo write their files; bad input exits 2, no traceback."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from aifactory_twin.cli import main
from aifactory_twin.resources import scenes_dir

SCENE = str(scenes_dir() / "air-vs-liquid.aift.json")
SHORT = ["--horizon", "6h", "--step", "1h"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_compare_writes_one_row_per_variant_and_timeseries(tmp_path):
    args = ["compare", SCENE, "--variants", "air,liquid", *SHORT, "--seed", "4"]
    assert main([*args, "--workers", "0", "--out", str(tmp_path)]) == 0
    rows = _rows(tmp_path / "compare.csv")
    assert [r["variant"] for r in rows] == ["air", "liquid"]
    expected = {"total_cost_usd", "pue", "availability", "operational_cost_reduction_pct"}
    assert expected <= set(rows[0])
    assert all(r["seed"] == "4" for r in rows)
    assert float(rows[0]["operational_cost_reduction_pct"]) == 0.0
    for name in ("air", "liquid"):
        series = _rows(tmp_path / name / "timeseries.csv")
        assert len(series) == 6  # six hourly ticks
        assert {"time_s", "it_power_kw", "pue", "total_cost_usd_cum"} <= set(series[0])


def test_sweep_writes_one_row_per_value_and_seed(tmp_path):
    args = ["sweep", SCENE, "--param", "racks.count", "--values", "8,16", "--runs", "2"]
    assert main([*args, *SHORT, "--workers", "0", "--out", str(tmp_path)]) == 0
    rows = _rows(tmp_path / "sweep.csv")
    pairs = [(r["value"], r["seed"]) for r in rows]
    assert pairs == [("8", "0"), ("8", "1"), ("16", "0"), ("16", "1")]
    assert float(rows[2]["mean_it_power_kw"]) > float(rows[0]["mean_it_power_kw"])


def test_montecarlo_writes_distributions_percentiles_and_bands(tmp_path):
    args = ["montecarlo", SCENE, "--runs", "3", *SHORT, "--workers", "0"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    assert len(_rows(tmp_path / "montecarlo.csv")) == 3
    pct = {r["kpi"]: r for r in _rows(tmp_path / "percentiles.csv")}
    assert float(pct["total_cost_usd"]["p10"]) <= float(pct["total_cost_usd"]["p90"])
    assert "horizon_s" not in pct
    bands = _rows(tmp_path / "bands.csv")
    assert "availability_p50" in bands[0]


def test_bad_param_exits_2_and_names_it(tmp_path):
    args = ["sweep", SCENE, "--param", "racks.nonsense", "--values", "1", *SHORT]
    result = subprocess.run(
        [sys.executable, "-m", "aifactory_twin", *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "racks.nonsense" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sweep.csv").exists()


def test_bad_options_exit_2(tmp_path):
    out = str(tmp_path)
    assert main(["compare", SCENE, "--variants", "nope", "--out", out]) == 2
    assert main(["compare", SCENE, "--horizon", "soon", "--out", out]) == 2
    assert main(["sweep", SCENE, "--param", "racks.count", "--range", "1:2", "--out", out]) == 2
    assert main(["sweep", SCENE, "--param", "racks.count", "--out", out]) == 2  # no values
    assert main(["montecarlo", SCENE, "--runs", "0", "--out", out]) == 2
    assert main(["compare", str(tmp_path / "missing.aift.json"), "--out", out]) == 2


def test_report_without_a_renderer_installed_exits_2_and_says_so(tmp_path, monkeypatch, capsys):
    # A core-only install registers nothing in the group: the CLI must say so, not crash.
    import aifactory_twin.cli.study_cmds as study_cmds

    monkeypatch.setattr(study_cmds, "entry_points", lambda **_kw: ())
    code = main(["report", SCENE, "--out", str(tmp_path / "r.pdf")])
    assert code == 2
    err = capsys.readouterr().err
    assert "no 'pdf' renderer installed" in err
    assert "aifactory_twin.report_renderers" in err
    assert not (tmp_path / "r.pdf").exists()


def test_report_renderer_comes_from_the_entry_point_group():
    from aifactory_twin.cli.study_cmds import report_renderer

    renderer = report_renderer("pdf")
    # The installed package registers the UI's renderer; the core module never names it.
    assert f"{renderer.__module__}.{renderer.__name__}" == "ui.report.main"
    core_cli = Path(__file__).resolve().parents[2] / "aifactory_twin" / "cli"
    assert not any("ui.report" in p.read_text() for p in core_cli.glob("*.py"))
