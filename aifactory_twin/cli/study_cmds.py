"""Study CLI commands: compare, sweep, sweep2d, montecarlo, uncertainty, optimize and report.

Runs go to a spawn process pool by default (``--workers N``; ``--workers 0`` runs in this
process), or to Dask with ``--scheduler tcp://host:8786`` or ``--scheduler local``. Progress goes
to stderr, files to ``--out``. ``report`` needs Qt for the PDF and the core never imports Qt or
names a UI module: it loads the renderer registered under the entry-point group
``aifactory_twin.report_renderers`` (the ``ui`` package registers ``pdf`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, cast

from aifactory_twin.cli.common import EXIT_OK, Progress
from aifactory_twin.errors import UsageError
from aifactory_twin.formatting import parse_duration
from aifactory_twin.kpi_registry import format_kpi
from aifactory_twin.schema import Scenario


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="scenario file (*.aift.json)")
    parser.add_argument("--horizon", help="simulated time per run, e.g. 30d (default: scenario)")
    parser.add_argument("--step", help="time step, e.g. 15m (default: scenario)")
    parser.add_argument("--seed", type=int, help="seed (default: the scenario's settings.seed)")
    parser.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: CPU count; 0 runs in this process)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS|local",
        help="run on Dask: a scheduler address (tcp://host:8786) or 'local' for a "
        "LocalCluster on 127.0.0.1 (needs the 'cluster' extra)",
    )


def register(subparsers: Any) -> None:
    """Add the study subcommands to the CLI's subparsers."""
    compare = subparsers.add_parser(
        "compare",
        help="run the base and variants with one seed; compare.csv + timeseries per variant",
    )
    _add_common(compare)
    compare.add_argument(
        "--variants", help="comma-separated variant names ('base' = no variant; default: all)"
    )
    compare.add_argument("--out", required=True, metavar="DIR", help="output folder")
    compare.set_defaults(handler=cmd_compare)

    sweep = subparsers.add_parser(
        "sweep", help="vary one parameter over values and seeds; sweep.csv"
    )
    _add_common(sweep)
    sweep.add_argument(
        "--param", required=True, help="NODE_ID.FIELD, WORKLOAD_ID.FIELD or settings.FIELD"
    )
    values = sweep.add_mutually_exclusive_group(required=True)
    values.add_argument("--values", help="comma-separated values, e.g. 1,2,4 or air,direct_liquid")
    values.add_argument("--range", help="START:STOP:N evenly spaced values, e.g. 8:64:8")
    sweep.add_argument("--runs", type=int, default=1, help="seeds per value (default 1)")
    sweep.add_argument("--variant", help="sweep on top of this variant instead of the base")
    sweep.add_argument(
        "--kpi", default="total_cost_usd", help="KPI printed per value: P50 (P10–P90 over seeds)"
    )
    sweep.add_argument("--out", required=True, metavar="DIR", help="output folder")
    sweep.set_defaults(handler=cmd_sweep)

    sweep2 = subparsers.add_parser(
        "sweep2d", help="vary two parameters over a grid of values and seeds; sweep2d.csv"
    )
    _add_common(sweep2)
    for axis in ("x", "y"):
        sweep2.add_argument(
            f"--{axis}", required=True, help="NODE_ID.FIELD, WORKLOAD_ID.FIELD or settings.FIELD"
        )
        group = sweep2.add_mutually_exclusive_group(required=True)
        group.add_argument(f"--{axis}-values", help="comma-separated values")
        group.add_argument(f"--{axis}-range", help="START:STOP:N evenly spaced values")
    sweep2.add_argument("--runs", type=int, default=1, help="seeds per grid point (default 1)")
    sweep2.add_argument("--variant", help="sweep on top of this variant instead of the base")
    sweep2.add_argument("--kpi", default="total_cost_usd",
                        help="KPI printed as a grid (median over seeds)")  # fmt: skip
    sweep2.add_argument("--out", required=True, metavar="DIR", help="output folder")
    sweep2.set_defaults(handler=cmd_sweep2d)

    mc = subparsers.add_parser(
        "montecarlo", help="N seeds of one scenario: P10/P50/P90 per KPI and over time"
    )
    _add_common(mc)
    mc.add_argument("--runs", type=int, required=True, help="number of seeds")
    mc.add_argument("--variant", help="run this variant instead of the base")
    mc.add_argument("--out", required=True, metavar="DIR", help="output folder")
    mc.set_defaults(handler=cmd_montecarlo)

    unc = subparsers.add_parser(
        "uncertainty",
        help="Latin hypercube samples of the scenario's uncertain inputs: P10/P50/P90, "
        "tornado ranking, probability that variant B beats A",
    )
    _add_common(unc)
    unc.add_argument("--samples", type=int,
                     help="number of LHS samples (default: the scenario's "
                     "studies.uncertainty.samples)")  # fmt: skip
    unc.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="PATH~DIST(ARGS)",
        help="declare an input uncertain (adds to or replaces the scenario's), e.g. "
        "'grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.08, 0.2)'; DIST: normal(mean, sd"
        "[, low, high]), lognormal(median, sigma), triangular, uniform(low, high), choice(A, B)",
    )
    unc.add_argument("--variant", help="sample this variant instead of the base")
    unc.add_argument("--compare", nargs=2, metavar=("A", "B"),
                     help="sample variants A and B with the same draws and seeds (default "
                     "without --variant: the scenario's studies.uncertainty.compare)")  # fmt: skip
    unc.add_argument(
        "--kpi",
        default="cost_per_trained_model_usd",
        help="KPI for the tornado and the comparison (default: cost per trained model; "
        "falls back to cost per GPU-hour, then total cost, when empty)",
    )
    unc.add_argument("--out", required=True, metavar="DIR", help="output folder")
    unc.set_defaults(handler=cmd_uncertainty)

    opt = subparsers.add_parser(
        "optimize",
        help="goal seek: the best design over --var choices that meets every --constraint",
    )
    _add_common(opt)
    opt.add_argument(
        "--var",
        action="append",
        required=True,
        metavar="PATH=DOMAIN",
        help="a design variable: NODE_ID.FIELD=int:LOW:HIGH[:STEP], …=float:LOW:HIGH[:log], "
        "…=choice:A,B,… or variant=choice:V1,V2 (repeat for each)",
    )
    opt.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="KPI<=X|KPI>=X",
        help="a KPI bound, e.g. training_time_days<=60 or availability>=0.99 (repeatable)",
    )
    opt.add_argument(
        "--objective",
        default="cost_per_trained_model_usd",
        help="KPI to optimize, in its better direction (default: cost per trained model)",
    )
    opt.add_argument("--trials", type=int, default=40, help="designs to try (default 40)")
    opt.add_argument("--runs", type=int, default=1, help="seeds per design (default 1)")
    opt.add_argument("--batch", type=int, default=8,
                     help="designs asked for at once and run in parallel (default 8)")  # fmt: skip
    opt.add_argument(
        "--sampler",
        choices=("tpe", "nsga2"),
        default="tpe",
        help="tpe (one objective, default) or nsga2 (objective and training time together)",
    )
    opt.add_argument(
        "--save-variant",
        nargs=2,
        metavar=("NAME", "FILE"),
        help="write the scenario with the best design added as variant NAME to FILE",
    )
    opt.add_argument("--out", required=True, metavar="DIR", help="output folder")
    opt.set_defaults(handler=cmd_optimize)

    report = subparsers.add_parser(
        "report",
        help="write a PDF report comparing variants, with the decision studies the scenario "
        "declares (uncertain inputs; studies.optimize, studies.sweep2d)",
    )
    _add_common(report)
    report.add_argument("--variants", help="comma-separated variant names (default: all)")
    report.add_argument("--montecarlo", type=int, default=0, metavar="N",
                        help="add Monte Carlo bands from N seeds")  # fmt: skip
    report.add_argument(
        "--samples",
        type=int,
        metavar="N",
        help="Latin hypercube samples per variant for the uncertain inputs' tornado and fans "
        "(default: the scenario's studies.uncertainty.samples, else 100; 0 leaves the "
        "uncertainty study out)",
    )
    report.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="the variants the uncertainty study compares (default: the scenario's "
        "studies.uncertainty.compare, else the first two variants reported after the base, or "
        "the base and the only variant)",
    )
    report.add_argument("--out", required=True, metavar="PDF", help="report file (*.pdf)")
    report.set_defaults(handler=cmd_report)


