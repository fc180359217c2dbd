"""QUndoCommand adapter around the Qt-free core commands.

The editor and the headless tests run one implementation: ``redo()``/``undo()`` forward to the
core command with the document, and merging (consecutive inspector edits of one field) comes from
``merge_key``/``merge_with``. QUndoStack wants an int id, so merge keys are interned to small
integers for the life of the process.
"""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

from aifactory_twin.commands import Command
from aifactory_twin.document import FactoryDocument

_merge_ids: dict[tuple[Any, ...], int] = {}


def _merge_id(key: tuple[Any, ...] | None) -> int:
    if key is None:
        return -1  # Qt: -1 means "never merge"
    return _merge_ids.setdefault(key, len(_merge_ids) + 1)


class CoreUndoCommand(QUndoCommand):
    """One core command on the QUndoStack."""

    def __init__(self, doc: FactoryDocument, command: Command) -> None:
        super().__init__(command.text)
        self.doc = doc
        self.command = command

    def redo(self) -> None:
        with self.doc.batch():  # one "changed" per command, however many items it touches
            self.command.redo(self.doc)

    def undo(self) -> None:
        with self.doc.batch():
            self.command.undo(self.doc)

    def id(self) -> int:
        return _merge_id(self.command.merge_key())

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, CoreUndoCommand):
            return False
        if self.command.merge_key() != other.command.merge_key():
            return False
        return self.command.merge_with(other.command)


class DocumentUndoStack(QUndoStack):
    """A QUndoStack bound to one document; ``push_command`` is the editor's one write path."""

    def __init__(self, doc: FactoryDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self.doc = doc

    def push_command(self, command: Command) -> None:
        self.push(CoreUndoCommand(self.doc, command))


class FieldUndoRouter(QObject):
    """Ctrl+Z / Ctrl+Y in a form field undo the document, not just the field's typing.

    A QLineEdit claims the undo keys for its own text history, so after "type, Enter" the
    window's Undo never fired. Installed on the application, this lets the window's Undo/Redo
    shortcuts through whenever the focused field has nothing uncommitted of its own (its text
    is what the form last showed); while a user is mid-typing, Ctrl+Z still reverts the typing.
    Installed on each form editor (``route_field_undo``), not on the application, so no other
    event pays a Python call.
    """

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(obj, QWidget):
            return False
        key_event = event if isinstance(event, QKeyEvent) else None
        if key_event is None or not (
            key_event.matches(QKeySequence.StandardKey.Undo)
            or key_event.matches(QKeySequence.StandardKey.Redo)
            or _is_ctrl_y(key_event)
        ):
            return False
        edit = _line_edit_of(obj)
        # Not a field, or the user is mid-typing: the field's own undo. Otherwise the event is
        # filtered without being accepted, and Qt treats the key as the window's shortcut.
        return edit is not None and not (edit.isModified() and edit.isUndoAvailable())


def _is_ctrl_y(event: QKeyEvent) -> bool:
    return event.key() == Qt.Key.Key_Y and bool(
        event.modifiers() & Qt.KeyboardModifier.ControlModifier
    )


def _line_edit_of(widget: QWidget) -> QLineEdit | None:
    if isinstance(widget, QLineEdit):
        return widget
    if isinstance(widget, QComboBox | QAbstractSpinBox):
        return widget.findChild(QLineEdit)
    return None


@functools.cache
def _router() -> FieldUndoRouter:
    return FieldUndoRouter()  # one for the process: it holds no state


def route_field_undo(editor: QWidget) -> None:
    """Let the window's Undo/Redo work while ``editor`` (a form field) has the focus."""
    editor.installEventFilter(_router())
    inner = _line_edit_of(editor)
    if inner is not None and inner is not editor:
        inner.installEventFilter(_router())
