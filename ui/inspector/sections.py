"""Collapsible form sections, and which section each top-level node field belongs to.

A rack has twenty-odd fields; one long list in a narrow dock reads as a cramped scroll area.
The inspector groups them (General, Cooling, Thermal limits, Power, Reliability, Cost, …) under
headers that fold; what a user folded stays folded for the session, whichever node they pick.
Nested models (Position, Delivery, Price) are sections of their own already.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

GENERAL = "General"
SPECIFICATION = "Specification"
# Explicit homes first; the name rules in ``node_field_section`` place the rest.
_FIELD_SECTIONS: dict[str, str] = {
    "id": GENERAL,
    "name": GENERAL,
    "count": GENERAL,
    "group": GENERAL,
    "cooling": "Cooling",
    "cooling_type": "Cooling",
    "nominal_cooling_capacity_kw": "Cooling",
    "cop": "Cooling",
    "fan_pump_power_fraction": "Cooling",
    "supply_temp_c": "Cooling",
    "free_cooling_below_c": "Cooling",
    "wue_l_per_kwh": "Cooling",
    "liquid_heat_fraction": "Cooling",
    "role": "Staffing",
    "headcount": "Staffing",
    "annual_attrition": "Staffing",
    "hiring_lead_time_days": "Staffing",
    "shift_coverage": "Staffing",
    "salary_usd_per_year": "Staffing",
    "market_salary_usd_per_year": "Staffing",
    "market_tightness": "Staffing",
    "ramp_up_days": "Staffing",
    "encryption_at_rest": "Security",
    "access_policy": "Security",
    "audit_logging": "Security",
    # Written off like capex; the series sits beside the feed's constant carbon intensity.
    "embodied_kg_co2e": "Cost",
    "grid_series_path": "Power",
}
SECTION_ORDER = (
    GENERAL,
    SPECIFICATION,
    "Staffing",
    "Power",
    "Cooling",
    "Thermal limits",
    "Security",
    "Reliability",
    "Cost",
)
_collapsed: set[str] = {"Position"}
"""Section titles folded this session (Position: x/y are set by dragging on the canvas)."""


def node_field_section(name: str) -> str:
    """The section a top-level node field is shown in."""
    if name in _FIELD_SECTIONS:
        return _FIELD_SECTIONS[name]
    if "failure" in name or "repair" in name:
        return "Reliability"
    if "capex" in name or "usd" in name:
        return "Cost"
    if name.endswith("_c") or name.startswith(("thermal_", "heat_")):
        return "Thermal limits"
    if name.endswith(("_w", "_kw", "_kwh")) or "power" in name or "efficiency" in name:
        return "Power"
    if "carbon" in name:
        return "Power"
    return SPECIFICATION


def section_rank(title: str) -> int:
    """Display order: the known sections in SECTION_ORDER, nested models after them."""
    return SECTION_ORDER.index(title) if title in SECTION_ORDER else len(SECTION_ORDER)


class Section(QWidget):
    """A header that folds its form: click the header (or press Space on it) to fold."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.header = QToolButton()
        self.header.setObjectName(f"section_{title.lower().replace(' ', '_')}")
        self.header.setText(title)
        self.header.setCheckable(True)
        self.header.setChecked(title not in _collapsed)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setAutoRaise(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setStyleSheet("QToolButton { font-weight: bold; text-align: left; }")
        self.header.toggled.connect(self._on_toggled)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(14, 0, 0, 4)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow dock a long label goes above its field instead of being clipped.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setVerticalSpacing(5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self._on_toggled(self.header.isChecked())

    @property
    def expanded(self) -> bool:
        return self.header.isChecked()

    def _on_toggled(self, expanded: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        if expanded:
            _collapsed.discard(self.title)
        else:
            _collapsed.add(self.title)