def _load(args: argparse.Namespace) -> Scenario:
    from aifactory_twin.io import load_scenario

    return load_scenario(args.file)


def _options(args: argparse.Namespace, **kwargs: Any) -> Any:
    from aifactory_twin.study import StudyOptions

    return StudyOptions(
        horizon_s=parse_duration(args.horizon, "--horizon") if args.horizon else None,
        step_s=parse_duration(args.step, "--step") if args.step else None,
        **kwargs,
    )


def _runner(args: argparse.Namespace, n_runs: int) -> Any:
    from aifactory_twin.study import make_runner

    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers must be 0 or more")
    if args.scheduler:
        return make_runner(workers=args.workers or 2, scheduler=args.scheduler)
    if args.workers == 0 or n_runs == 1:
        return make_runner(serial=True)
    workers = args.workers or os.cpu_count() or 1
    return make_runner(workers=min(workers, n_runs))


def _progress(label: str, total: int) -> Any:
    bar = Progress(label, total)
    return lambda done, _total: bar.update(done)


def _run(
    args: argparse.Namespace,
    label: str,
    n_runs: int,
    study: Callable[..., Any],
    *study_args: Any,
    options: Any = None,
    workers_for: int | None = None,
    **study_kwargs: Any,
) -> Any:
    """``study(*study_args, …)`` with the command's seed, run length, runner and progress bar.

    ``options`` defaults to KPIs only (no series); the runner is sized for ``workers_for``
    runs at once (default ``n_runs``), the progress bar counts ``n_runs``.
    """
    with _runner(args, n_runs if workers_for is None else workers_for) as runner:
        return study(
            *study_args,
            seed=args.seed,
            options=_options(args, series=(), max_points=None) if options is None else options,
            runner=runner,
            progress=_progress(label, n_runs),
            **study_kwargs,
        )


