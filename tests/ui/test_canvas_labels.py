"""Zoomed out, the canvas still names its nodes: screen-size labels that never overlap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editor_support import live_window
from PySide6.QtGui import QImage, QPainter

from aifactory_twin.resources import scenes_dir
from ui.canvas.items import LOD_SIMPLE, NodeItem


def test_fit_all_names_the_nodes_at_screen_size_without_overlap(qtbot: Any, tmp_path: Path) -> None:
    with live_window(tmp_path, scenes_dir() / "training-cluster-1k.aift.json") as window:
        view = window.view
        view.fit_all()
        assert view.scale_factor < LOD_SIMPLE  # the cards are blocks without text here
        items = [i for i in window.scene.items() if isinstance(i, NodeItem)]
        labels = view.zoomed_out_labels(items)
        texts = [text for _rect, text in labels]
        # Every node that has room is named: 42 of 47 in the shipped auto-layout. Names are
        # dropped only in the teams-and-vendors block, whose columns (282 units apart) stand
        # closer on screen than a label is wide at this zoom.
        unnamed = {
            i.label for i in items if not any(i.label.startswith(t.rstrip("…")) for t in texts)
        }
        assert len(unnamed) <= 5
        assert len(labels) > 0.8 * len(items)
        assert any(t.startswith("Grid feed") for t in texts)
        assert any(t.startswith("Facilities") for t in texts)
        for i, (rect, _text) in enumerate(labels):
            assert all(not rect.intersects(other) for other, _ in labels[i + 1 :])
        # The selected node is named first, whatever its neighbours.
        crowded = window.scene.node_items["hall-a-row-2"]
        crowded.setSelected(True)
        first_rect, first_text = view.zoomed_out_labels(items)[0]
        assert first_text.startswith(crowded.label[:4])
        assert view.mapToScene(first_rect.center().toPoint()).y() > crowded.pos().y()
        # Labels are painted: the band under the selected rack has text-coloured pixels.
        image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
        image.fill(window.scene.theme.canvas_bg)
        painter = QPainter(image)
        view.draw_zoomed_out_labels(painter, items)
        painter.end()
        band = first_rect.toRect()
        dark = sum(
            1
            for x in range(band.left(), band.right())
            for y in range(band.top(), band.bottom())
            if image.pixelColor(x, y).value() < 128
        )
        assert dark > 20
