"""Text for the Scenario dock's job mixes and traces: list lines, format guess, column mapping.

Pure functions (no widgets) used by ``job_sources.JobSourcesBox``.
"""

from __future__ import annotations

from pathlib import Path

from aifactory_twin.formatting import format_span
from aifactory_twin.schema import JobMix, JobTrace

TRACE_FORMAT_HINTS: tuple[tuple[str, str], ...] = (
    ("cluster_log", "helios"),
    ("pai_task_table", "pai"),
    ("cluster_job_log", "philly"),
    (".json", "philly"),
)
"""File-name fragments of the published traces (docs/workloads.md) → their format."""
TRACE_FIELDS: tuple[str, ...] = ("submit_s", "accelerators", "duration_s", "team", "status")
"""What a generic CSV trace is read for (``io/traces.py``); ``columns`` renames these."""


def guess_trace_format(path: str) -> str:
    """The trace format a file's name suggests (``generic`` when none does)."""
    name = Path(path).name.lower()
    return next((fmt for part, fmt in TRACE_FORMAT_HINTS if part in name), "generic")


def describe_mix(mix: JobMix) -> str:
    """One list line: team, jobs, sizes, arrivals, run time."""
    return (
        f"{mix.team} · {mix.jobs} × {mix.accelerators_min}–{mix.accelerators_max} GPUs · "
        f"every {format_span(mix.mean_interarrival_s)} · {format_span(mix.duration_median_s)}"
    )


def describe_trace(trace: JobTrace) -> str:
    """One list line: id, format, file name and the days kept."""
    days = f", first {trace.max_days:g} d" if trace.max_days else ""
    return f"{trace.id} · {trace.format} · {Path(trace.path).name}{days}"


def columns_text(columns: dict[str, str]) -> str:
    """``submit_s=t, accelerators=gpus`` for a mapping (our field → the CSV's column)."""
    return ", ".join(f"{field}={column}" for field, column in columns.items())


def parse_columns(text: str) -> dict[str, str]:
    """The mapping typed as ``field=column, …``; ValueError names the first bad entry."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        field, sep, column = (s.strip() for s in part.partition("="))
        if not sep or not field or not column:
            raise ValueError(f"{part!r} is not field=column")
        if field not in TRACE_FIELDS:
            raise ValueError(f"{field!r} is not one of {', '.join(TRACE_FIELDS)}")
        out[field] = column
    return out
