"""KPI tiles: the factory's headline numbers, updated live from ``engine.kpis()``.

Every value shown comes from the engine's KPI dict (keys as in ``kpis.json``, issue 3) or the
recorder's latest row; a tile whose key the engine does not report shows "–" rather than a
made-up number. Each tooltip says how the engine computes the figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.charts.axes import format_value

Formatter = Callable[[Mapping[str, Any], Mapping[str, float]], tuple[str, str]]
"""(kpis, latest recorded row) → (value text, subtitle text)."""


def _num(kpis: Mapping[str, Any], key: str) -> float | None:
    value = kpis.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _fmt(value: float | None, unit: str) -> str:
    return "–" if value is None else format_value(value, unit)


def _capex(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    amortized = _num(k, "capex_amortized_usd")
    return _fmt(_num(k, "capex_usd"), "USD"), f"amortized so far {_fmt(amortized, 'USD')}"


def _pflops(k: Mapping[str, Any], latest: Mapping[str, float]) -> tuple[str, str]:
    now = latest.get("delivered_pflops")
    return _fmt(now, "PFLOP/s"), f"mean {_fmt(_num(k, 'delivered_pflops_mean'), 'PFLOP/s')}"


def _jobs(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    jobs = k.get("jobs") or []
    if not isinstance(jobs, list) or not jobs:
        return "no jobs", "no training job in the scenario"
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
    progress = job.get("progress")
    pct = f"{100 * float(progress):.0f} %" if isinstance(progress, int | float) else "–"
    eta = job.get("eta_h")
    eta_text = _hours(eta) if isinstance(eta, int | float) else "–"
    return f"{pct} · ETA {eta_text}"


def _hours(hours: float) -> str:
    if not math.isfinite(hours):
        return "never"
    return f"{hours / 24:.1f} d" if hours >= 48 else f"{hours:.1f} h"


def _fraction(key: str, sub: Callable[[Mapping[str, Any]], str]) -> Formatter:
    def fmt(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
        return _fmt(_num(k, key), "%"), sub(k)

    return fmt


def _launches(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    value = _num(k, "product_launches_per_year")
    return ("–" if value is None else f"{value:.1f} / yr"), "from completed training runs"


def _pue(k: Mapping[str, Any], latest: Mapping[str, float]) -> tuple[str, str]:
    return _fmt(_num(k, "pue"), "ratio"), f"now {_fmt(latest.get('pue'), 'ratio')}"


def _energy(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    mwh = _num(k, "facility_energy_mwh")
    text = "–" if mwh is None else (f"{mwh / 1000:,.2f} GWh" if mwh >= 1000 else f"{mwh:,.1f} MWh")
    return text, f"cost {_fmt(_num(k, 'energy_cost_usd'), 'USD')}"


def _gpu_hour(k: Mapping[str, Any], _: Mapping[str, float]) -> tuple[str, str]:
    hours = _num(k, "gpu_hours_delivered")
    return _fmt(_num(k, "cost_per_gpu_hour_usd"), "USD"), (
        "–" if hours is None else f"{hours:,.0f} GPU·h delivered"
    )


@dataclass(frozen=True)
class TileSpec:
    key: str
    title: str
    format: Formatter
    tooltip: str


TILE_SPECS: tuple[TileSpec, ...] = (
    TileSpec(
        "capex",
        "Investment (capex)",
        _capex,
        "Capex of the equipment that has arrived (node capex, or catalog price, × count) plus "
        "the facility build-out (settings.facility_capex_usd_per_kw × rated IT kW). Subtitle: "
        "the amortized share charged so far (straight line over settings.depreciation_years).",
    ),
    TileSpec(
        "pflops",
        "Data processing speed",
        _pflops,
        "Delivered PFLOP/s = Σ accelerators working × peak FLOP/s × MFU × network scaling "
        "efficiency × data-feed factor × thermal/power derate (latest tick); mean over the run "
        "below.",
    ),
    TileSpec(
        "jobs",
        "Training time / ETA",
        _jobs,
        "First training job: progress = FLOPs done / (6·N·D or total_flops); ETA = remaining "
        "FLOPs at the job's current delivered rate; once complete, its training time "
        "(restarts from the last checkpoint included). Other jobs in the subtitle.",
    ),
    TileSpec(
        "automation",
        "Automation rate",
        _fraction("automation_rate", lambda k: f"{int(k.get('incidents') or 0)} incidents"),
        "Incidents handled by MLOps automation without a technician / all incidents "
        "(settings.automation_level, where an MLOps team supports the node). '–' until the "
        "first incident.",
    ),
    TileSpec(
        "retention",
        "Talent retention",
        _fraction("talent_retention", lambda k: f"headcount {int(k.get('headcount_end') or 0)}"),
        "1 − departures / starting headcount. Departures come from each team's attrition "
        "hazard and injected staff departures; replacements arrive after the hiring lead time.",
    ),
    TileSpec(
        "launches",
        "Product launches",
        _launches,
        "Launches so far × (1 year / simulated time). Research teams turn completed training "
        "runs into launches by the rule documented in sim/models/staff.py.",
    ),
    TileSpec(
        "pue",
        "PUE",
        _pue,
        "Facility energy / IT energy over the run (an output, never an input): IT + cooling "
        "(fans, pumps, chillers by COP) + UPS/PDU losses + misc facility load.",
    ),
    TileSpec(
        "energy",
        "Energy",
        _energy,
        "Facility energy = ∫ facility power dt; cost at each feed's time-of-use price "
        "(or settings.default_price_usd_per_kwh) including injected price spikes.",
    ),
    TileSpec(
        "gpu_hour",
        "Cost per GPU-hour",
        _gpu_hour,
        "Total cost (amortized capex + energy + staff + maintenance + cloud) / GPU-hours "
        "allocated to workloads, on site and in the cloud.",
    ),
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
        self.value = QLabel("–")
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
            tile.set_values("–", "")

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
