"""VariantSession and RunFeed: the shown variant, and which edits reach a running engine."""

from __future__ import annotations

from typing import Any

import pytest

from aifactory_twin.catalog_data import SERVER_FAN_FRACTION
from aifactory_twin.commands import (
    AddNodes,
    MoveNodes,
    RemoveItems,
    SetField,
    SetPart,
    UndoStack,
    new_node,
    set_path,
)
from aifactory_twin.document import FactoryDocument
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import Position
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.variant_session import RunFeed, VariantSession, variant_changes

EXTRA_W = 2000.0


@pytest.fixture
def doc() -> FactoryDocument:
    return FactoryDocument(load_scenario(scenes_dir() / "air-vs-liquid.aift.json"))


def _engine(doc: FactoryDocument, variant: str | None) -> Engine:
    compiled = compile_scenario(doc.scenario, variant, horizon_s=86400.0)
    return Engine(compiled, seed=int(doc.part("settings").seed))


def _tick(feed: RunFeed, engine: Engine) -> float:
    """One frame of a live run: swap in pending parameters, step; the IT power it reached."""
    scenario = feed.take_parameters()
    if scenario is not None:
        engine.update_parameters(scenario)
    engine.step()
    return float(engine.recorder.series("it_power_kw")[-1])


def _edit_rack_override(session: VariantSession, stack: UndoStack, extra_w: float) -> None:
    shown = session.shown_node("racks")
    edited = set_path(shown, "host_overhead_w", shown.host_overhead_w + extra_w)  # type: ignore[attr-defined]
    stack.push(session.override_command({"racks": edited}, "liquid: set host overhead"))


@pytest.mark.parametrize(("variant", "edit"), [("air", "base"), ("liquid", "override")])
def test_an_edit_of_the_simulated_variant_reaches_the_engine_at_the_next_tick(
    doc: FactoryDocument, variant: str, edit: str
) -> None:
    """An override edit of the running variant applies exactly like a base edit: next tick."""
    session = VariantSession(doc)
    session.set_active(variant)
    stack = UndoStack(doc)
    engine = _engine(doc, variant)
    feed = RunFeed(session, variant)
    for _ in range(3):
        before_kw = _tick(feed, engine)
    racks: Any = session.shown_node("racks")
    if edit == "base":  # "air" overrides nothing: a base edit is what it simulates
        stack.push(SetField(doc, ["racks"], "host_overhead_w", racks.host_overhead_w + EXTRA_W))
    else:  # "liquid" is a variant: the edit becomes (or rewrites) its override
        base = doc.node("racks")
        _edit_rack_override(session, stack, EXTRA_W)
        assert doc.node("racks") is base  # the base is untouched
    assert feed.pending and not feed.stale
    after_kw = _tick(feed, engine)
    assert not feed.pending
    # All racks train at full load, so host power rises by count × 2 kW at the next tick; on
    # cold plates the 2 kW as built for air lose their fans' share (compile/compute.py).
    fans = {m: float(v[0]) for m, v in SERVER_FAN_FRACTION.items()}
    kept = (1.0 - fans[racks.host_power_cooling]) / (1.0 - fans[racks.cooling])
    assert racks.cooling == ("air" if variant == "air" else "direct_liquid")
    assert after_kw - before_kw == pytest.approx(racks.count * EXTRA_W * kept / 1000.0, rel=0.05)


def test_override_edits_of_another_variant_and_moves_do_not_reach_the_run(
    doc: FactoryDocument,
) -> None:
    session = VariantSession(doc)
    stack = UndoStack(doc)
    feed = RunFeed(session, "air")
    session.set_active("liquid")
    _edit_rack_override(session, stack, EXTRA_W)
    assert not feed.pending  # "liquid" changed; the run simulates "air"
    stack.push(MoveNodes({"racks": (doc.node("racks").position, Position(x=500, y=80))}))
    assert not feed.pending  # the engine does not simulate positions
    stack.push(SetPart(doc, "meta", doc.part("meta").model_copy(update={"name": "x"})))
    assert not feed.pending
    stack.push(SetPart(doc, "settings", doc.part("settings").model_copy(update={"seed": 9})))
    assert feed.pending
    feed.detach()


