"""Job traces: read a published or in-house cluster trace into (submit, accelerators, run time).

Formats (checked against each trace's public documentation):

* ``helios`` — SenseTime Helios ``cluster_log.csv`` (S-Lab-System-Group/HeliosData README):
  header ``job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,
  duration,queue``; times ``YYYY-MM-DD HH:MM:SS``; ``duration`` in seconds; team = ``vc``;
  normal end = ``COMPLETED``.
* ``pai`` — Alibaba PAI ``pai_task_table.csv`` (alibaba/clusterdata cluster-trace-gpu-v2020):
  no header, columns ``job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,
  plan_mem,plan_gpu,gpu_type``; times in seconds from the trace start; ``plan_gpu`` in percent
  of one GPU per instance (accelerators = ⌈inst_num × plan_gpu / 100⌉); normal end =
  ``Terminated``; a job's tasks are summed into one job (submit = first task start).
* ``philly`` — Microsoft Philly ``cluster_job_log`` (msr-fiddle/philly-traces README): a JSON
  list of jobs with ``submitted_time``, ``attempts[{start_time, end_time, detail[{gpus}]}]``,
  ``vc``, ``status`` (``Pass``/``Killed``/``Failed``); run time = the last attempt's span,
  accelerators = its GPUs.
* ``generic`` — a CSV with a header and the columns ``submit_s``, ``accelerators``,
  ``duration_s``, optional ``team`` and ``status`` (renamed through ``columns``).

Every bad row is reported with its line number; a trace with any bad row loads nothing.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema.job_trace import JobTrace

MAX_TRACE_BYTES = 256 * 1024 * 1024
_NORMAL_END = {"helios": {"COMPLETED"}, "pai": {"Terminated"}, "philly": {"Pass"}}
_TIME_FMT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class TraceJob:
    """One replayed job: submit time (s after the trace's first), size, recorded run time."""

    name: str
    submit_s: float
    accelerators: int
    duration_s: float
    team: str


def read_trace(trace: JobTrace, base_dir: Path | None, where: str) -> list[TraceJob]:
    """The jobs of ``trace`` (sorted by submit, filtered and cut as it says).

    ``where`` labels the problems (``job_traces[0] (id "philly")``); ``base_dir`` is the
    scenario file's folder, against which a relative ``path`` resolves.
    """
    path = Path(trace.path)
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(
            [Problem(f"{where}.path", f"cannot read the trace {str(path)!r}: {exc.strerror}")]
        ) from None
    if size > MAX_TRACE_BYTES:
        raise ScenarioError(
            [Problem(f"{where}.path", f"trace {path.name} is {size} bytes, over the 256 MiB cap")]
        )
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(f"{where}.path", f"trace is not UTF-8 text (byte {exc.start})", str(path))]
        ) from None
    reader = {"philly": _philly, "pai": _pai, "helios": _helios}.get(trace.format, _generic)
    rows, problems = reader(text, trace)
    if problems:
        shown = problems[:20]
        more = len(problems) - len(shown)
        msgs = [Problem(f"{where}.path", m, str(path)) for m in shown]
        if more:
            msgs.append(Problem(f"{where}.path", f"… and {more} more bad rows", str(path)))
        raise ScenarioError(msgs)
    if trace.completed_only and trace.format in _NORMAL_END:
        rows = [r for r in rows if r[1] in _NORMAL_END[trace.format]]
    jobs = sorted((r[0] for r in rows), key=lambda j: (j.submit_s, j.name))
    if not jobs:
        return []
    t0 = jobs[0].submit_s
    out = [
        TraceJob(j.name, j.submit_s - t0, j.accelerators, j.duration_s, j.team)
        for j in jobs
        if trace.max_days is None or j.submit_s - t0 <= trace.max_days * 86400.0
    ]
    return out[: trace.max_jobs] if trace.max_jobs else out


_Row = tuple[TraceJob, str]


def _time(value: str) -> float:
    return datetime.strptime(value.strip(), _TIME_FMT).replace(tzinfo=UTC).timestamp()


def _number(value: str, what: str) -> float:
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{what} must be a non-negative number (got {value!r})")
    return x


