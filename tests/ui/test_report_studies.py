"""The decision studies in the PDF report and the slides: pages drawn from the study results."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import FAN_SERIES, StudyOptions, compare, parse_param, sweep
from aifactory_twin.study.optimize import optimize, parse_constraint, parse_variable
from aifactory_twin.study.sweep2d import sweep2d
from aifactory_twin.study.uncertainty import uncertainty

SCENE = scenes_dir() / "air-vs-liquid.aift.json"
# Ten days: training finishes under every input's P90, so cost per trained model has a value.
LONG = StudyOptions(horizon_s=10 * 86400.0, step_s=3600.0, series=(), max_points=None)
KINDS = ["tornado", "uncertainty_fans", "optimize", "heatmap"]


@pytest.fixture(scope="module")
def studies():
    from ui.report_studies import DecisionStudies

    scenario = load_scenario(SCENE)
    fans = StudyOptions(LONG.horizon_s, LONG.step_s, series=FAN_SERIES, max_points=40)
    unc = uncertainty(scenario, 6, variants=["air", "liquid"], options=fans)
    grid = sweep2d(
        scenario, parse_param(scenario, "racks.count"), [16, 32],
        parse_param(scenario, "grid.price.flat_usd_per_kwh"), [0.05, 0.1, 0.2], options=LONG,
    )  # fmt: skip
    variables = [parse_variable(scenario, v)
                 for v in ("racks.count=int:24:40:8", "variant=choice:air,liquid")]  # fmt: skip
    opt = optimize(scenario, variables, constraints=[parse_constraint("training_time_days<=6")],
                   n_trials=6, options=LONG)  # fmt: skip
    compared = compare(scenario, ["air", "liquid"], options=StudyOptions(86400.0, 3600.0))
    decisions = DecisionStudies(
        optimize=opt, sweep2d=grid, sweep2d_kpi="energy_cost_usd", uncertainty=unc
    )
    return scenario, compared, decisions


def _render(decisions, kind, size=(1600, 1000)) -> QImage:
    from ui.theme import LIGHT

    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    try:
        decisions.draw(painter, QRectF(0, 0, *size), kind, LIGHT, 1.0)
    finally:
        painter.end()
    return image


def _colors(image: QImage) -> set[int]:
    return {
        image.pixel(x, y) & 0xFFFFFF
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }


def test_report_gets_a_page_per_study_run_and_none_without(qapp, tmp_path, studies):
    from ui.report import ReportInput, build_pages, export_report
    from ui.report_studies import DecisionStudies

    scenario, compared, decisions = studies
    image = QImage(2000, 1400, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        body = QRectF(0, 0, 2000, 1400)
        plain = [t for t, _ in build_pages(ReportInput(scenario, compared, "air"), painter, body)]
        full = ReportInput(scenario, compared, "air", decisions=decisions)
        titles = [t for t, _ in build_pages(full, painter, body)]
        only_grid = ReportInput(
            scenario, compared, "air", decisions=DecisionStudies(sweep2d=decisions.sweep2d)
        )
        grid_titles = [t for t, _ in build_pages(only_grid, painter, body)]
    finally:
        painter.end()
    added = [t for t in titles if t not in plain]
    assert added == [decisions.title(kind) for kind in KINDS]
    assert added[0] == "What moves the outcome most? 3 uncertain inputs, 6 samples"
    assert added[1] == "How sure are we? air vs liquid, 6 samples"
    assert "6 designs" in added[2]
    assert added[3] == "2-D sweep of base: racks.count × grid.price.flat_usd_per_kwh"
    assert [t for t in grid_titles if t not in plain] == [added[3]]
    pages = export_report(full, tmp_path / "studies.pdf")
    assert pages == export_report(ReportInput(scenario, compared, "air"), tmp_path / "p.pdf") + 4
    assert (tmp_path / "studies.pdf").read_bytes().startswith(b"%PDF")


def test_sweep_pages_name_the_variant_swept(qapp, studies):
    from ui.report import ReportInput, build_pages
    from ui.report_studies import DecisionStudies

    scenario, compared, _ = studies
    day = StudyOptions(86400.0, 3600.0, series=("it_power_kw",), max_points=None)
    racks = parse_param(scenario, "racks.count")
    one_d = sweep(scenario, racks, [16, 32], variant="liquid", options=day)
    grid = sweep2d(
        scenario, racks, [16, 32], parse_param(scenario, "grid.price.flat_usd_per_kwh"), [0.1],
        variant="air", options=day,
    )  # fmt: skip
    assert (one_d.variant, grid.variant) == ("liquid", "air")
    data = ReportInput(
        scenario, compared, "air", sweep=one_d, decisions=DecisionStudies(sweep2d=grid)
    )
    image = QImage(2000, 1400, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        titles = [t for t, _ in build_pages(data, painter, QRectF(0, 0, 2000, 1400))]
    finally:
        painter.end()
    sweeps = [t for t in titles if "weep" in t]
    assert sweeps[0].startswith("Sweep of racks.count in liquid: ")
    assert sweeps[1].startswith("Sweep of racks.count in liquid: KPIs per value")
    assert "2-D sweep of air: racks.count × grid.price.flat_usd_per_kwh" in sweeps


def test_each_study_page_draws_its_results(qapp, studies):
    from ui.report_study_charts import HIGH_COLOR, LOW_COLOR

    _, _, decisions = studies
    tornado = _colors(_render(decisions, "tornado"))
    assert LOW_COLOR.rgb() & 0xFFFFFF in tornado and HIGH_COLOR.rgb() & 0xFFFFFF in tornado
    fans = _colors(_render(decisions, "uncertainty_fans"))
    assert len(fans) > 40  # two variants' bands, lines and the percentile table
    heat = _render(decisions, "heatmap")
    import pyqtgraph as pg

    viridis = pg.colormap.get("viridis")
    top, bottom = (viridis.map(f, mode="qcolor").rgb() & 0xFFFFFF for f in (1.0, 0.0))
    colors = _colors(heat)
    # The most expensive cell (most racks, highest price) is yellow, the cheapest dark purple.
    assert top in colors and bottom in colors
    assert len(_colors(_render(decisions, "optimize"))) > 20


def test_pareto_chart_and_tables_come_from_the_optimizer(studies):
    from ui.report_studies import optimize_tables, pareto_chart_spec

    _, _, decisions = studies
    opt = decisions.optimize
    chosen = decisions.chosen_trial()
    assert chosen is opt.best and chosen.feasible
    spec = pareto_chart_spec(opt, chosen)
    front = opt.pareto()
    (line,) = spec.curves
    np.testing.assert_array_equal(line.x, [t.kpis["training_time_days"] for t in front])
    dots = {m.label: m for m in spec.markers}
    usable = [t for t in opt.trials if math.isfinite(t.kpis.get("training_time_days", math.nan))]
    verdicts = ("meets constraints", "breaks a constraint")
    n_dots = sum(len(m.x) for label, m in dots.items() if label in verdicts)
    assert n_dots == len(usable)
    star = dots["chosen design"]
    assert star.shape == "star" and star.y[0] == chosen.objective
    variables, constraints, front_rows = optimize_tables(opt, chosen)
    assert [r[0] for r in variables[1]] == ["racks.count", "variant"]
    assert [r[2] for r in variables[1]] == [str(chosen.params[v.name]) for v in opt.variables]
    assert constraints[1] == [["training_time_days<=6", constraints[1][0][1], "yes"]]
    assert len(front_rows[1]) == len(front)
    # Another selected design is the one starred.
    other = next(t for t in opt.trials if t is not chosen)
    decisions.optimize_trial = other.number
    try:
        assert decisions.chosen_trial() is other
    finally:
        decisions.optimize_trial = None


def test_probability_line_reads_the_paired_samples(studies):
    from ui.report_studies import probability_text, tie_share, tornado_kpis

    _, _, decisions = studies
    unc = decisions.uncertainty
    keys = tornado_kpis(unc, "cost_per_trained_model_usd")
    assert keys == ["cost_per_trained_model_usd", "training_time_days"]
    text = probability_text(unc, keys)
    p = unc.probability_better("air", "liquid", keys[0])
    assert text.startswith(f"P(liquid beats air) on cost per trained model {p * 100:.0f} %")
    assert text.endswith("over 6 paired samples")
    air, liquid = (unc.kpis[v]["training_time_days"] for v in ("air", "liquid"))
    assert tie_share(unc, "training_time_days") == pytest.approx(np.mean(air == liquid))


def test_slides_show_the_decision_studies_after_the_others(qtbot, studies):
    from ui.presentation import PresentationWindow

    scenario, compared, decisions = studies
    window = PresentationWindow(scenario, compared, "air", decisions=decisions, dark=True)
    qtbot.addWidget(window)
    kinds = [s.kind for s in window.slides]
    assert kinds[-4:] == KINDS
    assert kinds[:4] == ["title", "variant", "variant", "comparison"]
    window.resize(1280, 720)
    window.go_to(len(kinds) - 4)
    assert len(_colors(window.grab().toImage())) > 20


class _RecordingPainter(QPainter):
    """A painter that keeps every text it draws (the page's words, in drawing order)."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.texts: list[str] = []

    def drawText(self, *args) -> None:
        if isinstance(args[-1], str):
            self.texts.append(args[-1])
        super().drawText(*args)


def test_tornado_names_an_input_left_out_for_want_of_any_value(qapp):
    from aifactory_twin.study.uncertainty import TornadoBar
    from ui.report_study_charts import draw_tornado
    from ui.theme import LIGHT

    key = "training_time_days"
    finished = TornadoBar("train.target_mfu", 0.35, 0.45, 6.5, 5.3)
    late = TornadoBar("racks.delivery.lead_time_days", 0.4, 2.8, 5.4, math.nan)  # not trained
    never = TornadoBar("racks.count", 8, 16, math.nan, math.nan)  # not trained at either end

    def texts(bars) -> list[str]:
        image = QImage(1200, 700, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = _RecordingPainter(image)
        draw_tornado(painter, QRectF(0, 0, 1200, 700), key, bars, 5.85, LIGHT)
        painter.end()
        return painter.texts

    drawn = texts([late, finished, never])
    assert "Not shown: no time to train at either end of racks.count" in drawn
    # One end with a value: a row of its own (the other end hatched), not a note.
    assert "racks.delivery.lead_time_days" in drawn
    assert not any(t.startswith("Not shown") for t in texts([late, finished]))


def test_a_tornado_end_without_a_value_is_drawn_hatched_to_the_edge(qapp):
    # One input whose P90 leaves no trained model: before, the chart dropped it (blank page).
    from aifactory_twin.study.uncertainty import TornadoBar
    from ui.report_study_charts import HIGH_COLOR, draw_tornado
    from ui.theme import LIGHT

    bars = [TornadoBar("racks.delivery.lead_time_days", 0.36, 2.79, 215e3, math.nan)]
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(QColor(LIGHT.background))
    painter = QPainter(image)
    try:
        draw_tornado(painter, QRectF(0, 0, 800, 500), "cost_per_trained_model_usd", bars,
                     203e3, LIGHT, 1.0)  # fmt: skip
    finally:
        painter.end()
    high = HIGH_COLOR.rgb() & 0xFFFFFF
    xs = [x for x in range(800) for y in range(0, 500, 2) if image.pixel(x, y) & 0xFFFFFF == high]
    assert xs, "the missing P90 end is drawn"
    assert max(xs) > 700  # out to the worse (higher cost) edge of the plot
