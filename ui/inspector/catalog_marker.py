"""The catalog value an empty price or embodied-carbon field stands for, shown in the field.

A cooling unit with no ``capex_usd`` costs its type's catalog price and a unit with no
``embodied_kg_co2e`` carries the catalog's figure (``aifactory_twin.catalog``); the inspector
shows that value greyed in the empty field ("catalog: $250k"), so the user sees what applies
and that typing a value makes it their own.
"""

from __future__ import annotations

from collections.abc import Sequence

from aifactory_twin.catalog import accelerator_spec, catalog_capex_usd, catalog_embodied_kg
from aifactory_twin.formatting import format_number
from aifactory_twin.schema import ComputeRack, CoolingUnit, NodeBase
from aifactory_twin.sim.compile.compute import rack_capex_usd

CATALOG_FIELDS = frozenset({"capex_usd", "embodied_kg_co2e"})


def _catalog_value(node: NodeBase, path: str) -> tuple[float, str] | None:
    if path == "embodied_kg_co2e":
        return catalog_embodied_kg(node)[0], "kg"
    if isinstance(node, CoolingUnit):
        return catalog_capex_usd(node.cooling_type), "USD"
    if isinstance(node, ComputeRack):
        return rack_capex_usd(node, accelerator_spec(node.accelerator)), "USD"
    return None


def catalog_marker(nodes: Sequence[NodeBase], path: str) -> str:
    """The marker ("catalog: $250k") when every node's empty ``path`` means one value, else ""."""
    values = {_catalog_value(n, path) for n in nodes}
    if len(values) != 1:
        return ""
    (found,) = values
    if found is None:
        return ""
    value, unit = found
    money = unit == "USD"
    shown = format_number(value, "money", unit) if money else format_number(value)
    return f"catalog: {shown}"
