"""Every node kind is complete in the UI: a style entry, an icon file, a palette entry by label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from aifactory_twin.kinds import KIND_INFO
from aifactory_twin.schema import NODE_KINDS
from ui.canvas.items import node_subtitle
from ui.palette import PalettePanel
from ui.resources import KIND_STYLES, icon_path, kind_color, kind_pixmap


def test_every_kind_has_a_style_and_an_icon_file(qtbot: Any) -> None:
    assert set(KIND_STYLES) == set(NODE_KINDS)
    for kind in NODE_KINDS:
        style = KIND_STYLES[kind]
        assert Path(icon_path(style.icon)).is_file(), f"{kind}: missing icon {style.icon}.svg"
        assert kind_color(kind).isValid()
        assert not kind_pixmap(kind, 32).toImage().isNull()


def test_a_kind_without_style_still_draws(qtbot: Any) -> None:
    """A newer file's kind gets a grey block and no icon instead of a crash."""
    assert kind_color("fusion_reactor").name() == "#808080"
    assert kind_pixmap("fusion_reactor", 16).width() == 16


def test_palette_lists_every_kind_by_its_registry_label(qtbot: Any) -> None:
    panel = PalettePanel()
    qtbot.addWidget(panel)
    for kind in NODE_KINDS:
        entry = panel.entry_for(f"kind:{kind}")
        assert entry is not None and entry.text(0) == KIND_INFO[kind].label
    # The layer is searchable: typing "(power)" keeps exactly the power layer's kinds.
    qtbot.keyClicks(panel.search, "(power)")
    shown = {
        e.data(0, Qt.ItemDataRole.UserRole + 1)
        for e in panel.entries()
        if not e.isHidden() and str(e.data(0, Qt.ItemDataRole.UserRole + 1)).startswith("kind:")
    }
    power = {f"kind:{k}" for k in NODE_KINDS if KIND_INFO[k].layer == "power"}
    assert {"kind:power_feed", "kind:ups", "kind:pdu"} <= power
    assert shown == power


def test_canvas_subtitle_comes_from_the_registry() -> None:
    from aifactory_twin.commands import new_node

    pdu = new_node("pdu", "pdu-1", power_rating_kw=250.0)
    assert node_subtitle(pdu) == "PDU · 250 kW"
