"""Which feeds supply a load: the distribution chain followed from the feeds down.

Per-job accounting (``sim/stages/accounts.py``) bills each job's energy at the price and carbon
of the feeds behind its racks. The chain is the one ``models/power.distribution_inputs`` walks
bottom-up: a load fed by several parents splits evenly among them, and each parent draws its
children's power / its efficiency.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CHAIN_KINDS = ("power_feed", "ups", "pdu")
"""The distribution levels from the top; a parent's children sit on lower levels or are loads."""


def feed_draw(
    node_kinds: npt.NDArray[np.str_],
    feed_node: IntArray,
    edge_parent: IntArray,
    edge_child: IntArray,
    edge_split: FloatArray,
    efficiency: FloatArray,
) -> FloatArray:
    """Per node × feed: kW the feed supplies per kW the node draws, through the linear chain.

    A feed supplies its own input; a kW drawn by a node costs each of its parents split /
    efficiency of the parent's input. A row sums to the chain's loss factor (≥ 1) on the
    node's path, and is all zero for a node no feed reaches.
    """
    n, n_f = node_kinds.shape[0], feed_node.shape[0]
    draw = np.zeros((n, n_f))
    draw[feed_node, np.arange(n_f)] = 1.0
    parent_kind = node_kinds[edge_parent]
    for kind in CHAIN_KINDS:
        on = parent_kind == kind
        src, dst = edge_parent[on], edge_child[on]
        np.add.at(draw, dst, (edge_split[on] / efficiency[src])[:, None] * draw[src])
    return draw


def feed_mix(draw: FloatArray) -> FloatArray:
    """Each row of ``draw`` as shares of the node's supply (summing to 1; 0 with no feed)."""
    total = draw.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(draw, total, out=np.zeros_like(draw), where=total > 0)
    return out
