"""EdgeForm: the inspector's view of one selected edge.

Shows the edge's kind with the same colour and dash the canvas draws it with, its two ends (a
click on a name selects that node), a kind selector limited to the kinds the schema allows
between the two node kinds, and a Delete button. Changing the kind is one undo step: a Macro of
Disconnect + Connect that keeps the edge id, so references to the id stay valid. A WAN edge also
shows its values (latency, bandwidth) as generated rows with their tooltips; each edit is one
undoable ``SetEdgeField``.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import (
    Command,
    Connect,
    Disconnect,
    Macro,
    RemoveItems,
    SetEdgeField,
    node_kind,
)
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.formatting import field_phrase
from aifactory_twin.kinds import kind_label
from aifactory_twin.schema import Edge, WanLink, allowed_edge_kinds, make_edge
from aifactory_twin.variant_session import VariantSession, set_model_path
from ui.inspector.fields import FieldSpec
from ui.inspector.model_form import ModelForm
from ui.resources import EDGE_STYLES

# An edge's identity and ends are edited on the canvas, not as values.
_STRUCTURE = ("id", "kind", "source", "target")

SWATCH_W_PX = 44
SWATCH_H_PX = 14
NOT_ALLOWED = " (not allowed)"
EDGE_TITLES = {"wan": "WAN"}
"""Kinds whose title is not the capitalized tag."""


def edge_swatch(kind: str, width_px: int = SWATCH_W_PX, height_px: int = SWATCH_H_PX) -> QPixmap:
    """A short line in the kind's canvas colour, dash and width (from ui.resources.EDGE_STYLES)."""
    scale = 2.0  # drawn at 2x so it stays crisp on high-DPI screens
    pix = QPixmap(int(width_px * scale), int(height_px * scale))
    pix.fill(Qt.GlobalColor.transparent)
    style = EDGE_STYLES.get(kind)
    if style is not None:
        color, dash, width = style
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.scale(scale, scale)
        painter.setPen(QPen(QColor(color), width, dash, Qt.PenCapStyle.RoundCap))
        mid = height_px / 2
        painter.drawLine(QPointF(2, mid), QPointF(width_px - 2, mid))
        painter.end()
    pix.setDevicePixelRatio(scale)
    return pix


