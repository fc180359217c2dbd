"""InspectorPanel: a form for the selected nodes, generated from their schema fields.

Every edit becomes a SetField command (consecutive edits of one field merge into one undo step);
a value the schema refuses is shown inline under its field and never reaches the document. With
several nodes selected the form shows the fields they share and edits all of them; differing
values show as "mixed". Document changes refresh the form with signal blockers so the refresh
does not echo back as an edit (napari's two-way binding pattern).

Below the scrolling form sits a footer slot (``set_node_footer``) that other parts fill without
the inspector knowing them: the live view puts the selected node's mini-chart there. The slot is
outside the scroll area so the chart stays in sight however long the node's form is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.catalog import ACCELERATORS, NODE_PRESETS, preset_node
from aifactory_twin.commands import (
    Command,
    Macro,
    ReplaceNode,
    SetField,
    SetPart,
    set_path,
)
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.formatting import field_phrase
from aifactory_twin.kinds import kind_label
from aifactory_twin.paths import get_path
from aifactory_twin.schema import NODE_CLASSES, NodeBase, PowerFeed
from aifactory_twin.sim.compile.grid_series import load_feed_series
from aifactory_twin.variant_session import VariantSession
from ui.canvas.scene import FactoryScene
from ui.inspector.catalog_marker import CATALOG_FIELDS, catalog_marker
from ui.inspector.edge_form import EdgeForm
from ui.inspector.field_row import MIXED, RESET_GLYPH, FieldRow
from ui.inspector.fields import (
    READ_ONLY,
    SINGLE_ONLY,
    FieldSpec,
    common_value,
    format_value,
)
from ui.inspector.model_form import ModelForm, node_choices
from ui.inspector.sections import node_field_section
from ui.resources import kind_pixmap
from ui.undo import route_field_undo

__all__ = ["MIXED", "FieldRow", "InspectorPanel"]
# Layout is not a what-if: with a variant active, position edits still move the base node.
BASE_ONLY_PREFIXES = ("position.",)
FORM_MIN_HEIGHT_PX = 180
BANNER_STYLE = (
    "background: #2F6FDE; color: white; border-radius: 4px; padding: 5px 8px; font-size: 12px;"
)


class InspectorPanel(QWidget):
    """The inspector dock's contents: the scrolling form, and a footer slot under it."""

    def __init__(
        self,
        doc: FactoryDocument,
        push: Callable[[Command], None],
        parent: QWidget | None = None,
        variants: VariantSession | None = None,
        canvas: FactoryScene | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self._push = push
        # The window's session; a private one for a panel on its own. Either way its cache
        # drops before this panel's slots run (it connects at DERIVED_STATE priority).
        self._owns_variants = variants is None
        self.variants = variants or VariantSession(doc)
        self.banner: QLabel | None = None
        self.node_ids: list[str] = []
        self.edge_id: str | None = None  # shown when no node but exactly one edge is selected
        self.edge_form: EdgeForm | None = None
        # The canvas whose selection the panel follows and sets (none: a panel on its own).
        self.scene: FactoryScene | None = canvas
        self.rows: dict[str, FieldRow] = {}
        self.preset_combo: QComboBox | None = None
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QFrame.Shape.NoFrame)
        # However the dock is shared (mini-chart, other docks), a few rows of form stay in view.
        self.form_area.setMinimumHeight(FORM_MIN_HEIGHT_PX)
        self.node_footer: QWidget | None = None
        # A splitter, so a user can trade form rows for a taller chart (or the reverse).
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.form_area)
        self.splitter.setStretchFactor(0, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self._connected = False
        self._summary: QLabel | None = None
        self._edge_timer = QTimer(self)
        self._edge_timer.setSingleShot(True)
        self._edge_timer.setInterval(0)
        self._edge_timer.timeout.connect(self._refresh_edge)
        self.attach()
        self.set_selection([])

    def attach(self) -> None:
        if not self._connected:
            self.doc.node_changed.connect(self._on_doc_node_changed)
            self.doc.part_changed.connect(self._on_doc_part_changed)
            self.doc.changed.connect(self._on_doc_changed)
            self.variants.active_changed.connect(self._on_variants_active_changed)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.node_changed.disconnect(self._on_doc_node_changed)
            self.doc.part_changed.disconnect(self._on_doc_part_changed)
            self.doc.changed.disconnect(self._on_doc_changed)
            self.variants.active_changed.disconnect(self._on_variants_active_changed)
            self._connected = False
        if self._owns_variants:
            self.variants.detach()

    # ------------------------------------------------------------ building
    def set_selection(self, node_ids: list[str], edge_ids: list[str] | None = None) -> None:
        """Show the nodes; with none, the one selected edge (``None``: ask the canvas)."""
        self.node_ids = [nid for nid in node_ids if self.doc.has_node(nid)]
        if edge_ids is None:
            canvas = self._canvas()
            edge_ids = canvas.selected_edge_ids() if canvas is not None else []
        edges = [eid for eid in edge_ids if self.doc.has_edge(eid)]
        self.edge_id = edges[0] if not self.node_ids and len(edges) == 1 else None
        self.edge_form = None
        self.rows = {}
        self.preset_combo = None
        self._summary = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        self.banner = self._variant_banner()
        if self.banner is not None:
            layout.addWidget(self.banner)
        if self.edge_id is not None:
            self.edge_form = EdgeForm(
                self.doc, self.edge_id, self._push, self.select_node, variants=self.variants
            )
            layout.addWidget(self.edge_form)
        elif not self.node_ids:
            self._build_scenario_form(layout)
        else:
            self._build_node_form(layout)
        layout.addStretch(1)
        self.form_area.setWidget(body)

    def _canvas(self) -> FactoryScene | None:
        return self.scene

    def select_node(self, node_id: str) -> None:
        """Select ``node_id`` on the canvas (the window then shows it here), or show it."""
        canvas = self._canvas()
        if canvas is None:
            self.set_selection([node_id], [])
        else:
            canvas.select_nodes([node_id])

    def _follow_edge(self) -> None:
        """After a change, keep the edge selected and rebuild its form on the next turn.

        Re-typing or undo re-adds the edge as a new, unselected item. The rebuild waits because
        the change may come from the form's own combo or button, which must not be deleted
        inside its own signal (that crashed).
        """
        if self.edge_id is not None and self.doc.has_edge(self.edge_id):
            canvas = self._canvas()
            item = canvas.edge_items.get(self.edge_id) if canvas is not None else None
            if canvas is not None and item is not None and not item.isSelected():
                canvas.clearSelection()
                item.setSelected(True)
        self._edge_timer.start()

    def _refresh_edge(self) -> None:
        if self.edge_id is None:
            return
        gone = not self.doc.has_edge(self.edge_id)
        form = self.edge_form
        if (
            gone
            or form is None
            or form.edge != self.doc.edge(self.edge_id)
            or form.shown != self.variants.shown_edge(self.edge_id)
        ):
            self.set_selection([], None if self._canvas() else ([] if gone else [self.edge_id]))

    def set_node_footer(self, widget: QWidget | None) -> None:
        """Pin ``widget`` below the form (None removes it); it manages its own visibility.

        The widget survives selection changes (only the form is rebuilt), so a costly widget
        such as a plot is made once.
        """
        if self.node_footer is not None:
            self.node_footer.setParent(None)
        self.node_footer = widget
        if widget is not None:
            widget.setContentsMargins(10, 0, 10, 6)
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(1, 0)

    def _variant_banner(self) -> QLabel | None:
        """Which variant is shown, and that value edits become its overrides."""
        name = self.variants.active
        if name is None:
            return None
        text = (
            f"Variant <b>{name}</b>: edits become its overrides; "
            f"<b>bold</b> = differs from the base ({RESET_GLYPH} resets)."
        )
        if self.variants.problems:
            count = len(self.variants.problems)
            text += f"<br>{count} override{'s' if count != 1 else ''} no longer apply."
        banner = QLabel(text)
        banner.setObjectName("variant_banner")
        banner.setWordWrap(True)
        banner.setStyleSheet(BANNER_STYLE)
        return banner

    def _build_scenario_form(self, layout: QVBoxLayout) -> None:
        title = QLabel("<b>Factory</b>")
        layout.addWidget(title)
        meta = self.doc.part("meta")
        form = QFormLayout()
        name = QLineEdit(meta.name)
        name.setToolTip("The factory's name (saved in the file's meta section)")
        name.editingFinished.connect(lambda: self._set_meta("name", name.text()))
        route_field_undo(name)
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
            f"{self.doc.node_count:,} nodes · {self.doc.edge_count:,} edges<br><br>"
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
        """The selected nodes as shown: the base, or the active variant's version."""
        return [self.variants.shown_node(nid) for nid in self.node_ids]

    def _as_override(self, path: str) -> bool:
        return self.variants.active is not None and not path.startswith(BASE_ONLY_PREFIXES)

    def _build_node_form(self, layout: QVBoxLayout) -> None:
        nodes = self._nodes()
        kinds = {str(n.kind) for n in nodes}
        kind = next(iter(kinds)) if len(kinds) == 1 else ""
        layout.addWidget(self._header(nodes, kind))
        if kind:
            layout.addWidget(self._preset_row(kind))
        cls = NODE_CLASSES[kind] if kind else NodeBase
        skip = {"kind"} | (SINGLE_ONLY | READ_ONLY if len(nodes) > 1 else set())
        form = ModelForm(
            cls,
            self._commit,
            self._reset,
            skip=skip,
            section_of=node_field_section,
            choices_of=lambda path: node_choices(self.doc.scenario, path),
        )
        layout.addWidget(form)
        self.rows = form.rows
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
                f"{kind_label(kind)} · {nodes[0].id}</span>"
            )
        else:
            what = kind_label(kind) if kind else "mixed kinds"
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
        if spec.path == "grid_series_path" and isinstance(value, str):
            try:
                value = self._series_path(value)
            except ScenarioError as exc:
                return "; ".join(p.message for p in exc.problems)
        nodes = self._nodes()
        if not nodes or all(get_path(n, spec.path) == value for n in nodes):
            return None
        if spec.editor == "accelerator" and isinstance(value, str) and value not in ACCELERATORS:
            return f"unknown accelerator {value!r}; choose one from the list"
        try:
            if self._as_override(spec.path):
                command = self._override_command(spec, {n.id: value for n in nodes})
            else:
                command = SetField(self.doc, self.node_ids, spec.path, value)
        except ScenarioError as exc:
            return "; ".join(p.message for p in exc.problems)
        self._push(command)
        return None

    def _series_path(self, name: str) -> str:
        """``name`` as saved: relative to the scenario's folder when inside it.

        The series is read first, so a bad file shows its line and problem under the field.
        """
        folder = self.doc.source_dir
        path = Path(name)
        if path.is_absolute() and folder and path.resolve().is_relative_to(Path(folder).resolve()):
            name = path.resolve().relative_to(Path(folder).resolve()).as_posix()
        for node in self._nodes():
            if isinstance(node, PowerFeed):
                load_feed_series(0, node.model_copy(update={"grid_series_path": name}), folder)
        return name

    def _override_command(self, spec: FieldSpec, values: dict[str, Any]) -> Command:
        """Set ``spec.path`` on each node's variant version → one change of the overrides."""
        edited = {
            nid: set_path(self.variants.shown_node(nid), spec.path, value)
            for nid, value in values.items()
        }
        who = self.node_ids[0] if len(self.node_ids) == 1 else f"{len(self.node_ids)} nodes"
        return self.variants.override_command(
            edited, f"{self.variants.active}: set {field_phrase(spec.path)} of {who}"
        )

    def _reset(self, spec: FieldSpec) -> str | None:
        """↺: give the field back its base value in the active variant (drops the override)."""
        if self.variants.active is None:
            return None
        values = {nid: get_path(self.doc.node(nid), spec.path) for nid in self.node_ids}
        try:
            command = self._override_command(spec, values)
        except ScenarioError as exc:
            return "; ".join(p.message for p in exc.problems)
        command.text = f"{self.variants.active}: reset {field_phrase(spec.path)}"
        self._push(command)
        return None

    def apply_preset(self, preset_id: str) -> None:
        if not preset_id:
            return
        commands: list[Command] = []
        preset_names = {p.label for p in NODE_PRESETS.values()}
        for node in self._nodes():
            keep = {
                # A name that is just the old preset's label follows the new preset; a name
                # the user gave stays.
                "name": NODE_PRESETS[preset_id].label
                if not node.name or node.name in preset_names
                else node.name,
                "position": node.position,
                "count": node.count,
                "group": node.group,
            }
            try:
                new = preset_node(preset_id, node.id, **keep)
            except ScenarioError:
                continue
            commands.append(ReplaceNode(self.doc, new, text="Apply preset"))
        label = NODE_PRESETS[preset_id].label
        if commands and self.variants.active is not None:
            # In a variant the preset's values become overrides; the base keeps its own.
            edited = {cmd.new.id: cmd.new for cmd in commands if isinstance(cmd, ReplaceNode)}
            try:
                text = f"{self.variants.active}: apply preset {label}"
                self._push(self.variants.override_command(edited, text))
            except ScenarioError:
                pass  # the preset cannot be expressed as overrides (a different kind)
        elif commands:
            self._push(Macro(f"Apply preset {label}", commands))
        if self.preset_combo is not None:
            with QSignalBlocker(self.preset_combo):
                self.preset_combo.setCurrentIndex(0)

    # ------------------------------------------------------------ refresh
    def _refresh_values(self) -> None:
        nodes = self._nodes()
        active = self.variants.active is not None
        for path, row in self.rows.items():
            same, value = common_value(get_path(n, path) for n in nodes)
            row.set_value(same, value)
            if same and value is None and path in CATALOG_FIELDS:
                marker = catalog_marker(nodes, path)
                if marker:
                    row.set_marker(marker)
            marked = active and any(self.variants.differs(nid, path) for nid in self.node_ids)
            if marked or row.overridden:
                base_same, base = common_value(
                    get_path(self.doc.node(n), path) for n in self.node_ids
                )
                row.set_overridden(marked, format_value(base, row.spec) if base_same else MIXED)

    def _on_doc_node_changed(self, old: NodeBase, new: NodeBase) -> None:
        if new.id in self.node_ids:
            self._refresh_values()

    def _on_doc_part_changed(self, name: str, old: Any, new: Any) -> None:
        if self.edge_id is not None:
            self._edge_timer.start()  # a variant's override of the edge: rebuilt next turn
        elif not self.node_ids:
            self.set_selection([], [])
        elif name == "variants" and self.variants.active is not None:
            self._refresh_values()  # an override came or went: shown values and marks change

    def _on_variants_active_changed(self, _name: object) -> None:
        self.set_selection(self.node_ids)

    def _on_doc_changed(self) -> None:
        if self.edge_id is not None:
            self._follow_edge()
            return
        if not self.node_ids:
            self._refresh_summary()  # once per edit: the document batches each command
            return
        gone = [nid for nid in self.node_ids if not self.doc.has_node(nid)]
        if gone:
            self.set_selection([nid for nid in self.node_ids if nid not in gone])
