"""The scenario: meta, settings, nodes, edges, workloads, variants and scheduled events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, JsonValue, PrivateAttr, model_validator

from aifactory_twin.schema.base import (
    Fraction,
    NodeId,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    StrictModel,
    Temperature,
)
from aifactory_twin.schema.dataset import Dataset, DatasetSpec
from aifactory_twin.schema.edges import AnyEdge
from aifactory_twin.schema.job_mix import JobMix
from aifactory_twin.schema.job_trace import JobTrace
from aifactory_twin.schema.nodes import DatasetNode, Node, NodeBase
from aifactory_twin.schema.studies import Studies
from aifactory_twin.schema.training import ModelDescription, ParallelLayout
from aifactory_twin.schema.uncertainty import UncertainInput

FORMAT_NAME = "aifactory-twin-scenario"
SCHEMA_VERSION = 3

Placement = list[NodeId]
"""Node ids a workload may run on; an empty list (or ["any"]) means anywhere."""


class CheckpointPolicy(StrictModel):
    """How often a training job checkpoints: Young/Daly optimum by default, or a fixed interval.

    Defaults: restart 10 min and 14 bytes/parameter (§5.4, §9.5); the fixed interval is an estimate.
    """

    mode: Literal["young_daly", "fixed"] = "young_daly"
    interval_s: PositiveFloat = 3600.0
    restart_s: NonNegativeFloat = 600.0
    """Time to detect, reschedule and reload after an interruption (domain-reference §9.5 R)."""
    bytes_per_param: PositiveFloat = 14.0


class TrainingJob(StrictModel):
    """A training run: FLOPs from 6·N·D unless ``total_flops`` is given.

    Defaults: a 70B model on 1.4T tokens (Chinchilla 20 tokens/param, §7) at MFU 0.40 (§1.4).
    """

    kind: Literal["training"] = "training"
    id: NodeId
    name: str = Field(default="", max_length=200)
    parameters_b: PositiveFloat = 70.0
    """Model parameters, billions (active parameters for MoE)."""
    tokens_t: PositiveFloat = 1.4
    """Training tokens, trillions."""
    total_flops: PositiveFloat | None = None
    accelerators_requested: PositiveInt = 1024
    target_mfu: Annotated[float, Field(gt=0, le=1)] | None = 0.40
    """Model FLOPs utilisation to assume; clear it (None) to have the performance model predict
    it from ``model``, ``layout`` and the fabric (docs/perf-model.md)."""
    precision: Literal["bf16", "fp8"] = "bf16"
    start_s: NonNegativeFloat = 0.0
    """Start, seconds after the scenario start."""
    checkpoint: CheckpointPolicy = CheckpointPolicy()
    placement: Placement = []
    priority: int = 0
    model: ModelDescription | None = None
    """Architecture for the performance model; None keeps the 6·N·D-at-target-MFU estimate."""
    layout: ParallelLayout = ParallelLayout()
    """Parallel layout; empty fields are searched for the fastest layout that fits in HBM."""
    min_accelerators: PositiveInt | None = None
    """Gang minimum under a queue policy: the job starts (and keeps running) only with at least
    this many accelerators; None = all of ``accelerators_requested``."""
    elastic: bool = False
    """Under a queue policy, once started the job shrinks with lost capacity instead of going
    back to the queue (the ``elastic`` policy treats every job this way)."""
    team: str = Field(default="", max_length=80)
    """Team that submitted the job (per-team share of the factory in the KPIs)."""

    dataset: Dataset | None = None
    """The data it trains on; the job waits until the data pipeline has made it ready."""
    dataset_id: str = Field(default="", max_length=80)
    """Id of a dataset node on the canvas it trains on, instead of an inline ``dataset``."""

    drift_monitoring: bool = False
    """Watch the launched model for production drift: a detected drift submits a retraining
    job (same team, racks and size) that queues, runs and goes through launch again."""
    mean_time_to_drift_s: PositiveFloat = 90 * 86400.0
    """Mean time from a model's launch until its production data has drifted (exponential).
    Default 90 days: an estimate (quarterly refreshes are common; Vela et al., Sci. Rep. 12,
    11654 (2022) found 91 % of models degrade over time, at no single rate)."""
    retrain_fraction: Annotated[float, Field(gt=0, le=1)] = 0.1
    """Work of a retraining job as a share of this job's (estimate: a refresh on new data)."""

    @model_validator(mode="after")
    def _one_dataset(self) -> TrainingJob:
        if self.dataset is not None and self.dataset_id:
            raise ValueError("give either an inline dataset or a dataset_id, not both")
        return self

    @model_validator(mode="after")
    def _gang_minimum_fits(self) -> TrainingJob:
        if self.min_accelerators is not None and (
            self.min_accelerators > self.accelerators_requested
        ):
            raise ValueError(
                f"min_accelerators ({self.min_accelerators}) exceeds accelerators_requested "
                f"({self.accelerators_requested})"
            )
        return self


