"""A user injects a vendor's supply disruption into a live run from the node's menu (issue 14)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMenu

from aifactory_twin.commands import UndoStack
from aifactory_twin.document import FactoryDocument
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from ui.live.events_menu import EventInjector
from ui.sim_controller import SimController

DAY_S = 86400.0


@pytest.fixture
def doc() -> FactoryDocument:
    return FactoryDocument(load_scenario(scenes_dir() / "training-cluster-1k.aift.json"))


def test_vendor_menu_injects_a_disruption_that_delays_pending_deliveries(
    doc: FactoryDocument,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    controller = SimController(doc)
    controller.variant = "half on order"
    controller.horizon_s = 60 * DAY_S
    injector = EventInjector(controller, doc, UndoStack(doc).push)
    menu = QMenu()
    injector.populate_node_menu(menu, "oem")
    sub = menu.actions()[0].menu()
    action = next(a for a in sub.actions() if a.text() == "Supply disruption for 90 days")
    assert "pending" in action.toolTip()
    controller.step()
    engine = controller.engine
    assert engine is not None
    before = engine.state.c.nodes.arrival_s.copy()
    nodes = engine.state.c.scenario.nodes
    ordered = np.asarray(
        [getattr(getattr(n, "delivery", None), "vendor", None) == "oem" for n in nodes]
    )
    pending = ordered & (before > engine.time_s)
    assert pending.sum() == 4
    action.trigger()
    controller.step()
    event = injector.log[-1]
    assert (event.kind, event.target, event.duration_s) == ("supply_disruption", "oem", 90 * DAY_S)
    after = engine.state.c.nodes.arrival_s
    # Every order from the reseller still pending now ships after the 90 days (none sooner).
    assert np.all(after[pending] >= event.time_s + 90 * DAY_S - 1.0)
    assert np.array_equal(after[~pending], before[~pending])  # fixed dates, the dataset
    # "Save injected events" puts it in the scenario, so the next run replays it.
    assert injector.save_into_scenario()
    assert doc.part("events")[-1].kind == "supply_disruption"
