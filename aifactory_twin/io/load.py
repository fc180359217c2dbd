"""Read ``*.aift.json`` scenario files: bounded, strict, and every problem named by field path.

Pipeline: size cap → strict UTF-8 → nesting-depth limit → JSON → envelope (``format``,
``schema_version``) → step-by-step migration → pydantic validation → the rules' errors. Nothing
from a file is ever pickled, eval'd or exec'd: JSON in, validated value objects out.

Speed: the file is first parsed by jiter (pydantic's Rust JSON parser), which itself refuses
duplicate keys and nesting past its recursion limit; its objects then take the same envelope
check, migration and validation as above. Anything jiter refuses (a duplicate key, bad UTF-8, a
lone surrogate escape, a truncated file, nesting too deep) is parsed again by the standard
library's parser, which names the problem and where. A good file is therefore parsed once, in
Rust, with no Python pass over its bytes (a 376 MB, 380k-node file: ≈5 s instead of ≈17 s).
"""

from __future__ import annotations

import gc
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import jiter
from pydantic import ValidationError

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.io import migrations
from aifactory_twin.io.errors_format import (
    cap_problems,
    format_path,
    problems_from_validation,
    render_value,
)
from aifactory_twin.schema import FORMAT_NAME, Scenario

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Default largest file we read (64 MiB ≈ 50k nodes as saved); bigger input is refused unread.

