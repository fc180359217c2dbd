"""QUndoCommand adapter around the Qt-free core commands.

The editor and the headless tests run one implementation: ``redo()``/``undo()`` forward to the
core command with the document, and merging (consecutive inspector edits of one field) comes from
``merge_key``/``merge_with``. QUndoStack wants an int id, so merge keys are interned to small
integers for the life of the process.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

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
        self.command.redo(self.doc)

    def undo(self) -> None:
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
