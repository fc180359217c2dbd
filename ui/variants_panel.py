"""VariantsPanel: the "Variants" dock — the base and its what-ifs, and which one the editor shows.

A variant is the base plus overrides (issue 6, "Variants"), stored in the scenario file. The list
starts with the base; picking a row makes that variant ACTIVE: the canvas, inspector and scenario
panel show ``apply_variant(base, name)`` and value edits become its overrides (the core's
VariantSession, which the canvas follows too).
New / duplicate / rename / delete and the override list's "Remove" are SetPart "variants"
commands, so they undo like any edit. A bad name is shown inline and never reaches the document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStatusBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import SetPart
from aifactory_twin.schema import Variant
from aifactory_twin.variant_session import VariantSession
from ui.resources import STATUS_COLORS

if TYPE_CHECKING:
    from ui.editor_context import EditorOps

BASE_LABEL = "Base (as built)"
# (title, label, suggested text) → the typed text, or None when cancelled.
Prompt = Callable[[str, str, str], str | None]


def ask_text(parent: QWidget) -> Prompt:
    def prompt(title: str, label: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
        return value if ok else None

    return prompt


class VariantsPanel(QScrollArea):
    """Variant list with New / Duplicate / Rename / Delete, description and override list."""

    def __init__(
        self,
        ops: EditorOps,
        variants: VariantSession,
        status_bar: QStatusBar,
        prompt: Prompt | None = None,
    ) -> None:
        super().__init__()
        # Explicit collaborators: the editor's operations (document, push, focus) and the
        # variant session; the status bar only receives this panel's label.
        self.ops = ops
        self.doc = ops.ctx.doc
        self.variants = variants
        self.prompt: Prompt = prompt or ask_text(self)
        self._build()
        self.status_label = QLabel()
        self.status_label.setObjectName("variant_status")
        status_bar.addPermanentWidget(self.status_label)
        self._connected = False
        self.attach()
        self.refresh()

    def _build(self) -> None:
        # Inside a scroll area: the dock can shrink to little more than its title, so the
        # default layout never forces the window taller than the screen.
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.list = QListWidget()
        self.list.setObjectName("variant_list")
        self.list.setToolTip("Pick the variant the editor shows and edits (the base first)")
        self.list.currentRowChanged.connect(self._on_list_row_changed)
        self.list.setMinimumHeight(56)
        layout.addWidget(self.list, 2)
        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.new_button = QPushButton("New…")
        self.new_button.setToolTip("A new variant of the current base, with no overrides yet")
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("Copy the active variant and its overrides")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.new_button.clicked.connect(lambda: self.create_variant())
        self.duplicate_button.clicked.connect(lambda: self.duplicate_active())
        self.rename_button.clicked.connect(lambda: self.rename_active())
        self.delete_button.clicked.connect(self.delete_active)
        for i, button in enumerate(
            (self.new_button, self.duplicate_button, self.rename_button, self.delete_button)
        ):
            buttons.addWidget(button, i // 2, i % 2)
        layout.addLayout(buttons)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {STATUS_COLORS['error']}; font-size: 11px;")
        self.error.hide()
        layout.addWidget(self.error)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What this variant asks (description)")
        self.description.editingFinished.connect(self._on_description_edited)
        layout.addWidget(self.description)
        self.overrides = QTreeWidget()
        self.overrides.setObjectName("override_list")
        self.overrides.setHeaderLabels(["Target", "Field", "Value"])
        self.overrides.setRootIsDecorated(False)
        self.overrides.setMinimumHeight(72)
        self.overrides.itemDoubleClicked.connect(self._on_override_double_clicked)
        layout.addWidget(self.overrides, 3)
        self.remove_override_button = QPushButton("Remove override")
        self.remove_override_button.setToolTip("Give the selected field back its base value")
        self.remove_override_button.clicked.connect(self.remove_selected_override)
        layout.addWidget(self.remove_override_button)

    def attach(self) -> None:
        if not self._connected:
            self.doc.part_changed.connect(self._on_doc_part_changed)
            self.doc.reset.connect(self.refresh)
            self.variants.active_changed.connect(self._on_variants_active_changed)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.part_changed.disconnect(self._on_doc_part_changed)
            self.doc.reset.disconnect(self.refresh)
            self.variants.active_changed.disconnect(self._on_variants_active_changed)
            self._connected = False

    # ------------------------------------------------------------ showing
    def refresh(self) -> None:
        active = self.variants.active
        self.list.blockSignals(True)
        self.list.clear()
        for name in [None, *self.variants.names()]:
            item = QListWidgetItem(BASE_LABEL if name is None else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            if name == active:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setText(f"● {item.text()}")
            self.list.addItem(item)
            if name == active:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        variant = self.variants.variant()
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(variant is not None)
        self.description.setEnabled(variant is not None)
        self.description.setText(variant.description if variant is not None else "")
        self.description.setCursorPosition(0)  # show how the description starts
        self.overrides.clear()
        for override in variant.overrides if variant is not None else []:
            value = json.dumps(override.value)
            row = QTreeWidgetItem([override.target, override.path, value])
            row.setToolTip(2, value)
            self.overrides.addTopLevelItem(row)
        self.overrides.resizeColumnToContents(0)
        self.remove_override_button.setEnabled(bool(variant and variant.overrides))
        text = f"Variant: {active}" if active is not None else ""
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))
        if active is not None:
            self.status_label.setStyleSheet("color: #2F6FDE; font-weight: bold;")

    # ------------------------------------------------------------ editing
    def _check_name(self, name: str, allow: str | None = None) -> str | None:
        """The problem with ``name`` as a new variant name, or None when it is fine."""
        if name != allow and (name in self.variants.names() or name == BASE_LABEL):
            return f"a variant named {name!r} exists already"
        try:
            Variant(name=name)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"]
            if "pattern" in message:
                message = "use letters, digits, spaces, '_', '.' or '-' (starting with a letter)"
            return f"name {name!r}: {message}"
        return None

    def _ask_name(self, title: str, suggestion: str, allow: str | None = None) -> str | None:
        name = self.prompt(title, "Variant name:", suggestion)
        if name is None:
            return None
        name = name.strip()
        problem = self._check_name(name, allow)
        self.show_error(problem)
        return None if problem else name

    def show_error(self, problem: str | None) -> None:
        self.error.setText(problem or "")
        self.error.setVisible(bool(problem))

    def _push_variants(self, variants: list[Variant], text: str) -> None:
        self.ops.ctx.push(SetPart(self.doc, "variants", variants, text=text))

    def _suggest(self, stem: str) -> str:
        n, names = 1, set(self.variants.names())
        while f"{stem} {n}" in names:
            n += 1
        return f"{stem} {n}"

    def create_variant(self) -> str | None:
        """Name prompt → a new variant of the current base (no overrides) → it becomes active."""
        name = self._ask_name("New variant", self._suggest("variant"))
        if name is None:
            return None
        variants = [*self.doc.part("variants"), Variant(name=name)]
        self._push_variants(variants, f"New variant {name}")
        self.variants.set_active(name)
        return name

    def duplicate_active(self) -> str | None:
        source = self.variants.variant()
        if source is None:
            return None
        name = self._ask_name("Duplicate variant", self._suggest(f"{source.name} copy"))
        if name is None:
            return None
        copy = source.model_copy(update={"name": name})
        self._push_variants([*self.doc.part("variants"), copy], f"Duplicate variant {name}")
        self.variants.set_active(name)
        return name

    def rename_active(self) -> str | None:
        source = self.variants.variant()
        if source is None:
            return None
        name = self._ask_name("Rename variant", source.name, allow=source.name)
        if name is None or name == source.name:
            return None
        variants = [
            v.model_copy(update={"name": name}) if v.name == source.name else v
            for v in self.doc.part("variants")
        ]
        self._push_variants(variants, f"Rename variant {source.name} → {name}")
        return name

    def delete_active(self) -> None:
        source = self.variants.variant()
        if source is None:
            return
        variants = [v for v in self.doc.part("variants") if v.name != source.name]
        self._push_variants(variants, f"Delete variant {source.name}")

    def remove_selected_override(self) -> None:
        variant = self.variants.variant()
        row = self.overrides.indexOfTopLevelItem(self.overrides.currentItem())
        if variant is None or not 0 <= row < len(variant.overrides):
            return
        gone = variant.overrides[row]
        overrides = [o for i, o in enumerate(variant.overrides) if i != row]
        variants = [
            v.model_copy(update={"overrides": overrides}) if v.name == variant.name else v
            for v in self.doc.part("variants")
        ]
        self._push_variants(variants, f"{variant.name}: reset {gone.target}.{gone.path}")

    # ------------------------------------------------------------ events
    def _on_list_row_changed(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        name = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        self.show_error(None)
        self.variants.set_active(name)

    def _on_description_edited(self) -> None:
        variant = self.variants.variant()
        text = self.description.text()
        if variant is None or text == variant.description:
            return
        variants = [
            v.model_copy(update={"description": text}) if v.name == variant.name else v
            for v in self.doc.part("variants")
        ]
        self._push_variants(variants, f"{variant.name}: describe")

    def _on_override_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        target = item.text(0)
        if self.doc.has_node(target):
            self.ops.focus_nodes([target])

    def _on_doc_part_changed(self, name: str, _old: Any, _new: Any) -> None:
        if name == "variants":
            self.refresh()

    def _on_variants_active_changed(self, _name: object) -> None:
        self.refresh()
