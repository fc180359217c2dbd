"""Reliability: unit failures, automated recovery, technician repairs, checkpoint restarts.

* Failures: each unit up fails within a step with p = 1 − exp(−λ·dt) (λ per unit-hour; a rack
  unit's λ = per-accelerator rate × accelerators, domain-reference §5.1: 2e-5 per GPU-hour from
  the Llama 3 interruption data). For speed the independent per-unit trials are drawn as one
  Poisson total K ~ Poisson(Σ nᵢ·pᵢ) split over nodes by weight nᵢ·pᵢ — the Poisson
  superposition of the per-node binomials (exact in the small-p limit that applies here; per-node
  failures are capped at the units up).
* A share equal to the automation rate is handled by MLOps automation without a technician and
  comes back after ``AUTO_RECOVERY_S`` on average (§5.3: automated detect + restart 10–15 min).
* The rest queue for technicians of the ops teams that support the node: each failed unit can
  absorb at most one technician for the step; team hours are shared in proportion to demand;
  a unit is back once ``repair_hours`` of hands-on work are done (§5.3). A node with no ops team
  is repaired by vendor break-fix: repair time + ``VENDOR_RESPONSE_H`` (next business day, §5.3).
* A failure on a rack that hosts a training job interrupts the job: it loses the work since its
  last checkpoint and restarts after ``restart_s`` (§5.4).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AUTO_RECOVERY_S = 15 * 60.0
VENDOR_RESPONSE_H = 24.0


def draw_failures(
    rng: np.random.Generator,
    units_up: FloatArray,
    p_per_unit: FloatArray,
    total: float | None = None,
) -> FloatArray | None:
    """Units failing this step per node, or None when none fail (Poisson superposition).

    ``p_per_unit`` = 1 − exp(−λ·dt) per node. The total K ~ Poisson(Σ nᵢ·pᵢ) is drawn first;
    only when K > 0 are the K failures placed on nodes by weight nᵢ·pᵢ. ``total`` may pass
    Σ nᵢ·pᵢ in when the caller already knows it (it only changes with the units up).
    """
    if total is None:
        total = float(units_up @ p_per_unit)
    k = int(rng.poisson(total)) if total > 0 else 0
    if k == 0:
        return None
    cum = np.cumsum(units_up * p_per_unit)
    picks = np.searchsorted(cum, rng.random(k) * total, side="right")
    picks = np.minimum(picks, units_up.shape[0] - 1)
    counts = np.bincount(picks, minlength=units_up.shape[0]).astype(np.float64)
    return np.minimum(counts, units_up)


def split_automated(
    rng: np.random.Generator, failures: FloatArray, automation_rate: float
) -> tuple[FloatArray, FloatArray]:
    """(automated, manual) failures per node: binomial with the automation rate."""
    auto = np.zeros_like(failures)
    hit = np.flatnonzero(failures > 0)
    if hit.size and automation_rate > 0:
        auto[hit] = rng.binomial(failures[hit].astype(np.int64), automation_rate)
    return auto, failures - auto


def auto_recoveries(
    rng: np.random.Generator,
    auto_failed: FloatArray,
    dt_s: float,
    hit: npt.NDArray[np.intp] | None = None,
) -> FloatArray:
    """Automatically recovered units this step: binomial with p = 1 − exp(−dt/τ_auto).

    ``hit`` = the nodes with automated failures, if the caller keeps that list.
    """
    out = np.zeros_like(auto_failed)
    if hit is None:
        hit = np.flatnonzero(auto_failed > 0)
    if hit.size:
        p = -np.expm1(-dt_s / AUTO_RECOVERY_S)
        out[hit] = rng.binomial(auto_failed[hit].astype(np.int64), p)
    return out


def technician_work_h(
    manual_failed: FloatArray,
    supported: npt.NDArray[np.bool_],
    team_hours: FloatArray,
    se_team: IntArray,
    se_node: IntArray,
    se_tech: npt.NDArray[np.bool_],
    dt_h: float,
) -> FloatArray:
    """Technician hours each node receives this step (vendor service where unsupported)."""
    demand = manual_failed * dt_h
    work = np.where(supported, 0.0, demand)
    if se_team.size:
        teams_per_node = np.bincount(se_node[se_tech], minlength=demand.shape[0]).astype(float)
        dem_e = np.where(se_tech, demand[se_node] / np.maximum(teams_per_node[se_node], 1.0), 0.0)
        want_t = np.bincount(se_team, weights=dem_e, minlength=team_hours.shape[0])
        share_t = np.minimum(1.0, team_hours / np.maximum(want_t, 1e-12))
        work = work + np.bincount(
            se_node, weights=dem_e * share_t[se_team], minlength=demand.shape[0]
        )
    return work


def repairs_done(
    manual_failed: FloatArray, progress_h: FloatArray, work_h: FloatArray, repair_h: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(units repaired, remaining progress) after adding ``work_h`` of technician time."""
    prog = progress_h + work_h
    done = np.minimum(manual_failed, np.floor(prog / repair_h + 1e-9))
    prog = np.where(manual_failed - done > 0, prog - done * repair_h, 0.0)
    return done, np.maximum(prog, 0.0)
