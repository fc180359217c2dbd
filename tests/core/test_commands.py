"""Undoable commands and the headless undo stack: each command, merging, and the round-trip law."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import command_sequences, scenarios

from aifactory_twin.commands import (
    AddNodes,
    Connect,
    Disconnect,
    Macro,
    MoveNodes,
    RemoveItems,
    ReplaceNode,
    SetField,
    SetPart,
    UndoStack,
    new_node,
)
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import (
    ComputeRack,
    CoolingUnit,
    Edge,
    Meta,
    Pdu,
    Position,
    PowerFeed,
    Scenario,
    StaffTeam,
)


def _doc() -> FactoryDocument:
    """feed → pdu → rack-a, rack-b; crah cools both racks; a team looks after the crah."""
    return FactoryDocument(
        Scenario(
            nodes=[
                PowerFeed(id="feed"),
                Pdu(id="pdu"),
                ComputeRack(id="rack-a"),
                ComputeRack(id="rack-b", count=2),
                CoolingUnit(id="crah"),
                StaffTeam(id="ops"),
            ],
            edges=[
                Edge(id="p1", kind="power", source="feed", target="pdu"),
                Edge(id="p2", kind="power", source="pdu", target="rack-a"),
                Edge(id="c1", kind="coolant", source="crah", target="rack-a"),
                Edge(id="p3", kind="power", source="pdu", target="rack-b"),
                Edge(id="c2", kind="coolant", source="crah", target="rack-b"),
                Edge(id="s1", kind="support", source="ops", target="crah"),
            ],
        )
    )


def test_add_nodes_with_edges_redo_undo() -> None:
    doc = _doc()
    before = doc.scenario
    rack = ComputeRack(id="rack-c")
    edge = Edge(id="p4", kind="power", source="pdu", target="rack-c")
    cmd = AddNodes([rack], [edge])
    cmd.redo(doc)
    assert doc.node("rack-c") == rack and doc.edge("p4") == edge
    assert list(doc.nodes)[-1] == "rack-c"
    cmd.undo(doc)
    assert doc.scenario == before
    assert cmd.text == "Add rack-c"


def test_remove_node_brings_back_incident_edges_in_original_order() -> None:
    doc = _doc()
    before = doc.scenario
    cmd = RemoveItems(["rack-a"])
    cmd.redo(doc)
    assert not doc.has_node("rack-a")
    assert list(doc.edges) == ["p1", "p3", "c2", "s1"]  # p2 and c1 went with the node
    cmd.undo(doc)
    assert list(doc.nodes) == [n.id for n in before.nodes]
    assert list(doc.edges) == ["p1", "p2", "c1", "p3", "c2", "s1"]
    assert doc.scenario == before


def test_remove_nodes_and_edges_together_and_redo_again() -> None:
    doc = _doc()
    before = doc.scenario
    cmd = RemoveItems(["pdu", "crah"], ["s1"])
    cmd.redo(doc)
    assert list(doc.nodes) == ["feed", "rack-a", "rack-b", "ops"]
    assert doc.edges == {}
    cmd.undo(doc)
    assert doc.scenario == before
    cmd.redo(doc)
    assert doc.edges == {}
    cmd.undo(doc)
    assert doc.scenario == before


def test_move_nodes_redo_undo() -> None:
    doc = _doc()
    old_a, old_b = doc.node("rack-a").position, doc.node("rack-b").position
    new_a, new_b = Position(x=10, y=20), Position(x=-5, y=7.5)
    cmd = MoveNodes({"rack-a": (old_a, new_a), "rack-b": (old_b, new_b)})
    assert cmd.text == "Move 2 nodes"
    cmd.redo(doc)
    assert doc.node("rack-a").position == new_a and doc.node("rack-b").position == new_b
    cmd.undo(doc)
    assert doc.node("rack-a").position == old_a and doc.node("rack-b").position == old_b


def test_set_field_redo_undo_including_nested_path() -> None:
    doc = _doc()
    before = doc.scenario
    cmd = SetField(doc, ["rack-a", "rack-b"], "power_rating_kw", 40.0)
    cmd.redo(doc)
    assert doc.node("rack-a").power_rating_kw == 40.0  # type: ignore[attr-defined]
    assert doc.node("rack-b").power_rating_kw == 40.0  # type: ignore[attr-defined]
    cmd.undo(doc)
    assert doc.scenario == before
    nested = SetField(doc, ["rack-a"], "delivery.lead_time_days", 90)
    nested.redo(doc)
    assert doc.node("rack-a").delivery.lead_time_days == 90  # type: ignore[attr-defined]
    nested.undo(doc)
    assert doc.scenario == before


def test_consecutive_set_field_edits_merge_into_one_undo_step() -> None:
    doc = _doc()
    stack = UndoStack(doc)
    stack.push(SetField(doc, ["crah"], "name", "C"))
    stack.push(SetField(doc, ["rack-a"], "name", "R"))
    for name in ("R1", "R12", "R123"):
        stack.push(SetField(doc, ["rack-a"], "name", name))
    assert doc.node("rack-a").name == "R123"
    assert stack.undo()
    assert doc.node("rack-a").name == ""  # all four rack-a edits were one step
    assert doc.node("crah").name == "C"
    assert stack.undo()
    assert doc.node("crah").name == ""
    assert not stack.can_undo()
    assert stack.redo() and stack.redo()
    assert doc.node("rack-a").name == "R123"


def test_set_field_edits_do_not_merge_across_a_save() -> None:
    doc = _doc()
    stack = UndoStack(doc)
    stack.push(SetField(doc, ["rack-a"], "name", "saved"))
    stack.set_clean()
    stack.push(SetField(doc, ["rack-a"], "name", "edited after save"))
    assert not stack.is_clean()
    stack.undo()
    assert stack.is_clean() and doc.node("rack-a").name == "saved"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("power_rating_kw", -5, "power_rating_kw"),
        ("power_rating_kw", float("nan"), "power_rating_kw"),
        ("cooling", "lava", "cooling"),
        ("shutdown_c", 50.0, "thermal limits"),
        ("no_such_field", 1, "no_such_field"),
        ("delivery.nope", 1, "delivery.nope"),
    ],
)
def test_invalid_set_field_raises_and_leaves_document_untouched(
    path: str, value: object, field: str
) -> None:
    doc = _doc()
    before = doc.scenario
    seen: list[object] = []
    doc.changed.connect(lambda: seen.append("changed"))
    with pytest.raises(ScenarioError) as info:
        SetField(doc, ["rack-a"], path, value)
    assert field in str(info.value)
    assert doc.scenario == before
    assert seen == []


def test_replace_node_redo_undo() -> None:
    doc = _doc()
    old = doc.node("crah")
    new = CoolingUnit(id="crah", cooling_type="cdu", nominal_cooling_capacity_kw=800)
    cmd = ReplaceNode(doc, new)
    cmd.redo(doc)
    assert doc.node("crah") == new
    cmd.undo(doc)
    assert doc.node("crah") == old


def test_connect_and_disconnect_redo_undo() -> None:
    doc = _doc()
    before = doc.scenario
    connect = Connect(doc, Edge(id="s2", kind="support", source="ops", target="rack-a"))
    connect.redo(doc)
    assert doc.edge("s2").target == "rack-a"
    connect.undo(doc)
    assert doc.scenario == before
    disconnect = Disconnect(["c1", "p2"])
    disconnect.redo(doc)
    assert not doc.has_edge("c1") and not doc.has_edge("p2")
    disconnect.undo(doc)
    assert list(doc.edges) == [e.id for e in before.edges]


@pytest.mark.parametrize(
    ("edge", "message"),
    [
        (Edge(id="x", kind="power", source="rack-a", target="pdu"), "cannot go from"),
        (Edge(id="x", kind="coolant", source="crah", target="crah"), "itself"),
        (Edge(id="x", kind="power", source="feed", target="ghost"), "ghost"),
    ],
)
def test_connect_refuses_bad_edges(edge: Edge, message: str) -> None:
    doc = _doc()
    with pytest.raises(ScenarioError, match=message):
        Connect(doc, edge)


def test_set_part_and_merge() -> None:
    doc = _doc()
    stack = UndoStack(doc)
    stack.push(SetPart(doc, "meta", Meta(name="A"), text="Rename"))
    stack.push(SetPart(doc, "meta", Meta(name="AB"), text="Rename"))
    assert doc.part("meta").name == "AB"
    stack.undo()
    assert doc.part("meta") == Meta()
    assert not stack.can_undo()


def test_macro_redoes_in_order_and_undoes_in_reverse() -> None:
    doc = _doc()
    before = doc.scenario
    rack = ComputeRack(id="rack-c")
    # The move needs the added node: undoing in the wrong order would fail with a KeyError.
    macro = Macro(
        "Add and place",
        [AddNodes([rack]), MoveNodes({"rack-c": (rack.position, Position(x=3, y=4))})],
    )
    macro.redo(doc)
    assert doc.node("rack-c").position == Position(x=3, y=4)
    macro.undo(doc)
    assert doc.scenario == before


def test_new_node_errors_name_the_field() -> None:
    with pytest.raises(ScenarioError, match="unknown node kind"):
        new_node("toaster", "t1")
    with pytest.raises(ScenarioError, match="capacity_pb"):
        new_node("storage", "s1", capacity_pb=0)
    assert new_node("pdu", "p1", power_rating_kw=50).power_rating_kw == 50  # type: ignore[attr-defined]


def test_undo_stack_clean_state_and_redo_branch() -> None:
    doc = _doc()
    stack = UndoStack(doc)
    assert stack.is_clean() and not stack.can_undo() and not stack.can_redo()
    stack.push(MoveNodes({"feed": (Position(), Position(x=1))}))
    assert not stack.is_clean()
    stack.set_clean()
    stack.push(RemoveItems(["ops"]))
    assert not stack.is_clean()
    stack.undo()
    assert stack.is_clean() and stack.can_redo()
    stack.undo()
    assert not stack.is_clean()
    stack.push(RemoveItems(["ops"]))  # a new branch: the clean state can never come back
    assert not stack.can_redo()
    while stack.undo():
        pass
    assert not stack.is_clean()
    assert stack.undo() is False and stack.redo() is True


class Mirror:
    """What a view keeps from the fine signals alone (node and edge ids), and ``changed`` count."""

    def __init__(self, doc: FactoryDocument) -> None:
        self.nodes = set(doc.nodes)
        self.edges = set(doc.edges)
        self.changed = 0
        doc.node_added.connect(lambda n: self.nodes.add(n.id))
        doc.node_removed.connect(lambda n: self.nodes.remove(n.id))
        doc.edge_added.connect(self._edge_added)
        doc.edge_removed.connect(lambda e: self.edges.remove(e.id))
        doc.changed.connect(self._changed)
        self.doc = doc

    def _edge_added(self, edge: Edge) -> None:
        # Nodes arrive before the edges that need them, even in a bulk insert.
        assert {edge.source, edge.target} <= self.nodes | set(self.doc.nodes)
        self.edges.add(edge.id)

    def _changed(self) -> None:
        self.changed += 1

    def check(self) -> None:
        assert self.nodes == set(self.doc.nodes) and self.edges == set(self.doc.edges)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), data=st.data())
def test_any_command_sequence_undone_in_full_gives_back_the_original(
    scenario: Scenario, data: st.DataObject
) -> None:
    doc = FactoryDocument(scenario)
    commands = data.draw(command_sequences(doc))
    stack = UndoStack(doc)
    mirror = Mirror(doc)
    original = doc.scenario
    for cmd in commands:
        before = mirror.changed
        stack.push(cmd)
        assert mirror.changed - before <= 1  # one command, at most one "changed"
        mirror.check()
    after = doc.scenario
    while stack.can_undo():
        before = mirror.changed
        stack.undo()
        assert mirror.changed - before <= 1
        mirror.check()
    assert doc.scenario == original
    while stack.redo():
        mirror.check()
    assert doc.scenario == after
    assert mirror.changed <= 3 * len(commands)
