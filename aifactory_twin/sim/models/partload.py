"""Part load: how UPS, PDU, fan, pump and chiller power change when the load falls.

* Power conversion (UPS, PDU): losses = no-load + proportional + square-law terms (the three loss
  types of Schneider Electric WP 113 "Electrical Efficiency Modeling for Data Centers" and its
  "Definitions of losses": no-load losses can be over 40 % of UPS losses; square-law losses
  grow with I²). The three shares of the full-load loss are per mode:
  double conversion (0.30, 0.60, 0.10) gives 96 % → 95.1 % at half load → 93 % at 25 % → 87 %
  at 10 % load, the shape of WP 108's double-conversion curve; eco mode (0.20, 0.80, 0.0)
  stays above 97 % down to 10 % load. Shares are estimates fitted to those curves; the full-load
  efficiency is the node's ``efficiency`` (§3.2: 94–96 % double conversion, 98–99 % eco).
  A node with an explicit ``efficiency_curve`` uses it (linear between points; below the first
  point its loss stays at that point's absolute loss, i.e. a no-load floor).
* Fans and pumps (variable speed): power = design power × max(s, s_min)³ (affinity laws, §3.2,
  §10.2), s = flow fraction = heat moved / rated capacity of the units running (flow ∝ heat at a
  fixed ΔT). ``s_min`` = 1 describes constant-speed (legacy) fans.
* Chillers: electric input ratio as a function of part-load ratio (DOE-2 / EnergyPlus
  Chiller:Electric:EIR "EIR-f-PLR" quadratic), with the CoolTools reference curves shipped in
  EnergyPlus datasets/Chillers.idf: Carrier 23XL 724 kW/6.04 COP inlet vanes (constant speed)
  and Carrier 19XR 742 kW/5.42 COP VSD. Below the minimum part-load ratio the compressor cycles
  (power ∝ load). Chillers are staged: as few units as can carry the load run, each at the same
  part-load ratio (usual sequencing practice, simplification).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

UpsMode = Literal["double_conversion", "eco"]
LOSS_SHARES: dict[str, tuple[float, float, float]] = {
    "double_conversion": (0.30, 0.60, 0.10),
    "eco": (0.20, 0.80, 0.0),
}
"""(no-load, proportional, square-law) shares of the full-load loss (estimates, module doc)."""

ChillerCompressor = Literal["constant_speed", "vsd"]
EIR_FPLR: dict[str, tuple[float, float, float]] = {
    # EnergyPlus datasets/Chillers.idf (CoolTools), also Modelica Buildings
    # Buildings.Fluid.Chillers.Data.ElectricEIR: ElectricEIRChiller Carrier 23XL 724kW/6.04COP/Vanes
    "constant_speed": (0.1879418, 0.3562862, 0.4540392),
    # ... and ElectricEIRChiller Carrier 19XR 742kW/5.42COP/VSD
    "vsd": (0.1202277, 0.1396384, 0.7394038),
}
CHILLER_MIN_PLR = 0.19
"""Minimum part-load ratio of both reference chillers (Chillers.idf); below it they cycle."""
DEFAULT_MIN_SPEED = 0.3
"""Lowest fan/pump speed of a variable-speed drive (estimate: VFD minimums are 20–40 %)."""


def conversion_loss_kw(
    out_kw: FloatArray,
    rating_kw: FloatArray,
    eff_full: FloatArray,
    shares: FloatArray,
) -> FloatArray:
    """Loss of a UPS/PDU delivering ``out_kw`` with ``rating_kw`` up (0 rating → no loss).

    ``shares`` is (n, 3): no-load, proportional and square-law shares of the full-load loss
    (1/η − 1 per kW of rating). The loss at full load gives exactly ``eff_full``.
    """
    live = rating_kw > 0
    rating = np.where(live, rating_kw, 1.0)
    x = np.where(live, out_kw / rating, 0.0)
    full = rating * (1.0 / eff_full - 1.0)
    loss = full * (shares[:, 0] + shares[:, 1] * x + shares[:, 2] * x * x)
    return np.where(live, loss, 0.0)


def curve_loss_kw(
    out_kw: float, rating_kw: float, load_fraction: FloatArray, efficiency: FloatArray
) -> float:
    """Loss from an explicit (load fraction → efficiency) curve, sorted by load fraction.

    Linear between points, flat beyond the last; below the first point the loss holds at that
    point's absolute loss (the converter's no-load loss does not vanish at zero load).
    """
    if rating_kw <= 0:
        return 0.0
    x = out_kw / rating_kw
    x0 = float(load_fraction[0])
    if x <= x0:
        return float(rating_kw * x0 * (1.0 / efficiency[0] - 1.0))
    eff = float(np.interp(x, load_fraction, efficiency))
    return out_kw * (1.0 / eff - 1.0)


def efficiency_at(
    load_fraction: FloatArray, eff_full: float, mode: UpsMode = "double_conversion"
) -> FloatArray:
    """Efficiency out/(out + loss) at each load fraction for the default loss shares."""
    x = np.asarray(load_fraction, dtype=np.float64)
    shares = np.tile(np.asarray(LOSS_SHARES[mode]), (x.size, 1))
    loss = conversion_loss_kw(x.ravel(), np.ones(x.size), np.full(x.size, eff_full), shares)
    out: FloatArray = np.where(x.ravel() > 0, x.ravel() / (x.ravel() + loss), 0.0)
    return out.reshape(x.shape)


def affinity_power_kw(
    heat_kw: FloatArray, design_kw: FloatArray, capacity_kw: FloatArray, min_speed: FloatArray
) -> FloatArray:
    """Fan/pump power: design × max(s, s_min)³, s = heat / capacity up (0 with no capacity)."""
    live = capacity_kw > 0
    s = np.where(live, heat_kw / np.where(live, capacity_kw, 1.0), 0.0)
    speed = np.maximum(np.minimum(s, 1.0), min_speed)
    # Past rated flow the units are over capacity; the thermal model already caps the heat.
    return np.where(live, design_kw * speed**3, 0.0)


def chiller_eir_fplr(plr: FloatArray, compressor: npt.NDArray[np.int8]) -> FloatArray:
    """Electric input as a fraction of full-load input at part-load ratio ``plr`` (0 → 0).

    ``compressor`` is 0 for constant speed, 1 for VSD. Cycling below ``CHILLER_MIN_PLR``.
    """
    coef = np.asarray([EIR_FPLR["constant_speed"], EIR_FPLR["vsd"]])[compressor]
    p = np.minimum(np.maximum(plr, 0.0), 1.0)
    at = np.maximum(p, CHILLER_MIN_PLR)
    eir = coef[:, 0] + coef[:, 1] * at + coef[:, 2] * at * at
    cycling = np.where(p < CHILLER_MIN_PLR, p / CHILLER_MIN_PLR, 1.0)
    out: FloatArray = eir * cycling
    return out


def chiller_power_kw(
    heat_kw: FloatArray,
    unit_capacity_kw: FloatArray,
    units_up: FloatArray,
    cop_full: FloatArray,
    compressor: npt.NDArray[np.int8],
) -> FloatArray:
    """Compressor power of a chiller node: staged units, each at the same part-load ratio.

    Full-load input per unit = capacity / COP (COP at this tick's condenser conditions);
    units running = ⌈heat / unit capacity⌉ (at least 1 while there is heat, at most units up).
    """
    cap = np.maximum(unit_capacity_kw, 1e-12)
    running = np.minimum(np.maximum(np.ceil(heat_kw / cap - 1e-9), 1.0), np.maximum(units_up, 1.0))
    plr = heat_kw / (running * cap)
    full_in = running * cap / np.maximum(cop_full, 1e-6)
    return np.where(heat_kw > 0, full_in * chiller_eir_fplr(plr, compressor), 0.0)


def conversion_params(eff_full: float, mode: UpsMode) -> tuple[float, float, float]:
    """(proportional efficiency, no-load loss, square-law loss) per kW of rating.

    The proportional share goes into the linear chain as 1/(1 + s₁·L); the no-load and
    square-law terms are added by ``nonlinear_losses`` (L = 1/η_full − 1).
    """
    s0, s1, s2 = LOSS_SHARES[mode]
    full = 1.0 / eff_full - 1.0
    return 1.0 / (1.0 + s1 * full), s0 * full, s2 * full


Curve = tuple[int, FloatArray, FloatArray]
"""(node index, load fractions, efficiencies) of a converter with an explicit curve."""


def nonlinear_losses(
    out_lin_kw: FloatArray,
    levels: list[
        tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]
    ],
    eff_prop: FloatArray,
    rating_kw_up: FloatArray,
    noload: FloatArray,
    square: FloatArray,
    curves: tuple[Curve, ...],
) -> tuple[FloatArray, FloatArray]:
    """(extra input kW, extra output kW) per node on top of the linear chain.

    ``out_lin_kw``: each node's output from the linear pass (``power.distribution_inputs`` with
    ``eff_prop``). Bottom-up, each converter adds its no-load and square-law loss (or its curve
    loss) at its total output, and passes the extra up through its parents' proportional
    efficiency, so input = output + loss holds exactly at every node.
    """
    n = out_lin_kw.shape[0]
    extra_in = np.zeros(n)
    extra_out = np.zeros(n)
    live = rating_kw_up > 0
    rating = np.where(live & np.isfinite(rating_kw_up), rating_kw_up, 1.0)
    for nodes, src, dst, split in levels:
        # The edges of a level run from its nodes (src) to their children (dst).
        if src.size:
            agg = np.bincount(src, weights=extra_in[dst] * split, minlength=n)
            extra_out[nodes] = agg[nodes]
        out = out_lin_kw[nodes] + extra_out[nodes]
        x = out / rating[nodes]
        loss = np.where(live[nodes], rating[nodes] * (noload[nodes] + square[nodes] * x * x), 0.0)
        extra_in[nodes] = extra_out[nodes] / eff_prop[nodes] + loss
        level_set = set(nodes.tolist()) if curves else set()
        for node, lf, ef in curves:
            if node in level_set:
                total = out_lin_kw[node] + extra_out[node]
                extra_in[node] = extra_out[node] + curve_loss_kw(total, rating_kw_up[node], lf, ef)
    return extra_in, extra_out
