"""``--run DURATION`` for the app: simulate before the window is shown or screenshotted.

    aifactory-twin scenes/air-vs-liquid.aift.json --run 7d --screenshot OUT.png

``ui.app`` loads this module by name and hands ``register`` its ``register_extension``, so
neither imports the other (the app sits above the live view in the UI layers) and app.py does
not need to know the live view:
the option is added to the parser, and after the window has loaded the file the run is
simulated at once (blocking, with the window not yet interactive), so a screenshot shows filled
charts, KPI tiles, alarms and a coloured canvas.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from aifactory_twin.errors import UsageError
from aifactory_twin.formatting import parse_duration


def _duration(text: str) -> float:
    try:
        return parse_duration(text, "--run")
    except UsageError as exc:  # argparse turns this into "error: argument --run: …", exit 2
        raise argparse.ArgumentTypeError(str(exc)) from None


def extend_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run",
        type=_duration,
        metavar="DURATION",
        help="simulate this long first (e.g. 12h, 7d) — with --screenshot, a live-run picture",
    )
    parser.add_argument(
        "--variant", metavar="NAME", help="simulate this variant of the scenario (with --run)"
    )


def on_start(window: Any, args: argparse.Namespace) -> None:
    """Install the live view if the window has none, then simulate ``args.run``."""
    from ui.live.live_view import install_live_view

    live = getattr(window, "live", None)
    if live is None:
        live = install_live_view(window)
        window.live = live
    if getattr(args, "variant", None):
        index = live.controls.variant.findData(args.variant)
        if index < 0:
            print(f"aifactory-twin: --variant: no variant named {args.variant!r}", file=sys.stderr)
            raise SystemExit(2)
        live.controls.variant.setCurrentIndex(index)
    if getattr(args, "run", None):
        live.run_headless(float(args.run))


def register(register_extension: Callable[[Any, Any], None]) -> None:
    """Add the ``--run`` option and its start hook through the app's ``register_extension``.

    The app passes its own function, so under ``python -m ui.app`` (where the app module is
    ``__main__``) the registration lands in the copy that parses the command line.
    """
    register_extension(extend_parser, on_start)
