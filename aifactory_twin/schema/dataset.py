"""The dataset a training job needs: how big it is, what it holds and how much of it is labeled.

A job names it inline (``TrainingJob.dataset``) or points at a dataset node on the canvas
(``TrainingJob.dataset_id``, a ``DatasetNode`` in ``nodes.py`` with these same fields); both are
optional (files from before issue 14 load unchanged). With a dataset the job
cannot start before the data pipeline (ingest → clean → label → ready, ``sim/models/
data_pipeline.py``) has made it ready; its throughput comes from the scenario's data-engineering
and labeling teams and its raw size must fit in the storage nodes' ``capacity_pb``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aifactory_twin.schema.base import NonNegativeFloat, PositiveFloat, StrictModel

Modality = Literal["text", "image", "audio", "video", "tabular"]
Sensitivity = Literal["public", "internal", "gdpr", "hipaa"]
REGULATED: frozenset[str] = frozenset({"gdpr", "hipaa"})
"""Sensitivities under a regulation: audit effort and compliance cost per dataset."""


class DatasetSpec(StrictModel):
    """Raw size, modality, the labels it still needs and its regulation. Defaults are estimates."""

    size_tb: PositiveFloat = 50.0
    """Raw size, terabytes; held in storage from ingest on."""
    modality: Modality = "text"
    """Sets the default labels per annotator-hour."""
    labels_needed: NonNegativeFloat = 0.0
    """Items to label before the dataset is ready (0: unlabeled pretraining data)."""
    labels_per_person_hour: PositiveFloat | None = None
    """Labels one annotator makes per working hour; None uses the modality's estimate."""
    rework_rate: float = Field(default=0.10, ge=0.0, lt=1.0)
    """Share of labels that fail review and are done again (estimate: 10 %)."""
    sensitivity: Sensitivity = "internal"
    """``gdpr``: personal data of EU residents, runs only on racks in its ``region``;
    ``hipaa``: health data, held only on encrypted, audit-logged storage. Both add audit effort
    before launch and a compliance cost (``sim/models/launch.py``, ``rules.py``)."""
    region: str = Field(default="", max_length=40)
    """Where the data must stay (e.g. ``eu``); empty = no residency rule."""


class Dataset(DatasetSpec):
    """A dataset written inline on a training job."""

    name: str = Field(default="", max_length=120)
    """What the data is called (validation messages); empty = the job's id."""
