"""The Optimize tab's design variables, one row each: field, kind, range or choices.

A row reads as the CLI's ``--var`` (``PATH=int:LOW:HIGH[:STEP]``, ``PATH=float:LOW:HIGH[:log]``,
``PATH=choice:A,B`` or ``variant=choice:V1,V2``): the field is picked from the scenario's
suggestions or typed, the kind from a list, and the values typed as ``LOW:HIGH[:STEP]`` or
``A,B,…``. The optimizer parses each row with ``parse_variable``, so a bad row is reported
with its field named before any run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

_W = TypeVar("_W", bound=QWidget)
KINDS = ("int", "float", "choice")
_PLACEHOLDER = {"int": "LOW:HIGH[:STEP]", "float": "LOW:HIGH[:log]", "choice": "A,B,…"}


class VariablesEditor(QWidget):
    """Rows of (field, kind, values); ``specs()`` gives them as ``--var`` texts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("design_variables")
        self.table.setHorizontalHeaderLabels(["field", "kind", "range or choices", ""])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setMaximumHeight(150)
        self.fields: list[str] = []
        self.add_button = QPushButton("Add variable")
        self.add_button.clicked.connect(lambda: self.add_row())
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def set_fields(self, fields: Sequence[str]) -> None:
        """The field paths every row's box offers (the scenario's suggestions)."""
        self.fields = list(fields)
        for row in range(self.table.rowCount()):
            box = self.field_box(row)
            text = box.currentText()
            box.clear()
            box.addItems(self.fields)
            box.setCurrentText(text)

    def add_row(self, field: str = "", kind: str = "int", values: str = "") -> int:
        """Append a row (selected, field box focused); its index."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        box = QComboBox()
        box.setEditable(True)
        box.addItems(self.fields)
        box.setCurrentText(field)
        kinds = QComboBox()
        kinds.addItems(list(KINDS))
        kinds.setCurrentText(kind if kind in KINDS else "int")
        edit = QLineEdit(values)
        edit.setPlaceholderText(_PLACEHOLDER[kinds.currentText()])
        kinds.currentTextChanged.connect(lambda k: edit.setPlaceholderText(_PLACEHOLDER[k]))
        self.table.setCellWidget(row, 0, box)
        self.table.setCellWidget(row, 1, kinds)
        self.table.setCellWidget(row, 2, edit)
        remove = QPushButton("Remove")
        remove.setToolTip("Drop this design variable")
        remove.clicked.connect(lambda: self._remove(remove))
        self.table.setCellWidget(row, 3, remove)
        box.setFocus()
        return row

    def _remove(self, button: QPushButton) -> None:
        for row in range(self.table.rowCount()):
            if self.table.cellWidget(row, 3) is button:
                self.table.removeRow(row)
                return

    def _cell(self, row: int, column: int, kind: type[_W]) -> _W:
        widget = self.table.cellWidget(row, column)
        assert isinstance(widget, kind)
        return widget

    def field_box(self, row: int) -> QComboBox:
        return self._cell(row, 0, QComboBox)

    def kind_box(self, row: int) -> QComboBox:
        return self._cell(row, 1, QComboBox)

    def values_edit(self, row: int) -> QLineEdit:
        return self._cell(row, 2, QLineEdit)

    def remove_button(self, row: int) -> QPushButton:
        return self._cell(row, 3, QPushButton)

    def specs(self) -> list[str]:
        """Each row with a field as ``PATH=KIND:VALUES`` (the CLI's ``--var`` text)."""
        out = []
        for row in range(self.table.rowCount()):
            field = self.field_box(row).currentText().strip()
            if field:
                values = self.values_edit(row).text().strip()
                out.append(f"{field}={self.kind_box(row).currentText()}:{values}")
        return out

    def set_specs(self, specs: Sequence[str]) -> None:
        """Replace the rows with ``PATH=KIND:VALUES`` texts (as ``suggested_variables`` gives)."""
        self.table.setRowCount(0)
        for spec in specs:
            field, _, domain = spec.partition("=")
            kind, _, values = domain.partition(":")
            self.add_row(field.strip(), kind.strip(), values.strip())
