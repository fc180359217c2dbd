"""Find a node (Ctrl+F) and the command palette (Ctrl+Shift+P).

The find box sits in the main toolbar: it completes node names and ids as you type and, on
Enter, selects the match and brings it into view (Enter again: the next match). The palette
lists every action in the window's menus, searchable by name, with its menu path and shortcut;
Enter runs it. It reads the menus, so actions added by other parts (the live view) appear too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from ui.editor_context import EditorOps

MAX_COMPLETIONS = 12


@dataclass(frozen=True)
class PaletteEntry:
    """One runnable action: its text, where it lives in the menus and its shortcut."""

    text: str
    path: str
    keys: str
    action: QAction

    @property
    def label(self) -> str:
        where = f"   —   {self.path}" if self.path else ""
        return f"{self.text}{where}"


def _clean(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def menu_actions(menu_bar: QWidget) -> list[PaletteEntry]:
    """Every enabled, visible action reachable from the menu bar, with its menu path.

    Menus are found with ``findChildren`` rather than ``QAction.menu()``: in PySide6 6.10 the
    wrapper that call returns deletes the menu when it is collected.
    """
    menus = menu_bar.findChildren(QMenu)
    holders = {m.menuAction() for m in menus}
    entries: list[PaletteEntry] = []
    seen: set[int] = set()
    for menu in menus:
        path_parts: list[str] = []
        node: QWidget | None = menu
        while isinstance(node, QMenu):
            path_parts.insert(0, _clean(node.title()))
            parent = node.parentWidget()
            node = parent if isinstance(parent, QMenu) else None
        path = " › ".join(p for p in path_parts if p)
        for action in menu.actions():
            if action.isSeparator() or action in holders or not action.text():
                continue
            if id(action) in seen:
                continue
            seen.add(id(action))
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            entries.append(PaletteEntry(_clean(action.text()), path, keys, action))
    return entries


def matches(query: str, entry: PaletteEntry) -> bool:
    """Every word of the query appears in the action's text or menu path."""
    haystack = f"{entry.text} {entry.path}".casefold()
    return all(word in haystack for word in query.casefold().split())


class CommandPalette(QDialog):
    """A search field over every action; Enter runs the highlighted one."""

    def __init__(self, parent: QWidget, entries: list[PaletteEntry]) -> None:
        super().__init__(parent)
        self.setObjectName("command_palette")
        self.setWindowTitle("Command Palette")
        self.entries = entries
        self.chosen: PaletteEntry | None = None
        self.shown: list[PaletteEntry] = []
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Type to search actions (e.g. “align left”, “save”)")
        self.query.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.query)
        layout.addWidget(self.list)
        self.resize(560, 420)
        self.query.textChanged.connect(self._filter)
        self.query.returnPressed.connect(self._run_current)
        self.list.itemActivated.connect(lambda _item: self._run_current())
        self.query.installEventFilter(self)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.list.clear()
        self.shown = [e for e in self.entries if matches(text, e)]
        for entry in self.shown:
            item = QListWidgetItem(f"{entry.label}   [{entry.keys}]" if entry.keys else entry.label)
            if not entry.action.isEnabled():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def visible_texts(self) -> list[str]:
        return [e.text for e in self.shown]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Up/Down in the search field move through the list."""
        if (
            obj is self.query
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        ):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
            self.list.setCurrentRow(row)
            return True
        return False

    def _run_current(self) -> None:
        shown = self.shown
        row = self.list.currentRow()
        if not 0 <= row < len(shown) or not shown[row].action.isEnabled():
            return
        self.chosen = shown[row]
        self.accept()
        # After the dialog has closed, so the action acts on the window, not the palette.
        self.chosen.action.trigger()


class NodeFinder:
    """The toolbar's find box and the command palette, for one editor window."""

    def __init__(self, ops: EditorOps, menu_bar: QWidget, parent: QWidget) -> None:
        self.ops = ops
        self.menu_bar = menu_bar
        self.parent = parent
        self.box = QLineEdit(parent)
        self.box.setObjectName("find_node")
        self.box.setPlaceholderText("Find node (Ctrl+F)")
        self.box.setClearButtonEnabled(True)
        self.box.setMaximumWidth(240)
        self.box.setToolTip("Type a node's name or id, then Enter (again: the next match)")
        self._model = QStringListModel(parent)
        self._completer = QCompleter(self._model, parent)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.setMaxVisibleItems(MAX_COMPLETIONS)
        self._completer.activated.connect(self._on_completion)
        self.box.setCompleter(self._completer)
        self.box.returnPressed.connect(self.find_next)
        self._model_stamp: object = None
        self.last_found = ""
        self.palette: CommandPalette | None = None

    def focus_find(self) -> None:
        self._refresh_names()
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def _refresh_names(self) -> None:
        doc = self.ops.ctx.doc
        stamp = doc.scenario  # immutable snapshot: a new object after every change
        if stamp is self._model_stamp:
            return
        self._model_stamp = stamp
        self._model.setStringList(
            [
                f"{n.name} [{n.id}]" if n.name and n.name != n.id else n.id
                for n in doc.nodes.values()
            ]
        )

    def _on_completion(self, text: str) -> None:
        # "Name [id]" from the list: look the id up exactly.
        node_id = text.rsplit("[", 1)[-1].rstrip("]") if text.endswith("]") else text
        self.last_found = self.ops.find(node_id) or ""

    def find_next(self) -> None:
        text = self.box.text()
        if text.endswith("]") and "[" in text:
            text = text.rsplit("[", 1)[-1].rstrip("]")
        self.last_found = self.ops.find(text, after=self.last_found) or ""

    def open_palette(self) -> CommandPalette:
        self.palette = CommandPalette(self.parent, menu_actions(self.menu_bar))
        self.palette.open()
        self.palette.query.setFocus()
        return self.palette