class InferenceService(StrictModel):
    """An inference service with a daily demand profile."""

    kind: Literal["inference"] = "inference"
    id: NodeId
    name: str = Field(default="", max_length=200)
    model_parameters_b: PositiveFloat = 70.0
    peak_demand_tokens_per_s: NonNegativeFloat = 100000.0
    daily_profile: list[Fraction] = Field(default_factory=lambda: [1.0] * 24)
    """24 hourly multipliers of the peak demand."""
    tokens_per_s_per_accelerator: PositiveFloat = 1000.0
    """Sustained batched-decode throughput per accelerator (domain-reference §6.5, estimate)."""
    latency_target_ms: PositiveFloat = 200.0
    """Round trip the users accept between them and the site serving them, ms: only racks and
    cloud at sites within it of ``users_site`` serve (``sim/compile/sites.py``)."""
    users_site: str = Field(default="", max_length=120)
    """Id of the site node where the users are; empty = users everywhere, latency unchecked."""
    placement: Placement = []
    start_s: NonNegativeFloat = 0.0
    priority: int = 10

    @model_validator(mode="after")
    def _profile_has_24_hours(self) -> InferenceService:
        if len(self.daily_profile) != 24:
            raise ValueError(
                f"daily_profile needs 24 hourly values (got {len(self.daily_profile)})"
            )
        return self


Workload = Annotated[TrainingJob | InferenceService, Field(discriminator="kind")]


class AmbientProfile(StrictModel):
    """Outdoor weather: a daily sine around a mean, a climate preset, or an EPW weather file.

    Without ``climate`` and ``weather_file`` the dry bulb is the daily sine (files from before
    the weather model run as they did) and towers see a wet bulb 8 K below it (estimate).
    """

    mean_c: Temperature = 18.0
    daily_amplitude_c: Annotated[float, Field(ge=0, le=30)] = 6.0
    peak_hour: Annotated[float, Field(ge=0, lt=24)] = 15.0
    climate: str | None = None
    """Climate preset (``sim/models/weather.py`` CLIMATES, e.g. ``stockholm_se``): monthly dry-
    and wet-bulb normals of a real place with a seasonal + daily model; replaces the sine."""
    weather_file: str | None = None
    """EnergyPlus weather file (.epw), relative to the scenario file: its hourly dry bulb and
    wet bulb replace the sine and the preset."""


class Settings(StrictModel):
    """Run settings and factory-wide economics."""

    start_time: datetime = datetime(2027, 1, 1)
    horizon_s: PositiveFloat = 7 * 86400.0
    step_s: PositiveFloat = 300.0
    seed: int = 0
    ambient: AmbientProfile = AmbientProfile()
    automation_level: Fraction = 0.5
    """Share of incidents MLOps automation handles without a technician."""
    depreciation_years: PositiveFloat = 5.0
    facility_capex_usd_per_kw: NonNegativeFloat = 11000.0
    """Building, electrical and mechanical plant per kW of rated IT (domain-reference §6.3)."""
    maintenance_fraction_per_year: Fraction = 0.03
    """Annual maintenance as a fraction of equipment capex (estimate)."""
    default_price_usd_per_kwh: NonNegativeFloat = 0.0806
    """Price when no power feed is modelled (US industrial 2023, domain-reference §6.1)."""
    default_carbon_g_per_kwh: NonNegativeFloat = 367.0
    """Carbon intensity when no feed is modelled (US 2023, domain-reference §6.2)."""
    misc_facility_fraction: Fraction = 0.02
    """Lighting, offices and other facility load as a fraction of IT power (estimate)."""
    scheduler_policy: Literal["elastic", "fcfs", "priority", "sjf"] = "elastic"
    """How training jobs get accelerators. ``elastic`` (files from before the scheduler): every
    submitted job runs at once on what is free, by priority, shrinking when short. ``fcfs``,
    ``priority``, ``sjf`` (shortest job first): a queue in that order with gang starts."""
    backfill: Literal["easy", "none"] = "easy"
    """Under a queue policy: ``easy`` lets a later job start if it does not delay the head
    job's reservation (EASY backfill); ``none`` keeps strict queue order."""
    facility_no_load_fraction: Fraction = 0.01
    """Load drawn whatever the IT load (transformer magnetising, lighting, controls, BMS), as a
    fraction of rated IT power (estimate; Schneider WP 113 counts these as no-load losses)."""


