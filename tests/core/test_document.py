"""FactoryDocument: snapshots, ordering, ids and the signals views mirror it by."""

from __future__ import annotations

from typing import Any

import pytest

from aifactory_twin.commands import MoveNodes, RemoveItems, SetField, SetPart, UndoStack
from aifactory_twin.document import FactoryDocument
from aifactory_twin.schema import (
    ComputeRack,
    CoolingUnit,
    Edge,
    Meta,
    Position,
    Scenario,
    Settings,
)


def _doc() -> FactoryDocument:
    return FactoryDocument(
        Scenario(
            meta=Meta(name="hall"),
            nodes=[CoolingUnit(id="crah"), ComputeRack(id="r1"), ComputeRack(id="r2")],
            edges=[
                Edge(id="c1", kind="coolant", source="crah", target="r1"),
                Edge(id="c2", kind="coolant", source="crah", target="r2"),
            ],
        )
    )


class Recorder:
    """Connects to every document signal and records (signal name, args) in order."""

    NAMES = (
        "node_added",
        "node_removed",
        "node_changed",
        "edge_added",
        "edge_removed",
        "part_changed",
        "reset",
        "changed",
    )

    def __init__(self, doc: FactoryDocument) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in self.NAMES:
            getattr(doc, name).connect(self._make(name))

    def _make(self, name: str) -> Any:
        def handler(*args: Any) -> None:
            self.events.append((name, args))

        return handler

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


def test_scenario_snapshot_round_trips_and_is_not_affected_by_later_edits() -> None:
    doc = _doc()
    snap = doc.scenario
    assert FactoryDocument(snap).scenario == snap
    doc.remove_edge("c2")
    assert [e.id for e in snap.edges] == ["c1", "c2"]
    assert Scenario.model_validate(doc.scenario.model_dump()) == doc.scenario


def test_node_signals_on_add_change_remove() -> None:
    doc = _doc()
    rec = Recorder(doc)
    rack = ComputeRack(id="r3")
    doc.insert_node(rack)
    assert rec.events == [("node_added", (rack,)), ("changed", ())]
    rec.events.clear()
    new = rack.model_copy(update={"name": "three"})
    doc.replace_node(new)
    assert rec.events == [("node_changed", (rack, new)), ("changed", ())]
    rec.events.clear()
    doc.remove_node("r3")
    assert rec.events == [("node_removed", (new,)), ("changed", ())]


def test_edge_signals_and_removing_a_node_through_a_command() -> None:
    doc = _doc()
    rec = Recorder(doc)
    c1, c2 = doc.edge("c1"), doc.edge("c2")
    stack = UndoStack(doc)
    stack.push(RemoveItems(["crah"]))
    # Edges leave before their node, so a view never holds an edge with a missing end.
    assert [(n, a[0].id) for n, a in rec.events if n != "changed"] == [
        ("edge_removed", "c2"),
        ("edge_removed", "c1"),
        ("node_removed", "crah"),
    ]
    rec.events.clear()
    stack.undo()
    assert [(n, a[0]) for n, a in rec.events if n != "changed"] == [
        ("node_added", doc.node("crah")),
        ("edge_added", c1),
        ("edge_added", c2),
    ]
    assert rec.names().count("changed") == 3


def test_node_changed_carries_old_and_new_for_set_field_and_move() -> None:
    doc = _doc()
    rec = Recorder(doc)
    old = doc.node("r1")
    UndoStack(doc).push(SetField(doc, ["r1"], "power_rating_kw", 33.0))
    (name, (before, after)) = rec.events[0]
    assert name == "node_changed" and before == old
    assert after.power_rating_kw == 33.0
    rec.events.clear()
    MoveNodes({"r2": (Position(), Position(x=5))}).redo(doc)
    assert rec.events[0][0] == "node_changed"
    assert rec.events[0][1][1].position == Position(x=5)


def test_part_changed_signal() -> None:
    doc = _doc()
    rec = Recorder(doc)
    new_settings = Settings(step_s=60)
    cmd = SetPart(doc, "settings", new_settings)
    cmd.redo(doc)
    assert rec.events[0] == ("part_changed", ("settings", Settings(), new_settings))
    cmd.undo(doc)
    assert doc.part("settings") == Settings()
    with pytest.raises(KeyError):
        doc.part("nodes")


def test_load_replaces_everything_and_emits_reset() -> None:
    doc = _doc()
    rec = Recorder(doc)
    other = Scenario(nodes=[ComputeRack(id="solo")])
    doc.load(other)
    assert rec.names() == ["reset", "changed"]
    assert doc.scenario == other


def test_insert_at_index_and_duplicate_ids() -> None:
    doc = _doc()
    doc.insert_node(ComputeRack(id="r0"), 1)
    assert list(doc.nodes) == ["crah", "r0", "r1", "r2"]
    assert doc.node_index("r1") == 2
    with pytest.raises(KeyError):
        doc.insert_node(ComputeRack(id="r1"))
    with pytest.raises(KeyError):
        doc.insert_edge(Edge(id="c1", kind="coolant", source="crah", target="r0"))
    doc.insert_edge(Edge(id="c0", kind="coolant", source="crah", target="r0"), 0)
    assert doc.edge_index("c0") == 0


def test_fresh_id_avoids_node_and_edge_ids_and_incident_edges() -> None:
    doc = _doc()
    doc.insert_node(ComputeRack(id="rack-1"))
    doc.insert_edge(Edge(id="rack-2", kind="coolant", source="crah", target="rack-1"))
    assert doc.fresh_id("rack") == "rack-3"
    assert [e.id for e in doc.incident_edges("crah")] == ["c1", "c2", "rack-2"]
    assert doc.incident_edges("r2") == [doc.edge("c2")]
    assert doc.has_node("r1") and not doc.has_edge("nope")
