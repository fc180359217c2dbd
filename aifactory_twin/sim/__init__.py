"""The coupled simulation engine: compile a scenario to arrays, step it, read state and KPIs.

compiled = compile_scenario(scenario, variant=None, horizon_s=None, step_s=None)
eng = Engine(compiled, seed=0)
eng.run()                      # or eng.step() from a GUI timer
eng.recorder.series("pue"); eng.node_state(); eng.kpis(); eng.events
"""

from __future__ import annotations

from aifactory_twin.sim.compile import CompiledScenario, compile_scenario
from aifactory_twin.sim.engine import EVENT_KINDS, STATUS_NAMES, Engine, EventRecord, JobTable
from aifactory_twin.sim.recorder import SERIES, Recorder

__all__ = [
    "EVENT_KINDS",
    "SERIES",
    "STATUS_NAMES",
    "CompiledScenario",
    "Engine",
    "EventRecord",
    "JobTable",
    "Recorder",
    "compile_scenario",
]
