"""``aifactory-twin``: start the editor, or render it to a PNG in screenshot mode.

    aifactory-twin [FILE] [--screenshot OUT.png [--size 1600x1000]]

Qt aborts the whole process when no platform plugin loads, so the known Linux trap (the xcb
plugin needs system libraries a fresh Debian lacks: libxcb-cursor0, libxcb-icccm4,
libxcb-keysyms1…) is checked before QApplication exists and ends in one line naming every
missing package instead of a Qt dump.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# Debian/Ubuntu package → the shared object Qt's xcb platform plugin loads. From `ldd` of
# PySide6 6.x's libqxcb.so and libQt6XcbQpa.so.6, which agrees with "Qt for X11 Requirements"
# (https://doc.qt.io/qt-6/linux-requirements.html) plus the EGL/GL/D-Bus libraries the wheel's
# plugin links. (Qt 6's plugin does not link libxcb-xinerama0; Qt 5's did.)
XCB_PACKAGES: dict[str, str] = {
    "libxcb1": "libxcb.so.1",
    "libx11-xcb1": "libX11-xcb.so.1",
    "libxcb-cursor0": "libxcb-cursor.so.0",
    "libxcb-icccm4": "libxcb-icccm.so.4",
    "libxcb-keysyms1": "libxcb-keysyms.so.1",
    "libxcb-image0": "libxcb-image.so.0",
    "libxcb-render0": "libxcb-render.so.0",
    "libxcb-render-util0": "libxcb-render-util.so.0",
    "libxcb-shape0": "libxcb-shape.so.0",
    "libxcb-randr0": "libxcb-randr.so.0",
    "libxcb-xfixes0": "libxcb-xfixes.so.0",
    "libxcb-xkb1": "libxcb-xkb.so.1",
    "libxcb-sync1": "libxcb-sync.so.1",
    "libxcb-shm0": "libxcb-shm.so.0",
    "libxcb-util1": "libxcb-util.so.1",
    "libxkbcommon0": "libxkbcommon.so.0",
    "libxkbcommon-x11-0": "libxkbcommon-x11.so.0",
    "libfontconfig1": "libfontconfig.so.1",
    "libfreetype6": "libfreetype.so.6",
    "libegl1": "libEGL.so.1",
    "libgl1": "libGL.so.1",
    "libdbus-1-3": "libdbus-1.so.3",
}


def xcb_advice(packages: list[str]) -> str:
    """One line: what to install so the xcb plugin loads."""
    return (
        "aifactory-twin: Qt's xcb plugin needs system libraries that are missing: "
        f"sudo apt-get install {' '.join(packages)}"
    )


NO_DISPLAY_ADVICE = (
    "aifactory-twin: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset): "
    "run it in a desktop session, or render offscreen with --screenshot OUT.png"
)
EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT = 0, 1, 2

# Other parts of the app (the live simulation view) add options and a post-start hook here
# without app.py knowing them: each extender gets the parser, then (window, args) after start.
ParserExtender = Callable[[argparse.ArgumentParser], None]
StartHook = Callable[[object, argparse.Namespace], None]
_parser_extenders: list[ParserExtender] = []
_start_hooks: list[StartHook] = []


def register_extension(extend_parser: ParserExtender, on_start: StartHook) -> None:
    if extend_parser not in _parser_extenders:
        _parser_extenders.append(extend_parser)
        _start_hooks.append(on_start)


# Optional parts that plug in through register_extension (absent parts are simply skipped).
EXTENSION_MODULES = ("ui.live.app_ext",)


def load_extensions() -> None:
    import importlib

    for name in EXTENSION_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        register = getattr(module, "register", None)
        if callable(register):
            register(register_extension)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aifactory-twin", description="AI factory editor")
    parser.add_argument("file", nargs="?", help="a .aift.json factory to open")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window and exit")
    parser.add_argument(
        "--size", default="1600x1000", metavar="WxH", help="window size for --screenshot"
    )
    for extend in _parser_extenders:
        extend(parser)
    return parser


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"aifactory-twin: --size: expected WIDTHxHEIGHT, got {text!r}") from None
    if not (200 <= width <= 10000 and 200 <= height <= 10000):
        raise SystemExit(f"aifactory-twin: --size: {text!r} is out of range (200..10000)")
    return width, height


def _loadable(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_packages(
    platform_env: str | None,
    system: str | None = None,
    loadable: Callable[[str], bool] = _loadable,
) -> list[str]:
    """The packages of ``XCB_PACKAGES`` whose library cannot be loaded, when Qt would use xcb."""
    if not (system or sys.platform).startswith("linux"):
        return []
    if platform_env and not platform_env.startswith("xcb"):
        return []
    return [package for package, soname in XCB_PACKAGES.items() if not loadable(soname)]


def no_display(platform_env: str | None, system: str | None = None) -> bool:
    """True when Qt would pick a windowing plugin on Linux but there is no display to use."""
    if not (system or sys.platform).startswith("linux"):
        return False
    if platform_env and not platform_env.startswith(("xcb", "wayland")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def install_startup_guard() -> Callable[[], None]:
    """Turn Qt's fatal 'no platform plugin' abort into one line of advice and exit 1.

    Qt prints a page of plugin diagnostics and aborts the process when no platform plugin
    loads; the checks above catch the known causes first, and this catches the rest. Returns a
    function that restores the previous message handler once the application exists.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    seen: list[str] = []

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        if mode == QtMsgType.QtFatalMsg:
            missing = missing_xcb_packages("xcb") if any("xcb" in m for m in seen) else []
            advice = xcb_advice(missing) if missing else None
            if advice is None:
                # Qt mentions xcb-cursor on every xcb failure; the display message is the cause.
                first = next((m for m in seen if "connect to display" in m), None) or next(
                    (m for m in seen if "Could not load" in m), message
                )
                advice = f"aifactory-twin: Qt could not open a window: {first.splitlines()[0]}"
            print(advice, file=sys.stderr, flush=True)
            os._exit(EXIT_UNEXPECTED)
        seen.append(message)

    previous = qInstallMessageHandler(handler)

    def restore() -> None:
        qInstallMessageHandler(previous)
        for message in seen:  # what Qt said during start-up still reaches the terminal
            print(message, file=sys.stderr)

    return restore


