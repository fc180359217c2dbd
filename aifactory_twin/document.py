"""FactoryDocument: the one mutable source of truth for an open factory.

The document holds immutable schema objects and replaces them on every change; it emits psygnal
signals (past tense) so views can mirror it without owning it. Only commands call the mutating
methods: views push commands, never mutate directly (one write path, see the architecture doc).

Nodes and edges are each kept as an id → object map plus an order list (the order the file
lists them in). Inserting at an index is a list insert, never a rebuild of the map, and the bulk
paths (``insert_many`` / ``remove_many``) rebuild the order once for any number of items: undo
of a 1,000-node delete on frontier-scale went from minutes to well under a second (issue 9).

``changed`` is the coarse signal ("something changed, look again"): once per mutation, or once
per ``with doc.batch():`` however many mutations the batch makes. Every command runs in a batch
(the undo stacks see to it), so a view that only listens to ``changed`` refreshes once per edit.
The fine signals (``node_added``, …) still fire per item, in order, for views that mirror items.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from psygnal import Signal

from aifactory_twin.schema import (
    Edge,
    JobMix,
    JobTrace,
    Meta,
    NodeBase,
    Scenario,
    ScheduledEvent,
    Settings,
    Studies,
    UncertainInput,
    Variant,
    Workload,
)

SCENARIO_PARTS = (
    "meta",
    "settings",
    "workloads",
    "variants",
    "events",
    "job_mix",
    "job_traces",
    "uncertain",
    "studies",
)

# Connection priorities for listeners whose order matters (psygnal runs higher first; equal
# priorities run in connection order, which must not be relied on).
DERIVED_STATE = 100
"""Caches other listeners read while handling the same signal (the variant session)."""
VIEWS = 0
"""Views mirroring the document (the default)."""
AFTER_VIEWS = -100
"""Work that needs the views up to date first (the window settling the canvas selection)."""


class Links:
    """Signal → slot connections made and undone together, at one priority.

    For listeners that follow the document (and each other) and must stop before they go:
    psygnal would otherwise keep calling a deleted Qt-owned object's methods.
    """

    def __init__(self, links: Sequence[tuple[Any, Any]], priority: int = VIEWS) -> None:
        self._links = list(links)
        self._priority = priority
        self.connected = False

    def attach(self) -> None:
        """Connect every link (no-op when already connected)."""
        if not self.connected:
            for signal, slot in self._links:
                signal.connect(slot, priority=self._priority)
            self.connected = True

    def detach(self) -> None:
        """Disconnect every link (no-op when not connected)."""
        if self.connected:
            for signal, slot in self._links:
                signal.disconnect(slot)
            self.connected = False


class _Ordered:
    """Items by id plus their order: O(1) lookup, cheap positional insert, one-pass bulk edits."""

    __slots__ = ("by_id", "order")

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self.by_id: dict[str, Any] = {}
        self.order: list[str] = []
        for item in items:
            self.by_id[item.id] = item
            self.order.append(item.id)

    def values(self) -> list[Any]:
        by_id = self.by_id
        return [by_id[i] for i in self.order]

    def as_dict(self) -> dict[str, Any]:
        by_id = self.by_id
        return {i: by_id[i] for i in self.order}

    def insert(self, item: Any, index: int | None) -> None:
        if index is None or index >= len(self.order):
            self.order.append(item.id)
        else:
            self.order.insert(max(index, 0), item.id)
        self.by_id[item.id] = item

    def remove(self, item_id: str) -> Any:
        item = self.by_id.pop(item_id)
        self.order.remove(item_id)
        return item

    def remove_many(self, ids: Iterable[str]) -> list[tuple[int, Any]]:
        """Remove ``ids`` (all present) in one pass; returns (former index, item), by index."""
        doomed = set(ids)
        removed: list[tuple[int, Any]] = []
        kept: list[str] = []
        for index, item_id in enumerate(self.order):
            if item_id in doomed:
                removed.append((index, self.by_id.pop(item_id)))
            else:
                kept.append(item_id)
        self.order = kept
        return removed

    def insert_many(self, placed: Sequence[tuple[int | None, Any]]) -> None:
        """Insert items at their final indexes (None: at the end) with one rebuild of the order.

        Indexes are where each item ends up once all are in, as ``remove_many`` reports them,
        so putting back what it removed restores the exact order.
        """
        at = sorted(
            ((len(self.order) + len(placed) if i is None else max(i, 0), n, item))
            for n, (i, item) in enumerate(placed)
        )
        old = iter(self.order)
        order: list[str] = []
        for index, _n, item in at:
            order.extend(islice(old, max(index - len(order), 0)))
            order.append(item.id)
            self.by_id[item.id] = item
        order.extend(old)
        self.order = order


class FactoryDocument:
    """A scenario being edited: nodes and edges by id, plus the scenario-level parts."""

    node_added = Signal(object)
    node_removed = Signal(object)
    node_changed = Signal(object, object)  # old, new
    edge_added = Signal(object)
    edge_removed = Signal(object)
    part_changed = Signal(str, object, object)  # part name, old, new
    reset = Signal()  # the whole scenario was replaced
    changed = Signal()  # after any mutation, once (once per batch inside ``batch()``)

    def __init__(self, scenario: Scenario | None = None) -> None:
        self._nodes = _Ordered()
        self._edges = _Ordered()
        self._meta = Meta()
        self._settings = Settings()
        self._workloads: list[Workload] = []
        self._variants: list[Variant] = []
        self._events: list[ScheduledEvent] = []
        # Kept as loaded (the studio does not edit them yet) so a save does not drop them.
        self._uncertain: list[UncertainInput] = []
        self._studies = Studies()
        self._job_mix: list[JobMix] = []
        self._job_traces: list[JobTrace] = []
        self.source_dir: str | None = None
        """Folder relative paths in the scenario start from (set again by Save As)."""
        self._batch_depth = 0
        if scenario is not None:
            self._assign(scenario)

    # ----------------------------------------------------------------- reading
    @property
    def scenario(self) -> Scenario:
        """An immutable snapshot of the whole document (cheap: no re-validation)."""
        return Scenario.model_construct(
            meta=self._meta,
            settings=self._settings,
            nodes=self._nodes.values(),
            edges=self._edges.values(),
            workloads=list(self._workloads),
            variants=list(self._variants),
            events=list(self._events),
            uncertain=list(self._uncertain),
            studies=self._studies,
            job_mix=list(self._job_mix),
            job_traces=list(self._job_traces),
        ).with_source_dir(self.source_dir)

    @property
    def nodes(self) -> dict[str, NodeBase]:
        """A copy, in file order (prefer ``node``/``has_node``/``node_count`` for one answer)."""
        return self._nodes.as_dict()

    @property
    def edges(self) -> dict[str, Edge]:
        """Edge id → edge, in document order (a copy)."""
        return self._edges.as_dict()

    @property
    def node_count(self) -> int:
        """How many nodes the document holds."""
        return len(self._nodes.order)

    @property
    def edge_count(self) -> int:
        """How many edges the document holds."""
        return len(self._edges.order)

    def node(self, node_id: str) -> NodeBase:
        """The node ``node_id`` (KeyError when absent)."""
        node: NodeBase = self._nodes.by_id[node_id]
        return node

    def edge(self, edge_id: str) -> Edge:
        """The edge ``edge_id`` (KeyError when absent)."""
        edge: Edge = self._edges.by_id[edge_id]
        return edge

    def has_node(self, node_id: str) -> bool:
        """Whether a node ``node_id`` exists."""
        return node_id in self._nodes.by_id

    def has_edge(self, edge_id: str) -> bool:
        """Whether an edge ``edge_id`` exists."""
        return edge_id in self._edges.by_id

    def node_index(self, node_id: str) -> int:
        """Position of node ``node_id`` in the document order."""
        return self._nodes.order.index(node_id)

    def edge_index(self, edge_id: str) -> int:
        """Position of edge ``edge_id`` in the document order."""
        return self._edges.order.index(edge_id)

    def incident_edges(self, node_id: str) -> list[Edge]:
        """The edges with ``node_id`` at either end, in document order."""
        return [e for e in self._edges.values() if node_id in (e.source, e.target)]

    def part(self, name: str) -> Any:
        """The scenario part ``name`` (one of ``SCENARIO_PARTS``)."""
        if name not in SCENARIO_PARTS:
            raise KeyError(name)
        return getattr(self, f"_{name}")

    def fresh_id(self, prefix: str) -> str:
        """An id not used by any node or edge: ``prefix-1``, ``prefix-2`` and so on."""
        nodes, edges = self._nodes.by_id, self._edges.by_id
        n = 1
        while f"{prefix}-{n}" in nodes or f"{prefix}-{n}" in edges:
            n += 1
        return f"{prefix}-{n}"

    @property
    def in_batch(self) -> bool:
        """True inside ``batch()``: ``changed`` is held back until the outermost batch ends."""
        return self._batch_depth > 0

    # ------------------------------------------------------------- mutating
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group mutations so ``changed`` fires once at the end (if anything changed).

        Nests: only the outermost batch releases ``changed``. The fine-grained signals are not
        held back, so views mirroring items stay in step with the document as it goes.
        """
        self._batch_depth += 1
        if self._batch_depth == 1:
            self.changed.pause()
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                # Any number of queued no-argument emissions reduce to one.
                self.changed.resume(reducer=lambda first, _later: first)

    # Called by commands only.
    def insert_node(self, node: NodeBase, index: int | None = None) -> None:
        """Insert ``node`` at ``index`` (the end when None); KeyError on a duplicate id."""
        if node.id in self._nodes.by_id:
            raise KeyError(f"duplicate node id {node.id!r}")
        self._nodes.insert(node, index)
        self.node_added.emit(node)
        self.changed.emit()

    def remove_node(self, node_id: str) -> NodeBase:
        """Remove node ``node_id`` and return it (its edges are the caller's business)."""
        node: NodeBase = self._nodes.remove(node_id)
        self.node_removed.emit(node)
        self.changed.emit()
        return node

    def replace_node(self, new: NodeBase) -> NodeBase:
        """Replace the node with ``new``'s id by ``new``; return the old one."""
        old: NodeBase = self._nodes.by_id[new.id]
        self._nodes.by_id[new.id] = new
        self.node_changed.emit(old, new)
        self.changed.emit()
        return old

    def insert_edge(self, edge: Edge, index: int | None = None) -> None:
        """Insert ``edge`` at ``index`` (the end when None); KeyError on a duplicate id."""
        if edge.id in self._edges.by_id:
            raise KeyError(f"duplicate edge id {edge.id!r}")
        self._edges.insert(edge, index)
        self.edge_added.emit(edge)
        self.changed.emit()

    def remove_edge(self, edge_id: str) -> Edge:
        """Remove edge ``edge_id`` and return it."""
        edge: Edge = self._edges.remove(edge_id)
        self.edge_removed.emit(edge)
        self.changed.emit()
        return edge

    def insert_many(
        self,
        nodes: Sequence[tuple[int | None, NodeBase]] = (),
        edges: Sequence[tuple[int | None, Edge]] = (),
    ) -> None:
        """Insert (index, item) pairs — index where the item ends up, None for the end.

        Nodes go in before edges, so a view never sees an edge whose ends are missing; one
        ``changed`` for the lot. Raises KeyError on a duplicate id before changing anything.
        """
        _check_new(self._nodes.by_id, [n for _, n in nodes], "node")
        _check_new(self._edges.by_id, [e for _, e in edges], "edge")
        with self.batch():
            if nodes:
                self._nodes.insert_many(nodes)
                for _, node in nodes:
                    self.node_added.emit(node)
            if edges:
                self._edges.insert_many(edges)
                for _, edge in edges:
                    self.edge_added.emit(edge)
            if nodes or edges:
                self.changed.emit()

    def remove_many(
        self, node_ids: Iterable[str] = (), edge_ids: Iterable[str] = ()
    ) -> tuple[list[tuple[int, NodeBase]], list[tuple[int, Edge]]]:
        """Remove nodes and edges (edges first); returns what went, with former indexes.

        Edges touching a removed node are not removed here (``RemoveItems`` decides that); pass
        the returned lists to ``insert_many`` to put everything back in its exact place.
        Raises KeyError on an unknown id before changing anything.
        """
        node_ids, edge_ids = list(dict.fromkeys(node_ids)), list(dict.fromkeys(edge_ids))
        for ids, by_id, what in (
            (edge_ids, self._edges.by_id, "edge"),
            (node_ids, self._nodes.by_id, "node"),
        ):
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise KeyError(f"no {what} with id {missing[0]!r}")
        with self.batch():
            removed_edges: list[tuple[int, Edge]] = (
                self._edges.remove_many(edge_ids) if edge_ids else []
            )
            for _, edge in reversed(removed_edges):
                self.edge_removed.emit(edge)
            removed_nodes: list[tuple[int, NodeBase]] = (
                self._nodes.remove_many(node_ids) if node_ids else []
            )
            for _, node in reversed(removed_nodes):
                self.node_removed.emit(node)
            if removed_edges or removed_nodes:
                self.changed.emit()
        return removed_nodes, removed_edges

    def set_part(self, name: str, value: Any) -> Any:
        """Replace scenario part ``name`` by ``value``; return the old value."""
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
        self._nodes = _Ordered(scenario.nodes)
        self._edges = _Ordered(scenario.edges)
        self._meta = scenario.meta
        self._settings = scenario.settings
        self._workloads = list(scenario.workloads)
        self._variants = list(scenario.variants)
        self._events = list(scenario.events)
        self._uncertain = list(scenario.uncertain)
        self._studies = scenario.studies
        self._job_mix = list(scenario.job_mix)
        self._job_traces = list(scenario.job_traces)
        self.source_dir = scenario.source_dir


def _check_new(by_id: dict[str, Any], items: Sequence[Any], what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in by_id or item.id in seen:
            raise KeyError(f"duplicate {what} id {item.id!r}")
        seen.add(item.id)
