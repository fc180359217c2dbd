"""Field specs for the inspector, read from the pydantic schema (no hand-written forms).

``field_specs(cls)`` flattens a node class into dotted paths (``delivery.lead_time_days``), each
with an editor kind, unit (from the field name), range (from the Field constraints), choices (from
Literal types or the catalog) and the field's description as its tooltip. ``parse_value`` turns
the text a user typed into the Python value for that field, or raises ValueError with a message
fit for the inline error label.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from aifactory_twin.errors import UsageError
from aifactory_twin.formatting import field_title, field_unit, format_duration, parse_duration
from aifactory_twin.sim.models.weather import CLIMATES

# Fields the form shows but does not edit: the id is referenced by edges and workloads (renaming
# needs a refactoring command, not a field edit) and the kind is the class itself.
READ_ONLY = frozenset({"id", "kind"})
# Fields only meaningful for one node at a time.
SINGLE_ONLY = frozenset({"position.x", "position.y"})
ACCELERATOR_FIELDS = frozenset({"accelerator"})
NO_CLIMATE = "daily sine (no climate)"
"""The climate combo's first entry: no preset (the settings' daily sine, or the EPW file)."""


def _climate_spec(common: dict[str, Any]) -> FieldSpec:
    """The climate preset as a combo whose entries name the place and the source."""
    tips = {key: f"<b>{cl.name}</b><br>{cl.source}" for key, cl in CLIMATES.items()}
    tips[NO_CLIMATE] = "The daily sine of mean, amplitude and peak hour above (no seasons)."
    return FieldSpec(
        editor="choice",
        choices=(NO_CLIMATE, *CLIMATES),
        extra={"tips": tips, "none_text": NO_CLIMATE},
        **{**common, "optional": False},
    )


@dataclass(frozen=True)
class FieldSpec:
    path: str
    label: str
    editor: (
        str  # "float", "int", "duration", "text", "choice", "bool", "date", "accelerator", "list",
        # "file"
    )
    unit: str = ""
    description: str = ""
    optional: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    section: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def range_text(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.min_exclusive else '≥'} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.max_exclusive else '≤'} {self.maximum:g}")
        return ", ".join(parts)

    def tooltip(self) -> str:
        bits = [f"<b>{self.path}</b>"]
        if self.description:
            bits.append(self.description)
        if self.unit:
            bits.append(f"Unit: {self.unit}")
        if self.range_text():
            bits.append(f"Allowed: {self.range_text()}")
        if self.optional:
            bits.append("Leave empty for the default (none).")
        return "<br>".join(bits)


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(core type, optional?, constraint metadata) through Annotated and ``X | None``."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            base, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
            annotation = base
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
            else:
                return tuple(args), optional, metadata
        else:
            return annotation, optional, metadata


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Gt):
            out.update(minimum=float(item.gt), min_exclusive=True)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Ge):
            out.update(minimum=float(item.ge))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            out.update(maximum=float(item.lt), max_exclusive=True)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            out.update(maximum=float(item.le))  # type: ignore[arg-type]
    return out


def field_specs(cls: type[BaseModel], prefix: str = "", section: str = "") -> list[FieldSpec]:
    """Every editable (or shown) field of ``cls`` as a flat list of specs, in schema order."""
    specs: list[FieldSpec] = []
    nested: list[FieldSpec] = []
    for name, info in cls.model_fields.items():
        path = f"{prefix}{name}"
        core, optional, metadata = _unwrap(info.annotation)
        metadata += list(info.metadata)
        unit = field_unit(name)
        common: dict[str, Any] = {
            "path": path,
            "label": field_title(name),
            "unit": unit,
            "description": " ".join((info.description or "").split()),
            "optional": optional,
            "section": section,
            **_bounds(metadata),
        }
        if name in ACCELERATOR_FIELDS and not prefix:
            specs.append(FieldSpec(editor="accelerator", **common))
        elif path == "ambient.climate":
            specs.append(_climate_spec(common))
        elif path == "ambient.weather_file":
            filters = "EnergyPlus weather (*.epw);;All files (*)"
            specs.append(FieldSpec(editor="file", extra={"filter": filters}, **common))
        elif path == "grid_series_path":
            filters = "Price/carbon series (*.csv);;All files (*)"
            specs.append(FieldSpec(editor="file", extra={"filter": filters}, **common))
        elif isinstance(core, type) and issubclass(core, BaseModel):
            if optional:
                # An optional sub-object (a training job's model description) has no fields to
                # edit while it is None; it is set whole by its own editor.
                continue
            nested += field_specs(core, prefix=f"{path}.", section=field_title(name))
        elif get_origin(core) is Literal:
            choices = tuple(str(c) for c in get_args(core))
            specs.append(FieldSpec(editor="choice", choices=choices, **common))
        elif core is bool:
            specs.append(FieldSpec(editor="bool", **common))
        elif core is int:
            specs.append(FieldSpec(editor="int", **common))
        elif core is float and unit == "s":
            # Seconds are shown and typed as durations ("30 d", "15 min"), not 2592000.
            specs.append(FieldSpec(editor="duration", **{**common, "unit": ""}))
        elif core is float:
            specs.append(FieldSpec(editor="float", **common))
        elif core is date:
            specs.append(FieldSpec(editor="date", **common))
        elif core is str:
            specs.append(FieldSpec(editor="text", **common))
        elif get_origin(core) is list or core is list:
            specs.append(FieldSpec(editor="list", **common))
        else:
            specs.append(FieldSpec(editor="text", **common))
    return specs + nested


def parse_value(spec: FieldSpec, text: str) -> Any:
    """The value for ``spec`` from typed text; ValueError says what is wrong, in plain words."""
    raw = text.strip()
    if (raw == "" and spec.optional) or raw == spec.extra.get("none_text"):
        return None
    if spec.editor in ("float", "int"):
        cleaned = raw.replace(",", "").replace("_", "").replace(" ", "")
        if cleaned == "":
            raise ValueError("a number is required")
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        if spec.editor == "int":
            if not number.is_integer():
                raise ValueError(f"{raw!r} is not a whole number")
            return int(number)
        return number
    if spec.editor == "duration":
        return _parse_duration_text(raw)
    if spec.editor == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a date (use YYYY-MM-DD)") from None
    return raw


def _parse_duration_text(raw: str) -> float:
    if raw == "":
        raise ValueError("a duration is required (e.g. 30 d, 12 h, 15 min)")
    try:
        return float(raw.replace(",", ""))  # bare seconds, including 0
    except ValueError:
        pass
    try:
        return parse_duration(raw)
    except UsageError:
        raise ValueError(f"{raw!r} is not a duration (e.g. 30 d, 12 h, 15 min, 90 s)") from None


def format_value(value: Any, spec: FieldSpec | None = None) -> str:
    """How a value shows in a text field (the inverse of ``parse_value``)."""
    if value is None:
        return ""
    if spec is not None and spec.editor == "duration" and isinstance(value, int | float):
        return format_duration(float(value), spaced=True) if value > 0 else f"{value:g} s"
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, BaseModel):
        return getattr(value, "name", type(value).__name__)
    return str(value)


def common_value(values: typing.Iterable[Any]) -> tuple[bool, Any]:
    """(all equal?, the value) over a multi-selection."""
    items = list(values)
    if not items:
        return False, None
    first = items[0]
    return all(v == first for v in items[1:]), first
