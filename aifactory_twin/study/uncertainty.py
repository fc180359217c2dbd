"""Uncertainty studies: Latin hypercube samples of the scenario's uncertain inputs.

Inputs that declare a ``correlation`` with others are drawn together: the Latin hypercube
columns are reordered (Iman–Conover) so their ranks correlate as asked, which keeps every
input's strata and distribution exactly.

Each sample draws every uncertain input (Latin hypercube over the unit cube, mapped through each
distribution's inverse CDF) and gets its own seed, so the spread covers inputs and dice
together. Variants compared run the same draws and seeds (paired samples), so "B beats A"
counts samples where B is better under identical conditions. The tornado runs each input at its
P10 and P90 with every other input at its median, one at a time, on the first seed, around one
run with every input at its median (the tornado's centre line).
"""

from __future__ import annotations

import csv
import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
from pydantic import ValidationError

from aifactory_twin.errors import UsageError
from aifactory_twin.kpi_registry import KPI_INFO
from aifactory_twin.schema import Scenario, UncertainInput
from aifactory_twin.study.params import SweepParam, check_param_values, parse_param, parse_values
from aifactory_twin.study.runners import ProgressFn, Runner, SerialRunner
from aifactory_twin.study.runs import FloatArray, RunResult, scalar_kpis
from aifactory_twin.study.studies import (
    BASE_LABEL,
    KPI_ONLY,
    PERCENTILES,
    MonteCarloResult,
    StudyOptions,
    resolve_variants,
    summarize_monte_carlo,
)

# What the tornado ranks by default: cost per trained model, then per GPU-hour, then total.
TORNADO_KPIS = ("cost_per_trained_model_usd", "cost_per_gpu_hour_usd", "total_cost_usd")
_STD_NORMAL = NormalDist()
TIME_KPI = "training_time_days"