def _wrote(paths: Sequence[Path]) -> int:
    print(f"wrote {', '.join(str(p) for p in paths)}")
    return EXIT_OK


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError("--variants: give at least one name")
    return names


def cmd_compare(args: argparse.Namespace) -> int:
    """Write compare.csv and <variant>/timeseries.csv."""
    from aifactory_twin.study import compare, resolve_variants
    from aifactory_twin.study.export import write_compare

    scenario = _load(args)
    names = _names(args.variants)
    chosen = resolve_variants(scenario, names)
    result = _run(
        args, "compare", len(chosen), compare, scenario, names, options=_options(args, series=None)
    )
    paths = write_compare(result, Path(args.out))
    deltas = result.deltas(next(iter(result.runs)))
    for label, run in result.runs.items():
        kpis = run.kpis
        reduction = deltas[label]["operational_cost_reduction_pct"][0]
        print(
            f"{label:>16}: total cost {format_kpi('total_cost_usd', kpis.get('total_cost_usd'))}, "
            f"PUE {format_kpi('pue', kpis.get('pue'))}, "
            f"opex reduction {format_kpi('operational_cost_reduction_pct', reduction)}"
        )
    print(f"wrote {paths[0]} and {len(paths) - 1} timeseries files")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """Write sweep.csv: one row per value and seed."""
    from aifactory_twin.study import parse_param, parse_range, parse_values, sweep
    from aifactory_twin.study.export import write_sweep

    scenario = _load(args)
    param = parse_param(scenario, args.param)
    values = parse_values(args.values) if args.values is not None else parse_range(args.range)
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    n_runs = len(values) * args.runs
    # Validate the parameter before starting workers (sweep() checks again; cheap).
    from aifactory_twin.study.params import check_param_values

    check_param_values(scenario, args.variant, param, values)
    result = _run(
        args, "sweep", n_runs, sweep, scenario, param, values, runs=args.runs,
        variant=args.variant,
    )  # fmt: skip
    path = Path(args.out) / "sweep.csv"
    write_sweep(result, path)
    _print_sweep_kpi(result, args.kpi, args.runs)
    print(f"wrote {path} ({len(result.rows)} runs of {param.text})")
    return EXIT_OK


