"""What-if variants: a base scenario plus overrides ``target + field path → value``.

A variant never changes structure (no nodes or edges come or go), only values, so comparing
variants compares like with like. Applying one validates every touched object and reports every
bad override at once, each named ``variants[i].overrides[j]``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.paths import join_path, set_in, split_path
from aifactory_twin.schema import AnyEdge, Node, Override, Scenario, Settings, Workload

SETTINGS_TARGET = "settings"
# Changing an id or a kind would be a structural edit, not a what-if.
_FROZEN_FIELDS = frozenset({"id", "kind"})
_WORKLOAD_ADAPTER: TypeAdapter[Workload] = TypeAdapter(Workload)
_NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Node)
_EDGE_ADAPTER: TypeAdapter[AnyEdge] = TypeAdapter(AnyEdge)
# An edge's ends are structure too; a WAN edge's latency and bandwidth are values.
_EDGE_ENDS = frozenset({"source", "target"})


def variant_names(scenario: Scenario) -> list[str]:
    """Names of the scenario's variants, in file order."""
    return [v.name for v in scenario.variants]


def _set_dotted(data: Any, path: str, value: Any) -> str | None:
    """Set ``path`` inside nested dicts/lists in place; the reason it cannot, or None."""
    first = split_path(path)[0]
    if first in _FROZEN_FIELDS:
        return f"{first!r} cannot be overridden (a variant changes values, not structure)"
    return set_in(data, path, value)


def _validation_problems(where: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = join_path(err["loc"])
        out.append(Problem(where, f"{loc}: {err['msg']}" if loc else err["msg"]))
    return out


def apply_variant(scenario: Scenario, name: str | None) -> Scenario:
    """The scenario with variant ``name`` applied (``None`` returns the base unchanged).

    Raises ScenarioError listing every unknown variant, target or path and every invalid value.
    """
    if name is None:
        return scenario
    matches = [i for i, v in enumerate(scenario.variants) if v.name == name]
    if not matches:
        known = ", ".join(repr(n) for n in variant_names(scenario)) or "none"
        raise ScenarioError([Problem("variants", f"no variant named {name!r} (known: {known})")])
    vi = matches[0]
    node_index: dict[str, int] = {}
    for i, node in enumerate(scenario.nodes):
        node_index.setdefault(node.id, i)
    work_index: dict[str, int] = {}
    for i, work in enumerate(scenario.workloads):
        work_index.setdefault(work.id, i)
    edge_index: dict[str, int] = {}
    for i, edge in enumerate(scenario.edges):  # an id names a node or workload before an edge
        edge_index.setdefault(edge.id, i)
    # Dump only what the overrides touch: a variant of a 9,472-node scene edits a handful.
    touched: dict[tuple[str, int], dict[str, Any]] = {}
    owner: dict[tuple[str, int], list[str]] = {}
    problems: list[Problem] = []
    for j, override in enumerate(scenario.variants[vi].overrides):
        where = f"variants[{vi}].overrides[{j}]"
        key, model = _locate(scenario, override, node_index, work_index, edge_index)
        if key is None or model is None:
            problems.append(
                Problem(
                    f"{where}.target",
                    f"{override.target!r} is neither a node, a workload, a WAN edge nor 'settings'",
                )
            )
            continue
        data = touched.setdefault(key, model.model_dump(mode="python"))
        reason = _set_dotted(data, override.path, override.value)
        if key[0] == "edges" and override.path in _EDGE_ENDS:
            reason = f"{override.path!r} is part of the structure and cannot be overridden"
        if reason:
            problems.append(Problem(f"{where}.path", f"{override.target}: {reason}"))
            continue
        owner.setdefault(key, []).append(where)
    nodes, workloads, settings = list(scenario.nodes), list(scenario.workloads), scenario.settings
    edges = list(scenario.edges)
    for key, data in touched.items():
        part, i = key
        where = " / ".join(owner.get(key, [])) or f"variants[{vi}]"
        try:
            if part == "nodes":
                nodes[i] = _NODE_ADAPTER.validate_python(data)
            elif part == "workloads":
                workloads[i] = _WORKLOAD_ADAPTER.validate_python(data)
            elif part == "edges":
                edges[i] = _EDGE_ADAPTER.validate_python(data)
            else:
                settings = Settings.model_validate(data)
        except ValidationError as exc:
            problems += _validation_problems(where, exc)
    if problems:
        raise ScenarioError(problems)
    return scenario.model_copy(
        update={"nodes": nodes, "workloads": workloads, "settings": settings, "edges": edges}
    )


def _locate(
    scenario: Scenario,
    override: Override,
    node_index: dict[str, int],
    work_index: dict[str, int],
    edge_index: dict[str, int],
) -> tuple[tuple[str, int] | None, BaseModel | None]:
    if override.target == SETTINGS_TARGET:
        return ("settings", 0), scenario.settings
    if override.target in node_index:
        i = node_index[override.target]
        return ("nodes", i), scenario.nodes[i]
    if override.target in work_index:
        i = work_index[override.target]
        return ("workloads", i), scenario.workloads[i]
    if override.target in edge_index:
        i = edge_index[override.target]
        return ("edges", i), scenario.edges[i]
    return None, None


def _leaf_diff(prefix: str, old: Any, new: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        for key in old:
            _leaf_diff(f"{prefix}.{key}" if prefix else key, old[key], new[key], out)
    elif old != new:
        out.append((prefix, new))


def diff_overrides(base: Scenario, edited: Scenario) -> list[Override]:
    """Overrides that turn ``base`` into ``edited`` (for "save these edits as a variant").

    Only values may differ: added, removed or re-kinded nodes and workloads raise ScenarioError,
    since a variant cannot express them. Lists are overridden whole.
    """
    problems: list[Problem] = []
    pairs: list[tuple[str, BaseModel, BaseModel]] = [
        (SETTINGS_TARGET, base.settings, edited.settings)
    ]
    for part in ("nodes", "workloads"):
        old_items = {o.id: o for o in getattr(base, part)}
        new_items = {o.id: o for o in getattr(edited, part)}
        if old_items.keys() != new_items.keys():
            gone = sorted(old_items.keys() - new_items.keys())
            added = sorted(new_items.keys() - old_items.keys())
            problems.append(
                Problem(part, f"a variant cannot add {added} or remove {gone}; only values change")
            )
            continue
        for item_id, old in old_items.items():
            new = new_items[item_id]
            if getattr(old, "kind", None) != getattr(new, "kind", None):
                problems.append(Problem(part, f"{item_id!r} changed kind; a variant cannot"))
                continue
            pairs.append((item_id, old, new))
    # A WAN edge's latency and bandwidth are values too (edges that came or went are not).
    old_edges = {e.id: e for e in base.edges}
    for edge in edited.edges:
        was = old_edges.get(edge.id)
        if was is not None and type(was) is type(edge) and was != edge:
            pairs.append((edge.id, was, edge))
    if problems:
        raise ScenarioError(problems)
    out: list[Override] = []
    for target, old_model, new_model in pairs:
        if old_model == new_model:
            continue
        leaves: list[tuple[str, Any]] = []
        _leaf_diff("", old_model.model_dump(mode="json"), new_model.model_dump(mode="json"), leaves)
        out += [Override(target=target, path=path, value=value) for path, value in leaves]
    return out