def latin_hypercube(n_samples: int, n_dims: int, seed: int) -> FloatArray:
    """``n_samples × n_dims`` points in (0, 1): one point in each of n equal strata per axis."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_samples, n_dims))
    for dim in range(n_dims):
        out[:, dim] = (rng.permutation(n_samples) + rng.random(n_samples)) / n_samples
    return out


def correlation_matrix(inputs: Sequence[UncertainInput]) -> FloatArray | None:
    """The inputs' rank-correlation matrix from their ``correlation`` entries (None: none given).

    An entry on either input of a pair sets both; two different values for one pair, a label no
    input has, or a matrix that is not positive definite is a UsageError naming the inputs.
    """
    labels = [s.label for s in inputs]
    index = {label: k for k, label in enumerate(labels)}
    matrix = np.eye(len(inputs))
    given = False
    for k, spec in enumerate(inputs):
        for other, rho in spec.correlation.items():
            if other not in index:
                raise UsageError(
                    f"uncertain input {spec.label}: correlation with {other!r}, which is not an "
                    f"uncertain input (inputs: {', '.join(labels)})"
                )
            j = index[other]
            if matrix[k, j] != 0.0 and matrix[k, j] != rho:
                raise UsageError(
                    f"uncertain inputs {spec.label} and {other}: two different correlations "
                    f"({matrix[k, j]:g} and {rho:g}); give it once"
                )
            matrix[k, j] = matrix[j, k] = rho
            given = True
    if not given:
        return None
    if np.linalg.eigvalsh(matrix).min() <= 1e-9:
        pairs = [
            f"{labels[a]}~{labels[b]} {matrix[a, b]:g}"
            for a in range(len(labels))
            for b in range(a + 1, len(labels))
            if matrix[a, b] != 0.0
        ]
        raise UsageError(
            "uncertain inputs: the correlations cannot hold together (the matrix is not "
            f"positive definite): {', '.join(pairs)}"
        )
    return matrix


def iman_conover(unit: FloatArray, target: FloatArray, seed: int) -> FloatArray:
    """Reorder each column of ``unit`` so the columns' rank correlation approaches ``target``.

    Iman & Conover (1982), "A distribution-free approach to inducing rank correlation among
    input variables": van der Waerden scores are given the target correlation through Cholesky
    factors, and every column of the sample takes their ranks. Only the order within columns
    changes, so each input keeps its Latin hypercube strata and its distribution exactly.
    """
    n, k = unit.shape
    if n <= k + 1:  # too few samples to carry k correlated columns
        return unit
    rng = np.random.default_rng(seed + 1)
    base = np.array([_STD_NORMAL.inv_cdf(i / (n + 1)) for i in range(1, n + 1)])
    scores = np.column_stack([rng.permutation(base) for _ in range(k)])
    observed = np.corrcoef(scores, rowvar=False)
    induced = scores @ np.linalg.inv(np.linalg.cholesky(observed)).T @ np.linalg.cholesky(target).T
    out = np.empty_like(unit)
    for j in range(k):
        ranks = np.argsort(np.argsort(induced[:, j]))
        out[:, j] = np.sort(unit[:, j])[ranks]
    return out


def quantile(spec: UncertainInput, u: float) -> Any:
    """The value of ``spec`` at cumulative probability ``u`` (inverse CDF)."""
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    kind = spec.distribution
    if kind == "normal":
        assert spec.mean is not None and spec.sd is not None
        value = spec.mean + spec.sd * _STD_NORMAL.inv_cdf(u)
        lo = -np.inf if spec.low is None else spec.low
        hi = np.inf if spec.high is None else spec.high
        return float(min(max(value, lo), hi))
    if kind == "lognormal":
        assert spec.median is not None and spec.sigma is not None
        return float(spec.median * np.exp(spec.sigma * _STD_NORMAL.inv_cdf(u)))
    if kind == "triangular":
        assert spec.low is not None and spec.mode is not None and spec.high is not None
        a, c, b = spec.low, spec.mode, spec.high
        split = (c - a) / (b - a)
        if u < split:
            return float(a + np.sqrt(u * (b - a) * (c - a)))
        return float(b - np.sqrt((1.0 - u) * (b - a) * (b - c)))
    if kind == "uniform":
        assert spec.low is not None and spec.high is not None
        return float(spec.low + u * (spec.high - spec.low))
    weights = np.array(spec.weights or [1.0] * len(spec.values), dtype=float)
    cumulative = np.cumsum(weights) / weights.sum()
    index = int(np.searchsorted(cumulative, u, side="right"))
    return spec.values[min(index, len(spec.values) - 1)]


_DIST_ARGS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd", "low", "high"),
    "lognormal": ("median", "sigma"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
}
_REQUIRED = {"normal": 2, "lognormal": 2, "triangular": 3, "uniform": 2}


def parse_uncertain(scenario: Scenario, text: str, option: str = "--input") -> UncertainInput:
    """``PATH ~ DIST(ARGS)`` → an uncertain input, e.g. ``grid.price… ~ uniform(0.05, 0.2)``.

    DIST is normal(mean, sd[, low, high]), lognormal(median, sigma), triangular(low, mode,
    high), uniform(low, high) or choice(A, B, …).

    UsageError names the text and the problem (unknown id, bad numbers, bad parameters).
    """
    usage = (
        f"{option} {text!r}: use PATH ~ DIST(ARGS), e.g. grid.price.flat_usd_per_kwh ~ "
        "triangular(0.05, 0.08, 0.2); DIST is normal, lognormal, triangular, uniform or choice"
    )
    path, sep, rest = text.partition("~")
    rest = rest.strip()
    if not sep or not rest.endswith(")") or "(" not in rest:
        raise UsageError(usage)
    kind, _, args_text = rest[:-1].partition("(")
    kind = kind.strip()
    param = parse_param(scenario, path.strip(), option)
    values = parse_values(args_text, f"{option} {param.text}") if args_text.strip() else []
    fields: dict[str, Any] = {"target": param.target, "path": param.path, "distribution": kind}
    if kind == "choice":
        fields["values"] = values
    elif kind in _DIST_ARGS:
        names = _DIST_ARGS[kind]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != len(values) or not _REQUIRED[kind] <= len(values) <= len(names):
            raise UsageError(f"{option} {param.text}: {kind} takes {', '.join(names)} as numbers")
        fields.update(zip(names, (float(v) for v in values), strict=False))
    else:
        raise UsageError(usage)
    try:
        return UncertainInput.model_validate(fields)
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise UsageError(f"{option} {text.strip()!r}: {reason}") from None


def input_text(spec: UncertainInput) -> str:
    """``spec`` as ``parse_uncertain`` reads it: ``PATH ~ DIST(ARGS)``."""
    if spec.distribution == "choice":
        args = ", ".join(str(v) for v in spec.values)
    else:
        values = [getattr(spec, name) for name in _DIST_ARGS[spec.distribution]]
        args = ", ".join(f"{v:g}" for v in values if v is not None)
    return f"{spec.label} ~ {spec.distribution}({args})"


def check_inputs(scenario: Scenario, variants: Sequence[str | None]) -> list[UncertainInput]:
    """The scenario's uncertain inputs, each applied at P10/P50/P90 once (UsageError if bad)."""
    inputs = list(scenario.uncertain)
    if not inputs:
        raise UsageError(
            "the scenario declares no uncertain inputs: add an 'uncertain' list of "
            "distributions (target, path, distribution and its parameters)"
        )
    for spec in inputs:
        values = [quantile(spec, u) for u in (0.1, 0.5, 0.9)]
        for variant in variants:
            try:
                check_param_values(scenario, variant, SweepParam(spec.target, spec.path), values)
            except UsageError as exc:
                raise UsageError(
                    f"uncertain input {spec.label} ({spec.distribution}): {exc}"
                ) from None
    return inputs


