"""KPI tiles: the factory's headline numbers, updated live from ``engine.kpis()``.

Every value shown comes from the engine's KPI dict (keys as in ``kpis.json``, issue 3) or the
recorder's latest row; a tile whose key the engine does not report shows "—" rather than a
made-up number. Titles, tooltips (how the engine computes the figure) and number formats come
from the KPI registry, so a tile reads exactly as the report, the slides and the CLI do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from aifactory_twin.formatting import MISSING, format_count, format_percent, format_span
from aifactory_twin.kpi_registry import format_kpi, kpi_info

Formatter = Callable[[Mapping[str, Any], Mapping[str, float]], tuple[str, str]]
"""(kpis, latest recorded row) → (value text, subtitle text)."""


def _capex(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    headline = format_kpi("capex_usd", k.get("capex_usd"))
    by_year = k.get("investment_by_year_usd") or {}
    if len(by_year) > 1:
        return headline, " · ".join(f"{y} {format_kpi('capex_usd', v)}" for y, v in by_year.items())
    amortized = format_kpi("capex_amortized_usd", k.get("capex_amortized_usd"))
    return headline, f"amortized so far {amortized}"


def _pflops(k: Mapping[str, Any], latest: Mapping[str, float]) -> tuple[str, str]:
    # The headline is the latest tick; the KPI (the run's mean) is the subtitle.
    now = format_kpi("delivered_pflops_mean", latest.get("delivered_pflops"))
    return now, f"mean {format_kpi('delivered_pflops_mean', k.get('delivered_pflops_mean'))}"


def _jobs(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    jobs = k.get("jobs") or []
    if not isinstance(jobs, list) or not jobs:
        return "no jobs", "no training job in the scenario"
    if len(jobs) > 1 and k.get("queue_length_max"):
        # A queue of many jobs (a job mix, a trace): the first job's ETA says little.
        done = sum(1 for j in jobs if j.get("completed"))
        wait = format_kpi("queue_wait_mean_h", k.get("queue_wait_mean_h"))
        p95 = format_kpi("queue_wait_p95_h", k.get("queue_wait_p95_h"))
        queued = format_kpi("jobs_waiting", k.get("jobs_waiting"))
        return f"{done} of {len(jobs)} done", f"{queued} queued · wait mean {wait}, P95 {p95}"
    # The headline is the first job; the subtitle names it and counts the others.
    first = jobs[0]
    value = _job_status(first)
    sub = str(first.get("name", "job"))
    if len(jobs) > 1:
        sub += f" (+{len(jobs) - 1} more: " + "; ".join(_job_status(j) for j in jobs[1:3]) + ")"
    return value, sub


def _job_status(job: Mapping[str, Any]) -> str:
    if job.get("completed") and job.get("training_time_h") is not None:
        return f"done in {_hours(job['training_time_h'])}"
    pct = format_percent(job.get("progress"), 0)
    eta = job.get("eta_h")
    return f"{pct} · ETA {_hours(eta) if isinstance(eta, int | float) else MISSING}"


def _hours(hours: float) -> str:
    return "never" if math.isinf(hours) else format_span(hours * 3600.0)


def _share(key: str, sub: Callable[[Mapping[str, Any]], str]) -> Formatter:
    def fmt(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
        return format_kpi(key, k.get(key)), sub(k)

    return fmt


def _launches(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    rate = format_kpi("product_launches_per_year", k.get("product_launches_per_year"))
    lead = k.get("launch_lead_time_mean_days")
    lead_text = "" if lead is None else f" · lead {format_kpi('launch_lead_time_mean_days', lead)}"
    return rate, f"{format_count(k.get('product_launches') or 0)} launched{lead_text}"


def _pue(k: Mapping[str, Any], latest: Mapping[str, float]) -> tuple[str, str]:
    return format_kpi("pue", k.get("pue")), f"now {format_kpi('pue', latest.get('pue'))}"


def _energy(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    cost = format_kpi("energy_cost_usd", k.get("energy_cost_usd"))
    return format_kpi("facility_energy_mwh", k.get("facility_energy_mwh")), f"cost {cost}"


def _gpu_hour(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    hours = k.get("gpu_hours_delivered")
    delivered = MISSING if hours is None else f"{format_count(hours)} GPU·h delivered"
    return format_kpi("cost_per_gpu_hour_usd", k.get("cost_per_gpu_hour_usd")), delivered


@dataclass(frozen=True)
class TileSpec:
    """A tile: its headline KPI (title and tooltip come from the KPI registry) and formatter."""

    key: str
    kpi: str
    format: Formatter
    note: str = ""
    """What the tile adds to the KPI's formula (its subtitle), for the tooltip."""

    @property
    def title(self) -> str:
        return kpi_info(self.kpi).caption if self.kpi else _JOBS_TITLE

    @property
    def tooltip(self) -> str:
        formula = kpi_info(self.kpi).formula if self.kpi else _JOBS_TOOLTIP
        return f"{formula} {self.note}".strip()


