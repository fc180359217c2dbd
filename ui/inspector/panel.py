"""InspectorPanel: a form for the selected nodes, generated from their schema fields.

Every edit becomes a SetField command (consecutive edits of one field merge into one undo step);
a value the schema refuses is shown inline under its field and never reaches the document. With
several nodes selected the form shows the fields they share and edits all of them; differing
values show as "mixed". Document changes refresh the form with signal blockers so the refresh
does not echo back as an edit (napari's two-way binding pattern).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.catalog import ACCELERATORS, NODE_PRESETS, preset_node
from aifactory_twin.commands import Command, Macro, ReplaceNode, SetField, SetPart, get_path
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import NODE_CLASSES, NodeBase
from ui.inspector.fields import (
    READ_ONLY,
    SINGLE_ONLY,
    FieldSpec,
    common_value,
    field_specs,
    format_value,
    parse_value,
)
from ui.resources import KIND_LABELS, STATUS_COLORS, kind_pixmap

MIXED = "(mixed)"


class FieldRow(QWidget):
    """One field: its editor and an inline error label underneath."""

    def __init__(self, spec: FieldSpec, on_commit: Callable[[FieldSpec, Any], str | None]) -> None:
        super().__init__()
        self.spec = spec
        self._on_commit = on_commit
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {STATUS_COLORS['error']}; font-size: 11px;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        self.editor = self._make_editor()
        self.editor.setToolTip(spec.tooltip())
        row.addWidget(self.editor, 1)
        if spec.unit:
            unit = QLabel(spec.unit, self)
            unit.setMinimumWidth(34)
            unit.setEnabled(False)
            row.addWidget(unit)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def _make_editor(self) -> QWidget:
        spec = self.spec
        if spec.editor == "choice":
            combo = QComboBox(self)
            combo.addItems(list(spec.choices))
            combo.activated.connect(lambda _i: self._commit_text(combo.currentText()))
            return combo
        if spec.editor == "accelerator":
            combo = QComboBox(self)
            combo.setEditable(True)
            for acc_id, preset in ACCELERATORS.items():
                combo.addItem(f"{acc_id}", acc_id)
                combo.setItemData(combo.count() - 1, preset.label, Qt.ItemDataRole.ToolTipRole)
            combo.activated.connect(lambda _i: self._commit_text(combo.currentText()))
            line = combo.lineEdit()
            if line is not None:
                line.editingFinished.connect(lambda: self._commit_text(combo.currentText()))
            return combo
        if spec.editor == "bool":
            check = QCheckBox(self)
            check.toggled.connect(lambda on: self._commit(on))
            return check
        edit = QLineEdit(self)
        if spec.editor == "list" or spec.path in READ_ONLY:
            edit.setReadOnly(True)
            edit.setEnabled(spec.path not in READ_ONLY or True)
        else:
            edit.editingFinished.connect(lambda: self._commit_text(edit.text()))
            edit.returnPressed.connect(lambda: self._commit_text(edit.text()))
        if spec.range_text():
            edit.setPlaceholderText(spec.range_text())
        return edit

    # ------------------------------------------------------------ values
    def set_value(self, same: bool, value: Any) -> None:
        if self.error.isVisible():
            return  # keep the user's rejected text visible until they fix it
        ed = self.editor
        with QSignalBlocker(ed):
            if isinstance(ed, QComboBox):
                text = str(value) if same and not hasattr(value, "name") else ""
                if self.spec.editor == "accelerator" and same and hasattr(value, "name"):
                    text = f"custom: {value.name}"
                idx = ed.findText(text)
                if idx >= 0:
                    ed.setCurrentIndex(idx)
                elif ed.isEditable():
                    ed.setEditText(text if same else "")
                else:
                    ed.setCurrentIndex(-1)
                if ed.isEditable() and ed.lineEdit() is not None:
                    ed.lineEdit().setPlaceholderText("" if same else MIXED)  # type: ignore[union-attr]
            elif isinstance(ed, QCheckBox):
                ed.setTristate(not same)
                ed.setCheckState(
                    (Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                    if same
                    else Qt.CheckState.PartiallyChecked
                )
            elif isinstance(ed, QLineEdit):
                ed.setText(format_value(value) if same else "")
                ed.setPlaceholderText(self.spec.range_text() if same else MIXED)

    def _commit_text(self, text: str) -> None:
        if (
            isinstance(self.editor, QLineEdit)
            and text == ""
            and self.editor.placeholderText() == MIXED
        ):
            return  # untouched "mixed" field
        try:
            value = parse_value(self.spec, text)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._commit(value)

    def _commit(self, value: Any) -> None:
        problem = self._on_commit(self.spec, value)
        if problem:
            self.show_error(problem)
        else:
            self.clear_error()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.editor.setProperty("invalid", True)
        self.editor.setStyleSheet(
            f"border: 1px solid {STATUS_COLORS['error']}; border-radius: 3px;"
        )

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        self.editor.setProperty("invalid", False)
        self.editor.setStyleSheet("")


class InspectorPanel(QScrollArea):
    """The inspector dock's contents."""

    def __init__(
        self,
        doc: FactoryDocument,
        push: Callable[[Command], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self._push = push
        self.node_ids: list[str] = []
        self.rows: dict[str, FieldRow] = {}
        self.preset_combo: QComboBox | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._connected = False
        # Bulk edits emit one "changed" per item; refresh the summary once, after the burst.
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self._refresh_summary)
        self._summary: QLabel | None = None
        self.attach()
        self.set_selection([])

    def attach(self) -> None:
        if not self._connected:
            self.doc.node_changed.connect(self._on_doc_node_changed)
            self.doc.part_changed.connect(self._on_doc_part_changed)
            self.doc.changed.connect(self._on_doc_changed)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.node_changed.disconnect(self._on_doc_node_changed)
            self.doc.part_changed.disconnect(self._on_doc_part_changed)
            self.doc.changed.disconnect(self._on_doc_changed)
            self._connected = False

    # ------------------------------------------------------------ building
    def set_selection(self, node_ids: list[str]) -> None:
        self.node_ids = [nid for nid in node_ids if self.doc.has_node(nid)]
        self.rows = {}
        self.preset_combo = None
        self._summary = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        if not self.node_ids:
            self._build_scenario_form(layout)
        else:
            self._build_node_form(layout)
        layout.addStretch(1)
        self.setWidget(body)

    def _build_scenario_form(self, layout: QVBoxLayout) -> None:
        title = QLabel("<b>Factory</b>")
        layout.addWidget(title)
        meta = self.doc.part("meta")
        form = QFormLayout()
        name = QLineEdit(meta.name)
        name.setToolTip("The factory's name (saved in the file's meta section)")
        name.editingFinished.connect(lambda: self._set_meta("name", name.text()))
        form.addRow("Name", name)
        layout.addLayout(form)
        summary = QLabel()
        summary.setWordWrap(True)
        summary.setObjectName("inspector_summary")
        layout.addWidget(summary)
        self._summary = summary
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        if self._summary is None or self.node_ids:
            return
        self._summary.setText(
            f"{len(self.doc.nodes):,} nodes · {len(self.doc.edges):,} edges<br><br>"
            "<span style='color:gray'>Select a node to edit it. Drag from a node's port (the "
            "circle on its right edge), or Shift-drag, to connect it to another node.</span>"
        )

    def _set_meta(self, field_name: str, value: str) -> None:
        meta = self.doc.part("meta")
        if getattr(meta, field_name) == value:
            return
        self._push(
            SetPart(
                self.doc,
                "meta",
                meta.model_copy(update={field_name: value}),
                text="Rename factory",
            )
        )

    def _nodes(self) -> list[NodeBase]:
        return [self.doc.node(nid) for nid in self.node_ids]

    def _build_node_form(self, layout: QVBoxLayout) -> None:
        nodes = self._nodes()
        kinds = {str(n.kind) for n in nodes}  # type: ignore[attr-defined]
        kind = next(iter(kinds)) if len(kinds) == 1 else ""
        layout.addWidget(self._header(nodes, kind))
        if kind:
            layout.addWidget(self._preset_row(kind))
        cls = NODE_CLASSES[kind] if kind else NodeBase
        specs = [
            s
            for s in field_specs(cls)
            if not (len(nodes) > 1 and (s.path in SINGLE_ONLY or s.path in READ_ONLY))
        ]
        form: QFormLayout | None = None
        section = None
        for spec in specs:
            if spec.path == "kind":
                continue
            if form is None or spec.section != section:
                section = spec.section
                if section:
                    header = QLabel(f"<b>{section}</b>")
                    header.setContentsMargins(0, 6, 0, 0)
                    layout.addWidget(header)
                form = QFormLayout()
                form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                form.setVerticalSpacing(5)
                layout.addLayout(form)
            row = FieldRow(spec, self._commit)
            label = QLabel(spec.label)
            label.setToolTip(spec.tooltip())
            form.addRow(label, row)
            self.rows[spec.path] = row
        self._refresh_values()

    def _header(self, nodes: list[NodeBase], kind: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 4)
        icon = QLabel()
        if kind:
            pix = kind_pixmap(kind, 64)
            pix.setDevicePixelRatio(2.0)
            icon.setPixmap(pix)
        row.addWidget(icon)
        if len(nodes) == 1:
            text = (
                f"<b>{nodes[0].name or nodes[0].id}</b><br><span style='color:gray'>"
                f"{KIND_LABELS.get(kind, kind)} · {nodes[0].id}</span>"
            )
        else:
            what = KIND_LABELS.get(kind, "mixed kinds") if kind else "mixed kinds"
            text = (
                f"<b>{len(nodes)} nodes</b><br><span style='color:gray'>{what} — "
                "edits apply to all</span>"
            )
        label = QLabel(text)
        label.setObjectName("inspector_title")
        row.addWidget(label, 1)
        return box

    def _preset_row(self, kind: str) -> QWidget:
        combo = QComboBox()
        combo.setToolTip(
            "Replace this node's values with a catalog preset (id, name, position, "
            "count and group are kept)"
        )
        combo.addItem("Apply preset…", "")
        for preset in NODE_PRESETS.values():
            if preset.kind == kind:
                combo.addItem(preset.label, preset.id)
                combo.setItemData(
                    combo.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
                )
        combo.setEnabled(combo.count() > 1)
        combo.activated.connect(lambda i: self.apply_preset(combo.itemData(i)))
        self.preset_combo = combo
        return combo

    # ------------------------------------------------------------ editing
    def _commit(self, spec: FieldSpec, value: Any) -> str | None:
        """Push a SetField for the selection; the problem text when the schema refuses."""
        nodes = self._nodes()
        if not nodes or all(get_path(n, spec.path) == value for n in nodes):
            return None
        if spec.editor == "accelerator" and isinstance(value, str) and value not in ACCELERATORS:
            return f"unknown accelerator {value!r}; choose one from the list"
        try:
            command = SetField(self.doc, self.node_ids, spec.path, value)
        except ScenarioError as exc:
            return "; ".join(p.message for p in exc.problems)
        self._push(command)
        return None

    def apply_preset(self, preset_id: str) -> None:
        if not preset_id:
            return
        commands: list[Command] = []
        for node in self._nodes():
            keep = {
                "name": node.name,
                "position": node.position,
                "count": node.count,
                "group": node.group,
            }
            try:
                new = preset_node(preset_id, node.id, **keep)
            except ScenarioError:
                continue
            commands.append(ReplaceNode(self.doc, new, text="Apply preset"))
        if commands:
            label = NODE_PRESETS[preset_id].label
            self._push(Macro(f"Apply preset {label}", commands))
        if self.preset_combo is not None:
            with QSignalBlocker(self.preset_combo):
                self.preset_combo.setCurrentIndex(0)

    # ------------------------------------------------------------ refresh
    def _refresh_values(self) -> None:
        nodes = self._nodes()
        for path, row in self.rows.items():
            same, value = common_value(get_path(n, path) for n in nodes)
            row.set_value(same, value)

    def _on_doc_node_changed(self, old: NodeBase, new: NodeBase) -> None:
        if new.id in self.node_ids:
            self._refresh_values()

    def _on_doc_part_changed(self, name: str, old: Any, new: Any) -> None:
        if not self.node_ids:
            self.set_selection([])

    def _on_doc_changed(self) -> None:
        if not self.node_ids:
            self._summary_timer.start()
            return
        gone = [nid for nid in self.node_ids if not self.doc.has_node(nid)]
        if gone:
            self.set_selection([nid for nid in self.node_ids if nid not in gone])
