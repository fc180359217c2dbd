"""Per-item values computed once per distinct key: big factories repeat a few configurations.

A 40-hall factory has 378,880 racks built from a handful of distinct configurations, so a value
that depends only on a few fields (capex, failure rate, arrival time) is computed once for each
distinct tuple of those fields and spread back with one index array, instead of one Python call
per item. The value comes from the same scalar formula on the same inputs, so the result is the
one the per-item loop gives (floats equal as dict keys, 0.0 and -0.0, share the first item's
value; the schema's numbers are finite, so no NaN key stands apart).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt

Groups = tuple[list[int], npt.NDArray[np.intp]]
"""(position of the first item of each group, per item the place of its group in that list)."""


def first_of_each(keys: Sequence[Hashable]) -> Groups:
    """(position of the first item of each distinct key, per item its key's place in that list).

    ``[value(items[p]) for p in firsts]`` then ``[inverse]`` gives ``value`` of every item,
    one call per distinct key; ``keys[i]`` must hold everything ``value(items[i])`` reads. Each
    key is hashed once: ``setdefault`` maps it to the position where it first appeared.
    """
    n = len(keys)
    seen: dict[Hashable, int] = {}
    first = np.fromiter(map(seen.setdefault, keys, itertools.count()), np.intp, n)
    firsts = np.flatnonzero(first == np.arange(n))
    slot = np.empty(n, dtype=np.intp)
    slot[firsts] = np.arange(firsts.size)
    return firsts.tolist(), slot[first]
