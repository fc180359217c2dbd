"""Decision studies declared in the scenario, run headless by ``aifactory-twin-cli report``.

The uncertain inputs (``Scenario.uncertain``) declare what the uncertainty study samples; this
section holds its settings (samples, the A/B pair) and declares the other two studies the
report shows: an optimization (goal seek) and a 2-D sweep. Fields use the same text the
``uncertainty``, ``optimize`` and ``sweep2d`` commands take on the command line, so a
study tried there can be pasted here; they are checked against the scenario when the report
runs them (study/declared.py), where a bad one is named by its path in this section.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from aifactory_twin.schema.base import StrictModel


class OptimizeStudy(StrictModel):
    """The best design over ``variables`` that meets every constraint (``optimize`` command)."""

    variables: list[str] = Field(min_length=1)
    """Design variables as ``optimize --var`` takes them: ``racks.count=int:16:48:4``,
    ``cdu.supply_temp_c=float:25:45``, ``leaf.port_speed_gbps=choice:400,800`` or
    ``variant=choice:air,liquid``."""
    constraints: list[str] = []
    """KPI bounds as ``optimize --constraint`` takes them: ``training_time_days<=60``."""
    objective: str = "cost_per_trained_model_usd"
    """KPI optimized in its better direction."""
    trials: int = Field(default=40, ge=1, le=100_000)
    """Designs to try."""
    runs: int = Field(default=1, ge=1, le=1000)
    """Seeds per design (the same seeds for every design)."""
    sampler: Literal["tpe", "nsga2"] = "tpe"
    """tpe (one objective) or nsga2 (the objective and training time together)."""


class Sweep2DStudy(StrictModel):
    """A KPI over a grid of two parameters (``sweep2d`` command; the report's heat map)."""

    x: str = Field(min_length=1)
    """First parameter: ``NODE_ID.FIELD``, ``WORKLOAD_ID.FIELD`` or ``settings.FIELD``."""
    x_values: list[JsonValue] = Field(min_length=1)
    y: str = Field(min_length=1)
    """Second parameter, as ``x``."""
    y_values: list[JsonValue] = Field(min_length=1)
    kpi: str = "total_cost_usd"
    """KPI the heat map colours (the median over the seeds)."""
    runs: int = Field(default=1, ge=1, le=1000)
    """Seeds per grid point."""
    variant: str | None = None
    """Sweep on top of this variant (None: the base scenario)."""


class UncertaintyStudy(StrictModel):
    """How the report samples the uncertain inputs (``uncertainty --samples N --compare A B``).

    A command-line ``--samples`` or ``--compare`` overrides the value saved here.
    """

    samples: int = Field(default=100, ge=1, le=100_000)
    """Latin hypercube samples per variant (A and B get the same draws)."""
    compare: tuple[str, str] | None = None
    """Variants A and B by name (``base``: the scenario as built); None: the report's default
    pair, the first two variants after the base."""


class Studies(StrictModel):
    """The decision studies the report runs and how (see the module docstring)."""

    uncertainty: UncertaintyStudy | None = None
    optimize: OptimizeStudy | None = None
    sweep2d: Sweep2DStudy | None = None
