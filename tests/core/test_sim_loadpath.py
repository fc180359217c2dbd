"""The loader's jiter parse gives what the standard library's parser gives, and refuses the same.

``aifactory_twin/io/load.py`` parses with jiter (duplicate keys and depth enforced by the parser)
and falls back to ``json`` with an object-pairs hook only to explain what jiter refused. These
tests pin that the two parsers agree on every document either accepts, and that jiter never
accepts a duplicate key the standard parser would see.
"""

from __future__ import annotations

import json
from pathlib import Path

import jiter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import dumps_scenario, loads_scenario, parse_document
from aifactory_twin.io import load as io_load
from aifactory_twin.schema import SCHEMA_VERSION, Scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenes").glob("*.aift.json")) + sorted(
    (ROOT / "tests" / "data").glob("*.aift.json")
)


def _full_path(raw: bytes) -> Scenario:
    data = io_load._check_envelope_and_migrate(parse_document(raw), "x")
    return Scenario.model_validate(data)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_file_parses_the_same_with_jiter_and_json(path: Path) -> None:
    raw = path.read_bytes()
    fast = io_load._parse_fast(raw, path.name)
    assert fast is not None
    assert fast == parse_document(raw)
    assert loads_scenario(raw, check_rules=False) == _full_path(raw)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios())
def test_random_saved_scenarios_load_the_same_either_way(sc: Scenario) -> None:
    raw = dumps_scenario(sc).encode()
    assert io_load._parse_fast(raw, "x") == parse_document(raw)
    assert loads_scenario(raw, check_rules=False) == _full_path(raw) == sc


def _has_duplicate(raw: bytes) -> bool:
    """Reference: duplicate keys as the standard parser sees them."""
    dup = False

    def hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        nonlocal dup
        dup = dup or len({k for k, _ in pairs}) != len(pairs)
        return dict(pairs)

    json.loads(raw, object_pairs_hook=hook)
    return dup


_keys = st.sampled_from(["a", "b", "ab", "a:b", 'q"', "x{[", "long_key_name_1", "long_key_name_2"])
_leaf = st.one_of(st.integers(-5, 5), st.sampled_from(["s", "[{", 'a\\"b', "}:]", "\\"]))
_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(st.tuples(_keys, inner), max_size=4),  # pairs: may repeat a key
    ),
    max_leaves=25,
)


def _dump(value: object) -> str:
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(doc=_json)
def test_jiter_refuses_exactly_the_duplicate_keys_json_sees(doc: object) -> None:
    raw = _dump(doc).encode()
    if _has_duplicate(raw):
        with pytest.raises(ValueError, match="duplicate key"):
            jiter.from_json(raw, catch_duplicate_keys=True)
    else:
        assert jiter.from_json(raw, catch_duplicate_keys=True) == json.loads(raw)


@settings(max_examples=200, deadline=None)
@given(
    value=st.recursive(
        st.one_of(st.floats(allow_nan=False), st.integers(), st.text(), st.booleans(), st.none()),
        lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(), inner)),
        max_leaves=20,
    )
)
def test_jiter_reads_numbers_and_text_as_json_does(value: object) -> None:
    raw = json.dumps(value).encode()
    assert jiter.from_json(raw, catch_duplicate_keys=True) == json.loads(raw)


def test_nesting_limit_is_jiters_and_named_with_its_place() -> None:
    ok = b'{"a": ' * (io_load.MAX_NESTING_DEPTH - 1) + b"1" + b"}" * (io_load.MAX_NESTING_DEPTH - 1)
    assert io_load._parse_fast(b"{" + ok[1:], "x") is not None
    deep = (
        b'{"a": ' * (io_load.MAX_NESTING_DEPTH + 1) + b"1" + b"}" * (io_load.MAX_NESTING_DEPTH + 1)
    )
    with pytest.raises(ScenarioError, match=r"nested deeper than 200 levels \(at line 1 column"):
        loads_scenario(deep)


def test_what_jiter_refuses_the_full_path_explains() -> None:
    good = dumps_scenario(Scenario()).encode()
    assert io_load._parse_fast(good, "x") is not None
    assert (
        io_load._parse_fast(good.replace(b'"format"', b'"format": "x", "format"', 1), "x") is None
    )
    assert io_load._parse_fast(b'{"a\\u0062": 1, "ab": 2}', "x") is None
    with pytest.raises(ScenarioError, match="appears twice"):
        loads_scenario(good.replace(b'"format"', b'"format": "x", "format"', 1))
    with pytest.raises(ScenarioError, match="whole number"):
        version = f'"schema_version": {SCHEMA_VERSION}'.encode()
        loads_scenario(good.replace(version, b'"schema_version": true'))
