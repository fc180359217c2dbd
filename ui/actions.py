"""Menus, toolbar and shortcuts of the main window (File / Edit / View / Simulate / Help).

Standard shortcuts come from QKeySequence.StandardKey so each platform gets its own; every
toolbar action has a tooltip naming its shortcut. Canvas-only actions (delete, copy, paste…) are
scoped to the canvas so typing in the inspector never deletes a node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QToolBar

from aifactory_twin.resources import scene_templates
from ui.resources import tool_icon

if TYPE_CHECKING:
    from ui.main_window import MainWindow

SK = QKeySequence.StandardKey


@dataclass
class Actions:
    by_name: dict[str, QAction] = field(default_factory=dict)
    toolbar: QToolBar | None = None
    recent_menu: QMenu | None = None
    view_docks_menu: QMenu = field(default_factory=QMenu)
    simulate_menu: QMenu = field(default_factory=QMenu)
    icon_names: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]


def _tip(action: QAction, text: str) -> None:
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{text} ({keys})" if keys else text)
    action.setStatusTip(text)


def _studio():  # type: ignore[no-untyped-def]
    """The what-if studio package, imported on first use so start-up does not pay for it."""
    import ui.compare

    return ui.compare


def build(win: MainWindow) -> Actions:
    acts = Actions()

    def add(
        name: str,
        text: str,
        slot: object,
        keys: object = None,
        tip: str = "",
        icon: str = "",
        checkable: bool = False,
        canvas_only: bool = False,
    ) -> QAction:
        action = QAction(text, win)
        action.setObjectName(f"action_{name}")
        if keys is not None:
            if isinstance(keys, list):
                action.setShortcuts([QKeySequence(k) for k in keys])
            else:
                action.setShortcut(QKeySequence(keys))  # type: ignore[arg-type]
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)  # type: ignore[arg-type]
        else:
            action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        if canvas_only:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            win.view.addAction(action)
        _tip(action, tip or text.replace("&", "").rstrip("…"))
        if icon:
            acts.icon_names[name] = icon
            action.setIcon(tool_icon(icon))
        acts.by_name[name] = action
        return action

    bar = win.menuBar()
    # ---------------------------------------------------------------- File
    file_menu = bar.addMenu("&File")
    file_menu.addAction(add("new", "&New", win.new_blank, SK.New, "New empty factory", "new"))
    templates = file_menu.addMenu("New from &Template")
    for name, path in scene_templates().items():
        act = templates.addAction(name.replace("-", " ").title())
        act.setToolTip(str(path))
        act.triggered.connect(lambda _c=False, p=str(path): win.new_from_template(p))
    templates.setEnabled(bool(scene_templates()))
    file_menu.addAction(
        add("open", "&Open…", win.open_dialog, SK.Open, "Open a factory file", "open")
    )
    acts.recent_menu = file_menu.addMenu("Open &Recent")
    acts.recent_menu.aboutToShow.connect(win.fill_recent_menu)
    file_menu.addSeparator()
    file_menu.addAction(add("save", "&Save", win.save, SK.Save, "Save the factory", "save"))
    file_menu.addAction(add("save_as", "Save &As…", win.save_as, SK.SaveAs))
    file_menu.addAction(add("export_graphml", "Export &GraphML…", win.export_graphml))
    file_menu.addAction(
        add(
            "export_report",
            "Export &Report…",
            lambda: _studio().export_report_for_document(win.doc, win),
            None,
            "Run every variant and write a PDF report: diagram, KPIs, charts, assumptions",
        )
    )
    file_menu.addSeparator()
    file_menu.addAction(add("quit", "&Quit", win.close, "Ctrl+Q"))

    # ---------------------------------------------------------------- Edit
    edit = bar.addMenu("&Edit")
    undo = win.stack.createUndoAction(win, "&Undo")
    undo.setShortcuts(QKeySequence.keyBindings(SK.Undo))
    undo.setIcon(tool_icon("undo"))
    acts.icon_names["undo"] = "undo"
    redo = win.stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIcon(tool_icon("redo"))
    acts.icon_names["redo"] = "redo"
    for action, name, tip in ((undo, "undo", "Undo the last edit"), (redo, "redo", "Redo")):
        action.setObjectName(f"action_{name}")
        _tip(action, tip)
        acts.by_name[name] = action
        edit.addAction(action)
    edit.addSeparator()
    edit.addAction(add("cut", "Cu&t", win.cut_selection, SK.Cut, canvas_only=True))
    edit.addAction(add("copy", "&Copy", win.copy_selection, SK.Copy, canvas_only=True))
    edit.addAction(add("paste", "&Paste", win.paste, SK.Paste, canvas_only=True))
    edit.addAction(
        add("duplicate", "&Duplicate", win.duplicate_selection, "Ctrl+D", canvas_only=True)
    )
    edit.addAction(
        add("delete", "De&lete", win.delete_selection, ["Delete", "Backspace"], canvas_only=True)
    )
    edit.addSeparator()
    edit.addAction(add("select_all", "Select &All", win.select_all, SK.SelectAll, canvas_only=True))
    edit.addSeparator()
    tools = QActionGroup(win)
    select_tool = add(
        "select_tool",
        "Select / Move Tool",
        lambda on: None,
        "V",
        "Select and move nodes; drag from a node's port to connect",
        "select",
        checkable=True,
    )
    connect_tool = add(
        "connect_tool",
        "Connect Tool",
        _set_connect(win),
        "C",
        "Drag from one node to another to connect them (or Shift-drag with any tool)",
        "connect",
        checkable=True,
    )
    tools.addAction(select_tool)
    tools.addAction(connect_tool)
    select_tool.setChecked(True)
    edit.addAction(select_tool)
    edit.addAction(connect_tool)
    edit.addAction(
        add(
            "auto_layout",
            "Auto-&Layout",
            win.auto_layout,
            "Ctrl+L",
            "Arrange all nodes in columns by flow (one undo step)",
            "layout",
        )
    )

    # ---------------------------------------------------------------- View
    view = bar.addMenu("&View")
    view.addAction(
        add(
            "zoom_in",
            "Zoom &In",
            lambda: win.view.zoom_by(1.25, False),
            ["Ctrl++", "Ctrl+="],
            "Zoom in",
            "zoom_in",
        )
    )
    view.addAction(
        add(
            "zoom_out",
            "Zoom &Out",
            lambda: win.view.zoom_by(0.8, False),
            SK.ZoomOut,
            "Zoom out",
            "zoom_out",
        )
    )
    view.addAction(
        add("fit", "&Fit to View", win.view.fit_all, "Ctrl+0", "Show the whole factory", "fit")
    )
    view.addAction(
        add(
            "zoom_selection",
            "Zoom to &Selection",
            win.view.zoom_to_selection,
            "Ctrl+9",
            "Zoom to the selected nodes",
        )
    )
    view.addSeparator()
    snap = add(
        "snap",
        "Snap to &Grid",
        _set_snap(win),
        "Ctrl+'",
        "Snap moved nodes to the grid",
        "grid",
        checkable=True,
    )
    snap.setChecked(bool(win.settings.value("snap", True, type=bool)))
    view.addAction(snap)
    groups = add(
        "groups",
        "Show &Hall Frames",
        win.scene.set_show_groups,
        None,
        "Draw a frame around each hall / group",
        checkable=True,
    )
    groups.setChecked(True)
    view.addAction(groups)
    theme_menu = view.addMenu("&Theme")
    theme_group = QActionGroup(win)
    for choice in ("system", "light", "dark"):
        act = theme_menu.addAction(choice.capitalize())
        act.setObjectName(f"action_theme_{choice}")
        act.setCheckable(True)
        act.setChecked(str(win.settings.value("theme", "system")) == choice)
        act.triggered.connect(lambda _c=False, c=choice: win.apply_theme(c))
        theme_group.addAction(act)
    view.addSeparator()
    acts.view_docks_menu = view.addMenu("&Panels")
    for dock in (win.palette_dock, win.inspector_dock, win.validation_dock, win.history_dock):
        acts.view_docks_menu.addAction(dock.toggleViewAction())

    # ---------------------------------------------------------------- Simulate / Help
    view.addSeparator()
    view.addAction(
        add(
            "presentation",
            "&Presentation",
            lambda: _studio().present_document(win.doc, win),
            "F5",
            "Compare every variant, then show the slides full screen (Esc leaves)",
        )
    )

    acts.simulate_menu = bar.addMenu("&Simulate")
    acts.simulate_menu.setObjectName("menu_simulate")
    for name, text, tab, tip in (
        ("compare", "&Compare Variants…", "charts", "Run the base and variants side by side"),
        ("sweep", "S&weep…", "sweep", "Vary one parameter and plot the KPIs against it"),
        ("montecarlo", "&Monte Carlo…", "montecarlo", "Many seeds: P10 / P50 / P90 bands"),
    ):
        acts.simulate_menu.addAction(
            add(
                name,
                text,
                lambda t=tab: _studio().open_compare_window(win.doc, win, tab=t),
                None,
                tip,
            )
        )
    acts.simulate_menu.addSeparator()
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(add("shortcuts", "&Keyboard and Mouse", lambda: _show_help(win)))
    help_menu.addAction(add("about", "&About", lambda: _show_about(win)))

    # ---------------------------------------------------------------- toolbar
    bar_widget = QToolBar("Tools", win)
    bar_widget.setObjectName("main_toolbar")
    bar_widget.setMovable(False)
    for name in (
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
    ):
        if name is None:
            bar_widget.addSeparator()
        else:
            bar_widget.addAction(acts[name])
    win.addToolBar(bar_widget)
    acts.toolbar = bar_widget
    return acts


def _set_connect(win: MainWindow) -> object:
    def slot(on: bool) -> None:
        win.view.connect_tool = on
        if on:
            win.status("Connect tool: drag from one node to another")

    return slot


def _set_snap(win: MainWindow) -> object:
    def slot(on: bool) -> None:
        win.scene.snap_grid = 20.0 if on else 0.0
        win.settings.setValue("snap", on)

    return slot


def recolor_icons(win: MainWindow, stroke: str) -> None:
    acts = getattr(win, "acts", None)
    if acts is None:
        return
    for name, icon in acts.icon_names.items():
        acts[name].setIcon(tool_icon(icon, stroke))


HELP_TEXT = """<h3>Keyboard and mouse</h3>
<table cellspacing=4>
<tr><td><b>Drag from the palette</b></td><td>place a node (or double-click an entry)</td></tr>
<tr><td><b>Drag from a node's port</b></td><td>connect it to another node; the edge kind
follows the rules (Shift-drag or the Connect tool, C, work from anywhere on the node)</td></tr>
<tr><td><b>Drag / rubber band / Ctrl-click</b></td><td>move / select / add to selection</td></tr>
<tr><td><b>Wheel, Ctrl +/−, Ctrl 0, Ctrl 9</b></td><td>zoom, fit all, zoom to selection</td></tr>
<tr><td><b>Middle-drag, Shift-wheel</b></td><td>pan</td></tr>
<tr><td><b>Delete, Ctrl X/C/V/D</b></td><td>delete, cut, copy, paste, duplicate</td></tr>
<tr><td><b>Ctrl Z, Ctrl Shift Z / Ctrl Y</b></td><td>undo, redo</td></tr>
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
