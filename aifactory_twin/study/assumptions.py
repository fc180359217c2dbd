"""The assumptions behind a study, as rows a report can print: value, where it comes from.

Three sources: the catalog accelerators the racks use (each value with its source URL or
"estimate: …"), the catalog node presets the scenario's nodes match (the preset whose values
agree with the node on the most fields; values the scenario changed are marked as set in the
scenario), and the run settings (their schema docstrings cite the domain-reference section).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aifactory_twin.formatting import MISSING, format_number, format_plain
from aifactory_twin.paths import get_path
from aifactory_twin.schema import CoolingUnit, Override, Scenario

_TYPE_FIELDS = ("cooling_type", "storage_type", "role", "technology", "accelerator")
_SKIP_FIELDS = frozenset({"id", "name", "position", "count", "group", "kind", "delivery"})


@dataclass(frozen=True)
class AssumptionRow:
    """One assumed value: what it belongs to, the field, the value, and its source."""

    item: str
    field: str
    value: str
    source: str


def _fmt(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_plain(value, 6, compact=False)  # 30,000,000 and 0.00002, not 3e+07
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value) if value else MISSING
    if hasattr(value, "model_dump"):
        return _fmt(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return "; ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    return str(value)


def accelerator_rows(scenario: Scenario) -> list[AssumptionRow]:
    """Catalog values of every accelerator id a compute rack uses."""
    from aifactory_twin.catalog import ACCELERATORS

    used: dict[str, None] = {}
    for node in scenario.nodes:
        ref = getattr(node, "accelerator", None)
        if isinstance(ref, str):
            used[ref] = None
    rows: list[AssumptionRow] = []
    for accel_id in used:
        preset = ACCELERATORS.get(accel_id)
        if preset is None:
            continue
        spec = preset.spec.model_dump()
        for name, source in preset.sources.items():
            rows.append(AssumptionRow(preset.label, name, _fmt(spec.get(name)), source))
    return rows


def _match_preset(node: Any) -> tuple[str | None, set[str]]:
    """The same-kind preset agreeing with ``node`` on the most fields, and those fields."""
    from aifactory_twin.catalog import NODE_PRESETS

    data = node.model_dump()
    best: tuple[str | None, set[str]] = (None, set())
    for preset_id, preset in NODE_PRESETS.items():
        if preset.kind != node.kind:
            continue
        if any(
            k in preset.fields and not _same(data.get(k), preset.fields[k]) for k in _TYPE_FIELDS
        ):
            continue  # a chiller preset never explains a CRAH, whatever else they share
        agree = {
            k
            for k, v in preset.fields.items()
            if k not in _SKIP_FIELDS and k in data and _same(data[k], v)
        }
        if len(agree) > len(best[1]):
            best = (preset_id, agree)
    return best


def _same(a: Any, b: Any) -> bool:
    if hasattr(b, "model_dump"):
        b = b.model_dump()
    return bool(a == b)


def preset_rows(scenario: Scenario) -> list[AssumptionRow]:
    """Per matched preset: its values with sources; values the scenario changed say so."""
    from aifactory_twin.catalog import NODE_PRESETS

    users: dict[str, list[Any]] = {}
    for node in scenario.nodes:
        preset_id, _agree = _match_preset(node)
        if preset_id is not None:
            users.setdefault(preset_id, []).append(node)
    rows: list[AssumptionRow] = []
    for preset_id, nodes in users.items():
        preset = NODE_PRESETS[preset_id]
        item = f"{preset.label} ({len(nodes)} node{'s' if len(nodes) != 1 else ''})"
        for key, value in preset.fields.items():
            if key in _SKIP_FIELDS:
                continue
            source = preset.sources.get(key, "")
            scenario_values = [getattr(n, key, None) for n in nodes]
            changed = [v for v in scenario_values if not _same(v, value)]
            if not changed:
                rows.append(AssumptionRow(item, key, _fmt(value), source))
                continue
            distinct = list(dict.fromkeys(_fmt(v) for v in changed))
            shown = ", ".join(distinct[:3]) + (", …" if len(distinct) > 3 else "")
            rows.append(
                AssumptionRow(
                    item,
                    key,
                    shown,
                    f"set in the scenario ({len(changed)} of {len(nodes)} nodes); "
                    f"catalog {_fmt(value)}: {source}",
                )
            )
    return rows


def settings_rows(scenario: Scenario) -> list[AssumptionRow]:
    """Every run setting with its value and the schema's note (which cites its source)."""
    settings = scenario.settings
    rows: list[AssumptionRow] = []
    for name, info in type(settings).model_fields.items():
        note = (info.description or "").replace("\n", " ")
        rows.append(AssumptionRow("settings", name, _fmt(getattr(settings, name)), note))
    return rows


