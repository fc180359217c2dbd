"""What-if variants: applying overrides, the errors they raise, and diffing edits back to them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import KIND_FIELDS, scenarios

from aifactory_twin.commands import set_path
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import (
    ComputeRack,
    CoolingUnit,
    InferenceService,
    Override,
    PowerFeed,
    PriceSchedule,
    Scenario,
    TrainingJob,
    Variant,
)
from aifactory_twin.variants import apply_variant, diff_overrides, variant_names


def _base(*overrides: tuple[str, str, Any], name: str = "what-if") -> Scenario:
    return Scenario(
        nodes=[
            ComputeRack(id="r1", count=4),
            CoolingUnit(id="crah"),
            PowerFeed(
                id="feed",
                price=PriceSchedule(time_of_use=[{"start_hour": 0, "price_usd_per_kwh": 0.1}]),
            ),
        ],
        workloads=[TrainingJob(id="job"), InferenceService(id="chat")],
        variants=[
            Variant(name="empty"),
            Variant(
                name=name,
                overrides=[Override(target=t, path=p, value=v) for t, p, v in overrides],
            ),
        ],
    )


def test_variant_names_in_order() -> None:
    assert variant_names(_base()) == ["empty", "what-if"]


def test_none_and_empty_variant_return_the_base() -> None:
    base = _base()
    assert apply_variant(base, None) is base
    assert apply_variant(base, "empty") == base


def test_overrides_change_nodes_workloads_and_settings() -> None:
    base = _base(
        ("r1", "count", 16),
        ("r1", "delivery.lead_time_days", 120),
        ("crah", "nominal_cooling_capacity_kw", 300),
        ("job", "accelerators_requested", 64),
        ("chat", "daily_profile.3", 0.25),
        ("settings", "ambient.mean_c", 35),
        ("settings", "start_time", "2027-06-01T00:00:00"),
        ("feed", "price.time_of_use.0.price_usd_per_kwh", 0.3),
    )
    out = apply_variant(base, "what-if")
    nodes = out.node_by_id()
    assert nodes["r1"].count == 16
    assert nodes["r1"].delivery.lead_time_days == 120.0  # type: ignore[attr-defined]
    assert nodes["crah"].nominal_cooling_capacity_kw == 300.0  # type: ignore[attr-defined]
    assert out.workloads[0].accelerators_requested == 64  # type: ignore[union-attr]
    assert out.workloads[1].daily_profile[3] == 0.25  # type: ignore[union-attr]
    assert out.settings.ambient.mean_c == 35.0
    assert out.settings.start_time.month == 6
    assert nodes["feed"].price.time_of_use[0].price_usd_per_kwh == 0.3  # type: ignore[attr-defined]
    # Untouched things are untouched, and the base itself is unchanged.
    assert out.workloads[0].parameters_b == base.workloads[0].parameters_b  # type: ignore[union-attr]
    assert base.node_by_id()["r1"].count == 4
    assert Scenario.model_validate(out.model_dump()) == out


def test_later_override_of_the_same_field_wins() -> None:
    out = apply_variant(_base(("r1", "count", 2), ("r1", "count", 3)), "what-if")
    assert out.node_by_id()["r1"].count == 3


def test_unknown_variant_names_the_known_ones() -> None:
    with pytest.raises(
        ScenarioError, match=r"no variant named 'nope' \(known: 'empty', 'what-if'\)"
    ):
        apply_variant(_base(), "nope")


@pytest.mark.parametrize(
    ("override", "where", "message"),
    [
        (("ghost", "count", 2), "variants[1].overrides[0].target", "'ghost' is neither"),
        (("r1", "no_such", 2), "variants[1].overrides[0].path", "no field 'no_such'"),
        (("r1", "delivery.nope", 2), "variants[1].overrides[0].path", "no field 'delivery.nope'"),
        (("r1", "count.deeper", 2), "variants[1].overrides[0].path", "has no fields"),
        (("chat", "daily_profile.24", 1), "variants[1].overrides[0].path", "no item"),
        (("r1", "id", "r9"), "variants[1].overrides[0].path", "cannot be overridden"),
        (("r1", "count", -1), "variants[1].overrides[0]", "count"),
        (("settings", "step_s", 0), "variants[1].overrides[0]", "step_s"),
        (("job", "target_mfu", 2), "variants[1].overrides[0]", "target_mfu"),
        (("r1", "shutdown_c", 10), "variants[1].overrides[0]", "thermal limits"),
    ],
)
def test_bad_overrides_raise_naming_the_override(
    override: tuple[str, str, Any], where: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_variant(_base(override), "what-if")
    (problem,) = info.value.problems
    assert problem.path == where
    assert message in problem.message


def test_every_bad_override_is_reported_at_once() -> None:
    base = _base(
        ("r1", "count", 2), ("ghost", "count", 1), ("crah", "nope", 1), ("job", "target_mfu", 5)
    )
    with pytest.raises(ScenarioError) as info:
        apply_variant(base, "what-if")
    paths = [p.path for p in info.value.problems]
    assert paths == [
        "variants[1].overrides[1].target",
        "variants[1].overrides[2].path",
        "variants[1].overrides[3]",
    ]


def test_diff_overrides_refuses_structural_changes() -> None:
    base = _base()
    grown = base.model_copy(update={"nodes": [*base.nodes, ComputeRack(id="r2")]})
    with pytest.raises(ScenarioError, match="cannot add"):
        diff_overrides(base, grown)
    rekinded = base.model_copy(update={"nodes": [CoolingUnit(id="r1"), *base.nodes[1:]]})
    with pytest.raises(ScenarioError, match="changed kind"):
        diff_overrides(base, rekinded)


def test_diff_overrides_lists_leaf_changes() -> None:
    base = _base()
    rack = set_path(base.nodes[0], "delivery.lead_time_days", 30)
    edited = base.model_copy(
        update={
            "nodes": [rack, *base.nodes[1:]],
            "settings": base.settings.model_copy(update={"seed": 7}),
        }
    )
    assert diff_overrides(base, edited) == [
        Override(target="settings", path="seed", value=7),
        Override(target="r1", path="delivery.lead_time_days", value=30.0),
    ]


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.data())
def test_diff_then_apply_reproduces_the_edited_scenario(
    scenario: Scenario, data: st.DataObject
) -> None:
    edited_nodes = []
    for node in scenario.nodes:
        fields = KIND_FIELDS[node.kind]  # type: ignore[attr-defined]
        if fields and data.draw(st.booleans()):
            path = data.draw(st.sampled_from(sorted(fields)))
            node = set_path(node, path, data.draw(fields[path]))
        edited_nodes.append(node)
    edited = scenario.model_copy(update={"nodes": edited_nodes})
    overrides = diff_overrides(scenario, edited)
    with_variant = scenario.model_copy(
        update={"variants": [Variant(name="v", overrides=overrides)]}
    )
    applied = apply_variant(with_variant, "v")
    assert applied.nodes == edited.nodes
    assert applied.workloads == scenario.workloads
