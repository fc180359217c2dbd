"""``aifactory-twin-cli``: validate, schema, export, new, run, compare, sweep, report.

Exit codes everywhere: 0 success, 2 bad input (usage or file), 1 unexpected error. A user error
never prints a traceback; ``--debug`` shows it.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from aifactory_twin.cli.common import EXIT_BAD_INPUT, EXIT_UNEXPECTED, enable_fast_exit
from aifactory_twin.errors import TwinError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors exit 2 through one path."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def _positive_mib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of MiB (got {text!r})")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(
        prog="aifactory-twin-cli",
        description="Headless tools for aifactory-twin scenario files (*.aift.json).",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    parser.add_argument(
        "--max-file-mib",
        type=_positive_mib,
        metavar="MIB",
        help="largest scenario file to read, in MiB (default 64, or $AIFT_MAX_FILE_MIB)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    # Each command module registers its own subcommands; imported lazily so `validate` does not
    # pay for numpy and the engine.
    from aifactory_twin.cli import core_cmds, run_cmd, study_cmds

    core_cmds.register(sub)
    run_cmd.register(sub)
    study_cmds.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv``; the exit code (0 ok, 2 bad input, 1 unexpected)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if args.max_file_mib is not None:
            from aifactory_twin.io.load import MAX_FILE_ENV

            # The environment carries the cap to worker processes (sweeps, studies) as well.
            os.environ[MAX_FILE_ENV] = repr(args.max_file_mib)
        handler: Handler = args.handler
        return handler(args)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except TwinError as exc:
        if debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            print(
                f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
                file=sys.stderr,
            )
        return EXIT_UNEXPECTED


def console_main() -> None:
    """The installed command: run ``main``, flush the output, and exit without heap teardown.

    Every file the commands write is closed before they return, so ending with ``os._exit``
    loses nothing; it skips freeing what ``common.leave_to_exit`` kept (seconds on a big
    factory).
    """
    enable_fast_exit()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console_main()
