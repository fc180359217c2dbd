"""FactoryDocument: snapshots, ordering, ids and the signals views mirror it by."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    # One command, one "changed": the stack runs it in a batch.
    assert rec.names()[-1] == "changed" and rec.names().count("changed") == 1


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


def test_batch_emits_changed_once_at_the_end_and_nests() -> None:
    doc = _doc()
    rec = Recorder(doc)
    with doc.batch():
        doc.insert_node(ComputeRack(id="r3"))
        with doc.batch():
            doc.remove_edge("c1")
            doc.replace_node(doc.node("r1").model_copy(update={"name": "one"}))
        assert rec.names() == ["node_added", "edge_removed", "node_changed"]
        assert doc.in_batch
    assert rec.names() == ["node_added", "edge_removed", "node_changed", "changed"]
    assert not doc.in_batch
    rec.events.clear()
    with doc.batch():
        pass
    assert rec.events == []  # nothing changed, nothing said


def test_batch_releases_changed_when_the_body_raises() -> None:
    doc = _doc()
    rec = Recorder(doc)
    with pytest.raises(KeyError), doc.batch():
        doc.remove_edge("c1")
        doc.remove_edge("nope")
    assert rec.names() == ["edge_removed", "changed"]
    doc.remove_edge("c2")
    assert rec.names()[-2:] == ["edge_removed", "changed"]  # not paused any more


def test_remove_many_reports_indexes_and_insert_many_restores_the_order() -> None:
    doc = FactoryDocument(
        Scenario(
            nodes=[CoolingUnit(id="crah"), *(ComputeRack(id=f"r{i}") for i in range(6))],
            edges=[
                Edge(id=f"c{i}", kind="coolant", source="crah", target=f"r{i}") for i in range(6)
            ],
        )
    )
    before = doc.scenario
    rec = Recorder(doc)
    nodes, edges = doc.remove_many(["r4", "r1", "r5"], ["c1", "c4", "c5"])
    assert [(i, n.id) for i, n in nodes] == [(2, "r1"), (5, "r4"), (6, "r5")]
    assert [(i, e.id) for i, e in edges] == [(1, "c1"), (4, "c4"), (5, "c5")]
    assert list(doc.nodes) == ["crah", "r0", "r2", "r3"]
    # Edges leave first (a view never holds an edge with a missing end), one "changed".
    assert rec.names() == ["edge_removed"] * 3 + ["node_removed"] * 3 + ["changed"]
    rec.events.clear()
    doc.insert_many(nodes, edges)
    assert doc.scenario == before
    assert rec.names() == ["node_added"] * 3 + ["edge_added"] * 3 + ["changed"]


def test_insert_many_appends_without_index_and_refuses_duplicates_untouched() -> None:
    doc = _doc()
    before = doc.scenario
    with pytest.raises(KeyError, match="r1"):
        doc.insert_many([(None, ComputeRack(id="r9")), (None, ComputeRack(id="r1"))])
    with pytest.raises(KeyError, match="r9"):
        doc.insert_many([(None, ComputeRack(id="r9")), (0, ComputeRack(id="r9"))])
    with pytest.raises(KeyError, match="nope"):
        doc.remove_many(["r1"], ["nope"])
    assert doc.scenario == before
    doc.insert_many([(None, ComputeRack(id="r9")), (0, ComputeRack(id="r0"))])
    assert list(doc.nodes) == ["r0", "crah", "r1", "r2", "r9"]
    assert doc.node_count == 5 and doc.edge_count == 2


@given(
    count=st.integers(0, 30),
    data=st.data(),
)
def test_bulk_remove_and_insert_match_one_by_one_list_edits(count: int, data: Any) -> None:
    racks = [ComputeRack(id=f"r{i}") for i in range(count)]
    doc = FactoryDocument(Scenario(nodes=racks))
    doomed = (
        data.draw(st.lists(st.sampled_from([r.id for r in racks]), unique=True)) if racks else []
    )
    removed, _ = doc.remove_many(doomed)
    assert [n.id for n in doc.nodes.values()] == [r.id for r in racks if r.id not in doomed]
    assert [(i, n.id) for i, n in removed] == [
        (i, r.id) for i, r in enumerate(racks) if r.id in doomed
    ]
    # New items at random final indexes (distinct; None appends, in the order given): the same
    # as inserting them one by one, lowest index first.
    extra = [ComputeRack(id=f"x{i}") for i in range(data.draw(st.integers(0, 6)))]
    indexes = data.draw(
        st.lists(
            st.none() | st.integers(0, count + 6), min_size=len(extra), max_size=len(extra)
        ).filter(lambda ix: len({i for i in ix if i is not None}) == sum(i is not None for i in ix))
    )
    placed = list(zip(indexes, extra, strict=True))
    expected = [n.id for n in doc.nodes.values()]
    total = len(expected) + len(placed)
    for index, rack in sorted(
        ((total if i is None else i, n) for n, (i, _) in enumerate(placed)),
    ):
        expected.insert(index, placed[rack][1].id)
    doc.insert_many(placed)
    assert list(doc.nodes) == expected
    doc.remove_many([x.id for x in extra])
    doc.insert_many(removed)
    assert list(doc.nodes) == [r.id for r in racks]
