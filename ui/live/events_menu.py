"""Injected events: unit failures and restores, price spikes, heat waves, people, supply.

Injections go to the running engine (``SimController.inject``; they apply at the next tick and
the engine logs them as ``injected`` events) and are kept here as ``ScheduledEvent``s stamped with
the simulated time, so "Save injected events into the scenario" can append them to the
scenario's scheduled events as one undoable ``SetPart`` — the next run then replays them.
The presets are round illustrative magnitudes, not data: the user can edit the saved events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

from aifactory_twin.commands import Command, SetPart
from aifactory_twin.document import FactoryDocument
from aifactory_twin.formatting import DAY_S, HOUR_S
from aifactory_twin.kinds import KIND_INFO
from aifactory_twin.schema import ScheduledEvent
from ui.menus import add_submenu
from ui.sim_controller import SimController


@dataclass(frozen=True)
class EventPreset:
    kind: str
    label: str
    magnitude: float
    duration_s: float = 0.0


# A vendor's disruption holds its shipments for this many days (a port closure, a fab outage).
SUPPLY_DISRUPTION_DAYS: tuple[float, ...] = (30.0, 90.0)

# Factory-wide events (Simulate › Inject). Magnitude: price multiplier / temperature rise in K.
FACTORY_PRESETS: tuple[EventPreset, ...] = (
    EventPreset("price_spike", "Energy price spike ×3 for 6 h", 3.0, 6 * HOUR_S),
    EventPreset("price_spike", "Energy price spike ×10 for 1 h", 10.0, HOUR_S),
    EventPreset("heat_wave", "Heat wave +8 K for 3 days", 8.0, 3 * DAY_S),
    EventPreset("heat_wave", "Heat wave +15 K for 1 day", 15.0, DAY_S),
)


class EventInjector(QObject):
    """Builds the inject menus, forwards events to the controller and remembers them."""

    injected = Signal(object)  # the ScheduledEvent
    log_changed = Signal(int)  # number of unsaved injected events

    def __init__(
        self,
        controller: SimController,
        doc: FactoryDocument,
        push: Callable[[Command], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.doc = doc
        self.push = push
        self.log: list[ScheduledEvent] = []
        controller.engine_replaced.connect(self._on_engine_replaced)

    def inject(
        self, kind: str, target: str = "", magnitude: float = 1.0, duration_s: float = 0.0
    ) -> ScheduledEvent | None:
        """Inject now (the current simulated time); starts an engine if none exists yet.

        Returns the event, or None when the engine refused it (the controller reports why).
        """
        event = ScheduledEvent.model_validate(
            {
                "time_s": self.controller.time_s,
                "kind": kind,
                "target": target,
                "magnitude": magnitude,
                "duration_s": duration_s,
            }
        )
        if self.controller.inject(event):
            self.log.append(event)
            self.injected.emit(event)
            self.log_changed.emit(len(self.log))
            return event
        return None

    def save_command(self) -> Command | None:
        """The undoable command that appends the injected events to the scenario (None if none)."""
        if not self.log:
            return None
        existing = list(self.doc.part("events"))
        merged = sorted([*existing, *self.log], key=lambda e: e.time_s)
        return SetPart(self.doc, "events", merged, text="Save injected events")

    def save_into_scenario(self) -> bool:
        command = self.save_command()
        if command is None:
            return False
        self.push(command)
        self.log = []
        self.log_changed.emit(0)
        return True

    # ----------------------------------------------------------------- menus
    def populate_node_menu(self, menu: QMenu, node_id: str) -> None:
        """Add "Fail this unit / Restore / Staff departure" for ``node_id`` to a context menu."""
        if not self.doc.has_node(node_id):
            return
        node = self.doc.node(node_id)
        kind = node.kind
        count = int(node.count)
        sub = add_submenu(menu, "Inject event")
        info = KIND_INFO.get(kind)
        if info is not None and info.failable:
            # A timed failure comes back after the node's own repair time (its repair_hours
            # field), as a technician's fix would; an untimed one waits for "Restore".
            repair_h = float(getattr(node, "repair_hours", 0.0) or 0.0)
            repair_s = repair_h * 3600.0
            if repair_s > 0:
                sub.addAction(
                    f"Fail one unit (repaired after {repair_h:g} h)",
                    lambda: self.inject("fail_unit", node_id, 1.0, repair_s),
                )
                if count > 1:
                    sub.addAction(
                        f"Fail all {count} units (repaired after {repair_h:g} h)",
                        lambda: self.inject("fail_unit", node_id, float(count), repair_s),
                    )
            sub.addAction(
                "Fail one unit until restored", lambda: self.inject("fail_unit", node_id, 1.0)
            )
            if count > 1:
                sub.addAction(
                    f"Fail all {count} units until restored",
                    lambda: self.inject("fail_unit", node_id, float(count)),
                )
            sub.addAction(
                "Restore failed units", lambda: self.inject("restore_unit", node_id, float(count))
            )
        if info is not None and info.layer == "people":  # people leave rather than fail
            sub.addAction("One person leaves", lambda: self.inject("staff_departure", node_id, 1.0))
            headcount = int(getattr(node, "headcount", 0) or 0)
            if headcount >= 4:
                half = float(headcount // 2)
                sub.addAction(
                    f"Half the team leaves ({half:g})",
                    lambda: self.inject("staff_departure", node_id, half),
                )
        if kind == "vendor":
            for days in SUPPLY_DISRUPTION_DAYS:
                action = sub.addAction(
                    f"Supply disruption for {days:g} days",
                    lambda d=days: self.inject("supply_disruption", node_id, 1.0, d * DAY_S),
                )
                action.setToolTip(
                    "Holds this vendor's shipments from now on; the deliveries still pending "
                    "arrive later (a dual-sourced order goes to its other vendor if sooner)"
                )
        sub.setEnabled(not sub.isEmpty())

    def populate_factory_menu(self, menu: QMenu) -> QMenu:
        """An "Inject event" submenu with the factory-wide presets."""
        sub = add_submenu(menu, "Inject event")
        for preset in FACTORY_PRESETS:
            sub.addAction(
                preset.label,
                lambda p=preset: self.inject(p.kind, "", p.magnitude, p.duration_s),
            )
        sub.addSeparator()
        sub.addAction("Fail / restore a unit: right-click a node on the canvas").setEnabled(False)
        sub.addAction("Supply disruption: right-click a vendor on the canvas").setEnabled(False)
        return sub

    def populate_simulate_menu(self, menu: QMenu) -> QMenu:
        """Simulate menu: the inject submenu, then "Save injected events" (call once)."""
        sub = self.populate_factory_menu(menu)
        save = menu.addAction("Save injected events into the scenario")
        save.setToolTip(
            "Append this run's injected events to the scenario (undoable) so it replays"
        )
        save.setEnabled(False)
        save.triggered.connect(self.save_into_scenario)
        self.log_changed.connect(lambda n: save.setEnabled(n > 0))
        return sub

    def _on_engine_replaced(self, engine: object) -> None:
        # A new run starts from the document; events injected into the discarded run go with it.
        if engine is None and self.log:
            self.log = []
            self.log_changed.emit(0)
