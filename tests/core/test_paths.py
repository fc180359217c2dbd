"""Dotted field paths: one reading for commands, variants, studies and views."""

from __future__ import annotations

import pytest

from aifactory_twin.commands import new_node, set_path
from aifactory_twin.errors import ScenarioError
from aifactory_twin.paths import get_path, join_path, set_in, split_path
from aifactory_twin.schema import PowerFeed


def test_get_walks_attributes_keys_and_indices() -> None:
    feed = PowerFeed(id="f", price={"time_of_use": [{"start_hour": 7, "price_usd_per_kwh": 0.2}]})
    assert get_path(feed, "price.time_of_use.0.start_hour") == 7
    assert get_path({"a": [{"b": 3}]}, "a.0.b") == 3
    assert get_path(feed, "price.time_of_use.5.start_hour", None) is None
    assert get_path(feed, "price.nothing", "x") == "x"
    with pytest.raises(KeyError, match=r"price\.nothing"):
        get_path(feed, "price.nothing")
    with pytest.raises(KeyError):
        get_path({"a": [1]}, "a.first")


def test_set_in_changes_nested_data_in_place_or_says_why_not() -> None:
    data = {"a": {"b": 1}, "l": [{"x": 1}, {"x": 2}], "n": None, "s": 3}
    assert set_in(data, "a.b", 5) is None and data["a"]["b"] == 5
    assert set_in(data, "l.1.x", 9) is None and data["l"][1]["x"] == 9
    assert set_in(data, "a.c", 1) == "no field 'a.c'"
    assert set_in(data, "l.2.x", 1) == "no item 'l.2' (the list has 2 items)"
    assert set_in(data, "s.t", 1) == "'s' has no fields (it is 3)"
    assert set_in(data, "n.k", 1) == "'n' has no fields (it is None)"
    assert set_in(data, "n", {"k": 1}) is None


def test_split_and_join_are_inverse() -> None:
    assert split_path("delivery.lead_time_days") == ["delivery", "lead_time_days"]
    assert join_path(("nodes", 3, "count")) == "nodes.3.count"
    assert join_path(split_path("a.0.b")) == "a.0.b"


def test_set_path_on_a_node_validates_and_names_the_field() -> None:
    rack = new_node("compute_rack", "r")
    assert set_path(rack, "delivery.lead_time_days", 30.0).delivery.lead_time_days == 30.0  # type: ignore[attr-defined]
    with pytest.raises(ScenarioError, match="no such field"):
        set_path(rack, "delivery.nope", 1)
    with pytest.raises(ScenarioError) as err:
        set_path(rack, "power_rating_kw", -1.0)
    assert err.value.problems[0].path == "power_rating_kw"


def test_what_changed_rows_read_base_values_by_path_without_e_notation() -> None:
    from aifactory_twin.schema import Override, Scenario
    from aifactory_twin.study.assumptions import override_rows

    rack = new_node("compute_rack", "r", capex_usd=3e7)
    scenario = Scenario(nodes=[rack])
    rows = override_rows(
        scenario,
        [
            Override(target="r", path="capex_usd", value=3.5e7),
            Override(target="r", path="failure_rate_per_gpu_hour", value=4e-5),
            Override(target="r", path="delivery.nothing", value=1),
        ],
    )
    assert [(r.base_value, r.value) for r in rows[:2]] == [
        ("30,000,000", "35,000,000"),
        ("0.00002", "0.00004"),
    ]
    assert rows[2].base_value == "—"  # no such field: shown as missing, not a crash
