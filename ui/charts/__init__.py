"""Live charts of a running simulation: power, heat, utilization and cost, with export."""

from __future__ import annotations

from ui.charts.panel import ChartsPanel, LiveChart

__all__ = ["ChartsPanel", "LiveChart"]
