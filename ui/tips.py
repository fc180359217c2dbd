"""First-run tips: a small card in the canvas corner that walks through the editor in six steps.

Shown once on first start (remembered in QSettings as ``tips/seen``), again from Help › Tips.
It is a child of the canvas, not a dialog, so it never takes the keyboard or blocks the window:
a new user can follow a tip while it stays in view.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

SEEN_KEY = "tips/seen"
TIPS: tuple[tuple[str, str], ...] = (
    (
        "Place nodes",
        "Drag a power feed, a UPS, a PDU, racks and a cooling unit from the <b>Palette</b> "
        "on the left (or double-click an entry). A template (File › New from Template) is a "
        "quicker start.",
    ),
    (
        "Connect them",
        "Drag from a node's <b>output port</b> (the hollow circle on its right) to another "
        "node. The edge kind follows the rules; power and coolant always run out of the "
        "output into the input (the dot on the left), whichever way you drag.",
    ),
    (
        "Edit values",
        "Select a node and type in the <b>Inspector</b>; Enter applies. <b>Ctrl+Z</b> undoes, "
        "even with the cursor still in the field.",
    ),
    (
        "Tidy up",
        "Arrow keys nudge, right-click aligns and distributes, <b>Ctrl+L</b> lays the whole "
        "factory out by flow. <b>Ctrl+F</b> finds a node by name or id.",
    ),
    (
        "Check and run",
        "The <b>Validation</b> panel lists what would go wrong (no cooling, no workload…). "
        "Press <b>Run</b> in the simulation toolbar and watch the charts and KPIs.",
    ),
    (
        "Every action by name",
        "<b>Ctrl+Shift+P</b> opens the command palette: type what you want to do. "
        "View › Reset Layout puts the panels back.",
    ),
)


class TipsCard(QFrame):
    """The tour card: title, text, Back / Next, and Close (remembered)."""

    def __init__(self, parent: QWidget, settings: QSettings) -> None:
        super().__init__(parent)
        self.setObjectName("tips_card")
        self.settings = settings
        self.index = 0
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#tips_card { border: 1px solid palette(mid); border-radius: 10px;"
            " background: palette(base); }"
        )
        self.setFixedWidth(340)
        self.title = QLabel(self)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.back = QPushButton("Back", self)
        self.next = QPushButton("Next", self)
        self.close_button = QPushButton("Close", self)
        for button in (self.back, self.next, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # never take the keyboard
        self.back.clicked.connect(lambda: self.show_tip(self.index - 1))
        self.next.clicked.connect(lambda: self.show_tip(self.index + 1))
        self.close_button.clicked.connect(self.dismiss)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addLayout(buttons)
        self.hide()

    @property
    def seen(self) -> bool:
        return bool(self.settings.value(SEEN_KEY, False, type=bool))

    def show_tip(self, index: int) -> None:
        self.index = max(0, min(index, len(TIPS) - 1))
        title, text = TIPS[self.index]
        self.title.setText(
            f"<b>{title}</b> <span style='color: gray'>· tip {self.index + 1} of {len(TIPS)}</span>"
        )
        self.body.setText(text)
        self.back.setEnabled(self.index > 0)
        self.next.setEnabled(self.index < len(TIPS) - 1)
        self.adjustSize()
        self.reposition()
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        self.settings.setValue(SEEN_KEY, True)
        self.hide()

    def reposition(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(12, max(parent.height() - self.height() - 12, 0))
