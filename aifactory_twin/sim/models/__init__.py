"""Vectorized pure functions of the simulation, one module per domain.

Compute, network, data, power, thermal, reliability, staff, supply, economics. Each function
names its formula and its source section in ``docs/domain-reference.md``; none keeps state
or does I/O.
"""

from __future__ import annotations
