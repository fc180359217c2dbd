"""FieldRow: one generated form field — its editor, unit, inline error and override mark.

Shared by the inspector (node fields) and the scenario panel (settings and workloads). A row
never writes anything itself: it parses the typed text and hands the value to ``on_commit``,
which pushes a command or returns the problem to show under the field. While a variant is
active a row whose value differs from the base is marked (bold label) and offers a "↺" button
that hands the field back to ``on_reset``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.catalog import ACCELERATORS
from ui.inspector.fields import READ_ONLY, FieldSpec, format_value, parse_value
from ui.resources import STATUS_COLORS
from ui.undo import route_field_undo

MIXED = "(mixed)"
ID_TIP = "<br>Fixed: edges, variants and workloads refer to it. Change the <b>Name</b> instead."
RESET_GLYPH = "↺"


class FieldRow(QWidget):
    """One field: its editor and an inline error label underneath."""

    def __init__(
        self,
        spec: FieldSpec,
        on_commit: Callable[[FieldSpec, Any], str | None],
        on_reset: Callable[[FieldSpec], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.spec = spec
        self._on_commit = on_commit
        self._on_reset = on_reset
        self.overridden = False
        # The form's label for this row (the builder sets it) so an override can bold it.
        self.label: QLabel | None = None
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
        route_field_undo(self.editor)
        self.editor.setToolTip(spec.tooltip() + (ID_TIP if spec.path == "id" else ""))
        row.addWidget(self.editor, 1)
        if spec.editor == "file":
            browse = QToolButton(self)
            browse.setObjectName("browse_file")
            browse.setText("…")
            browse.setToolTip("Choose the file")
            browse.clicked.connect(self._browse)
            row.addWidget(browse)
        if spec.unit:
            unit = QLabel(spec.unit, self)
            unit.setMinimumWidth(34)
            unit.setEnabled(False)
            row.addWidget(unit)
        self.reset_button = QToolButton(self)
        self.reset_button.setText(RESET_GLYPH)
        self.reset_button.setAutoRaise(True)
        self.reset_button.setToolTip("Reset to the base value (remove this variant's override)")
        self.reset_button.clicked.connect(self._reset)
        self.reset_button.hide()
        row.addWidget(self.reset_button)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def _make_editor(self) -> QWidget:
        spec = self.spec
        if spec.editor == "choice":
            combo = QComboBox(self)
            combo.addItems(list(spec.choices))
            for i, choice in enumerate(spec.choices):
                tip = spec.extra.get("tips", {}).get(choice)
                if tip:
                    combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
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
            # Frameless, so it reads as a value to select and copy, not a box to type in.
            edit.setFrame(spec.path not in READ_ONLY)
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
                if same and value is None and "none_text" in self.spec.extra:
                    text = self.spec.extra["none_text"]
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
                ed.setText(format_value(value, self.spec) if same else "")
                ed.setPlaceholderText(self.spec.range_text() if same else MIXED)

    def set_marker(self, text: str) -> None:
        """Grey text shown while the field is empty: the catalog value that then applies."""
        if isinstance(self.editor, QLineEdit) and not self.editor.text():
            self.editor.setPlaceholderText(text)

    def _browse(self) -> None:
        """Pick the file with a dialog; the path goes through the usual commit."""
        path, _ = QFileDialog.getOpenFileName(
            self, self.spec.label, "", self.spec.extra.get("filter", "")
        )
        if path:
            if isinstance(self.editor, QLineEdit):
                self.editor.setText(path)
            # A new choice replaces a refused one: the form may show the value as saved
            # (a path made relative) while it commits.
            self.clear_error()
            self._commit_text(path)

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

    def set_overridden(self, on: bool, base_text: str = "") -> None:
        """Mark the field as differing from the base (bold label, reset button)."""
        self.overridden = on
        self.reset_button.setVisible(on and self._on_reset is not None)
        if on and base_text:
            self.reset_button.setToolTip(f"Reset to the base value ({base_text})")
        if self.label is not None:
            font = QFont(self.label.font())
            font.setBold(on)
            self.label.setFont(font)
            tip = self.spec.tooltip()
            self.label.setToolTip(f"{tip}<br><i>Base value: {base_text}</i>" if on else tip)

    def _reset(self) -> None:
        if self._on_reset is None:
            return
        self.clear_error()
        problem = self._on_reset(self.spec)
        if problem:
            self.show_error(problem)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self._fit_error()
        self.editor.setProperty("invalid", True)
        self.editor.setStyleSheet(
            f"border: 1px solid {STATUS_COLORS['error']}; border-radius: 3px;"
        )

    def _fit_error(self) -> None:
        # The form layout does not pass height-for-width down to a wrapped label, so a long
        # message was cut after its first lines; reserve the height it needs at this width.
        width = self.error.width() or self.width()
        self.error.setMinimumHeight(self.error.heightForWidth(width) if width > 0 else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.error.isVisible():
            self._fit_error()

    def clear_error(self) -> None:
        self.error.setMinimumHeight(0)
        self.error.hide()
        self.error.clear()
        self.editor.setProperty("invalid", False)
        self.editor.setStyleSheet("")
