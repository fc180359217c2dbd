"""Read ``*.aift.json`` scenario files: bounded, strict, and every problem named by field path.

Pipeline: size cap → strict UTF-8 → nesting-depth limit → JSON → envelope (``format``,
``schema_version``) → step-by-step migration → pydantic validation → the rules' errors. Nothing
from a file is ever pickled, eval'd or exec'd: JSON in, validated value objects out.

Speed: a current-version file is first tried on a fast path with the same checks — one numpy
pass over the bytes finds the nesting depth and possible duplicate keys (``_scan``), then
pydantic parses and validates the bytes in one go (``model_validate_json``). Anything the fast
path is not sure about (a duplicate key or a hash clash, a backslash in a key, surrogate escapes,
an old version, a missing envelope field, any validation error) goes down the full pipeline
above, which names the problem; the result is the same Scenario either way.
"""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
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
"""Largest file we read (64 MiB ≈ 200k nodes). Bigger input is refused before it is read."""
MAX_NESTING_DEPTH = 64
"""Deepest JSON nesting accepted: a scenario needs about 8; deep input would exhaust the stack."""

_UTF8_BOM = b"\xef\xbb\xbf"
_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES_RE = re.compile(rb"\\u[dD][89a-fA-F]")
_VERSION_RE = re.compile(rb'"schema_version"\s*:\s*([^\s,}\]]*)')
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def load_scenario(path: str | Path, *, check_rules: bool = True) -> Scenario:
    """Load and validate a scenario file; raises ScenarioError naming file, field and reason."""
    name = str(path)
    file_path = Path(path)
    try:
        size = file_path.stat().st_size
        if file_path.is_dir():
            raise _error(name, "", "is a folder, not a scenario file")
        if size > MAX_FILE_BYTES:
            raise _error(name, "", _too_big(size))
        with file_path.open("rb") as handle:
            # Read one byte past the cap: pipes and special files report no size up front.
            raw = handle.read(MAX_FILE_BYTES + 1)
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
    scenario = _fast_load(text_or_bytes)
    if scenario is None:
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
        if size > MAX_FILE_BYTES:
            raise _error(source, "", _too_big(size))
    else:
        raw = text_or_bytes
        if len(raw) > MAX_FILE_BYTES:
            raise _error(source, "", _too_big(len(raw)))
        text = _decode(raw, source)
    _check_depth(text, source)
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
    except RecursionError:  # pragma: no cover - the depth check runs first; kept as a backstop
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


def _fast_load(text_or_bytes: str | bytes) -> Scenario | None:
    """The Scenario if every check passes on the fast path (module doc), else None."""
    if isinstance(text_or_bytes, str):
        try:
            raw = text_or_bytes.encode("utf-8")
        except UnicodeEncodeError:
            return None
    else:
        raw = text_or_bytes
        if raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if len(raw) > MAX_FILE_BYTES or _SURROGATE_ESCAPE_BYTES_RE.search(raw):
        return None
    scan = _scan(raw)
    if scan is None or scan[0] > MAX_NESTING_DEPTH or scan[1]:
        return None
    try:
        scenario = Scenario.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None
    explicit = {"format", "schema_version"} <= scenario.model_fields_set
    if not explicit or scenario.schema_version != migrations.current_version():
        return None
    # JSON-mode validation would take ``true`` for version 1; the envelope check would not.
    wanted = str(migrations.current_version()).encode()
    if any(m.group(1) != wanted for m in _VERSION_RE.finditer(raw)):
        return None
    return scenario


# Byte classes for ``_scan``: 1 quote, 2 backslash, 3 opening bracket, 4 closing, 5 colon.
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[[ord('"'), ord("\\"), ord("["), ord("{"), ord("]"), ord("}"), ord(":")]] = [
    1,
    2,
    3,
    3,
    4,
    4,
    5,
]
_CLASS_TABLE = _CLASS.tobytes()
_HASH_MUL = np.asarray([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], np.uint64)