def main(argv: Sequence[str] | None = None) -> int:
    load_extensions()
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed for a screenshot
    if no_display(os.environ.get("QT_QPA_PLATFORM")):  # no window to open: libraries moot
        print(NO_DISPLAY_ADVICE, file=sys.stderr)
        return EXIT_UNEXPECTED
    missing = missing_xcb_packages(os.environ.get("QT_QPA_PLATFORM"))
    if missing:
        print(xcb_advice(missing), file=sys.stderr)
        return EXIT_UNEXPECTED
    size = parse_size(args.size) if args.screenshot else None
    if args.file and not Path(args.file).exists():
        print(f"aifactory-twin: {args.file}: file not found", file=sys.stderr)
        return EXIT_BAD_INPUT

    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    QApplication.setOrganizationName("aifactory-twin")
    QApplication.setApplicationName("aifactory-twin")
    QApplication.setApplicationDisplayName("AI Factory Twin")
    restore_messages = install_startup_guard()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    restore_messages()
    if args.screenshot:
        return _screenshot(app, args, size or (1600, 1000))
    window = MainWindow()
    window.show()
    if args.file:
        window.open_file(args.file)
    for hook in _start_hooks:
        hook(window, args)
    return int(app.exec())


def _screenshot(app: object, args: argparse.Namespace, size: tuple[int, int]) -> int:
    import tempfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from aifactory_twin.errors import ScenarioError
    from ui.main_window import MainWindow

    # A screenshot must not depend on (or change) the user's saved layout and recovery files.
    scratch = Path(tempfile.mkdtemp(prefix="aift-shot-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("tips/seen", True)  # the picture shows the editor, not the tour
    window = MainWindow(settings=settings, recovery_dir=scratch / "recovery", offer_recovery=False)
    window.resize(*size)
    window.show()
    if args.file:
        try:
            window.load_now(args.file)
        except ScenarioError as exc:
            print(f"aifactory-twin: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    for hook in _start_hooks:
        hook(window, args)
    for _ in range(3):
        QApplication.processEvents()
    window.validation.run_check()
    window.view.fit_all()
    QApplication.processEvents()
    ok = window.grab().save(args.screenshot)
    window.shutdown()
    window.stack.setClean()
    window.close()
    if not ok:
        print(f"aifactory-twin: cannot write {args.screenshot}", file=sys.stderr)
        return EXIT_UNEXPECTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