class EdgeForm(QWidget):
    """Kind, ends, kind selector and Delete for the edge ``edge_id`` of ``doc``."""

    def __init__(
        self,
        doc: FactoryDocument,
        edge_id: str,
        push: Callable[[Command], None],
        select_node: Callable[[str], None],
        parent: QWidget | None = None,
        variants: VariantSession | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("edge_form")
        self.doc = doc
        self.edge: Edge = doc.edge(edge_id)
        # With a variant active the values shown (and edited, as its overrides) are its own.
        self.variants = variants if variants is not None and variants.active else None
        self.shown = self.edge if self.variants is None else self.variants.shown_edge(edge_id)
        """The edge as shown: the base, or the active variant's version of it."""
        self._push = push
        self._select_node = select_node
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self._header())
        form = QFormLayout()
        self.source_label = self._end_label(self.edge.source)
        self.target_label = self._end_label(self.edge.target)
        form.addRow("From", self.source_label)
        form.addRow("To", self.target_label)
        self.kind_combo = self._kind_combo()
        form.addRow("Kind", self.kind_combo)
        layout.addLayout(form)
        self.values: ModelForm | None = None
        if isinstance(self.edge, WanLink):
            self.values = ModelForm(WanLink, self._commit_value, skip=_STRUCTURE)
            self.values.setObjectName("edge_values")
            if self.variants is None:
                self.values.set_values(self.edge)
            else:
                self.values.set_values(self.shown, base=self.edge)
            layout.addWidget(self.values)
        self.error = QLabel()
        self.error.setObjectName("edge_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #E0483E;")
        self.error.hide()
        layout.addWidget(self.error)
        self.delete_button = QPushButton("Delete edge")
        self.delete_button.setToolTip("Remove this connection (undoable)")
        self.delete_button.clicked.connect(self.delete)
        row = QHBoxLayout()
        row.addWidget(self.delete_button)
        row.addStretch(1)
        layout.addLayout(row)

    # ------------------------------------------------------------ building
    def _header(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 4)
        self.swatch = QLabel()
        self.swatch.setObjectName("edge_swatch")
        self.swatch.setPixmap(edge_swatch(self.edge.kind))
        row.addWidget(self.swatch)
        kind = EDGE_TITLES.get(self.edge.kind, self.edge.kind.capitalize())
        title = QLabel(
            f"<b>{escape(kind)} edge</b><br><span style='color:gray'>{escape(self.edge.id)}</span>"
        )
        title.setObjectName("inspector_title")
        row.addWidget(title, 1)
        return box

    def _end_label(self, node_id: str) -> QLabel:
        """The node's name and id as a link; a click selects the node (a missing end is said)."""
        if not self.doc.has_node(node_id):
            label = QLabel(f"{escape(node_id)} <span style='color:#E0483E'>(missing)</span>")
            return label
        node = self.doc.node(node_id)
        kind = node_kind(node)
        label = QLabel(
            f"<a href='{escape(node_id, quote=True)}'>{escape(node.name or node_id)}</a>"
            f"<br><span style='color:gray'>{escape(kind_label(kind))} · "
            f"{escape(node_id)}</span>"
        )
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        label.setToolTip(f"Select {node_id}")
        label.linkActivated.connect(self._select_node)
        return label

    def allowed_kinds(self) -> list[str]:
        """Kinds the schema allows from the source's kind to the target's ([] if an end is gone)."""
        if not (self.doc.has_node(self.edge.source) and self.doc.has_node(self.edge.target)):
            return []
        return allowed_edge_kinds(
            node_kind(self.doc.node(self.edge.source)), node_kind(self.doc.node(self.edge.target))
        )

    def _kind_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("edge_kind")
        kinds = self.allowed_kinds()
        if self.edge.kind not in kinds:
            # A file may hold an edge the rules refuse; show it as it is so the user sees why.
            combo.addItem(edge_swatch(self.edge.kind), self.edge.kind + NOT_ALLOWED, self.edge.kind)
        for kind in kinds:
            combo.addItem(edge_swatch(kind), kind, kind)
        combo.setCurrentIndex(max(combo.findData(self.edge.kind), 0))
        # One allowed kind (today's schema has one per ordered pair of node kinds): nothing
        # to choose, but the selector still shows what is allowed.
        choices = len(kinds) + (self.edge.kind not in kinds)
        combo.setEnabled(choices > 1)
        combo.setToolTip("Edge kinds the schema allows between these two node kinds")
        combo.activated.connect(lambda i: self.set_kind(str(combo.itemData(i))))
        return combo

    # ------------------------------------------------------------ editing
    def set_kind(self, kind: str) -> None:
        """Re-type the edge: Disconnect + Connect with the same id, as one undo step."""
        if kind == self.edge.kind or not self.doc.has_edge(self.edge.id):
            return
        new = make_edge(self.edge.id, kind, self.edge.source, self.edge.target)
        try:
            connect = Connect(self.doc, new)
        except ScenarioError as exc:
            self.error.setText("; ".join(p.message for p in exc.problems))
            self.error.show()
            self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(self.edge.kind), 0))
            return
        self.error.hide()
        text = f"Change {self.edge.id} to {kind}"
        self._push(Macro(text, [Disconnect([self.edge.id]), connect]))

    def _commit_value(self, spec: FieldSpec, value: object) -> str | None:
        """Push the edit of one of the edge's values, or return the problem to show."""
        if not self.doc.has_edge(self.edge.id):
            return "the edge is gone"
        try:
            if self.variants is not None:
                self._push(self._override(spec.path, value))
                return None
            command = SetEdgeField(self.doc, self.edge.id, spec.path, value)
        except ScenarioError as exc:
            return "; ".join(p.message for p in exc.problems)
        if command.new != command.old:
            self._push(command)
        return None

    def _override(self, path: str, value: object) -> Command:
        """The active variant's overrides changed so that it shows ``path`` = ``value``."""
        assert self.variants is not None
        edited = set_model_path(self.shown, path, value)
        text = f"{self.variants.active}: set {field_phrase(path)} of {self.edge.id}"
        return self.variants.override_command({self.edge.id: edited}, text)

    def delete(self) -> None:
        if self.doc.has_edge(self.edge.id):
            command = RemoveItems((), [self.edge.id])
            command.text = f"Delete edge {self.edge.id}"
            self._push(command)