def _print_sweep_kpi(result: Any, kpi: str, runs: int) -> None:
    """The KPI per swept value: P50, and P10 – P90 over the seeds when there are several."""
    import warnings

    import numpy as np

    matrix = result.kpi_matrix(kpi)
    if not np.isfinite(matrix).any():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a value with no number stays NaN
        p10, p50, p90 = (np.nanpercentile(matrix, q, axis=1) for q in (10, 50, 90))
    print(f"{kpi}: P50" + (" (P10 – P90 over the seeds)" if runs > 1 else ""))
    for value, lo, mid, hi in zip(result.values, p10, p50, p90, strict=True):
        spread = f" ({format_kpi(kpi, lo)} – {format_kpi(kpi, hi)})" if runs > 1 else ""
        print(f"  {value!s:>12}: {format_kpi(kpi, mid)}{spread}")


def _axis_values(args: argparse.Namespace, axis: str) -> list[Any]:
    from aifactory_twin.study import parse_range, parse_values

    values = getattr(args, f"{axis}_values")
    if values is not None:
        return parse_values(values, f"--{axis}-values")
    return parse_range(getattr(args, f"{axis}_range"), f"--{axis}-range")


def cmd_sweep2d(args: argparse.Namespace) -> int:
    """Write sweep2d.csv (one row per grid point and seed) and print the KPI grid."""
    from aifactory_twin.study import parse_param
    from aifactory_twin.study.export import write_sweep2d
    from aifactory_twin.study.sweep2d import sweep2d

    scenario = _load(args)
    x, y = parse_param(scenario, args.x, "--x"), parse_param(scenario, args.y, "--y")
    xv, yv = _axis_values(args, "x"), _axis_values(args, "y")
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    n_runs = len(xv) * len(yv) * args.runs
    result = _run(
        args, "sweep2d", n_runs, sweep2d, scenario, x, xv, y, yv, runs=args.runs,
        variant=args.variant,
    )  # fmt: skip
    path = Path(args.out) / "sweep2d.csv"
    write_sweep2d(result, path)
    grid = result.grid(args.kpi)
    print(f"{args.kpi} (median over {args.runs} seed(s)); rows {x.text}, columns {y.text}")
    print(" " * 14 + "".join(f"{v!s:>14}" for v in yv))
    for i, value in enumerate(xv):
        cells = "".join(f"{format_kpi(args.kpi, float(c)):>14}" for c in grid[i])
        print(f"{value!s:>14}{cells}")
    print(f"wrote {path} ({len(result.runs)} runs)")
    return EXIT_OK