class Override(StrictModel):
    """One what-if change: ``target`` is a node id, a workload id or ``settings``."""

    target: str = Field(min_length=1)
    path: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
    value: JsonValue


class Variant(StrictModel):
    """A named what-if: the base scenario plus overrides."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")
    description: str = ""
    overrides: list[Override] = []


EventKind = Literal[
    "fail_unit", "restore_unit", "price_spike", "heat_wave", "staff_departure", "supply_disruption"
]


class ScheduledEvent(StrictModel):
    """An event injected at a simulated time, so a run replays the same way."""

    time_s: NonNegativeFloat
    kind: EventKind
    target: str = ""
    """Node id the event applies to (fail/restore/staff, the vendor of a supply disruption),
    empty for factory-wide events."""
    magnitude: float = 1.0
    """Units failed, price multiplier, temperature rise in K, or people leaving (unused by a
    supply disruption)."""
    duration_s: NonNegativeFloat = 0.0
    """How long it lasts, s (0 = until restored / for good); a supply disruption holds its
    vendor's shipments this long and needs a length."""


class Meta(StrictModel):
    """What the scenario is called, what it is about and who made it."""

    name: str = Field(default="Untitled factory", max_length=200)
    description: str = ""
    author: str = ""


class Scenario(StrictModel):
    """A whole factory and how to run it."""

    format: Literal["aifactory-twin-scenario"] = "aifactory-twin-scenario"
    schema_version: Literal[3] = 3
    """Bump with a migration in aifactory_twin/io/migrations.py and a golden file in tests/data."""
    meta: Meta = Meta()
    settings: Settings = Settings()
    nodes: list[Node] = []
    edges: list[AnyEdge] = []
    workloads: list[Workload] = []
    job_mix: list[JobMix] = []
    """Generated training jobs per team, expanded into workloads at compile time."""
    job_traces: list[JobTrace] = []
    """Job traces beside the file, replayed as training jobs when the scenario is compiled."""
    variants: list[Variant] = []
    events: list[ScheduledEvent] = []
    uncertain: list[UncertainInput] = []
    """Input distributions for uncertainty studies (``uncertainty`` command); runs ignore them."""
    studies: Studies = Studies()
    """Optimization and 2-D sweep the report runs (``report`` command); runs ignore them."""
    _source_dir: str | None = PrivateAttr(default=None)
    # The folder of the file this scenario was loaded from (not saved): files the scenario names
    # by relative path (job traces) resolve against it. Copies and pickles keep it.

    @property
    def source_dir(self) -> str | None:
        """Folder of the file the scenario came from (None when built in memory)."""
        return self._source_dir

    def __eq__(self, other: object) -> bool:
        # Where a scenario was loaded from is not part of what it is: two files with the same
        # content are equal scenarios (pydantic would compare private attributes too).
        if not isinstance(other, Scenario):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # lists inside: not hashable, as before

    def with_source_dir(self, folder: str | None) -> Scenario:
        """This scenario, remembering ``folder`` as where its relative paths start."""
        self._source_dir = folder
        return self

    def job_dataset(self, job: TrainingJob) -> Dataset | None:
        """The dataset ``job`` trains on: inline, or its dataset node's fields.

        None without one, or for a ``dataset_id`` naming no dataset node (the rules report it).
        """
        if not job.dataset_id:
            return job.dataset
        node = self.node_by_id().get(job.dataset_id)
        if not isinstance(node, DatasetNode):
            return None
        spec = node.model_dump(include=set(DatasetSpec.model_fields))
        return Dataset(name=node.name or node.id, **spec)

    def node_by_id(self) -> dict[str, NodeBase]:
        """Map of node id → node (first one wins if ids repeat; rules report duplicates)."""
        out: dict[str, NodeBase] = {}
        for node in self.nodes:
            out.setdefault(node.id, node)
        return out
