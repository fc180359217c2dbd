"""The first-run empty state: a card on the empty canvas that points to the templates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.resources import scene_templates
from ui.file_ops import scene_title

MAX_TEMPLATE_BUTTONS = 6


# The small, friendly scenes first; the frontier-scale stress scene is no place to start.
FEATURED = (
    "starter-lab",
    "training-cluster-1k",
    "air-vs-liquid",
    "hybrid-burst",
    "edge-inference",
    "gb200-campus",
)


def featured_templates() -> list[tuple[str, Path]]:
    templates = scene_templates()
    ranked = sorted(
        templates.items(),
        key=lambda kv: (FEATURED.index(kv[0]) if kv[0] in FEATURED else len(FEATURED), kv[0]),
    )
    return ranked


class EmptyStateWidget(QFrame):
    """Shown over the canvas while the document has no nodes."""

    template_chosen = Signal(str)  # template path
    open_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("empty_state")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#empty_state { border: 1px solid palette(mid); border-radius: 12px;"
            " background: palette(base); }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(10)
        title = QLabel("<span style='font-size:16pt; font-weight:600'>Start a factory</span>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(
            "Drag a power feed, a UPS, a PDU and some racks from the palette, then drag from "
            "one node's port to another to connect them. Or begin from a template:"
        )
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        layout.addWidget(hint)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.template_buttons: list[QPushButton] = []
        for i, (name, path) in enumerate(featured_templates()[:MAX_TEMPLATE_BUTTONS]):
            button = QPushButton(scene_title(str(path)) or name.replace("-", " ").title())
            button.setToolTip(f"New factory from the template {path.name}")
            button.setMinimumHeight(30)
            button.clicked.connect(lambda _c=False, p=str(path): self.template_chosen.emit(p))
            grid.addWidget(button, i // 2, i % 2)
            self.template_buttons.append(button)
        layout.addLayout(grid)
        open_button = QPushButton("Open a file…")
        open_button.setToolTip("Open an existing .aift.json factory (Ctrl+O)")
        open_button.setFlat(True)
        open_button.clicked.connect(self.open_requested.emit)
        layout.addWidget(open_button, 0, Qt.AlignmentFlag.AlignCenter)
        self.setFixedWidth(460)
        self.adjustSize()

    def reposition(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        self.adjustSize()
        x = (parent.width() - self.width()) // 2
        y = max((parent.height() - self.height()) // 2 - 40, 10)
        self.move(x, y)
        self.raise_()