A guard against opening the wrong file (a log, a dump), not a limit of the engine: the
``AIFT_MAX_FILE_MIB`` environment variable (or the CLI's ``--max-file-mib``) raises it for
factories of hundreds of thousands of nodes.
"""
MAX_FILE_ENV = "AIFT_MAX_FILE_MIB"
MAX_NESTING_DEPTH = 200
"""Deepest JSON nesting accepted: jiter's recursion limit (objects; arrays get one more level).

A scenario needs about 8 levels; free-form override values are the only deep part.
"""

_UTF8_BOM = b"\xef\xbb\xbf"
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_RECURSION_RE = re.compile(r"recursion limit exceeded at line (\d+) column (\d+)")


def max_file_bytes() -> int:
    """The file size cap in force: ``AIFT_MAX_FILE_MIB`` when set, else ``MAX_FILE_BYTES``."""
    text = os.environ.get(MAX_FILE_ENV, "").strip()
    if not text:
        return MAX_FILE_BYTES
    try:
        mib = float(text)
    except ValueError:
        mib = math.nan
    if not math.isfinite(mib) or mib <= 0:
        raise ScenarioError(
            [
                Problem(
                    file=MAX_FILE_ENV,
                    path="",
                    message=f"must be a positive number of MiB (got {text!r})",
                )
            ]
        )
    return int(mib * 2**20)


def load_scenario(path: str | Path, *, check_rules: bool = True) -> Scenario:
    """Load and validate a scenario file; raises ScenarioError naming file, field and reason."""
    name = str(path)
    file_path = Path(path)
    try:
        size = file_path.stat().st_size
        if file_path.is_dir():
            raise _error(name, "", "is a folder, not a scenario file")
        cap = max_file_bytes()
        if size > cap:
            raise _error(name, "", _too_big(size, cap))
        with file_path.open("rb") as handle:
            # Read one byte past the cap: pipes and special files report no size up front.
            raw = handle.read(cap + 1)
    except FileNotFoundError:
        raise _error(name, "", "file not found") from None
    except OSError as exc:
        raise _error(name, "", f"cannot read: {exc.strerror or exc}") from None
    scenario = loads_scenario(raw, source=name, check_rules=check_rules)
    return scenario.with_source_dir(str(file_path.resolve().parent))


def loads_scenario(
    text_or_bytes: str | bytes, *, source: str = "<memory>", check_rules: bool = True
) -> Scenario:
    """Parse and validate scenario JSON given as text or bytes (``source`` names it in errors)."""
    # Loading allocates ~10⁶ objects and no reference cycles: pausing the cyclic collector
    # meanwhile saves its repeated passes over them (~40 % of a 9,472-node load); memory is
    # still freed by reference counting, and the collector runs again afterwards.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _loads_scenario(text_or_bytes, source, check_rules)
    finally:
        if paused:
            gc.enable()


def _loads_scenario(text_or_bytes: str | bytes, source: str, check_rules: bool) -> Scenario:
    data = _parse_fast(text_or_bytes, source)
    if data is None:
        data = parse_document(text_or_bytes, source)
    data = _check_envelope_and_migrate(data, source)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, source, data)) from None
    if check_rules:
        _raise_rule_errors(scenario, source)
    return scenario


def parse_document(text_or_bytes: str | bytes, source: str = "<memory>") -> dict[str, Any]:
    """Bytes or text → JSON object, refusing oversized, non-UTF-8, too deep or malformed input."""
    cap = max_file_bytes()
    if isinstance(text_or_bytes, str):
        text = text_or_bytes
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise _error(
                source,
                "",
                f"text contains a character that is not valid UTF-8 at index {exc.start}",
            ) from None
        if size > cap:
            raise _error(source, "", _too_big(size, cap))
    else:
        raw = text_or_bytes
        if len(raw) > cap:
            raise _error(source, "", _too_big(len(raw), cap))
        text = _decode(raw, source)
    duplicates: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append(key)
                seen.add(key)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        hint = " (the file ends early: is it truncated?)" if exc.pos >= len(text.rstrip()) else ""
        raise _error(
            source, "", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}{hint}"
        ) from None
    except RecursionError:
        raise _error(source, "", f"JSON nested deeper than {MAX_NESTING_DEPTH} levels") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python's 4300-digit limit
        raise _error(source, "", f"not valid JSON: {exc}") from None
    if duplicates:
        raise ScenarioError(
            cap_problems(
                Problem(
                    file=source,
                    path="",
                    message=f"key {key!r} appears twice in one object (JSON keeps only the last)",
                )
                for key in dict.fromkeys(duplicates)
            )
        )
    if not isinstance(data, dict):
        raise _error(source, "", f"the top level must be a JSON object (got {_json_type(data)})")
    if _SURROGATE_ESCAPE_RE.search(text):
        _check_surrogates(data, source)
    return data


def _decode(raw: bytes, source: str) -> str:
    if raw.startswith(_UTF8_BOM):  # tolerated: some Windows editors write one
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _error(
            source,
            "",
            f"not UTF-8 text: invalid byte 0x{raw[exc.start]:02x} at byte offset {exc.start} "
            f"(line {line})",
        ) from None


def _parse_fast(text_or_bytes: str | bytes, source: str) -> dict[str, Any] | None:
    """The JSON object if jiter accepts the input within the size cap, else None (module doc).

    Nesting past the limit is reported here: the standard library's parser would accept a few
    hundred levels more, so it cannot be the one to refuse them.
    """
    if isinstance(text_or_bytes, str):
        try:
            raw = text_or_bytes.encode("utf-8")
        except UnicodeEncodeError:
            return None
    else:
        raw = text_or_bytes
        if raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
    if len(raw) > max_file_bytes():
        return None
    try:
        data = jiter.from_json(raw, catch_duplicate_keys=True)
    except ValueError as exc:
        deep = _RECURSION_RE.search(str(exc))
        if deep is not None:
            raise _error(
                source,
                "",
                f"JSON nested deeper than {MAX_NESTING_DEPTH} levels "
                f"(at line {deep.group(1)} column {deep.group(2)})",
            ) from None
        return None
    return data if isinstance(data, dict) else None


def _check_surrogates(data: Any, source: str) -> None:
    r"""Refuse strings with unpaired surrogate escapes (``\ud800``): they cannot be saved."""
    bad: list[Problem] = []
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _unencodable(key):
                    bad.append(Problem(file=source, path=format_path(loc), message=_SURR_KEY))
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, i), item) for i, item in enumerate(value))
        elif isinstance(value, str) and _unencodable(value):
            bad.append(Problem(file=source, path=format_path(loc), message=_SURR_VALUE))
    if bad:
        raise ScenarioError(cap_problems(bad, source))


_SURR_KEY = "a key contains an unpaired UTF-16 surrogate escape (\\ud800–\\udfff)"
_SURR_VALUE = "contains an unpaired UTF-16 surrogate escape (\\ud800–\\udfff)"


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_envelope_and_migrate(data: dict[str, Any], source: str) -> dict[str, Any]:
    problems: list[Problem] = []
    fmt = data.get("format")
    if "format" not in data:
        problems.append(
            Problem("format", f"required field is missing (expected {FORMAT_NAME!r})", file=source)
        )
    elif fmt != FORMAT_NAME:
        problems.append(
            Problem("format", f"must be {FORMAT_NAME!r} (got {_short(fmt)})", file=source)
        )
    version = data.get("schema_version")
    current = migrations.current_version()
    if "schema_version" not in data:
        problems.append(
            Problem(
                "schema_version",
                f"required field is missing (this build writes {current})",
                file=source,
            )
        )
    elif not isinstance(version, int) or isinstance(version, bool):
        problems.append(
            Problem(
                "schema_version", f"must be a whole number (got {_short(version)})", file=source
            )
        )
    elif version > current:
        problems.append(migrations.newer_version_problem(version, source))
    if problems:
        raise ScenarioError(problems)
    assert isinstance(version, int)
    # The dict was parsed for this load alone: the migrations may work on it in place.
    return migrations.migrate(data, version, source, owned=True)


def _raise_rule_errors(scenario: Scenario, source: str) -> None:
    # Imported lazily: rules pulls in graph helpers that plain parsing does not need.
    from aifactory_twin import rules

    errors = rules.errors(scenario)
    if errors:
        raise ScenarioError(
            cap_problems(
                (Problem(file=source, path=f.path, message=f.message) for f in errors), source
            )
        )


def _error(file: str, path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(file=file, path=path, message=message)])


def _too_big(size: int, cap: int) -> str:
    return (
        f"file is {size / 2**20:.1f} MiB ({size} bytes); the limit is {cap / 2**20:.0f} MiB "
        f"(raise it with the CLI's --max-file-mib or the {MAX_FILE_ENV} environment variable)"
    )


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _short(value: Any) -> str:
    return render_value(value)
