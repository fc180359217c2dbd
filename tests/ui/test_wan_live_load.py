"""A live run colours each WAN link on the canvas by its load (issue 14).

hybrid-burst's "cloud over a 100 Mbps VPN" saturates its one link at the afternoon peak: while
it does, the edge turns red and its label gives the load; at night it is blue again; a reset
takes the live look away.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editor_support import live_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor

from aifactory_twin.commands import SetEdgeField
from aifactory_twin.resources import scenes_dir
from ui.canvas.edge_item import WAN_LOAD_COLORS, wan_label
from ui.live.live_view import LiveView

HOUR_S = 3600.0
LINK = "wan-site--cloud-region"


def test_a_saturated_wan_link_turns_red_with_its_load_and_resets(
    qtbot: Any, tmp_path: Path
) -> None:
    with live_window(tmp_path, scenes_dir() / "hybrid-burst.aift.json") as window:
        lv: LiveView = window.live
        lv.controls.variant.setCurrentIndex(
            lv.controls.variant.findData("cloud over a 100 Mbps VPN")
        )
        item = window.scene.edge_items[LINK]
        own = item._pen.color().name()
        assert item.label == wan_label(item.edge) and item.load is None
        seen: dict[str, float] = {}
        for _ in range(48):  # hour by hour through two days
            lv.run_headless(HOUR_S)
            engine = lv.controller.engine
            assert engine is not None
            load, gbps = engine.wan_load()[LINK]
            assert item.load == (load, gbps)
            # The run's bandwidth (the variant's 100 Mb/s), not the base's 100 Gb/s on the card.
            assert abs(gbps - 0.1) < 1e-9 and "100 Gb/s" in wan_label(item.edge)
            assert item.label == f"{load * 100:,.0f} % of 100 Mb/s"
            color = item._pen.color().name()
            if load >= 1.0:
                assert color == QColor(WAN_LOAD_COLORS[0][1]).name()
                assert "asked for" in item.toolTip()
                seen["saturated"] = load
            elif load < 0.7:
                assert color == own
                seen["light"] = load
        # The peak asks the VPN for more than it carries (the alarm says so too); the night not.
        assert seen.keys() == {"saturated", "light"}, seen
        assert any(g.kind == "wan_saturated" for g in lv.alarms.shown_groups())
        lv.controls.reset_action.trigger()
        assert item.load is None and item.label == wan_label(item.edge)
        assert item._pen.color().name() == own


def test_the_link_label_shows_the_active_variants_latency_and_bandwidth(
    qtbot: Any, tmp_path: Path
) -> None:
    with live_window(tmp_path, scenes_dir() / "hybrid-burst.aift.json") as window:
        item = window.scene.edge_items[LINK]
        assert item.label == "35 ms · 100 Gb/s"
        # The user picks the VPN variant in the Variants panel with the mouse.
        panel = window.variants_panel
        names = [panel.list.item(i).text() for i in range(panel.list.count())]
        row = names.index("cloud over a 100 Mbps VPN")
        rect = panel.list.visualItemRect(panel.list.item(row))
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.variant_session.active == "cloud over a 100 Mbps VPN"
        assert item.label == "35 ms · 100 Mb/s"
        assert "100 Mb/s" in item.toolTip() and "100 Gb/s" not in item.toolTip()
        # Back on the base (a click on its row), the user edits the link's latency...
        first = panel.list.visualItemRect(panel.list.item(0))
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
        assert window.variant_session.active is None
        assert item.label == "35 ms · 100 Gb/s"
        window.push(SetEdgeField(window.doc, LINK, "latency_ms", 12.0))
        item = window.scene.edge_items[LINK]
        assert item.label == "12 ms · 100 Gb/s"
        # ...which the variant inherits; undoing it under the variant puts 35 ms back there.
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert window.scene.edge_items[LINK].label == "12 ms · 100 Mb/s"
        window.findChild(QAction, "action_undo").trigger()
        assert window.doc.edge(LINK).latency_ms == 35.0
        assert window.scene.edge_items[LINK].label == "35 ms · 100 Mb/s"
