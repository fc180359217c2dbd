"""The what-if studio's headless core: compare variants, sweeps and Monte Carlo on any runner.

``runs`` defines the picklable unit of work, ``runners`` where it executes (this process, a
spawn process pool, or Dask), ``studies`` the three studies, ``params`` sweep parameters from
text, ``export`` their CSV files. Nothing here imports Qt.
"""

from __future__ import annotations

from aifactory_twin.study.params import SweepParam, parse_param, parse_range, parse_values
from aifactory_twin.study.runners import (
    DaskRunner,
    ProcessRunner,
    Runner,
    SerialRunner,
    StudyCancelled,
    make_runner,
)
from aifactory_twin.study.runs import (
    DEFAULT_SERIES,
    FAN_SERIES,
    RunResult,
    RunSpec,
    StudyError,
    execute,
    scalar_kpis,
)
from aifactory_twin.study.studies import (
    BASE_LABEL,
    CompareResult,
    MonteCarloResult,
    StudyOptions,
    SweepResult,
    compare,
    monte_carlo,
    operational_cost_usd,
    resolve_variants,
    sweep,
)

__all__ = [
    "BASE_LABEL",
    "DEFAULT_SERIES",
    "FAN_SERIES",
    "CompareResult",
    "DaskRunner",
    "MonteCarloResult",
    "ProcessRunner",
    "RunResult",
    "RunSpec",
    "Runner",
    "SerialRunner",
    "StudyCancelled",
    "StudyError",
    "StudyOptions",
    "SweepParam",
    "SweepResult",
    "compare",
    "execute",
    "make_runner",
    "monte_carlo",
    "operational_cost_usd",
    "parse_param",
    "parse_range",
    "parse_values",
    "resolve_variants",
    "scalar_kpis",
    "sweep",
]
