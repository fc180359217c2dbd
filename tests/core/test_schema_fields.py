"""Every schema field is read by the compiler, the rules or the loader, or is listed here.

A field nothing reads is a promise the model does not keep: a user sets it and nothing changes.
Each field must therefore be read by one of the READERS, or sit in DISPLAY_ONLY (shown and
edited, never simulated, with the reason) or in NOT_YET_READ (accepted today, wired by the issue
named). The second list is printed as a warning on every run so it stays visible, and both lists
fail the test when they go stale (an entry that is read, or that names no field).

"Read" is decided from the source: the field's name is read as an attribute (``x.field``, not
called) or used as a string (``getattr(x, "field")``, a dotted path) somewhere in a reader. That
is coarse — a name shared by two models counts for both — but it catches the case that matters,
a field no reader mentions at all.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import warnings
from pathlib import Path

from pydantic import BaseModel

import aifactory_twin.schema

PACKAGE = Path(aifactory_twin.schema.__file__).resolve().parent.parent

# Who reads a scenario: the compiler (with the variant overrides it applies first), the rules
# (with the graph analyses and the performance model they call), the loader (format and
# version checks, migrations) and the uncertainty study (the distributions).
# Who reads a scenario: the compiler (with the variant overrides it applies first and the job
# traces it replays), the rules
# (with the graph analyses and the performance model they call) and the loader (format and
# version checks, migrations).
READERS: dict[str, tuple[str, ...]] = {
    "compiler": ("sim", "variants.py", "io/traces.py"),
    "rules": ("rules.py", "rules_residency.py", "graph.py", "perf"),
    "loader": ("io/load.py", "io/migrations.py"),
    # The uncertain inputs are read by uncertainty studies, the declared optimization and 2-D
    # sweep by the report's study runner, not by a single run.
    "studies": ("study/uncertainty.py", "study/declared.py"),
}

# Shown and edited in the app, never simulated: the reason says where it is used.
DISPLAY_ONLY: dict[str, str] = {
    # NodeBase.position (x, y) is canvas-only too, but the 1 → 2 migration reads where the
    # sites sit to place the WAN hub it adds, so the check counts it as read.
    "Meta.description": "the scenario's description: inspector, report title page",
    "Meta.author": "provenance, shown and edited in the inspector's factory form",
    "Variant.description": "what the variant asks, shown in the variants panel",
}

# Accepted and saved today but read by nothing; the issue that will wire each one.
NOT_YET_READ: dict[str, str] = {
    "PowerFeed.battery_kwh": "no issue yet: on-site battery (peak shaving, ride-through)",
}


def _schema_fields() -> dict[str, type[BaseModel]]:
    """``Model.field`` → model, each field under the class that declares it."""
    fields: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(aifactory_twin.schema.__path__, "aifactory_twin.schema."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if not (inspect.isclass(cls) and issubclass(cls, BaseModel)):
                continue
            if cls.__module__ != module.__name__:
                continue  # re-exported from another schema module
            own = inspect.get_annotations(cls)
            for name in cls.model_fields:
                if name in own:
                    fields[f"{cls.__name__}.{name}"] = cls
    return fields


def _names_read(paths: tuple[str, ...]) -> set[str]:
    files: list[Path] = []
    for rel in paths:
        path = PACKAGE / rel
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    names: set[str] = set()
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"))
        # A called attribute is a method (``match.group(1)``), never a field read.
        called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                if id(node) not in called:
                    names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(node.value.split("."))
    return names


def _unread() -> set[str]:
    read = set().union(*(_names_read(paths) for paths in READERS.values()))
    return {key for key in _schema_fields() if key.split(".", 1)[1] not in read}


def test_every_schema_field_is_read_or_listed() -> None:
    unread = _unread()
    unlisted = sorted(unread - DISPLAY_ONLY.keys() - NOT_YET_READ.keys())
    assert not unlisted, (
        f"schema fields nothing reads: {unlisted}. Read them in the compiler or the rules, or "
        "list them in DISPLAY_ONLY / NOT_YET_READ in this file with the reason or issue"
    )
    pending = "\n".join(f"  {key}: {why}" for key, why in sorted(NOT_YET_READ.items()))
    warnings.warn(f"schema fields not yet read:\n{pending}", UserWarning, stacklevel=1)


def test_the_lists_name_real_fields_that_are_really_unread() -> None:
    fields = _schema_fields()
    unread = _unread()
    listed = {**DISPLAY_ONLY, **NOT_YET_READ}
    assert not DISPLAY_ONLY.keys() & NOT_YET_READ.keys()
    assert sorted(listed.keys() - fields.keys()) == [], "listed fields that do not exist"
    stale = sorted(listed.keys() - unread)
    assert stale == [], f"listed as unread but read now (remove them from the list): {stale}"


def test_the_check_sees_a_field_nobody_reads(tmp_path: Path) -> None:
    # The scan itself: a name absent from the readers is reported, one present is not.
    source = tmp_path / "reader.py"
    source.write_text("def f(x):\n    return x.alpha + getattr(x, 'beta') + x.gamma.delta(x.eta)\n")
    names = _names_read((str(source),))
    assert {"alpha", "beta", "gamma", "eta"} <= names
    assert "delta" not in names  # called: a method, not a field
    assert "epsilon" not in names
