"""A job's step time split into what it is spent on, and the part that limits it.

The performance model gives compute, pipeline bubble and the exposed communication of each
parallel dimension; the compiler adds the data feed (the step stretched when storage cannot
deliver the tokens) and checkpoint stalls (Young/Daly δ/τ), so the parts add up to the step the
engine runs. The inspector draws this as a stacked bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aifactory_twin.perf.search import SearchResult, describe_layout

PARTS: tuple[tuple[str, str], ...] = (
    ("compute", "Compute"),
    ("bubble", "Pipeline bubble"),
    ("tp", "Tensor-parallel comm"),
    ("pp", "Pipeline sends"),
    ("dp", "Data-parallel sync"),
    ("cp", "Context-parallel comm"),
    ("ep", "Expert all-to-all"),
    ("optimizer", "Optimizer step"),
    ("data_feed", "Data feed"),
    ("stalls", "Checkpoint stalls"),
)
LABELS: dict[str, str] = dict(PARTS)


@dataclass(frozen=True)
class StepBreakdown:
    """Seconds per optimizer step by part (keys of ``PARTS``), with the job's MFU and layout."""

    job_id: str
    layout: str
    parts_s: dict[str, float]
    mfu: float
    """Predicted model FLOPs utilisation, data feed and stalls included."""
    hfu: float
    memory_gb: dict[str, float] = field(default_factory=dict)
    usable_gb: float = 0.0

    @property
    def step_s(self) -> float:
        """One training step, s: the sum of its parts."""
        return sum(self.parts_s.values())

    def share(self, key: str) -> float:
        """The part ``key``'s share of the step (0 for an empty step)."""
        total = self.step_s
        return self.parts_s.get(key, 0.0) / total if total > 0 else 0.0

    @property
    def bottleneck(self) -> str:
        """The largest part that is not compute, or ``compute`` when nothing else costs time."""
        overheads = {k: v for k, v in self.parts_s.items() if k != "compute" and v > 0.0}
        return max(overheads, key=lambda k: overheads[k]) if overheads else "compute"

    def summary(self) -> str:
        """``Step 12.5 s, MFU 40.7 %; compute 75 %, largest overhead tensor-parallel comm 16 %``."""
        b = self.bottleneck
        head = f"Step {self.step_s:.3g} s, MFU {100 * self.mfu:.1f} %"
        if b == "compute":
            return f"{head}; compute-bound"
        return (
            f"{head}; compute {100 * self.share('compute'):.0f} %, largest overhead "
            f"{LABELS[b].lower()} {100 * self.share(b):.0f} %"
        )


def breakdown_of(
    job_id: str, result: SearchResult, data_feed_factor: float = 1.0, stall_fraction: float = 0.0
) -> StepBreakdown | None:
    """The breakdown of a searched layout, or None when no layout was found.

    ``data_feed_factor`` ≤ 1 stretches the step (storage delivers that share of the tokens
    needed); ``stall_fraction`` is the share of time lost to checkpoints.
    """
    t = result.times
    if t is None or result.layout is None:
        return None
    parts = {
        "compute": float(t.compute_s[0]),
        "bubble": float(t.bubble_s[0]),
        "tp": float(t.tp_s[0]),
        "pp": float(t.pp_s[0]),
        "dp": float(t.dp_s[0]),
        "cp": float(t.cp_s[0]),
        "ep": float(t.ep_s[0]),
        "optimizer": float(t.optimizer_s[0]),
    }
    step = sum(parts.values())
    feed = max(min(data_feed_factor, 1.0), 1e-9)
    parts["data_feed"] = step * (1.0 / feed - 1.0)
    stall = min(max(stall_fraction, 0.0), 0.99)
    parts["stalls"] = (step + parts["data_feed"]) * stall / (1.0 - stall)
    stretch = step / sum(parts.values())
    return StepBreakdown(
        job_id=job_id,
        layout=describe_layout(result.layout),
        parts_s=parts,
        mfu=float(t.mfu[0]) * stretch,
        hfu=float(t.hfu[0]) * stretch,
        memory_gb=dict(result.memory_gb),
        usable_gb=t.usable_gb,
    )