def test_a_structural_edit_makes_the_run_stale_once_per_edit(doc: FactoryDocument) -> None:
    session = VariantSession(doc)
    feed = RunFeed(session, "liquid")
    seen: list[None] = []
    feed.structure_changed.connect(lambda: seen.append(None))
    stack = UndoStack(doc)
    stack.push(AddNodes([new_node("storage", "s1"), new_node("storage", "s2")]))
    assert len(seen) == 1 and feed.stale
    assert feed.take_parameters() is None  # only a restart helps now
    stack.push(RemoveItems(["s1", "s2", "lustre"]))
    assert len(seen) == 2


def test_the_run_follows_a_rename_of_its_variant(doc: FactoryDocument) -> None:
    session = VariantSession(doc)
    session.set_active("liquid")
    feed = RunFeed(session, "liquid")
    stack = UndoStack(doc)
    renamed = [
        v.model_copy(update={"name": "wet"}) if v.name == "liquid" else v
        for v in doc.part("variants")
    ]
    stack.push(SetPart(doc, "variants", renamed))
    assert feed.variant == "wet" and session.active == "wet"
    assert not feed.pending  # a rename changes no value
    _edit_rack_override(session, stack, EXTRA_W)
    scenario = feed.take_parameters()
    assert scenario is not None
    racks: Any = scenario.node_by_id()["racks"]
    assert racks.host_overhead_w == session.shown_node("racks").host_overhead_w  # type: ignore[attr-defined]
    stack.undo()
    stack.undo()
    assert feed.variant == "liquid" and session.active == "liquid"


def test_variant_changes_names_renames_and_override_edits() -> None:
    from aifactory_twin.schema import Override, Variant

    a, b = Variant(name="a"), Variant(name="b")
    b2 = b.model_copy(update={"overrides": [Override(target="x", path="count", value=2)]})
    assert variant_changes([a, b], [a, b2]) == ({}, ["b"])
    assert variant_changes([a, b], [a.model_copy(update={"name": "c"}), b]) == ({"a": "c"}, [])
    assert variant_changes([a, b], [a.model_copy(update={"description": "d"}), b]) == ({}, [])
    assert variant_changes([a, b], [b]) == ({}, [])


def test_shown_values_are_fresh_for_a_view_connected_before_the_session(
    doc: FactoryDocument,
) -> None:
    """Priorities, not construction order: a view made first still reads the new values."""
    read: list[float] = []
    holder: dict[str, VariantSession] = {}
    doc.node_changed.connect(
        lambda _old, new: read.append(holder["s"].shown_node(new.id).host_overhead_w)  # type: ignore[attr-defined]
    )
    session = holder["s"] = VariantSession(doc)
    session.set_active("air")
    assert session.shown_node("racks").host_overhead_w == doc.node("racks").host_overhead_w  # type: ignore[attr-defined]
    UndoStack(doc).push(SetField(doc, ["racks"], "host_overhead_w", 1234.0))
    assert read == [1234.0]


def test_shown_changed_once_per_edit_and_reset_goes_back_to_the_base(
    doc: FactoryDocument,
) -> None:
    session = VariantSession(doc)
    seen: list[str] = []
    session.shown_changed.connect(lambda: seen.append("shown"))
    session.active_changed.connect(lambda name: seen.append(f"active {name}"))
    session.set_active("liquid")
    assert seen == ["active liquid", "shown"]
    seen.clear()
    moves = {n: (doc.node(n).position, Position(x=1, y=2)) for n in ("racks", "chiller", "ups")}
    UndoStack(doc).push(MoveNodes(moves))
    assert seen == ["shown"]
    doc.load(doc.scenario)
    assert session.active is None and seen[-2:] == ["active None", "shown"]
