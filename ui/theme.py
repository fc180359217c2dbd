"""Light and dark looks: one Theme for the app, the live charts, the studio, slides and PDF.

A Fusion palette plus the canvas colours, following the system scheme; the same Theme carries
the chart/page colours the studio, the presentation and the report paint with.

Qt 6.5+ reports the platform's colour scheme through QStyleHints; "system" follows it and
updates live when it changes. The canvas reads its colours from the active ``Theme`` in paint, so
switching needs only a viewport update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    canvas_bg: QColor
    grid_minor: QColor
    node_bg: QColor
    node_border: QColor
    node_text: QColor
    node_subtext: QColor
    selection: QColor
    group_fill: QColor
    group_border: QColor
    group_text: QColor
    tool_stroke: str
    # Charts, tables and pages: the live charts, the studio, the slides and the PDF.
    background: str = "#FFFFFF"
    foreground: str = "#1B1F24"
    muted: str = "#5B6470"
    grid: str = "#D9DDE3"
    panel: str = "#F3F5F8"

    @property
    def is_dark(self) -> bool:
        return self.name == "dark"


LIGHT = Theme(
    name="light",
    canvas_bg=QColor("#F4F6F9"),
    grid_minor=QColor("#E6E9EF"),
    node_bg=QColor("#FFFFFF"),
    node_border=QColor("#CBD2DC"),
    node_text=QColor("#1B2430"),
    node_subtext=QColor("#5F6B7A"),
    selection=QColor("#2F7CF6"),
    group_fill=QColor(47, 124, 246, 14),
    group_border=QColor("#AFC3E6"),
    group_text=QColor("#4C6488"),
    tool_stroke="#4a5361",
)

DARK = Theme(
    name="dark",
    canvas_bg=QColor("#1C1F24"),
    grid_minor=QColor("#24282F"),
    node_bg=QColor("#2A2F37"),
    node_border=QColor("#3D4450"),
    node_text=QColor("#E8ECF1"),
    node_subtext=QColor("#A3ADBA"),
    selection=QColor("#5C9BFF"),
    group_fill=QColor(92, 155, 255, 18),
    group_border=QColor("#3F5578"),
    group_text=QColor("#8FA8CF"),
    tool_stroke="#C9D1DC",
    background="#1B1E23",
    foreground="#F1F3F5",
    muted="#A7B0BC",
    grid="#39404A",
    panel="#23272E",
)

THEME_CHOICES = ("system", "light", "dark")


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    scheme = QGuiApplication.styleHints().colorScheme()
    return bool(scheme == Qt.ColorScheme.Dark)


def current() -> Theme:
    """The theme the application shows now, read from its palette (light when there is none).

    Windows opened after (studio, presentation) match the editor's choice, and a palette change
    (the user switches the theme) reaches every widget as a PaletteChange event.
    """
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return LIGHT
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return DARK if window.lightness() < 128 else LIGHT


def style_plots(view: Any, plots: Sequence[Any], theme: Theme) -> None:
    """Colour pyqtgraph plots for ``theme``: background, axes, titles and legends.

    ``view`` is the GraphicsView (PlotWidget or GraphicsLayoutWidget) holding ``plots``
    (PlotItems). Curves keep their own colours (variants, series).
    """
    view.setBackground(theme.background)
    legend_fill = QColor(theme.panel)
    legend_fill.setAlpha(215)
    for plot in plots:
        for name in ("left", "bottom", "right", "top"):
            axis = plot.getAxis(name)
            axis.setPen(theme.muted)
            axis.setTextPen(theme.foreground)
        title = plot.titleLabel
        if title.text:
            title.setText(title.text, color=theme.foreground)
        legend = plot.legend
        if legend is not None:
            legend.setBrush(legend_fill)
            legend.setPen(theme.grid)
            legend.setLabelTextColor(theme.foreground)


def resolve(choice: str) -> Theme:
    """The theme for a user choice: ``system`` follows the platform scheme."""
    if choice == "dark":
        return DARK
    if choice == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def apply_palette(app: QApplication, theme: Theme) -> None:
    """Fusion with a palette matching ``theme`` (Fusion looks the same on every platform)."""
    app.setStyle("Fusion")
    pal = QPalette()
    if theme.is_dark:
        window, base, text = QColor("#23272E"), QColor("#1B1E23"), QColor("#E3E7ED")
        button, highlight = QColor("#2C313A"), QColor("#3B7BE0")
        alt, mid = QColor("#262A31"), QColor("#3A404A")
        disabled = QColor("#7C8594")
    else:
        window, base, text = QColor("#EEF1F5"), QColor("#FFFFFF"), QColor("#1B2430")
        button, highlight = QColor("#F7F8FA"), QColor("#2F7CF6")
        alt, mid = QColor("#F5F7FA"), QColor("#C9CFD8")
        disabled = QColor("#9AA3AF")
    role = QPalette.ColorRole
    pal.setColor(role.Window, window)
    pal.setColor(role.WindowText, text)
    pal.setColor(role.Base, base)
    pal.setColor(role.AlternateBase, alt)
    pal.setColor(role.Text, text)
    pal.setColor(role.Button, button)
    pal.setColor(role.ButtonText, text)
    pal.setColor(role.Highlight, highlight)
    pal.setColor(role.HighlightedText, QColor("#FFFFFF"))
    pal.setColor(role.ToolTipBase, base)
    pal.setColor(role.ToolTipText, text)
    pal.setColor(role.PlaceholderText, disabled)
    pal.setColor(role.Mid, mid)
    pal.setColor(role.Midlight, alt)
    pal.setColor(role.Light, base)
    pal.setColor(role.Dark, mid)
    pal.setColor(role.Link, highlight)
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    app.setPalette(pal)