def _helios(text: str, trace: JobTrace) -> tuple[list[_Row], list[str]]:
    rows: list[_Row] = []
    problems: list[str] = []
    reader = csv.DictReader(text.splitlines())
    need = {"job_id", "vc", "gpu_num", "state", "submit_time", "duration"}
    missing = need - set(reader.fieldnames or [])
    if missing:
        return [], [f"line 1: header lacks {', '.join(sorted(missing))}"]
    for line, rec in enumerate(reader, start=2):
        try:
            gpus = int(_number(rec["gpu_num"], "gpu_num"))
            if gpus == 0:
                continue  # CPU-only jobs use no accelerator
            job = TraceJob(
                rec["job_id"], _time(rec["submit_time"]), gpus,
                _number(rec["duration"], "duration"), rec["vc"],
            )  # fmt: skip
            rows.append((job, rec["state"]))
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(f"line {line}: {exc}")
    return rows, problems


def _pai(text: str, trace: JobTrace) -> tuple[list[_Row], list[str]]:
    jobs: dict[str, list[float]] = {}
    status: dict[str, str] = {}
    problems: list[str] = []
    for line, rec in enumerate(csv.reader(text.splitlines()), start=1):
        if len(rec) < 10:
            problems.append(f"line {line}: expected 10 columns, got {len(rec)}")
            continue
        try:
            start, end = _number(rec[4], "start_time"), _number(rec[5], "end_time")
            gpus = _number(rec[2] or "0", "inst_num") * _number(rec[8] or "0", "plan_gpu") / 100
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if end < start:
            problems.append(f"line {line}: end_time {end:g} is before start_time {start:g}")
            continue
        acc = jobs.setdefault(rec[0], [math.inf, 0.0, 0.0])
        acc[0], acc[1], acc[2] = min(acc[0], start), max(acc[1], end), acc[2] + gpus
        status[rec[0]] = rec[3] if status.get(rec[0], rec[3]) == rec[3] else "Mixed"
    rows: list[_Row] = [
        (TraceJob(name, s, math.ceil(g), e - s, ""), status[name])
        for name, (s, e, g) in jobs.items()
        if g > 0
    ]
    return rows, problems


def _philly(text: str, trace: JobTrace) -> tuple[list[_Row], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [f"line {exc.lineno}: not JSON ({exc.msg})"]
    if not isinstance(data, list):
        return [], ["line 1: the Philly job log is a JSON list of jobs"]
    rows: list[_Row] = []
    problems: list[str] = []
    for k, job in enumerate(data):
        try:
            attempts = [a for a in job.get("attempts", []) if a.get("start_time")]
            if not attempts or not attempts[-1].get("end_time"):
                continue  # never ran, or still running when the snapshot was taken
            last = attempts[-1]
            gpus = sum(len(d.get("gpus", [])) for d in last.get("detail", []))
            if gpus == 0:
                continue
            duration = _time(last["end_time"]) - _time(last["start_time"])
            if duration < 0:
                raise ValueError("an attempt ends before it starts")
            submit = _time(job["submitted_time"])
            row = TraceJob(str(job["jobid"]), submit, gpus, duration, str(job.get("vc", "")))
            rows.append((row, str(job.get("status", ""))))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            name = job.get("jobid", "?") if isinstance(job, dict) else "?"
            problems.append(f"job {k} ({name}): {exc}")
    return rows, problems


def _generic(text: str, trace: JobTrace) -> tuple[list[_Row], list[str]]:
    col = {f: trace.columns.get(f, f) for f in ("submit_s", "accelerators", "duration_s")}
    team_col = trace.columns.get("team", "team")
    status_col = trace.columns.get("status", "status")
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in col.values() if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"line 1: header lacks {', '.join(missing)}"]
    rows: list[_Row] = []
    problems: list[str] = []
    for line, rec in enumerate(reader, start=2):
        try:
            acc = int(_number(rec[col["accelerators"]], col["accelerators"]))
            job = TraceJob(
                f"row{line}", _number(rec[col["submit_s"]], col["submit_s"]), acc,
                _number(rec[col["duration_s"]], col["duration_s"]), rec.get(team_col) or "",
            )  # fmt: skip
        except (ValueError, TypeError) as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if acc > 0:
            rows.append((job, rec.get(status_col) or ""))
    if trace.completed_only:
        # A generic trace with a status column keeps the rows that say they completed.
        rows = [r for r in rows if r[1] in ("", "completed", "COMPLETED", "Pass", "Terminated")]
    return rows, problems
