"""Fuzz the loader: mutated valid files and random bytes either load or raise ScenarioError.

Strategies are hand-written (hypothesis-jsonschema 0.23.1 crashes with current hypothesis).
Whatever loads must also survive a save → load round trip unchanged.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import dumps_scenario, loads_scenario
from aifactory_twin.schema import NODE_KINDS

GOLDEN_TEXT = (Path(__file__).resolve().parent.parent / "data" / "scenario_v1.aift.json").read_text(
    encoding="utf-8"
)
GOLDEN: dict[str, Any] = json.loads(GOLDEN_TEXT)
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Path_ = tuple[int | str, ...]

# Values that stress the schema: wrong types, boundaries, non-finite numbers, huge numbers,
# strange strings (ids with spaces, surrogates, brackets), nested containers.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 0.5, 1e308, -0.0, 24, 1e-300]),
    st.text(max_size=12),
    st.sampled_from([*NODE_KINDS, "training", "inference", "any", "settings", "\ud800"]),
    st.sampled_from(["2027-01-01", "2027-13-45T99:00:00", "feed-1", "rack-h100", "nope"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    out: list[Path_] = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


GOLDEN_PATHS = _paths(GOLDEN)


def _parent(doc: Any, path: Path_) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """The golden dict with 1–4 random edits: replace, delete, add a key, duplicate an item."""
    doc: Any = copy.deepcopy(GOLDEN)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if not path:
            if action == "replace":
                doc = draw(json_values)
            continue
        parent = _parent(doc, path)
        key = path[-1]
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(int(key), copy.deepcopy(parent[int(key)]))
    return doc


def _load_or_scenario_error(data: str | bytes) -> None:
    try:
        scenario = loads_scenario(data, source="fuzz.aift.json")
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError must carry at least one problem"
        for problem in exc.problems:
            assert problem.file == "fuzz.aift.json" and problem.message
        return
    text = dumps_scenario(scenario)
    assert loads_scenario(text) == scenario


@FUZZ
@given(mutated_documents())
def test_mutated_documents_load_or_raise_scenario_error(doc: Any) -> None:
    _load_or_scenario_error(json.dumps(doc))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_load_or_raise_scenario_error(raw: bytes) -> None:
    _load_or_scenario_error(raw)


@FUZZ
@given(
    st.integers(0, len(GOLDEN_TEXT)),
    st.integers(0, 40),
    st.binary(max_size=6),
)
def test_byte_edits_of_golden_text_load_or_raise(start: int, cut: int, insert: bytes) -> None:
    raw = GOLDEN_TEXT.encode("utf-8")
    _load_or_scenario_error(raw[:start] + insert + raw[start + cut :])


def test_mutations_reach_every_part_of_the_golden_file() -> None:
    # The strategy is only as good as the paths it can pick: every section must be reachable.
    tops = {p[0] for p in GOLDEN_PATHS if p}
    assert tops == {"format", "schema_version", "meta", "settings", "nodes", "edges"} | {
        "workloads",
        "variants",
        "events",
    }