def assumption_rows(scenario: Scenario) -> list[AssumptionRow]:
    """Accelerators, then presets, then settings."""
    return accelerator_rows(scenario) + preset_rows(scenario) + settings_rows(scenario)


@dataclass(frozen=True)
class ChangeRow:
    """One override of a variant: ``target.path`` goes from ``base_value`` to ``value``."""

    target: str
    path: str
    base_value: str
    value: str


def override_rows(scenario: Scenario, overrides: Sequence[Override]) -> list[ChangeRow]:
    """``target.path``: base value → variant value, for a variant's "what changed" list."""
    from aifactory_twin.variants import SETTINGS_TARGET

    by_id: dict[str, Any] = {n.id: n for n in scenario.nodes}
    by_id.update({w.id: w for w in scenario.workloads})
    by_id[SETTINGS_TARGET] = scenario.settings
    rows: list[ChangeRow] = []
    for override in overrides:
        owner = by_id.get(override.target)
        base = None if owner is None else get_path(owner, override.path, None)
        rows.append(ChangeRow(override.target, override.path, _fmt(base), _fmt(override.value)))
    return rows + _catalog_rows(scenario, overrides)


def _catalog_rows(scenario: Scenario, overrides: Sequence[Override]) -> list[ChangeRow]:
    """What a cooling unit's new type brings from the catalog: price and embodied carbon.

    A unit with no price (or embodied carbon) of its own takes its type's catalog value, so a
    variant that changes the type changes them too; the row says so ("$50.0k → $250.0k
    (catalog)"). A value the variant or the unit sets itself is the user's and stays.
    """
    from aifactory_twin.catalog import catalog_capex_usd, catalog_embodied_kg
    from aifactory_twin.errors import ScenarioError
    from aifactory_twin.schema import Variant
    from aifactory_twin.variants import apply_variant

    paths: dict[str, set[str]] = {}
    for override in overrides:
        paths.setdefault(override.target, set()).add(override.path)
    units = {n.id: n for n in scenario.nodes if isinstance(n, CoolingUnit)}
    touched = [t for t, p in paths.items() if t in units and "cooling_type" in p]
    if not touched:
        return []
    probe = scenario.model_copy(
        update={"variants": [Variant(name="what-changed", overrides=list(overrides))]}
    )
    try:
        after = {n.id: n for n in apply_variant(probe, "what-changed").nodes}
    except ScenarioError:
        return []  # the override rows above show the values; a bad variant has no catalog rows
    rows: list[ChangeRow] = []
    for target in touched:
        old, new = units[target], after[target]
        if not isinstance(new, CoolingUnit) or old.cooling_type == new.cooling_type:
            continue
        if new.capex_usd is None:
            was = format_number(catalog_capex_usd(old.cooling_type), "money", "USD")
            now = format_number(catalog_capex_usd(new.cooling_type), "money", "USD")
            base = was if old.capex_usd is None else _fmt(old.capex_usd)
            rows.append(ChangeRow(target, "capex_usd", base, f"{now} (catalog)"))
        if new.embodied_kg_co2e is None:
            was = format_number(catalog_embodied_kg(old)[0], "quantity", "kg")
            now = format_number(catalog_embodied_kg(new)[0], "quantity", "kg")
            base = was if old.embodied_kg_co2e is None else _fmt(old.embodied_kg_co2e)
            rows.append(ChangeRow(target, "embodied_kg_co2e", base, f"{now} (catalog)"))
    return rows
