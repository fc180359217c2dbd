"""Icons and colours shared by every part of the editor (labels live in aifactory_twin.kinds).

Icons are the SVG files in ``assets/icons``, the package data ``ui.assets`` (setup.py maps the
folder), found with importlib.resources so a checkout and any installed copy behave the same.
Pixmaps are rendered once per size and cached: the canvas paints thousands of node items and must
not parse SVG in ``paint``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from aifactory_twin.resources import package_folder


@dataclass(frozen=True)
class KindStyle:
    """How a node kind looks: its icon (an SVG stem in ``assets/icons``) and its colour."""

    icon: str
    color: str
    """Same hue as the SVG's background, so a zoomed-out block matches its icon."""


# The one style table for node kinds (canvas, palette, inspector, report diagram). What a kind
# *is* (label, id prefix, roles) lives in aifactory_twin.kinds; tests/ui check both cover every
# kind and that every icon file exists.
KIND_STYLES: dict[str, KindStyle] = {
    "compute_rack": KindStyle("compute_rack", "#3B6FE0"),
    "network_switch": KindStyle("network_switch", "#7C4DDB"),
    "cooling_unit": KindStyle("cooling_unit", "#0FA3C0"),
    "power_feed": KindStyle("power_feed", "#E09400"),
    "ups": KindStyle("ups", "#E5671B"),
    "pdu": KindStyle("pdu", "#C9820A"),
    "storage": KindStyle("storage", "#13A37A"),
    "staff_team": KindStyle("staff_team", "#D6457F"),
    "cloud_burst": KindStyle("cloud_burst", "#4A8DD8"),
    "vendor": KindStyle("vendor", "#8A6D3B"),
    "site": KindStyle("site", "#2E8B57"),
    "dataset": KindStyle("dataset", "#5D4037"),
}
_UNKNOWN_KIND = KindStyle("", "#808080")

# Edge kind → (colour, Qt pen style, width in scene units). Each kind differs in both colour and
# dash so the drawing still reads for colour-blind users and in greyscale prints.
EDGE_STYLES: dict[str, tuple[str, Qt.PenStyle, float]] = {
    "power": ("#E09400", Qt.PenStyle.SolidLine, 2.6),
    "coolant": ("#0FA3C0", Qt.PenStyle.DashLine, 2.2),
    "network": ("#7C4DDB", Qt.PenStyle.SolidLine, 1.6),
    "data": ("#13A37A", Qt.PenStyle.DashDotLine, 2.0),
    "support": ("#D6457F", Qt.PenStyle.DotLine, 1.6),
    "wan": ("#2F6FDE", Qt.PenStyle.DashDotDotLine, 3.0),
}

# Finding severity → badge colour.
STATUS_COLORS: dict[str, str] = {
    "ok": "#22A55B",
    "warning": "#E5A100",
    "error": "#E0483E",
}

_TOOL_STROKE = "#5b6573"  # the stroke colour the toolbar SVGs are drawn with


def icon_path(name: str) -> str:
    return str(package_folder("ui.assets") / "icons" / f"{name}.svg")


@cache
def kind_pixmap(kind: str, size_px: int) -> QPixmap:
    """The kind's icon rendered at ``size_px`` (device pixels), cached."""
    return _render_svg(icon_path(kind_style(kind).icon), size_px)


def kind_icon(kind: str) -> QIcon:
    return QIcon(icon_path(kind_style(kind).icon))


def kind_style(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, _UNKNOWN_KIND)


@cache
def tool_icon(name: str, stroke: str = _TOOL_STROKE) -> QIcon:
    """A toolbar icon recoloured to ``stroke`` (dark themes pass a light colour)."""
    path = Path(icon_path(f"tool_{name}"))
    if not path.is_file():
        return QIcon()
    data = path.read_text(encoding="utf-8").replace(_TOOL_STROKE, stroke)
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_render_svg_bytes(data.encode(), size))
    return icon


def _render_svg(path: str, size_px: int) -> QPixmap:
    if not os.path.isfile(path):  # a kind without a style (a newer file): no icon, no crash
        blank = QPixmap(size_px, size_px)
        blank.fill(Qt.GlobalColor.transparent)
        return blank
    with open(path, "rb") as fh:
        return _render_svg_bytes(fh.read(), size_px)


def _render_svg_bytes(data: bytes, size_px: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(data))
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size_px, size_px))
    painter.end()
    return QPixmap.fromImage(image)


def kind_color(kind: str) -> QColor:
    return QColor(kind_style(kind).color)
