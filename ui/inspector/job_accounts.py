"""JobAccountBox: a workload's energy, carbon, cost and GPU-hours in the run (issue 10).

Under a training job's or inference service's form in the Scenario dock. It shows the row of
``kpis["job_accounting"]`` for the workload (definitions in ``aifactory_twin/sim/stages/
accounts.py``), refreshed with the live view's panels during a run and kept after it; before a
run it says how to get the numbers.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from aifactory_twin.formatting import format_money, format_quantity

# (row key, label, tooltip); the value is formatted by ``_format``.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("energy_kwh", "Energy", "IT energy of its accelerators and their hosts + facility share"),
    ("gpu_energy_kwh", "  GPUs", "Its accelerators' energy at the power of what they did"),
    ("host_energy_kwh", "  Hosts", "Its share of the servers' host power (CPUs, NICs, fans)"),
    (
        "facility_share_kwh",
        "  Facility share",
        "Cooling, power losses, misc and no-load power, shared by IT power every step",
    ),
    ("carbon_kg_co2", "Carbon", "Its energy × the grid's carbon intensity of each step"),
    (
        "cost_usd",
        "Cost",
        "Its energy cost + its share of capex, maintenance and staff by accelerators held "
        "+ rented cloud accelerators",
    ),
    ("gpu_hours", "GPU-hours", "Accelerators held (on site and cloud) × time"),
)
NO_RUN = "Run the simulation to see this workload's energy, carbon and cost."


def _format(key: str, value: float) -> str:
    if key == "carbon_kg_co2":
        return format_quantity(value, "kg CO₂")
    if key == "cost_usd":
        return format_money(value)
    if key == "gpu_hours":
        return format_quantity(value, "GPU·h")
    return format_quantity(value, "kWh")


class JobAccountBox(QWidget):
    """The selected workload's line of the run's per-job accounting."""

    def __init__(self, workload_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("job_account_box")
        self.workload_id = workload_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(QLabel("<b>Energy, carbon and cost in the run</b>"))
        self.note = QLabel(NO_RUN)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray")
        layout.addWidget(self.note)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.values: dict[str, QLabel] = {}
        for key, label, tip in ROWS:
            value = QLabel()
            value.setToolTip(tip)
            caption = QLabel(label)
            caption.setToolTip(tip)
            form.addRow(caption, value)
            self.values[key] = value
        layout.addLayout(form)
        self.show_accounting(None)

    def show_accounting(self, accounting: dict[str, Any] | None) -> None:
        """Show this workload's row of ``kpis["job_accounting"]`` (None: no run yet)."""
        rows = (accounting or {}).get("workloads") or []
        row = next((r for r in rows if r["id"] == self.workload_id), None)
        self.note.setVisible(row is None)
        for key, label in self.values.items():
            label.setText("" if row is None else _format(key, float(row[key])))

    def texts(self) -> dict[str, str]:
        """Shown value per row key (for tests and the report)."""
        return {key: label.text() for key, label in self.values.items()}