def cmd_montecarlo(args: argparse.Namespace) -> int:
    """Write montecarlo.csv, percentiles.csv and bands.csv."""
    from aifactory_twin.study import FAN_SERIES, monte_carlo
    from aifactory_twin.study.export import write_monte_carlo

    scenario = _load(args)
    if args.runs < 1:
        raise UsageError("--runs must be at least 1")
    options = _options(args, series=FAN_SERIES, max_points=240)
    result = _run(
        args, "montecarlo", args.runs, monte_carlo, scenario, args.runs, variant=args.variant,
        options=options,
    )  # fmt: skip
    paths = write_monte_carlo(result, Path(args.out))
    pct = result.percentiles()
    for key in ("total_cost_usd", "facility_energy_mwh", "availability", "pue"):
        if key in pct:
            p10, p50, p90 = pct[key]
            print(f"{key:>22}: P10 {p10:,.4g}  P50 {p50:,.4g}  P90 {p90:,.4g}")
    return _wrote(paths)


def cmd_uncertainty(args: argparse.Namespace) -> int:
    """Write uncertainty.csv (one row per sample) and uncertainty.json (summary)."""
    from aifactory_twin.study.declared import uncertainty_settings
    from aifactory_twin.study.uncertainty import (
        NO_VALUE_TEXT,
        TORNADO_KPIS,
        parse_uncertain,
        uncertainty,
        write_uncertainty,
    )

    scenario = _load(args)
    if args.input:
        added = [parse_uncertain(scenario, text) for text in args.input]
        labels = {spec.label for spec in added}
        kept = [u for u in scenario.uncertain if u.label not in labels]
        scenario = scenario.model_copy(update={"uncertain": [*kept, *added]})
    if args.variant and args.compare:
        raise UsageError("give --variant or --compare A B, not both")
    # The command line's --samples/--compare win over the scenario's studies.uncertainty.
    pair = args.compare if args.compare or not args.variant else [args.variant]
    samples, variants = uncertainty_settings(scenario, args.samples, pair, file=args.file)
    if samples is None:
        raise UsageError(f"give --samples N: {args.file} declares no studies.uncertainty.samples")
    if samples < 1:
        raise UsageError("--samples must be at least 1")
    n_runs = samples * (len(variants) if variants else 1) + 2 * len(scenario.uncertain) + 1
    result = _run(args, "uncertainty", n_runs, uncertainty, scenario, samples, variants=variants)
    pct = result.percentiles(result.labels[0])
    kpi = next((k for k in (args.kpi, *TORNADO_KPIS) if k in pct), None)
    if kpi is None:
        raise UsageError(f"--kpi {args.kpi!r}: the runs report no such number")
    for label in result.labels:
        print(f"{label}:")
        for key, (p10, p50, p90) in result.percentiles(label).items():
            if key in TORNADO_KPIS or key in ("pue", "training_time_days", args.kpi):
                print(f"  {key:>28}: P10 {format_kpi(key, p10)}  P50 {format_kpi(key, p50)}"
                      f"  P90 {format_kpi(key, p90)}")  # fmt: skip
    for key in dict.fromkeys((kpi, "training_time_days")):
        center = format_kpi(key, result.tornado_center.get(key))
        print(f"tornado ({key}, P10 → P90 of each input, others at medians = {center}):")
        for bar in result.tornado(key):
            ends = f"{format_kpi(key, bar.kpi_at_low)} → {format_kpi(key, bar.kpi_at_high)}"
            swing = (
                NO_VALUE_TEXT + " at one end"
                if bar.one_end_missing
                else f"swing {format_kpi(key, bar.swing)}"
            )
            print(f"  {bar.label:>40}: {swing} ({ends})")
    if args.compare:
        a, b = result.labels
        print(f"P({b} beats {a} on {kpi}) = {result.probability_better(a, b, kpi):.0%}")
    return _wrote(write_uncertainty(result, Path(args.out), kpi))


