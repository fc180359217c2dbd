"""Shared building blocks of the scenario schema: the strict model base and unit-bearing types.

Every schema class is frozen (value objects; the document replaces them, never mutates them),
forbids unknown keys (a typo in a file is an error, not a silent default) and rejects NaN and
infinity (pydantic accepts NaN by default, saves it as ``null`` and then cannot load that null).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,79}$"
ID_RE = re.compile(ID_PATTERN)


class StrictModel(BaseModel):
    """Base of every schema object: frozen, no extra keys, finite numbers only."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
        use_attribute_docstrings=True,
    )


NodeId = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="Stable identifier: letters, digits, '_', '-', '.'"),
]
PositiveFloat = Annotated[float, Field(gt=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
# Integers are bounded so an absurd file (count: 10**400) is refused instead of overflowing the
# engine's int64 arrays; the bounds are far above any real factory.
PositiveInt = Annotated[int, Field(gt=0, le=100_000_000)]
NonNegativeInt = Annotated[int, Field(ge=0, le=100_000_000)]
Temperature = Annotated[float, Field(ge=-60, le=200)]


class Position(StrictModel):
    """Where the node sits on the canvas, in scene units (1 unit ≈ 1 pixel at 100 % zoom)."""

    x: float = 0.0
    y: float = 0.0
