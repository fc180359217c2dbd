"""Turn pydantic validation errors into the project's problems: field path plus a plain reason.

pydantic reports locations as tuples such as ``('nodes', 3, 'compute_rack', 'power_rating_kw')``
and messages such as ``Input should be greater than 0``. Users read ``nodes[3].power_rating_kw:
must be greater than 0 (got -5)``: list indices in brackets, the union tags pydantic inserts
(discriminator values, member type names) dropped, and the offending value quoted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from aifactory_twin.errors import Problem, plain_message
from aifactory_twin.schema import NODE_KINDS

WORKLOAD_KINDS: tuple[str, ...] = ("training", "inference")
# Values of the ``kind`` discriminator; pydantic puts the tag right after the list index.
_DISCRIMINATOR_TAGS = frozenset(NODE_KINDS) | frozenset(WORKLOAD_KINDS)
# Member names pydantic uses for plain (non-discriminated) unions such as ``str | AcceleratorSpec``
# or ``JsonValue``. Schema field names are lowercase snake_case, so they never collide with these.
_BUILTIN_MEMBER_TAGS = frozenset({"str", "int", "float", "bool", "none", "None", "list", "dict"})
MAX_PROBLEMS = 100
"""Cap on reported problems so a file with 100k bad nodes still gives a readable report."""


def format_path(loc: Sequence[int | str]) -> str:
    """Render a location tuple as ``nodes[3].power_rating_kw``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# Top-level lists whose items people know by a name rather than by their position.
_ITEM_KEYS = {"nodes": "id", "edges": "id", "workloads": "id", "variants": "name"}


def describe_path(loc: Sequence[int | str], data: Any = None) -> str:
    """``format_path`` naming the list item: ``nodes[3].power_rating_kw (id "rack-a")``.

    A position alone (``nodes[3]``) sends the user counting through the file; the id finds
    the node at once. Without the raw document, or when the item has no usable id, this is
    just ``format_path``.
    """
    path = format_path(loc)
    if len(loc) < 2 or not isinstance(loc[1], int) or not isinstance(data, dict):
        return path
    key = _ITEM_KEYS.get(str(loc[0]))
    items = data.get(str(loc[0]))
    if key is None or not isinstance(items, list) or not 0 <= loc[1] < len(items):
        return path
    item = items[loc[1]]
    name = item.get(key) if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        return path
    return f"{path} ({key} {render_value(name)})"


def _is_member_tag(part: int | str) -> bool:
    """Whether ``part`` names a union member (``str``, ``AcceleratorSpec``, ``list[...]``)."""
    if not isinstance(part, str) or not part:
        return False
    return part in _BUILTIN_MEMBER_TAGS or part[0].isupper() or "[" in part


def _clean_loc(loc: Sequence[int | str]) -> tuple[tuple[int | str, ...], int | None]:
    """Drop union tags from ``loc``; also return where the first plain-union tag was (or None)."""
    cleaned: list[int | str] = []
    first_member_tag: int | None = None
    for i, part in enumerate(loc):
        if i > 0 and isinstance(loc[i - 1], int) and part in _DISCRIMINATOR_TAGS:
            continue
        if _is_member_tag(part):
            if first_member_tag is None:
                first_member_tag = len(cleaned)
            continue
        cleaned.append(part)
    return tuple(cleaned), first_member_tag


def render_value(value: Any, limit: int = 60) -> str:
    """A short JSON-style rendering of a scalar as it appears in the file (NaN stays NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _kind_list(loc: tuple[int | str, ...]) -> tuple[str, tuple[str, ...]]:
    top = loc[0] if loc else ""
    if top == "workloads":
        return "workload", WORKLOAD_KINDS
    return "node", NODE_KINDS


def _message(error: ErrorDetails, loc: tuple[int | str, ...]) -> str:
    """Plain-language reason for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "union_tag_invalid":
        what, known = _kind_list(loc)
        tag = value.get("kind") if isinstance(value, dict) else None
        shown = f"'{tag}'" if isinstance(tag, str) else render_value(tag)
        return f"unknown {what} kind {shown}; known: {', '.join(known)}"
    if kind == "union_tag_not_found":
        what, known = _kind_list(loc)
        return f"missing 'kind' (which {what} kind this is); known: {', '.join(known)}"
    message = plain_message(error["msg"])
    if _is_scalar(value):
        message += f" (got {render_value(value)})"
    return message


def problems_from_validation(
    exc: ValidationError, file: str = "", data: Any = None
) -> list[Problem]:
    """Every error in ``exc`` as a Problem with a clean field path, capped at MAX_PROBLEMS.

    With ``data`` (the document that failed), each problem's label names the item by its id.
    """
    errors = exc.errors(include_url=False)
    entries: list[tuple[tuple[int | str, ...], int | None, ErrorDetails]] = []
    for error in errors:
        loc, tag_at = _clean_loc(error["loc"])
        entries.append((loc, tag_at, error))

    # A plain union (``str | AcceleratorSpec``) reports one error per member. When one member got
    # past the type check (deeper errors, or a validator's complaint), the other members' "wrong
    # type" errors are noise: the user clearly meant that member.
    def is_type_mismatch(loc: tuple[int | str, ...], tag_at: int | None, kind: str) -> bool:
        return tag_at is not None and len(loc) == tag_at and kind.endswith("_type")

    committed = {
        loc[:tag_at]
        for loc, tag_at, error in entries
        if tag_at is not None and not is_type_mismatch(loc, tag_at, error["type"])
    }
    merged: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for loc, tag_at, error in entries:
        if is_type_mismatch(loc, tag_at, error["type"]) and loc in committed:
            continue
        path = format_path(loc)
        message = _message(error, loc)
        bucket = merged.setdefault(path, [])
        if path not in labels:
            label = describe_path(loc, data)
            labels[path] = label if label != path else ""
        if message not in bucket:
            bucket.append(message)
    problems = [
        Problem(file=file, path=path, message=_join_alternatives(messages), label=labels[path])
        for path, messages in merged.items()
    ]
    return cap_problems(problems, file)


def _join_alternatives(messages: list[str]) -> str:
    """Merge per-member messages of a plain union into one ("must be a or b (got 5)")."""
    if len(messages) == 1:
        return messages[0]
    got = ""
    stripped: list[str] = []
    for message in messages:
        head, sep, tail = message.rpartition(" (got ")
        if sep and not got:
            got = f" (got {tail}"
        stripped.append(head if sep else message)
    first, rest = stripped[0], [m.removeprefix("must be ") for m in stripped[1:]]
    return " or ".join([first, *rest]) + got


def cap_problems(problems: Iterable[Problem], file: str = "") -> list[Problem]:
    """Keep at most MAX_PROBLEMS, with a final line saying how many more there were."""
    listed = list(problems)
    if len(listed) <= MAX_PROBLEMS:
        return listed
    hidden = len(listed) - MAX_PROBLEMS
    return [
        *listed[:MAX_PROBLEMS],
        Problem(file=file, path="", message=f"… and {hidden} more problems not shown"),
    ]