NO_VALUE_TEXT = "no value within the horizon"
"""What a tornado bar end shows when its run has no KPI value (e.g. no model trained)."""


@dataclass
class TornadoBar:
    """One input's effect on a KPI: the KPI at the input's P10 and P90, others at medians."""

    label: str
    low_value: Any
    high_value: Any
    kpi_at_low: float
    kpi_at_high: float

    @property
    def swing(self) -> float:
        """|KPI at P90 − KPI at P10| (NaN when either run has no value)."""
        return abs(self.kpi_at_high - self.kpi_at_low)

    @property
    def one_end_missing(self) -> bool:
        """Whether the KPI has a value at one end only.

        E.g. at its P90 the input delays the start so much that no model is trained within the
        horizon: a bigger effect than any swing.
        """
        return math.isfinite(self.kpi_at_low) != math.isfinite(self.kpi_at_high)


@dataclass
class UncertaintyResult:
    """Paired samples per variant, with the draws that made them, and the tornado runs."""

    labels: list[str]
    inputs: list[UncertainInput]
    seeds: list[int]
    draws: list[tuple[Any, ...]]
    kpis: dict[str, dict[str, FloatArray]]
    """Variant label → KPI → value per sample (NaN where a run has none)."""
    tornado_kpis: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    """Input label → KPI → (value at P10, value at P90), others at medians (first variant)."""
    tornado_values: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    tornado_center: dict[str, float] = field(default_factory=dict)
    """KPI → value with every input at its median (first variant, first seed)."""
    fans: dict[str, MonteCarloResult] = field(default_factory=dict)
    """Variant label → P10/P50/P90 bands over time of its samples (when the runs recorded
    series: ``options.series`` non-empty), the spread over inputs and dice together."""

    def percentiles(self, label: str) -> dict[str, tuple[float, float, float]]:
        """KPI → (P10, P50, P90) over the samples of one variant (NaN when none has a value)."""
        out: dict[str, tuple[float, float, float]] = {}
        for key, values in self.kpis[label].items():
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                out[key] = (float("nan"),) * 3
            else:
                p10, p50, p90 = np.percentile(finite, PERCENTILES)
                out[key] = (float(p10), float(p50), float(p90))
        return out

    def tornado(self, kpi: str) -> list[TornadoBar]:
        """Inputs by their effect on the KPI, largest first.

        An input with no KPI value at one end (no trained model within the horizon at its P90,
        say) ranks first; then the rest by the swing between their P10 and P90; inputs with no
        value at either end last.
        """
        bars = [
            TornadoBar(label, *self.tornado_values[label], *by_kpi.get(kpi, (np.nan, np.nan)))
            for label, by_kpi in self.tornado_kpis.items()
        ]

        def rank(bar: TornadoBar) -> tuple[int, float]:
            if bar.one_end_missing:
                return (0, 0.0)
            return (1, -bar.swing) if math.isfinite(bar.swing) else (2, 0.0)

        return sorted(bars, key=rank)

    def probability_better(self, a: str, b: str, kpi: str) -> float:
        """Share of paired samples where ``b`` is better than ``a`` on ``kpi`` (NaN if none)."""
        better = KPI_INFO[kpi].better if kpi in KPI_INFO else "lower"
        if better is None:
            raise UsageError(f"{kpi} has no better direction to compare variants by")
        va, vb = self.kpis[a].get(kpi), self.kpis[b].get(kpi)
        if va is None or vb is None:
            return float("nan")
        ok = np.isfinite(va) & np.isfinite(vb)
        if not ok.any():
            return float("nan")
        wins = vb[ok] > va[ok] if better == "higher" else vb[ok] < va[ok]
        return float(np.mean(wins))


