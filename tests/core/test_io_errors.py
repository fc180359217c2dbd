"""Loader errors: every broken input gives a ScenarioError naming the file, field and reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import MAX_FILE_BYTES, MAX_NESTING_DEPTH, load_scenario, loads_scenario
from aifactory_twin.io import load as load_module
from aifactory_twin.io.errors_format import MAX_PROBLEMS

BROKEN = Path(__file__).resolve().parent.parent / "data" / "broken"

# file in tests/data/broken → substrings the error must contain (field path and reason)
EXPECTED: dict[str, tuple[str, ...]] = {
    "truncated.aift.json": ("not valid JSON", "line ", "column ", "truncated"),
    "wrong_types.aift.json": ("nodes[0].count", "must be a valid integer", '"two"'),
    "negative_capacity.aift.json": (
        "nodes[1].nominal_cooling_capacity_kw",
        "must be greater than 0 (got -5)",
    ),
    "nan_literal.aift.json": ("nodes[0].power_rating_kw", "finite number", "NaN"),
    "unknown_kind.aift.json": ("nodes[1]", "unknown node kind 'fusion_reactor'", "compute_rack"),
    "dangling_edge.aift.json": ("edges[0]", "feed-9"),
    "deeply_nested.aift.json": (f"nested deeper than {MAX_NESTING_DEPTH} levels", "line 1"),
    "non_utf8.aift.json": ("not UTF-8", "byte offset"),
    "missing_schema_version.aift.json": ("schema_version", "missing"),
    "newer_schema_version.aift.json": ("schema_version", "newer aifactory-twin (version 99)"),
    "edge_kind_not_allowed.aift.json": ("edges[0]", "power edge cannot go from cooling_unit"),
    "duplicate_id.aift.json": ("nodes[1]", "rack-1", "used twice"),
    "unknown_field.aift.json": ("nodes[0].power_kw", "unknown field"),
    "not_a_scenario.aift.json": ("format", "aifactory-twin-scenario", "something-else"),
    "top_level_array.aift.json": ("top level must be a JSON object",),
}


def _problems(exc: ScenarioError) -> str:
    return "\n".join(str(p) for p in exc.problems)


def test_every_broken_file_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_names_field_and_reason(name: str) -> None:
    path = BROKEN / name
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = _problems(info.value)
    assert all(p.file == str(path) for p in info.value.problems)
    for fragment in EXPECTED[name]:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def _doc(**fields: Any) -> str:
    return json.dumps({"format": "aifactory-twin-scenario", "schema_version": 1, **fields})


def _error_text(text: str | bytes, **kwargs: Any) -> str:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="f.aift.json", **kwargs)
    return _problems(info.value)


def test_message_format_matches_issue_example() -> None:
    text = _error_text(
        _doc(
            nodes=[{"kind": "pdu", "id": "a"}] * 3
            + [{"kind": "pdu", "id": "b", "power_rating_kw": -5}]
        ),
        check_rules=False,
    )
    # The id names the node, so nobody has to count to the fourth node of the file.
    assert text == (
        'f.aift.json: nodes[3].power_rating_kw (id "b"): must be greater than 0 (got -5)'
    )
    problem = _first_problem(
        _doc(nodes=[{"kind": "pdu", "id": "a"}, {"kind": "pdu", "id": "b", "power_rating_kw": 0}])
    )
    assert (problem.path, problem.where) == (
        "nodes[1].power_rating_kw",
        'nodes[1].power_rating_kw (id "b")',
    )


def _first_problem(text: str) -> Any:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, source="f.aift.json", check_rules=False)
    return info.value.problems[0]


def test_union_member_errors_are_merged_and_noise_dropped() -> None:
    wrong = _error_text(_doc(nodes=[{"kind": "compute_rack", "id": "r", "accelerator": 5}]))
    assert wrong.count("\n") == 0
    assert 'nodes[0].accelerator (id "r"): must be a valid string or' in wrong
    assert "(got 5)" in wrong
    partial = _error_text(
        _doc(nodes=[{"kind": "compute_rack", "id": "r", "accelerator": {"name": "x"}}])
    )
    assert 'nodes[0].accelerator.tdp_w (id "r"): required field is missing' in partial
    assert "valid string" not in partial  # the user clearly meant an inline spec


def test_missing_kind_and_unknown_workload_kind() -> None:
    text = _error_text(_doc(nodes=[{"id": "x"}], workloads=[{"kind": "batch", "id": "w"}]))
    assert "nodes[0] (id \"x\"): missing 'kind'" in text
    assert (
        "workloads[0] (id \"w\"): unknown workload kind 'batch'; known: training, inference" in text
    )


def test_model_validator_message_is_plain() -> None:
    spec = {"name": "x", "tdp_w": 100, "idle_w": 200, "peak_bf16_tflops": 1}
    text = _error_text(_doc(nodes=[{"kind": "compute_rack", "id": "r", "accelerator": spec}]))
    assert 'nodes[0].accelerator (id "r"): idle_w (200.0) must not exceed tdp_w (100.0)' in text
    assert "Value error" not in text


def test_every_problem_is_reported_with_a_cap() -> None:
    nodes = [{"kind": "pdu", "id": f"p{i}", "power_rating_kw": -1} for i in range(MAX_PROBLEMS + 7)]
    with pytest.raises(ScenarioError) as info:
        loads_scenario(_doc(nodes=nodes))
    problems = info.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == "… and 7 more problems not shown"
    assert problems[5].path == "nodes[5].power_rating_kw"


def test_size_cap_refuses_big_file_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.aift.json"
    with big.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    with pytest.raises(ScenarioError) as info:
        load_scenario(big)
    text = _problems(info.value)
    assert "100.0 MiB" in text and f"{MAX_FILE_BYTES // 2**20} MiB" in text


def test_size_cap_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _doc(meta={"description": "x" * 2_000_000})
    monkeypatch.setenv(load_module.MAX_FILE_ENV, "1")
    assert "the limit is 1 MiB (raise it with" in _error_text(doc)
    monkeypatch.setenv(load_module.MAX_FILE_ENV, "2.5")
    assert len(loads_scenario(doc, check_rules=False).meta.description) == 2_000_000
    monkeypatch.setenv(load_module.MAX_FILE_ENV, "lots")
    assert "AIFT_MAX_FILE_MIB: must be a positive number of MiB (got 'lots')" in _error_text(doc)


def test_size_cap_applies_to_text_and_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "MAX_FILE_BYTES", 100)
    doc = _doc(meta={"name": "x" * 200})
    assert "the limit is" in _error_text(doc)
    assert "the limit is" in _error_text(doc.encode())


def test_depth_limit_counts_only_structure() -> None:
    deep_ok = "[" * (MAX_NESTING_DEPTH - 5) + "]" * (MAX_NESTING_DEPTH - 5)  # 5 levels above
    value = json.loads(deep_ok)
    brackets_in_strings = "[" * 5000
    scenario = loads_scenario(
        _doc(
            meta={"name": "[[[", "description": brackets_in_strings},
            variants=[
                {"name": "v", "overrides": [{"target": "settings", "path": "seed", "value": value}]}
            ],
        ),
        check_rules=False,
    )
    assert scenario.meta.description == brackets_in_strings
    too_deep = "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1)
    assert "nested deeper" in _error_text('{"a": ' + too_deep + "}")
    assert "nested deeper" in _error_text('{"a": ' * 200_000)


def test_non_utf8_reports_offset_and_bom_is_tolerated() -> None:
    raw = _doc(meta={"name": "ok"}).encode()
    bad = raw.replace(b'"ok"', b'"o\xc3"')
    text = _error_text(bad)
    offset = bad.index(b"\xc3")
    assert f"byte offset {offset}" in text
    assert loads_scenario(b"\xef\xbb\xbf" + raw).meta.name == "ok"


def test_unpaired_surrogate_escape_is_refused() -> None:
    text = _error_text(_doc(meta={"name": "x"}).replace('"x"', '"\\ud800"'))
    assert "meta.name: contains an unpaired UTF-16 surrogate" in text
    paired = loads_scenario(_doc(meta={"name": "x"}).replace('"x"', '"\\ud83d\\ude80"'))
    assert paired.meta.name == "🚀"


def test_duplicate_keys_are_refused() -> None:
    text = _error_text(
        '{"format": "aifactory-twin-scenario", "schema_version": 1, "schema_version": 1}'
    )
    assert "'schema_version' appears twice" in text


@pytest.mark.parametrize(
    ("version_literal", "fragment"),
    [
        ('"1"', 'must be a whole number (got "1")'),
        ("true", "must be a whole number (got true)"),
        ("1.0", "must be a whole number (got 1.0)"),
        ("null", "must be a whole number (got null)"),
        ("0", "version 0 is too old"),
    ],
)
def test_bad_schema_versions(version_literal: str, fragment: str) -> None:
    doc = '{"format": "aifactory-twin-scenario", "schema_version": ' + version_literal + "}"
    text = _error_text(doc)
    assert "schema_version: " in text and fragment in text


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.aift.json")
    with pytest.raises(ScenarioError, match="folder"):
        load_scenario(tmp_path)


def test_rules_errors_only_when_asked() -> None:
    doc = _doc(edges=[{"id": "e", "kind": "power", "source": "a", "target": "b"}])
    assert len(loads_scenario(doc, check_rules=False).edges) == 1
    assert "edges[0]" in _error_text(doc)


def test_scenario_error_pickles_with_its_problems() -> None:
    """It crosses a process boundary whole (the file-open worker, study runs)."""
    import pickle

    with pytest.raises(ScenarioError) as info:
        load_scenario(BROKEN / "negative_capacity.aift.json")
    error = info.value
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is ScenarioError and back.problems == error.problems
    assert [(p.path, p.message, p.file) for p in back.problems] == [
        (p.path, p.message, p.file) for p in error.problems
    ]
    assert str(back) == str(error) and back.args == error.args
