"""Dotted field paths (``delivery.lead_time_days``, ``price.time_of_use.0.start_hour``).

One reading of a path for the whole program: the commands that edit a node, the variants that
override a value, the studies that sweep one and the views that show "what changed" all walk
paths here. A part walks an attribute of a model, a key of a dict, or an index of a list.

A leaf module: it imports nothing from the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_NO_DEFAULT: Any = object()


def split_path(path: str) -> list[str]:
    """``"a.b.0"`` → ``["a", "b", "0"]``."""
    return path.split(".")


def join_path(parts: Iterable[str | int]) -> str:
    """``("nodes", 3, "count")`` → ``"nodes.3.count"`` (pydantic error locations, too)."""
    return ".".join(str(part) for part in parts)


def _step(value: Any, part: str) -> Any:
    if isinstance(value, dict):
        return value[part]
    if isinstance(value, list | tuple):
        if not part.isdigit():
            raise KeyError(part)
        return value[int(part)]
    try:
        return getattr(value, part)
    except AttributeError:
        raise KeyError(part) from None


def get_path(obj: Any, path: str, default: Any = _NO_DEFAULT) -> Any:
    """The value at ``path`` inside ``obj``; ``default`` (or KeyError naming the path) if none."""
    value = obj
    try:
        for part in split_path(path):
            value = _step(value, part)
    except (KeyError, IndexError):
        if default is _NO_DEFAULT:
            raise KeyError(path) from None
        return default
    return value


def set_in(data: Any, path: str, value: Any, *, fill_none: bool = False) -> str | None:
    """Set ``path`` inside nested dicts and lists, in place; why it cannot, or None.

    With ``fill_none`` an intermediate ``None`` (an optional sub-model left unset) becomes an
    empty dict, so ``delivery.lead_time_days`` can be set on a node without a delivery.
    """
    parts = split_path(path)
    target = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = join_path(parts[: depth + 1])
        if isinstance(target, dict):
            if part not in target:
                return f"no field {where!r}"
            if last:
                target[part] = value
            elif target[part] is None and fill_none:
                target[part] = {}
            if not last:
                target = target[part]
        elif isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                return f"no item {where!r} (the list has {len(target)} items)"
            if last:
                target[int(part)] = value
            else:
                target = target[int(part)]
        else:
            return f"{join_path(parts[:depth])!r} has no fields (it is {target!r})"
    return None