def uncertainty(
    scenario: Scenario,
    n_samples: int,
    *,
    variants: Sequence[str] | None = None,
    seed: int | None = None,
    options: StudyOptions = KPI_ONLY,
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    tornado: bool = True,
) -> UncertaintyResult:
    """``n_samples`` LHS draws × each variant (paired), plus 2 tornado runs per input."""
    if n_samples < 1:
        raise UsageError("--samples must be at least 1")
    chosen = resolve_variants(scenario, list(variants) if variants else [BASE_LABEL])
    inputs = check_inputs(scenario, chosen)
    first = scenario.settings.seed if seed is None else seed
    seeds = [first + i for i in range(n_samples)]
    unit = latin_hypercube(n_samples, len(inputs), first)
    target = correlation_matrix(inputs)
    if target is not None:
        unit = iman_conover(unit, target, first)
    draws = [tuple(quantile(s, float(u)) for s, u in zip(inputs, row, strict=True)) for row in unit]
    text = scenario.model_dump_json()
    labels = [name or BASE_LABEL for name in chosen]

    def overrides(values: Sequence[Any]) -> tuple[tuple[str, str, Any], ...]:
        return tuple((s.target, s.path, v) for s, v in zip(inputs, values, strict=True))

    specs = [
        options.spec(
            text, name, s, label=f"{label} sample {i}", tag=(label, i), overrides=overrides(d)
        )
        for name, label in zip(chosen, labels, strict=True)
        for i, (s, d) in enumerate(zip(seeds, draws, strict=True))
    ]
    medians = [quantile(s, 0.5) for s in inputs]
    tornado_values: dict[str, tuple[Any, Any]] = {}
    if tornado:
        specs.append(
            options.spec(
                text, chosen[0], first, label="all medians", tag=("", "center"),
                overrides=overrides(medians),
            )
        )  # fmt: skip
        for k, item in enumerate(inputs):
            low, high = quantile(item, 0.1), quantile(item, 0.9)
            tornado_values[item.label] = (low, high)
            for end, value in (("low", low), ("high", high)):
                point = [*medians[:k], value, *medians[k + 1 :]]
                specs.append(
                    options.spec(
                        text,
                        chosen[0],
                        first,
                        label=f"{item.label} {end}",
                        tag=(item.label, end),
                        overrides=overrides(point),
                    )
                )
    results = (runner or SerialRunner()).run_all(specs, progress=progress, cancel=cancel)
    rows: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    runs: dict[str, list[RunResult]] = {label: [] for label in labels}
    tornado_rows: dict[str, dict[str, dict[str, Any]]] = {}
    center: dict[str, float] = {}
    for spec, run in zip(specs, results, strict=True):
        key, which = spec.tag
        if which == "center":
            center = {k: _number(v) for k, v in scalar_kpis(run.kpis).items()}
        elif isinstance(which, int):
            rows[key].append(scalar_kpis(run.kpis))
            runs[key].append(run)
        else:
            tornado_rows.setdefault(key, {})[which] = scalar_kpis(run.kpis)
    kpis = {label: _columns(label_rows) for label, label_rows in rows.items()}
    tornado_kpis = {
        label: {
            k: (_number(ends["low"].get(k)), _number(ends["high"].get(k)))
            for k in ends["low"]
            if np.isfinite(_number(ends["low"].get(k))) or np.isfinite(_number(ends["high"].get(k)))
        }
        for label, ends in tornado_rows.items()
    }
    fans: dict[str, MonteCarloResult] = {}
    for name, label in zip(chosen, labels, strict=True):
        if runs[label] and runs[label][0].series:
            fans[label] = summarize_monte_carlo(seeds, runs[label])
            fans[label].variant = name
    return UncertaintyResult(
        labels, inputs, seeds, draws, kpis, tornado_kpis, tornado_values, center, fans
    )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)


