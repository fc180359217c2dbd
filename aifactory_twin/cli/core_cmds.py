"""Core CLI commands: ``validate``, ``schema``, ``export`` and ``new``.

Each handler returns an exit code (0 ok, 2 bad input); user errors raise TwinError subclasses,
which ``cli.main`` prints without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aifactory_twin.cli.common import EXIT_BAD_INPUT, EXIT_OK
from aifactory_twin.errors import ScenarioError, UsageError


def register(subparsers: Any) -> None:
    """Add the core subcommands to the CLI's subparsers."""
    validate = subparsers.add_parser(
        "validate",
        help="check scenario files; exit 0 when all load (warnings allowed), 2 otherwise",
        description="Load each scenario file and print every error and warning found.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="*.aift.json files")
    validate.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    validate.set_defaults(handler=cmd_validate)

    schema = subparsers.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.set_defaults(handler=cmd_schema)

    export = subparsers.add_parser(
        "export",
        help="export the factory graph as GraphML and/or networkx node-link JSON",
    )
    export.add_argument("file", metavar="FILE", help="scenario file (*.aift.json)")
    export.add_argument("--graphml", metavar="OUT", help="write GraphML to OUT")
    export.add_argument("--node-link", metavar="OUT", help="write node-link JSON to OUT")
    export.set_defaults(handler=cmd_export)

    new = subparsers.add_parser("new", help="create a scenario file from a shipped scene")
    new.add_argument("--template", required=True, metavar="NAME", help="scene name, see scenes/")
    new.add_argument("out", metavar="OUT", help="file to create (*.aift.json)")
    new.add_argument("--name", help="meta.name of the new scenario (default: from OUT)")
    new.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    new.set_defaults(handler=cmd_new)


def cmd_validate(args: argparse.Namespace) -> int:
    """Print findings per file as ``file: path: message`` lines, then a summary."""
    from aifactory_twin.io import load_scenario

    invalid = 0
    warnings = 0
    for name in args.files:
        try:
            scenario = load_scenario(name, check_rules=False)
        except ScenarioError as exc:
            invalid += 1
            for problem in exc.problems:
                print(f"{_where(name, problem.path)}: error: {problem.message}")
            continue
        from aifactory_twin import rules  # after loading: a broken file need not pay for networkx

        findings = rules.check(scenario)
        errors = [f for f in findings if f.severity == "error"]
        warnings += len(findings) - len(errors)
        if errors:
            invalid += 1
        for finding in findings:
            if args.quiet and finding.severity != "error":
                continue
            print(
                f"{_where(name, finding.path)}: {finding.severity}: {finding.message} "
                f"[{finding.code}]"
            )
    total = len(args.files)
    valid = total - invalid
    summary = f"{valid} of {total} file{'s' if total != 1 else ''} valid"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    print(summary, file=sys.stderr)
    return EXIT_BAD_INPUT if invalid else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of ``*.aift.json``."""
    from aifactory_twin.io.export import json_schema

    print(json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write GraphML and/or node-link JSON of a scenario's graph."""
    if not args.graphml and not args.node_link:
        raise UsageError("export: give at least one of --graphml OUT or --node-link OUT")
    from aifactory_twin.io import load_scenario
    from aifactory_twin.io.export import write_graphml, write_node_link

    scenario = load_scenario(args.file)
    if args.graphml:
        write_graphml(scenario, args.graphml)
        print(f"wrote {args.graphml}", file=sys.stderr)
    if args.node_link:
        write_node_link(scenario, args.node_link)
        print(f"wrote {args.node_link}", file=sys.stderr)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """Copy a shipped scene into OUT with ``meta.name`` set; refuse to overwrite without --force."""
    from aifactory_twin.io import load_scenario, save_scenario
    from aifactory_twin.resources import scene_templates

    templates = scene_templates()
    if args.template not in templates:
        known = ", ".join(templates) or "(none installed)"
        raise UsageError(f"new: unknown template {args.template!r}; available: {known}")
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"new: {out} already exists (use --force to overwrite it)")
    if out.is_dir():
        raise UsageError(f"new: {out} is a folder; give a file name such as factory.aift.json")
    scenario = load_scenario(templates[args.template])
    name = args.name or _title_from_path(out)
    try:
        # Re-validated (not model_copy) so a too-long --name is refused like one in a file.
        meta = type(scenario.meta).model_validate({**scenario.meta.model_dump(), "name": name})
    except ValidationError as exc:
        raise UsageError(f"new: --name: {exc.errors(include_url=False)[0]['msg']}") from None
    scenario = scenario.model_copy(update={"meta": meta})
    save_scenario(scenario, out)
    print(f"created {out} from template {args.template!r}", file=sys.stderr)
    return EXIT_OK


def _title_from_path(path: Path) -> str:
    stem = path.name.removesuffix(".aift.json").removesuffix(".json")
    return stem.replace("-", " ").replace("_", " ").strip() or "Untitled factory"


def _where(file: str, path: str) -> str:
    return f"{file}: {path}" if path else file