_JOBS_TITLE = "Training time / ETA"
_JOBS_TOOLTIP = (
    "First training job: progress = FLOPs done / (6·N·D or total_flops); ETA = remaining FLOPs "
    "at the job's current delivered rate; once complete, its training time (restarts from the "
    "last checkpoint included). Other jobs in the subtitle. Once jobs have queued: jobs done of "
    "all, jobs queued now and the queue wait (mean, 95th percentile)."
)

TILE_SPECS: tuple[TileSpec, ...] = (
    TileSpec(
        "capex",
        "capex_usd",
        _capex,
        "Subtitle: investment per calendar year of delivery (the facility build-out in the "
        "start year) when deliveries span several years, else the amortized share so far.",
    ),
    TileSpec("pflops", "delivered_pflops_mean", _pflops, "Headline: the latest tick."),
    TileSpec("jobs", "", _jobs),
    TileSpec(
        "automation",
        "automation_rate",
        _share("automation_rate", lambda k: f"{format_count(k.get('incidents') or 0)} incidents"),
    ),
    TileSpec(
        "retention",
        "talent_retention",
        _share("talent_retention", lambda k: f"headcount {format_count(k.get('headcount_end'))}"),
    ),
    TileSpec(
        "launches",
        "product_launches_per_year",
        _launches,
        "Subtitle: models launched and the mean days from end of training to launch.",
    ),
    TileSpec("pue", "pue", _pue, "Subtitle: the latest tick."),
    TileSpec("energy", "facility_energy_mwh", _energy, "Subtitle: its energy cost."),
    TileSpec("gpu_hour", "cost_per_gpu_hour_usd", _gpu_hour),
)


class KpiTile(QFrame):
    def __init__(self, spec: TileSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("kpiTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(f"<b>{spec.title}</b><br>{spec.tooltip}")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        self.title = QLabel(spec.title.upper())
        self.value = QLabel(MISSING)
        self.sub = QLabel("")
        self.title.setStyleSheet("font-size: 7.5pt; color: #7A8494; letter-spacing: 0.5px;")
        self.value.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.sub.setStyleSheet("font-size: 8pt;")
        self.sub.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.title, self.value, self.sub):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            # Long texts must not widen the window: the tile's width comes from the grid.
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            layout.addWidget(label)

    def set_values(self, value: str, sub: str) -> None:
        if self.value.text() != value:
            self.value.setText(value)
        if self.sub.text() != sub:
            self.sub.setText(sub)


class KpiTilesWidget(QWidget):
    """All tiles in a grid whose column count follows the widget's width."""

    TILE_MIN_WIDTH_PX = 170

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, KpiTile] = {s.key: KpiTile(s, self) for s in TILE_SPECS}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setSpacing(4)
        self._columns = 0
        self._relayout(3)

    def update_kpis(self, kpis: Mapping[str, Any], latest: Mapping[str, float]) -> None:
        """Show ``kpis`` (engine.kpis()) and the recorder's ``latest`` row."""
        for tile in self.tiles.values():
            value, sub = tile.spec.format(kpis, latest)
            tile.set_values(value, sub)

    def clear(self) -> None:
        for tile in self.tiles.values():
            tile.set_values(MISSING, "")

    def values(self) -> dict[str, str]:
        return {key: tile.value.text() for key, tile in self.tiles.items()}

    def resizeEvent(self, event: QResizeEvent) -> None:
        columns = max(1, min(len(self.tiles), event.size().width() // self.TILE_MIN_WIDTH_PX))
        self._relayout(columns)
        super().resizeEvent(event)

    def _relayout(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self._grid.removeWidget(tile)
            self._grid.addWidget(tile, i // columns, i % columns)
        rows = -(-len(self.tiles) // columns)
        tile_h = max(t.sizeHint().height() for t in self.tiles.values())
        margins = self._grid.contentsMargins()
        self.setFixedHeight(
            rows * tile_h + (rows - 1) * self._grid.spacing() + margins.top() + margins.bottom()
        )
