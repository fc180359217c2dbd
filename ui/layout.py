"""The main window's default dock layout (first start and View › Reset Layout).

The canvas is the work: it gets the middle of the window. Palette and history share a narrow
left column; inspector, scenario and variants share the right one; charts and KPIs share one
bottom tab group with validation and alarms beside them. (Variants below the inspector took
the height the charts need.) In a 1440×900 window
this leaves the canvas about 870×530 px (it had ≈700×250 with the docks stacked as created).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

LEFT_PX = 230
RIGHT_PX = 330
BOTTOM_FRACTION = 0.31  # of the window height
BOTTOM_MIN_PX = 200

Area = Qt.DockWidgetArea
# (area, tab group) per dock object name; the first dock of each group is raised.
DEFAULT_PLACES: dict[str, tuple[Area, int]] = {
    "palette_dock": (Area.LeftDockWidgetArea, 0),
    "history_dock": (Area.LeftDockWidgetArea, 0),
    "inspector_dock": (Area.RightDockWidgetArea, 1),
    "scenario_dock": (Area.RightDockWidgetArea, 1),
    "variants_dock": (Area.RightDockWidgetArea, 1),
    "charts_dock": (Area.BottomDockWidgetArea, 3),
    "jobs_dock": (Area.BottomDockWidgetArea, 3),
    "kpi_dock": (Area.BottomDockWidgetArea, 3),
    "validation_dock": (Area.BottomDockWidgetArea, 4),
    "alarms_dock": (Area.BottomDockWidgetArea, 4),
}


def _docks(window: QMainWindow) -> dict[str, QDockWidget]:
    found = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    return {name: found[name] for name in DEFAULT_PLACES if name in found}


def apply_default_layout(window: QMainWindow) -> None:
    """Put every known dock in its default place, shown, with the default sizes.

    Call once the window has been shown: Qt 6.10 leaves a ghost tab bar for tab groups made
    before the first show.
    """
    docks = _docks(window)
    groups: dict[int, list[QDockWidget]] = {}
    for name, dock in docks.items():
        dock.setFloating(False)
        window.removeDockWidget(dock)
        groups.setdefault(DEFAULT_PLACES[name][1], []).append(dock)
    # Leaders first, split side by side (bottom) or one above the other (right); then the rest
    # of each group as tabs behind its leader. (Splitting a dock that is already in a tab
    # group pulls it out of the group, so tabs come last.)
    by_area: dict[Area, list[QDockWidget]] = {}
    for members in groups.values():
        leader = members[0]
        area = DEFAULT_PLACES[leader.objectName()][0]
        window.addDockWidget(area, leader)
        leader.show()
        by_area.setdefault(area, []).append(leader)
    for area, leaders in by_area.items():
        bottom = area == Area.BottomDockWidgetArea
        orientation = Qt.Orientation.Horizontal if bottom else Qt.Orientation.Vertical
        for first, second in itertools.pairwise(leaders):
            window.splitDockWidget(first, second, orientation)
    # Sized before the tabs are made: resizeDocks leaves docks in a tab group as they are.
    _size(window, docks)
    for members in groups.values():
        for other in members[1:]:
            window.tabifyDockWidget(members[0], other)
            other.show()
        members[0].raise_()


def _size(window: QMainWindow, docks: dict[str, QDockWidget]) -> None:
    width, height = max(window.width(), 800), max(window.height(), 600)
    horizontal = [
        (docks[name], px)
        for name, px in (("palette_dock", LEFT_PX), ("inspector_dock", RIGHT_PX))
        if name in docks
    ]
    if horizontal:
        window.resizeDocks(
            [d for d, _ in horizontal], [px for _, px in horizontal], Qt.Orientation.Horizontal
        )
    bottom = [docks[n] for n in ("charts_dock", "validation_dock") if n in docks]
    if bottom:
        bottom_px = max(int(height * BOTTOM_FRACTION), BOTTOM_MIN_PX)
        window.resizeDocks(bottom[:1], [bottom_px], Qt.Orientation.Vertical)
    if len(bottom) == 2:
        window.resizeDocks(
            bottom, [int(width * 0.68), int(width * 0.32)], Qt.Orientation.Horizontal
        )