def _scan(raw: bytes) -> tuple[int, bool] | None:
    """(nesting depth, maybe a duplicate key) of JSON bytes, in numpy; None if unsure.

    Strings are found from their unescaped quotes; brackets and colons inside strings do not
    count. A key is the string before a colon; its object is the innermost ``{`` open at that
    point. Keys are compared by (object, length, first 8 and last 8 bytes): equal keys always
    compare equal, so "no duplicate" is certain; a clash only sends the file down the exact
    path. A backslash inside a key (an escape could spell the same key differently) → None.
    """
    classes = np.frombuffer(raw.translate(_CLASS_TABLE), dtype=np.uint8)  # C speed, no copy
    pos = np.flatnonzero(classes)
    kind = classes[pos]
    quote = kind == 1
    bs_at = np.flatnonzero(kind == 2)
    if bs_at.size:
        # A quote is escaped when an odd run of backslashes ends right before it.
        bs = pos[bs_at]
        first = np.diff(bs, prepend=-2) != 1
        run_start = bs[np.flatnonzero(first)][np.cumsum(first) - 1]
        q_at = np.flatnonzero(quote)
        last = np.searchsorted(bs, pos[q_at]) - 1
        safe = np.maximum(last, 0)
        touching = (last >= 0) & (bs[safe] == pos[q_at] - 1)
        quote[q_at] = np.where(touching, bs[safe] - run_start[safe] + 1, 0) % 2 == 0
    n_quotes = np.cumsum(quote)
    if n_quotes.size and n_quotes[-1] % 2:
        return None
    # Inside a string: an odd number of real quotes before (a quote itself is never "inside").
    inside = (n_quotes - quote) % 2 == 1
    step = np.where(kind == 3, 1, np.where(kind == 4, -1, 0)) * ~inside
    depth = np.cumsum(step)
    max_depth = int(depth.max(initial=0))
    colon_at = np.flatnonzero((kind == 5) & ~inside)
    if colon_at.size == 0:
        return max_depth, False
    quotes = pos[quote]
    key_end_ord = n_quotes[colon_at] - 1
    if np.any(key_end_ord < 1):
        return None
    k_start, k_end = quotes[key_end_ord - 1] + 1, quotes[key_end_ord]
    if bs_at.size:
        bs = pos[bs_at]
        if np.any(np.searchsorted(bs, k_end) > np.searchsorted(bs, k_start)):
            return None
    # The object of a colon: the last opening bracket at the colon's depth before it.
    opens = np.flatnonzero(step > 0)
    big = np.int64(len(raw) + 1)
    open_keys = np.sort(depth[opens] * big + pos[opens])
    obj = np.searchsorted(open_keys, depth[colon_at] * big + pos[colon_at]) - 1
    words = _words(raw)
    length = (k_end - k_start).astype(np.uint64)
    short = length < 8
    shift = np.minimum(length, np.uint64(7)) * np.uint64(8)
    mask = np.where(short, (np.uint64(1) << shift) - np.uint64(1), ~np.uint64(0))
    head = words[k_start] & mask
    tail = np.where(short, head, words[np.maximum(k_end - 8, k_start)])
    h = obj.astype(np.uint64) * _HASH_MUL[0] + length
    h = (h ^ (h >> np.uint64(29))) * _HASH_MUL[1] + head
    h = (h ^ (h >> np.uint64(31))) * _HASH_MUL[2] + tail
    h.sort()
    return max_depth, bool(np.any(h[1:] == h[:-1]))


def _words(raw: bytes) -> Any:
    """Little-endian uint64 starting at every byte offset (a strided view over padded bytes)."""
    padded = np.frombuffer(raw + bytes(8), dtype=np.uint8)
    return np.ndarray(shape=(len(raw),), dtype="<u8", buffer=padded, offset=0, strides=(1,))


def _check_depth(text: str, source: str) -> None:
    """Refuse nesting deeper than MAX_NESTING_DEPTH, without recursion; strings are skipped."""
    if text.count("[") + text.count("{") <= MAX_NESTING_DEPTH:
        return
    scan = _scan(text.encode("utf-8", "surrogatepass"))
    if scan is not None and scan[0] <= MAX_NESTING_DEPTH:
        return
    # Rare path: walk again to say where the limit was crossed.
    depth = 0
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        if token in _DEPTH_STEP:
            depth += _DEPTH_STEP[token]
            if depth > MAX_NESTING_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                raise _error(
                    source,
                    "",
                    f"JSON nested deeper than {MAX_NESTING_DEPTH} levels "
                    f"(at line {line} column {column})",
                )
    if scan is not None:  # the scan saw it; None (unbalanced quotes) is left to the parser
        raise _error(source, "", f"JSON nested deeper than {MAX_NESTING_DEPTH} levels")


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
    return migrations.migrate(data, version, source)


def _raise_rule_errors(scenario: Scenario, source: str) -> None:
    # Imported lazily: rules pulls in graph helpers that plain parsing does not need.
    from aifactory_twin import rules

    errors = [f for f in rules.check(scenario) if f.severity == "error"]
    if errors:
        raise ScenarioError(
            cap_problems(
                (Problem(file=source, path=f.path, message=f.message) for f in errors), source
            )
        )


def _error(file: str, path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(file=file, path=path, message=message)])


def _too_big(size: int) -> str:
    return (
        f"file is {size / 2**20:.1f} MiB ({size} bytes); the limit is "
        f"{MAX_FILE_BYTES / 2**20:.0f} MiB"
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
