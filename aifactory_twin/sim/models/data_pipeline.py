"""Data pipeline: when each training job's dataset is ready (ingest → clean → label → ready).

Data engineering ingests and cleans, annotators label; each team works on one dataset at a time,
in the order of the training jobs, with its whole headcount (a two-stage flow shop: a dataset
starts labeling when it is clean and the annotators are free). People work 40 of the 168 hours
of a week (the same working week as ``compile/staff.py``). A dataset is held in storage from
ingest on; one whose raw size no longer fits in the storage nodes' ``capacity_pb`` is never
ready, nor is one that needs a team the scenario lacks. Rates are estimates:

- ingest 1.0 TB and cleaning (dedup, filtering, format) 0.5 TB per data-engineer working hour;
- labels per annotator-hour by modality (classification-grade tasks; bounding boxes and
  transcription are slower): text 150, image 50, audio 40, video 10, tabular 200;
- a share ``rework_rate`` of labels fails review and is done again, so the effective rate is
  rate × (1 − rework_rate);
- the store a dataset is held on sets its access pattern (``ACCESS_RATES``): a data lake lands
  raw objects as they come (schema on read), a warehouse transforms and validates at load
  (schema on write, ETL) and leaves little cleaning; a parallel file system, or no store, keeps
  the rates above.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from aifactory_twin.schema.dataset import Dataset
from aifactory_twin.sim.models.compute import FloatArray

WORKING_SHARE = 40.0 / 168.0
"""Working hours per calendar hour (40-hour week)."""
INGEST_TB_PER_PERSON_HOUR = 1.0
"""Estimate."""
CLEAN_TB_PER_PERSON_HOUR = 0.5
"""Estimate."""
LABELS_PER_PERSON_HOUR = {
    "text": 150.0,
    "image": 50.0,
    "audio": 40.0,
    "video": 10.0,
    "tabular": 200.0,
}
"""Estimates by modality."""
ACCESS_RATES: dict[str, tuple[float, float]] = {
    "parallel_fs": (1.0, 1.0),
    "data_lake": (2.0, 1.0),
    "warehouse": (0.5, 4.0),
}
"""(ingest, cleaning) rate multipliers by the type of store a dataset is held on. Estimates:
a lake ingests twice as fast (no transformation on landing, cleaning unchanged); a warehouse
ingests at half the rate (transform and validate at load) and then cleans four times as fast
(typed, deduplicated, conformed rows: only filtering is left)."""
ACCESS_ORDER = ("warehouse", "data_lake", "parallel_fs")
"""A dataset held on several stores follows the first of these it is on: data that lands in a
warehouse goes through its ETL whatever else also holds a copy."""


def access_pattern(store_types: Sequence[str]) -> str:
    """The access pattern of a dataset held on stores of ``store_types`` ("" when on none)."""
    return next((t for t in ACCESS_ORDER if t in store_types), "")


def labels_per_hour(d: Dataset) -> float:
    """Accepted labels per annotator working hour (after rework)."""
    rate = d.labels_per_person_hour or LABELS_PER_PERSON_HOUR[d.modality]
    return rate * (1.0 - d.rework_rate)


def ready_times_s(
    datasets: Sequence[Dataset | None],
    data_engineers: float,
    annotators: float,
    storage_tb: float,
    patterns: Sequence[str] | None = None,
) -> FloatArray:
    """Seconds from the scenario start until each job's dataset is ready.

    0 for a job without a dataset, inf for one that can never be ready. ``patterns`` gives per
    job the access pattern of its dataset's store (``access_pattern``; "" or None: base rates).
    """
    out = np.zeros(len(datasets))
    de_free_h = 0.0
    lab_free_h = 0.0
    held_tb = 0.0
    for j, d in enumerate(datasets):
        if d is None:
            continue
        if data_engineers <= 0 or (d.labels_needed > 0 and annotators <= 0):
            out[j] = math.inf
            continue
        if held_tb + d.size_tb > storage_tb * (1 + 1e-12):
            out[j] = math.inf
            continue
        held_tb += d.size_tb
        ingest_x, clean_x = ACCESS_RATES.get(patterns[j] if patterns else "", (1.0, 1.0))
        work_h = d.size_tb / (INGEST_TB_PER_PERSON_HOUR * ingest_x) + d.size_tb / (
            CLEAN_TB_PER_PERSON_HOUR * clean_x
        )
        de_free_h += work_h / data_engineers / WORKING_SHARE
        clean_h = de_free_h
        if d.labels_needed > 0:
            label_h = d.labels_needed / labels_per_hour(d) / annotators / WORKING_SHARE
            lab_free_h = max(lab_free_h, clean_h) + label_h
            out[j] = lab_free_h * 3600.0
        else:
            out[j] = clean_h * 3600.0
    return out
