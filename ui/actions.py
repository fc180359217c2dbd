"""Menus, toolbar and shortcuts of the main window, from one declarative table of actions.

Each ``ActionSpec`` says once what an action is: id, text, shortcut, icon, tooltip, handler and
when it is enabled. ``MENUS`` and ``TOOLBAR`` lay the ids out; ``build`` makes the QActions.
The command palette (ui/finder.py) lists the same actions, so a new entry in ``ACTIONS`` shows up
in the menus, the toolbar (if listed) and the palette with nothing else to touch.

Standard shortcuts come from QKeySequence.StandardKey so each platform gets its own. Canvas-only
actions (delete, copy, nudge…) are scoped to the canvas so typing in a form never deletes a node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar

from aifactory_twin.resources import scene_templates
from ui.arrange import ALIGNMENTS, DISTRIBUTIONS
from ui.file_ops import scene_title
from ui.menus import add_submenu
from ui.resources import tool_icon

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SK = QKeySequence.StandardKey
Keys = SK | str | list[str] | None
Handler = Callable[..., Any]  # (window) or, for checkable actions, (window, checked)
Condition = Callable[["MainWindow"], bool]


def _studio() -> ModuleType:
    """The what-if studio package, imported on first use so start-up does not pay for it."""
    import ui.compare

    return ui.compare


def has_nodes_selected(win: MainWindow) -> bool:
    return win.scene.selected_node_count() >= 1


def has_selection(win: MainWindow) -> bool:
    return bool(win.scene.selectedItems())


def two_selected(win: MainWindow) -> bool:
    return win.scene.selected_node_count() >= 2


def three_selected(win: MainWindow) -> bool:
    return win.scene.selected_node_count() >= 3


@dataclass(frozen=True)
class ActionSpec:
    """One user action: everything the menus, toolbar and command palette need to know."""

    id: str
    text: str
    handler: Handler
    keys: Keys = None
    tip: str = ""
    icon: str = ""
    checkable: bool = False  # the handler then receives (window, checked)
    canvas_only: bool = False
    enabled_when: Condition | None = None


def _nudge(dx: int, dy: int, fast: bool) -> Handler:
    return lambda w: w.ops.nudge(dx, dy, fast)


_NUDGES = [
    ActionSpec(
        f"nudge_{name}{'_fast' if fast else ''}",
        f"Nudge {name.title()}{' ×10' if fast else ''}",
        _nudge(dx, dy, fast),
        f"{'Shift+' if fast else ''}{key}",
        f"Move the selection one grid step{' ×10' if fast else ''} {name}",
        canvas_only=True,
        enabled_when=has_nodes_selected,
    )
    for fast in (False, True)
    for name, key, dx, dy in (
        ("left", "Left", -1, 0),
        ("right", "Right", 1, 0),
        ("up", "Up", 0, -1),
        ("down", "Down", 0, 1),
    )
]


def _align(how: str) -> Handler:
    return lambda w: w.ops.align(how)


def _distribute(axis: str) -> Handler:
    return lambda w: w.ops.distribute(axis)


def _compare(tab: str) -> Handler:
    return lambda w: _studio().open_compare_window(w.doc, w, tab=tab)


ACTIONS: tuple[ActionSpec, ...] = (
    # ---------------------------------------------------------------- File
    ActionSpec("new", "&New", lambda w: w.new_blank(), SK.New, "New empty factory", "new"),
    ActionSpec("open", "&Open…", lambda w: w.open_dialog(), SK.Open, "Open a factory file", "open"),
    ActionSpec("save", "&Save", lambda w: w.save(), SK.Save, "Save the factory", "save"),
    ActionSpec("save_as", "Save &As…", lambda w: w.save_as(), SK.SaveAs),
    ActionSpec("export_graphml", "Export &GraphML…", lambda w: w.export_graphml()),
    ActionSpec(
        "export_report",
        "Export &Report…",
        lambda w: _studio().export_report_for_document(w.doc, w),
        tip="Run every variant and write a PDF report: diagram, KPIs, charts, assumptions",
    ),
    ActionSpec("quit", "&Quit", lambda w: w.close(), "Ctrl+Q"),
    # ---------------------------------------------------------------- Edit
    ActionSpec(
        "cut",
        "Cu&t",
        lambda w: w.ops.cut_selection(),
        SK.Cut,
        canvas_only=True,
        enabled_when=has_nodes_selected,
    ),
    ActionSpec(
        "copy",
        "&Copy",
        lambda w: w.ops.copy_selection(),
        SK.Copy,
        canvas_only=True,
        enabled_when=has_nodes_selected,
    ),
    ActionSpec(
        "paste",
        "&Paste",
        lambda w: w.ops.paste(),
        SK.Paste,
        "Paste at the mouse pointer (or beside the copied nodes)",
        canvas_only=True,
    ),
    ActionSpec(
        "duplicate",
        "&Duplicate",
        lambda w: w.ops.duplicate_selection(),
        "Ctrl+D",
        canvas_only=True,
        enabled_when=has_nodes_selected,
    ),
    ActionSpec(
        "delete",
        "De&lete",
        lambda w: w.ops.delete_selection(),
        ["Delete", "Backspace"],
        canvas_only=True,
        enabled_when=has_selection,
    ),
    ActionSpec(
        "select_all", "Select &All", lambda w: w.ops.select_all(), SK.SelectAll, canvas_only=True
    ),
    ActionSpec(
        "select_connected",
        "Select &Connected",
        lambda w: w.ops.select_connected(),
        "Ctrl+Shift+A",
        "Add the nodes joined to the selection by an edge",
        canvas_only=True,
        enabled_when=has_nodes_selected,
    ),
    ActionSpec(
        "find",
        "&Find Node…",
        lambda w: w.finder.focus_find(),
        SK.Find,
        "Find a node by name or id, select it and bring it into view",
    ),
    ActionSpec(
        "command_palette",
        "Command &Palette…",
        lambda w: w.finder.open_palette(),
        "Ctrl+Shift+P",
        "Search every action by name and run it",
    ),
    ActionSpec(
        "select_tool",
        "Select / Move Tool",
        lambda w, on: None,
        "V",
        "Select and move nodes; drag from a node's port to connect",
        "select",
        checkable=True,
        # A bare letter: only while the canvas has focus, so typing "c" in the palette, a
        # read-only field or a drop-down never switches tools behind the user's back.
        canvas_only=True,
    ),
    ActionSpec(
        "connect_tool",
        "Connect Tool",
        lambda w, on: w.set_connect_tool(on),
        "C",
        "Drag from one node to another to connect them (or Shift-drag with any tool)",
        "connect",
        checkable=True,
        canvas_only=True,
    ),
    ActionSpec(
        "auto_layout",
        "Auto-&Layout",
        lambda w: w.ops.auto_layout(),
        "Ctrl+L",
        "Arrange all nodes in columns by flow (one undo step)",
        "layout",
    ),
    *(
        ActionSpec(
            f"align_{how}",
            text,
            _align(how),
            tip=f"{text} the selected nodes (one undo step)",
            enabled_when=two_selected,
        )
        for how, (text, _axis, _rule) in ALIGNMENTS.items()
    ),
    *(
        ActionSpec(
            f"distribute_{axis}",
            text,
            _distribute(axis),
            tip=f"{text}: equal spacing between the outermost selected nodes",
            enabled_when=three_selected,
        )
        for axis, text in DISTRIBUTIONS.items()
    ),
    *_NUDGES,
    # ---------------------------------------------------------------- View
    ActionSpec(
        "zoom_in",
        "Zoom &In",
        lambda w: w.view.zoom_by(1.25, False),
        ["Ctrl++", "Ctrl+="],
        "Zoom in",
        "zoom_in",
    ),
    ActionSpec(
        "zoom_out", "Zoom &Out", lambda w: w.view.zoom_by(0.8, False), SK.ZoomOut, icon="zoom_out"
    ),
    ActionSpec(
        "fit", "&Fit to View", lambda w: w.view.fit_all(), "Ctrl+0", "Show the whole factory", "fit"
    ),
    ActionSpec(
        "zoom_selection",
        "Zoom to &Selection",
        lambda w: w.view.zoom_to_selection(),
        "Ctrl+9",
        "Zoom to the selected nodes",
    ),
    ActionSpec(
        "bring_into_view",
        "&Bring Selection into View",
        lambda w: w.ops.bring_into_view(),
        "Ctrl+.",
        "Centre the selection without changing the zoom (unless it is too small to read)",
        enabled_when=has_selection,
    ),
    ActionSpec(
        "snap",
        "Snap to &Grid",
        lambda w, on: w.set_snap(on),
        "Ctrl+'",
        "Snap moved nodes to the grid",
        "grid",
        checkable=True,
    ),
    ActionSpec(
        "groups",
        "Show &Hall Frames",
        lambda w, on: w.scene.set_show_groups(on),
        tip="Draw a frame around each hall / group",
        checkable=True,
    ),
    ActionSpec(
        "minimap",
        "&Minimap",
        lambda w, on: w.minimap.set_wanted(on),
        "Ctrl+M",
        "An overview of the whole factory in the canvas corner (big factories); click to go",
        checkable=True,
    ),
    ActionSpec(
        "reset_layout",
        "&Reset Layout",
        lambda w: w.reset_layout(),
        tip="Put every panel back where it starts, with most of the window for the canvas",
    ),
    ActionSpec(
        "presentation",
        "&Presentation",
        lambda w: _studio().present_document(w.doc, w),
        "F5",
        "Compare every variant, then show the slides full screen (Esc leaves)",
    ),
    # ---------------------------------------------------------------- Simulate / Help
    ActionSpec(
        "compare",
        "&Compare Variants…",
        _compare("charts"),
        tip="Run the base and variants side by side",
    ),
    ActionSpec(
        "sweep", "S&weep…", _compare("sweep"), tip="Vary one parameter and plot the KPIs against it"
    ),
    ActionSpec(
        "montecarlo", "&Monte Carlo…", _compare("montecarlo"), tip="Many seeds: P10 / P50 / P90"
    ),
    ActionSpec(
        "heatmap", "&Heat Map…", _compare("heatmap"), tip="Vary two parameters: a KPI over a grid"
    ),
    ActionSpec(
        "tornado",
        "&Tornado…",
        _compare("tornado"),
        tip="Sample the uncertain inputs: what matters most, and how likely B beats A",
    ),
    ActionSpec(
        "optimize",
        "&Optimize…",
        _compare("optimize"),
        tip="Goal seek: the best design that meets the KPI constraints; make it a variant",
    ),
    ActionSpec("tips", "&Tips…", lambda w: w.show_tips(), tip="A short tour of the editor"),
    ActionSpec("shortcuts", "&Keyboard and Mouse", lambda w: _show_help(w)),
    ActionSpec("about", "&About", lambda w: _show_about(w)),
)

# Menu layouts: action ids, None for a separator, and "@name" for a submenu built in code.
MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        "&File",
        (
            "new",
            "@templates",
            "open",
            "@recent",
            None,
            "save",
            "save_as",
            "export_graphml",
            "export_report",
            None,
            "quit",
        ),
    ),
    (
        "&Edit",
        (
            "undo",
            "redo",
            None,
            "cut",
            "copy",
            "paste",
            "duplicate",
            "delete",
            None,
            "select_all",
            "select_connected",
            "find",
            None,
            "@arrange",
            "select_tool",
            "connect_tool",
            "auto_layout",
            None,
            "command_palette",
        ),
    ),
    (
        "&View",
        (
            "zoom_in",
            "zoom_out",
            "fit",
            "zoom_selection",
            "bring_into_view",
            None,
            "snap",
            "groups",
            "minimap",
            "@theme",
            None,
            "@panels",
            "reset_layout",
            None,
            "presentation",
        ),
    ),
    ("&Simulate", ("compare", "sweep", "montecarlo", "heatmap", None, "tornado", "optimize", None)),
    ("&Help", ("tips", "shortcuts", "about")),
)
ARRANGE_MENU: tuple[str | None, ...] = (
    *(f"align_{how}" for how in ALIGNMENTS),
    None,
    *(f"distribute_{axis}" for axis in DISTRIBUTIONS),
)
TOOLBAR: tuple[str | None, ...] = (
    "new",
    "open",
    "save",
    None,
    "undo",
    "redo",
    None,
    "select_tool",
    "connect_tool",
    None,
    "zoom_in",
    "zoom_out",
    "fit",
    None,
    "snap",
    "auto_layout",
)


@dataclass
class Actions:
    by_name: dict[str, QAction] = field(default_factory=dict)
    toolbar: QToolBar | None = None
    recent_menu: QMenu | None = None
    view_docks_menu: QMenu = field(default_factory=QMenu)
    simulate_menu: QMenu = field(default_factory=QMenu)
    arrange_menu: QMenu | None = None
    icon_names: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def refresh(self, win: MainWindow) -> None:
        """Enable each action whose ``enabled_when`` holds now (after a selection change)."""
        for spec in ACTIONS:
            if spec.enabled_when is not None:
                self.by_name[spec.id].setEnabled(spec.enabled_when(win))


def _tip(action: QAction, text: str) -> None:
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{text} ({keys})" if keys else text)
    action.setStatusTip(text)


def _make(win: MainWindow, spec: ActionSpec, acts: Actions) -> QAction:
    action = QAction(spec.text, win)
    action.setObjectName(f"action_{spec.id}")
    if isinstance(spec.keys, list):
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
    elif spec.keys is not None:
        action.setShortcut(QKeySequence(spec.keys))
    action.setCheckable(spec.checkable)
    handler = spec.handler
    if spec.checkable:
        action.toggled.connect(lambda on, h=handler: h(win, on))
    else:
        action.triggered.connect(lambda _checked=False, h=handler: h(win))
    if spec.canvas_only:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        win.view.addAction(action)
    _tip(action, spec.tip or spec.text.replace("&", "").rstrip("…"))
    if spec.icon:
        acts.icon_names[spec.id] = spec.icon
        action.setIcon(tool_icon(spec.icon))
    acts.by_name[spec.id] = action
    return action


def _undo_redo(win: MainWindow, acts: Actions) -> None:
    undo = win.stack.createUndoAction(win, "&Undo")
    undo.setShortcuts(QKeySequence.keyBindings(SK.Undo))
    redo = win.stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for action, name, tip in ((undo, "undo", "Undo the last edit"), (redo, "redo", "Redo")):
        action.setObjectName(f"action_{name}")
        action.setIcon(tool_icon(name))
        acts.icon_names[name] = name
        _tip(action, tip)
        acts.by_name[name] = action


def _fill(win: MainWindow, acts: Actions, menu: QMenu, layout: tuple[str | None, ...]) -> None:
    for entry in layout:
        if entry is None:
            menu.addSeparator()
        elif entry.startswith("@"):
            _SUBMENUS[entry[1:]](win, acts, menu)
        else:
            menu.addAction(acts[entry])


def _templates_menu(win: MainWindow, acts: Actions, parent: QMenu) -> None:
    templates = add_submenu(parent, "New from &Template")
    for name, path in scene_templates().items():
        act = templates.addAction(template_title(name, str(path)))
        act.setToolTip(str(path))
        act.triggered.connect(lambda _c=False, p=str(path): win.new_from_template(p))
    templates.setEnabled(bool(scene_templates()))


def template_title(name: str, path: str) -> str:
    """A template's menu title: the name in the scene's own meta, not its file name."""
    return scene_title(path) or name.replace("-", " ").title()


def _recent_menu(win: MainWindow, acts: Actions, parent: QMenu) -> None:
    acts.recent_menu = add_submenu(parent, "Open &Recent")
    acts.recent_menu.aboutToShow.connect(win.fill_recent_menu)


def _arrange_menu(win: MainWindow, acts: Actions, parent: QMenu) -> None:
    acts.arrange_menu = add_submenu(parent, "A&lign and Distribute")
    _fill(win, acts, acts.arrange_menu, ARRANGE_MENU)
    parent.addSeparator()


def _theme_menu(win: MainWindow, _acts: Actions, parent: QMenu) -> None:
    theme_menu = add_submenu(parent, "&Theme")
    theme_group = QActionGroup(win)
    for choice in ("system", "light", "dark"):
        act = theme_menu.addAction(choice.capitalize())
        act.setObjectName(f"action_theme_{choice}")
        act.setCheckable(True)
        act.setChecked(str(win.settings.value("theme", "system")) == choice)
        act.triggered.connect(lambda _c=False, c=choice: win.apply_theme(c))
        theme_group.addAction(act)


def _panels_menu(win: MainWindow, acts: Actions, parent: QMenu) -> None:
    acts.view_docks_menu = add_submenu(parent, "&Panels")
    for dock in (win.palette_dock, win.inspector_dock, win.validation_dock, win.history_dock):
        acts.view_docks_menu.addAction(dock.toggleViewAction())


_SUBMENUS: dict[str, Callable[[MainWindow, Actions, QMenu], None]] = {
    "templates": _templates_menu,
    "recent": _recent_menu,
    "arrange": _arrange_menu,
    "theme": _theme_menu,
    "panels": _panels_menu,
}


def build(win: MainWindow) -> Actions:
    acts = Actions()
    _undo_redo(win, acts)
    for spec in ACTIONS:
        _make(win, spec, acts)
    tools = QActionGroup(win)
    tools.addAction(acts["select_tool"])
    tools.addAction(acts["connect_tool"])
    acts["select_tool"].setChecked(True)
    acts["snap"].setChecked(bool(win.settings.value("snap", True, type=bool)))
    acts["groups"].setChecked(True)
    acts["minimap"].setChecked(bool(win.settings.value("minimap", True, type=bool)))
    bar = win.menuBar()
    for title, layout in MENUS:
        menu = bar.addMenu(title)
        menu.setObjectName(f"menu_{title.replace('&', '').lower()}")
        _fill(win, acts, menu, layout)
        if title == "&Simulate":
            acts.simulate_menu = menu

    bar_widget = QToolBar("Tools", win)
    bar_widget.setObjectName("main_toolbar")
    bar_widget.setMovable(False)
    for name in TOOLBAR:
        if name is None:
            bar_widget.addSeparator()
        else:
            bar_widget.addAction(acts[name])
    win.addToolBar(bar_widget)
    acts.toolbar = bar_widget
    acts.refresh(win)
    return acts


def recolor_icons(win: MainWindow, stroke: str) -> None:
    acts = getattr(win, "acts", None)
    if acts is None:
        return
    for name, icon in acts.icon_names.items():
        acts[name].setIcon(tool_icon(icon, stroke))


HELP_TEXT = """<h3>Keyboard and mouse</h3>
<table cellspacing=4>
<tr><td><b>Drag from the palette</b></td><td>place a node (or double-click an entry)</td></tr>
<tr><td><b>Drag from a node's output port</b></td><td>(the hollow circle on its right) connect it
to another node; the edge kind follows the rules and power, coolant and data always flow out of
the output port into the input port (the dot on the left). Shift-drag or the Connect tool (C)
work from anywhere on the node</td></tr>
<tr><td><b>Drag / rubber band / Ctrl-click</b></td><td>move / select / add to selection</td></tr>
<tr><td><b>Right-click</b></td><td>cut, copy, paste here, align, select connected, inject an
event</td></tr>
<tr><td><b>Arrow keys (Shift: ×10)</b></td><td>nudge the selection one grid step</td></tr>
<tr><td><b>Escape</b></td><td>cancel a connection being drawn, then clear the selection</td></tr>
<tr><td><b>Wheel, Ctrl +/−, Ctrl 0, Ctrl 9</b></td><td>zoom, fit all, zoom to selection</td></tr>
<tr><td><b>Middle-drag, Space-drag, Shift-wheel</b></td><td>pan</td></tr>
<tr><td><b>Delete, Ctrl X/C/V/D</b></td><td>delete, cut, copy, paste at the pointer,
duplicate</td></tr>
<tr><td><b>Ctrl Z, Ctrl Shift Z / Ctrl Y</b></td><td>undo, redo (also from a form field)</td></tr>
<tr><td><b>Ctrl F, Ctrl Shift P</b></td><td>find a node, command palette</td></tr>
<tr><td><b>Ctrl L</b></td><td>auto-layout</td></tr>
</table>"""


def _show_help(win: MainWindow) -> None:
    QMessageBox.information(win, "Keyboard and mouse", HELP_TEXT)


def _show_about(win: MainWindow) -> None:
    QMessageBox.about(
        win,
        "About AI Factory Twin",
        "<b>AI Factory Twin</b><br>A desktop digital twin of AI factories: draw racks, fabrics, "
        "cooling, power, storage and staff as a graph, then simulate them together.",
    )