def cmd_optimize(args: argparse.Namespace) -> int:
    """Write optimize.csv (one row per trial) and optimize.json (best design, Pareto front)."""
    from aifactory_twin.study.export import write_optimize
    from aifactory_twin.study.optimize import (
        optimize,
        parse_constraint,
        parse_variable,
        variant_from_trial,
    )

    scenario = _load(args)
    variables = [parse_variable(scenario, spec) for spec in args.var]
    constraints = [parse_constraint(text) for text in args.constraint]
    if min(args.trials, args.runs, args.batch) < 1:
        raise UsageError("--trials, --runs and --batch must be at least 1")
    n_runs = args.trials * args.runs
    result = _run(
        args, "optimize", n_runs, optimize, scenario, variables, objective=args.objective,
        constraints=constraints, n_trials=args.trials, runs=args.runs, batch=args.batch,
        sampler=args.sampler, workers_for=min(n_runs, args.batch * args.runs),
    )  # fmt: skip
    paths = write_optimize(result, Path(args.out))
    key = result.objective
    feasible = sum(t.feasible for t in result.trials)
    print(f"{len(result.trials)} designs tried, {feasible} meet every constraint")
    best = result.best
    if best is None:
        print("no design met every constraint; widen the variables or relax a constraint")
    else:
        print(f"best: trial {best.number}, {key} {format_kpi(key, best.objective)}")
        for name, value in best.params.items():
            print(f"  {name} = {value}")
        for c in result.constraints:
            print(f"  {c.text}: {format_kpi(c.kpi, best.kpis.get(c.kpi))}")
    print(f"Pareto front ({key} vs training time):")
    for t in result.pareto():
        time_d = format_kpi("training_time_days", t.kpis.get("training_time_days"))
        flag = "" if t.feasible else " (breaks a constraint)"
        print(f"  trial {t.number:>3}: {format_kpi(key, t.objective)}, {time_d}{flag}")
    if args.save_variant:
        if best is None:
            raise UsageError("--save-variant: no design met every constraint")
        from aifactory_twin.io import save_scenario

        name, file = args.save_variant
        variant = variant_from_trial(scenario, result, best, name)
        others = [v for v in scenario.variants if v.name != name]
        save_scenario(scenario.model_copy(update={"variants": [*others, variant]}), file)
        print(f"wrote {file} with variant {name!r}")
    return _wrote(paths)


# A renderer takes the report's command-line arguments (FILE --out X [options]) and returns the
# exit code (the GUI package registers its PDF writer under the name "pdf").
ReportRenderer = Callable[[Sequence[str]], int]
REPORT_RENDERERS = "aifactory_twin.report_renderers"


def report_renderer(name: str = "pdf") -> ReportRenderer:
    """The installed report renderer ``name``; a clear UsageError when none is installed."""
    found = entry_points(group=REPORT_RENDERERS, name=name)
    if not found:
        raise UsageError(
            f"report: no {name!r} renderer installed (entry-point group {REPORT_RENDERERS}); "
            "install aifactory-twin with its GUI package to write PDF reports"
        )
    return cast(ReportRenderer, next(iter(found)).load())


def cmd_report(args: argparse.Namespace) -> int:
    """Check the arguments, then hand them to the installed renderer; its exit code is ours."""
    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such file")
    for option, value in (("--horizon", args.horizon), ("--step", args.step)):
        if value:
            parse_duration(value, option)
    for option, count in (
        ("--montecarlo", args.montecarlo),
        ("--samples", args.samples),
        ("--workers", args.workers),
    ):
        if count is not None and count < 0:
            raise UsageError(f"{option} must be 0 or more (got {count})")
    renderer = report_renderer("pdf")
    argv = [args.file, "--out", args.out]
    for option, value in (
        ("--variants", args.variants),
        ("--horizon", args.horizon),
        ("--step", args.step),
        ("--seed", None if args.seed is None else str(args.seed)),
        ("--montecarlo", str(args.montecarlo) if args.montecarlo else None),
        ("--samples", None if args.samples is None else str(args.samples)),
        ("--workers", None if args.workers is None else str(args.workers)),
        ("--scheduler", args.scheduler),
    ):
        if value is not None:
            argv += [option, value]
    if args.compare:
        argv += ["--compare", *args.compare]
    return renderer(argv)
