"""FactoryDocument: the one mutable source of truth for an open factory.

The document holds immutable schema objects and replaces them on every change; it emits psygnal
signals (past tense) so views can mirror it without owning it. Only commands call the mutating
methods: views push commands, never mutate directly (one write path, see the architecture doc).
"""

from __future__ import annotations

from typing import Any

from psygnal import Signal

from aifactory_twin.schema import (
    Edge,
    Meta,
    NodeBase,
    Scenario,
    ScheduledEvent,
    Settings,
    Variant,
    Workload,
)

SCENARIO_PARTS = ("meta", "settings", "workloads", "variants", "events")


class FactoryDocument:
    """A scenario being edited: nodes and edges by id, plus the scenario-level parts."""

    node_added = Signal(object)
    node_removed = Signal(object)
    node_changed = Signal(object, object)  # old, new
    edge_added = Signal(object)
    edge_removed = Signal(object)
    part_changed = Signal(str, object, object)  # part name, old, new
    reset = Signal()  # the whole scenario was replaced
    changed = Signal()  # after any mutation, once

    def __init__(self, scenario: Scenario | None = None) -> None:
        self._nodes: dict[str, NodeBase] = {}
        self._edges: dict[str, Edge] = {}
        self._meta = Meta()
        self._settings = Settings()
        self._workloads: list[Workload] = []
        self._variants: list[Variant] = []
        self._events: list[ScheduledEvent] = []
        if scenario is not None:
            self._assign(scenario)

    # ----------------------------------------------------------------- reading
    @property
    def scenario(self) -> Scenario:
        """An immutable snapshot of the whole document (cheap: no re-validation)."""
        return Scenario.model_construct(
            meta=self._meta,
            settings=self._settings,
            nodes=list(self._nodes.values()),  # type: ignore[arg-type]
            edges=list(self._edges.values()),
            workloads=list(self._workloads),
            variants=list(self._variants),
            events=list(self._events),
        )

    @property
    def nodes(self) -> dict[str, NodeBase]:
        return dict(self._nodes)

    @property
    def edges(self) -> dict[str, Edge]:
        return dict(self._edges)

    def node(self, node_id: str) -> NodeBase:
        return self._nodes[node_id]

    def edge(self, edge_id: str) -> Edge:
        return self._edges[edge_id]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def has_edge(self, edge_id: str) -> bool:
        return edge_id in self._edges

    def node_index(self, node_id: str) -> int:
        return list(self._nodes).index(node_id)

    def edge_index(self, edge_id: str) -> int:
        return list(self._edges).index(edge_id)

    def incident_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self._edges.values() if node_id in (e.source, e.target)]

    def part(self, name: str) -> Any:
        if name not in SCENARIO_PARTS:
            raise KeyError(name)
        return getattr(self, f"_{name}")

    def fresh_id(self, prefix: str) -> str:
        """An id not used by any node or edge: ``prefix-1``, ``prefix-2``, …"""
        taken = self._nodes.keys() | self._edges.keys()
        n = 1
        while f"{prefix}-{n}" in taken:
            n += 1
        return f"{prefix}-{n}"

    # ------------------------------------------------------------- mutating
    # Called by commands only.
    def insert_node(self, node: NodeBase, index: int | None = None) -> None:
        if node.id in self._nodes:
            raise KeyError(f"duplicate node id {node.id!r}")
        self._nodes = _insert(self._nodes, node.id, node, index)
        self.node_added.emit(node)
        self.changed.emit()

    def remove_node(self, node_id: str) -> NodeBase:
        node = self._nodes.pop(node_id)
        self.node_removed.emit(node)
        self.changed.emit()
        return node

    def replace_node(self, new: NodeBase) -> NodeBase:
        old = self._nodes[new.id]
        self._nodes[new.id] = new
        self.node_changed.emit(old, new)
        self.changed.emit()
        return old

    def insert_edge(self, edge: Edge, index: int | None = None) -> None:
        if edge.id in self._edges:
            raise KeyError(f"duplicate edge id {edge.id!r}")
        self._edges = _insert(self._edges, edge.id, edge, index)
        self.edge_added.emit(edge)
        self.changed.emit()

    def remove_edge(self, edge_id: str) -> Edge:
        edge = self._edges.pop(edge_id)
        self.edge_removed.emit(edge)
        self.changed.emit()
        return edge

    def set_part(self, name: str, value: Any) -> Any:
        old = self.part(name)
        setattr(self, f"_{name}", list(value) if isinstance(old, list) else value)
        self.part_changed.emit(name, old, value)
        self.changed.emit()
        return old

    def load(self, scenario: Scenario) -> None:
        """Replace everything (open a file, new document); not undoable by design."""
        self._assign(scenario)
        self.reset.emit()
        self.changed.emit()

    def _assign(self, scenario: Scenario) -> None:
        self._nodes = {n.id: n for n in scenario.nodes}
        self._edges = {e.id: e for e in scenario.edges}
        self._meta = scenario.meta
        self._settings = scenario.settings
        self._workloads = list(scenario.workloads)
        self._variants = list(scenario.variants)
        self._events = list(scenario.events)


def _insert(mapping: dict[str, Any], key: str, value: Any, index: int | None) -> dict[str, Any]:
    if index is None or index >= len(mapping):
        mapping[key] = value
        return mapping
    items = list(mapping.items())
    items.insert(max(index, 0), (key, value))
    return dict(items)
