"""The report renderer behind ``aifactory-twin-cli report``: run the studies, write the PDF.

Runs the compare (and a Monte Carlo when asked), then the decision studies the scenario
declares, so the PDF gets the same pages the studio's runs give it: the tornado with
P(B beats A) and the uncertainty fans when the scenario has uncertain inputs (``--samples`` Latin
hypercube samples, 0 to leave it out), the optimizer's Pareto front and the 2-D heat map when its
``studies`` section declares them. Every declared study is checked before the first run, and all
runs share one runner: a spawn process pool (``--workers N``, 0 = this process) or Dask
(``--scheduler ADDRESS|local``), as in the studio. Progress goes to stderr, one line per study.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from aifactory_twin.schema import Scenario
from aifactory_twin.study import CompareResult, MonteCarloResult, Runner
from ui.report_studies import DecisionStudies

ProgressFn = Callable[[str, int, int], None]


def _runner(workers: int | None, scheduler: str | None, n_runs: int) -> Runner:
    """The runner the options ask for, sized to the runs (as ``cli.study_cmds._runner``)."""
    from aifactory_twin.study import make_runner

    if scheduler:
        return make_runner(workers=workers or 2, scheduler=scheduler)
    count = min(workers or os.cpu_count() or 1, n_runs) if workers != 0 else 1
    return make_runner(workers=count, serial=count <= 1)


def run_study_for_report(
    scenario: Scenario,
    variants: Sequence[str] | None,
    *,
    seed: int | None,
    horizon_s: float | None,
    step_s: float | None,
    montecarlo_runs: int = 0,
    samples: int | None = 0,
    pair: Sequence[str] | None = None,
    file: str = "",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressFn | None = None,
) -> tuple[CompareResult, MonteCarloResult | None, DecisionStudies | None]:
    """Compare, Monte Carlo (``montecarlo_runs`` > 0) and the declared decision studies.

    ``samples`` and ``pair`` override the scenario's ``studies.uncertainty`` (None: its
    values, else the defaults; ``samples`` 0 leaves the uncertainty study out). The declared
    studies are checked first (UsageError naming ``file`` and the declaration),
    so a mistake in one does not surface after minutes of runs.
    """
    from aifactory_twin.study import (
        BASE_LABEL,
        DEFAULT_SERIES,
        FAN_SERIES,
        StudyOptions,
        compare,
        monte_carlo,
        resolve_variants,
    )
    from aifactory_twin.study.declared import plan_studies, run_studies

    chosen = resolve_variants(scenario, variants)
    labels = [name or BASE_LABEL for name in chosen]
    plan = plan_studies(scenario, labels, samples=samples, pair=pair, file=file)
    n_study = sum(plan.run_count(scenario).values())

    def report(name: str) -> Callable[[int, int], None] | None:
        return (lambda d, t: progress(name, d, t)) if progress else None

    options = StudyOptions(
        horizon_s=horizon_s, step_s=step_s, series=DEFAULT_SERIES, max_points=2000
    )
    with _runner(workers, scheduler, len(chosen) + montecarlo_runs + n_study) as runner:
        result = compare(
            scenario, variants, seed=seed, options=options, runner=runner,
            progress=report("compare"),
        )  # fmt: skip
        mc = None
        if montecarlo_runs:
            first = next(iter(result.runs.values()))
            mc = monte_carlo(
                scenario,
                montecarlo_runs,
                seed=seed,
                variant=first.variant,
                options=StudyOptions(
                    horizon_s=horizon_s, step_s=step_s, series=FAN_SERIES, max_points=240
                ),
                runner=runner,
                progress=report("montecarlo"),
            )
        studies = run_studies(
            scenario, plan, seed=seed, horizon_s=horizon_s, step_s=step_s, runner=runner,
            progress=progress,
        )  # fmt: skip
    if studies.uncertainty is None and studies.optimize is None and studies.sweep2d is None:
        return result, mc, None
    grid = scenario.studies.sweep2d
    decisions = DecisionStudies(
        optimize=studies.optimize,
        sweep2d=studies.sweep2d,
        uncertainty=studies.uncertainty,
    )
    if grid is not None:
        decisions.sweep2d_kpi = grid.kpi
    return result, mc, decisions


def main(argv: Sequence[str] | None = None) -> int:
    """Run the studies, then write the PDF (0 ok, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="python -m ui.report", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--out", required=True)
    parser.add_argument("--variants")
    parser.add_argument("--horizon")
    parser.add_argument("--step")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--montecarlo", type=int, default=0)
    parser.add_argument("--samples", type=int)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    parser.add_argument("--workers", type=int)
    parser.add_argument("--scheduler")
    args = parser.parse_args(argv)
    # Writing a PDF needs no display; a CLI run must not depend on one.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from aifactory_twin.cli.common import Progress
    from aifactory_twin.errors import TwinError
    from aifactory_twin.formatting import parse_duration
    from aifactory_twin.io import load_scenario
    from ui.report import ReportInput, export_report

    try:
        scenario = load_scenario(args.file)
        horizon_s = parse_duration(args.horizon, "--horizon") if args.horizon else None
        step_s = parse_duration(args.step, "--step") if args.step else None
        names = [n.strip() for n in args.variants.split(",")] if args.variants else None
        if args.samples and not scenario.uncertain:
            print(
                f"note: {args.file} declares no uncertain inputs; --samples has nothing to "
                "sample (add an 'uncertain' list to get the tornado and fan pages)",
                file=sys.stderr,
            )
        bars: dict[str, Progress] = {}

        def progress(label: str, done: int, total: int) -> None:
            runs = f"{total} run{'' if total == 1 else 's'}"
            bars.setdefault(label, Progress(f"{label} ({runs})", total)).update(done)

        result, mc, decisions = run_study_for_report(
            scenario,
            names,
            seed=args.seed,
            horizon_s=horizon_s,
            step_s=step_s,
            montecarlo_runs=args.montecarlo,
            samples=args.samples,  # None: the scenario's studies.uncertainty, else 100
            pair=args.compare,
            file=args.file,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress,
        )
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
        data = ReportInput(
            scenario, result, next(iter(result.runs)), mc, source=args.file, decisions=decisions
        )
        pages = export_report(data, args.out)
        del app
    except TwinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({pages} pages)")
    return 0
