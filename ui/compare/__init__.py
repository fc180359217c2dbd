"""The what-if studio window: compare variants, sweeps and Monte Carlo with charts and tables."""

from __future__ import annotations

from ui.compare.compare_view import (
    CompareWindow,
    export_report_for_document,
    open_compare_window,
    present_document,
)

__all__ = [
    "CompareWindow",
    "export_report_for_document",
    "open_compare_window",
    "present_document",
]