def _columns(rows: list[dict[str, Any]]) -> dict[str, FloatArray]:
    keys = [
        k for k in (rows[0] if rows else {}) if any(np.isfinite(_number(r.get(k))) for r in rows)
    ]
    return {k: np.array([_number(r.get(k)) for r in rows]) for k in keys}


def write_uncertainty(result: UncertaintyResult, out_dir: Path, kpi: str) -> list[Path]:
    """uncertainty.csv (variant, sample, seed, draws, KPIs) and uncertainty.json (summary)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out_dir / "uncertainty.csv", out_dir / "uncertainty.json"
    keys = list(dict.fromkeys(k for label in result.labels for k in result.kpis[label]))
    inputs = [s.label for s in result.inputs]
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", "sample", "seed", *inputs, *keys])
        for label in result.labels:
            columns = result.kpis[label]
            for i, (seed, draw) in enumerate(zip(result.seeds, result.draws, strict=True)):
                values = [columns[k][i] if k in columns else "" for k in keys]
                writer.writerow([label, i, seed, *draw, *values])

    def bars(key: str) -> list[dict[str, Any]]:
        return [
            {
                "input": b.label,
                "low_value": b.low_value,
                "high_value": b.high_value,
                "kpi_at_low": b.kpi_at_low,
                "kpi_at_high": b.kpi_at_high,
                "swing": b.swing,
                "one_end_missing": b.one_end_missing,
            }
            for b in result.tornado(key)
        ]

    summary: dict[str, Any] = {
        "samples": len(result.seeds),
        "inputs": [s.model_dump(mode="json", exclude_defaults=True) for s in result.inputs],
        "percentiles": {label: result.percentiles(label) for label in result.labels},
        "tornado": {
            "kpi": kpi,
            "kpi_at_medians": result.tornado_center.get(kpi),
            "bars": bars(kpi),
        },
        "tornado_training_time": {
            "kpi": TIME_KPI,
            "kpi_at_medians": result.tornado_center.get(TIME_KPI),
            "bars": bars(TIME_KPI),
        },
    }
    if len(result.labels) == 2:
        a, b = result.labels
        summary["probability_b_beats_a"] = {
            "a": a,
            "b": b,
            "kpi": kpi,
            "probability": result.probability_better(a, b, kpi),
        }
    json_path.write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
    return [csv_path, json_path]


def _json_default(value: Any) -> Any:
    return float(value) if isinstance(value, np.floating) else str(value)
