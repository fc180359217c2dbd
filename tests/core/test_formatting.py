"""The one formatter: money, percents, quantities, durations, field titles; never e-notation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aifactory_twin.errors import UsageError
from aifactory_twin.formatting import (
    MISSING,
    field_phrase,
    field_title,
    field_unit,
    format_count,
    format_duration,
    format_money,
    format_number,
    format_percent,
    format_plain,
    format_quantity,
    format_span,
    format_temperature,
    parse_duration,
)


@pytest.mark.parametrize(
    ("usd", "text"),
    [
        (0, "$0"),
        (0.035, "$0.0350"),
        (2.4719, "$2.47"),
        (12.5, "$12.50"),
        (950, "$950"),
        (999.4, "$999"),
        (999.6, "$1.00k"),  # rounds up into the next suffix, never "$1,000"
        (1234, "$1.23k"),
        (999_999, "$1.00M"),
        (61_500_000, "$61.5M"),
        (218_450_123, "$218M"),  # the slide that read "$218…"
        (1.5e9, "$1.50B"),
        (2.3e13, "$23.0T"),
        (-1_234_567, "−$1.23M"),
        (-0.5, "−$0.500"),
    ],
)
def test_money_is_compact_with_a_suffix(usd: float, text: str) -> None:
    assert format_money(usd) == text


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf])
def test_missing_values_show_a_dash_in_every_format(missing: float | None) -> None:
    for fmt in ("money", "percent", "percent_change", "ratio", "count", "quantity",
                "duration", "temperature", "rate"):  # fmt: skip
        assert format_number(missing, fmt, "kW") == MISSING  # type: ignore[arg-type]


@given(st.floats(min_value=-1e18, max_value=1e18, allow_nan=False))
def test_no_format_ever_prints_e_notation(value: float) -> None:
    for text in (
        format_money(value),
        format_quantity(value, "kW"),
        format_quantity(value, "MWh"),
        format_quantity(value, ""),
        format_count(value),
        format_percent(value),
    ):
        assert "e+" not in text and "e-" not in text, text


def test_percent_shows_shares_as_percents_never_fractions() -> None:
    assert format_percent(0.834) == "83.4 %"
    assert format_percent(0.99951, 2) == "99.95 %"
    assert format_percent(0) == "0.0 %"
    assert format_percent(-0.05) == "−5.0 %"
    assert format_percent(1) == "100.0 %"
    assert format_number(4.2, "percent_change") == "+4.2 %"
    assert format_number(-4.2, "percent_change") == "−4.2 %"


def test_quantities_scale_to_a_readable_unit() -> None:
    assert format_quantity(12_345, "kW") == "12.3 MW"
    assert format_quantity(999.7, "kW") == "1.00 MW"
    assert format_quantity(950, "kW") == "950 kW"
    assert format_quantity(0.5, "MWh") == "500 kWh"
    assert format_quantity(1234.5, "MWh") == "1.23 GWh"
    assert format_quantity(1500, "PFLOP/s") == "1.50 EFLOP/s"
    assert format_quantity(0, "kW") == "0 kW"
    assert format_quantity(123_456, "") == "123,456"  # whole digits are never dropped
    assert format_quantity(-2500, "kW") == "−2.50 MW"


def test_counts_temperatures_and_spans() -> None:
    assert format_count(24_576) == "24,576"
    assert format_count(1.234e12) == "1.23 trillion"
    assert format_temperature(87.26) == "87.3 °C"
    assert format_temperature(-3) == "−3.0 °C"
    assert format_span(45) == "45 s"
    assert format_span(12 * 60) == "12 min"
    assert format_span(5.5 * 3600) == "5.5 h"
    assert format_span(3.2 * 86400) == "3.2 d"
    assert format_span(3 * 365 * 86400) == "3.0 yr"


def test_durations_parse_and_format_exactly() -> None:
    assert parse_duration("90s") == 90
    assert parse_duration("12h") == 43_200
    assert parse_duration(" 30d ") == 30 * 86_400
    assert parse_duration("1y") == 365 * 86_400
    assert parse_duration("600") == 600
    for seconds in (90.0, 900.0, 43_200.0, 86_400.0 * 30, 86_400.0 * 365, 7.5):
        assert parse_duration(format_duration(seconds)) == seconds
    with pytest.raises(UsageError, match="Horizon: cannot read 'soon'"):
        parse_duration("soon", "Horizon")
    with pytest.raises(UsageError, match="greater than 0"):
        parse_duration("0h")


def test_durations_as_people_type_and_read_them() -> None:
    assert parse_duration("30 d") == 30 * 86_400
    assert parse_duration("15 min") == 900
    assert parse_duration("2 Hours") == 7_200
    assert parse_duration("3 weeks") == 21 * 86_400
    assert format_duration(30 * 86_400, spaced=True) == "30 d"
    assert format_duration(900, spaced=True) == "15 min"
    assert format_duration(7 * 86_400, spaced=True) == "7 d"  # days, not "1 w"
    assert format_duration(7.5, spaced=True) == "7.5 s"
    for seconds in (90.0, 900.0, 43_200.0, 86_400.0 * 30, 86_400.0 * 365, 7.5, 604_800.0):
        assert parse_duration(format_duration(seconds, spaced=True)) == seconds
    with pytest.raises(UsageError, match="cannot read '5 parsecs'"):
        parse_duration("5 parsecs")


def test_field_titles_and_units_come_from_the_name() -> None:
    assert (field_title("power_rating_kw"), field_unit("power_rating_kw")) == ("Power rating", "kW")
    assert field_title("delivery.lead_time_days") == "Lead time"
    assert field_unit("delivery.lead_time_days") == "d"
    assert (
        field_title("carbon_intensity_g_per_kwh"),
        field_unit("carbon_intensity_g_per_kwh"),
    ) == (
        "Carbon intensity",
        "g/kWh",
    )
    assert field_title("price_usd_per_gpu_hour") == "Price"
    assert field_title("cop") == "COP"
    assert field_unit("headcount") == ""


def test_history_labels_use_field_titles() -> None:
    """Undo history reads "Set UPS rating", not "Set ups rating kw"."""
    from aifactory_twin.commands import SetField, new_node
    from aifactory_twin.document import FactoryDocument
    from aifactory_twin.schema import Scenario

    assert field_phrase("power_rating_kw") == "power rating"
    assert field_phrase("ups_rating_kw") == "UPS rating"
    assert field_title("scale_up_bw_gbps_per_dir") == "Scale up bandwidth"
    doc = FactoryDocument(Scenario(nodes=[new_node("ups", "ups-1")]))
    assert SetField(doc, ["ups-1"], "ups_rating_kw", 500.0).text == "Set UPS rating"
    assert SetField(doc, ["ups-1"], "delivery.lead_time_days", 5.0).text == "Set lead time"


def test_plain_numbers_for_ticks_and_parameter_tables() -> None:
    assert [format_plain(v) for v in (0, 0.5, 1.35, 950, 5000, 12_500, 218e6)] == [
        "0",
        "0.5",
        "1.35",
        "950",
        "5,000",
        "12.5k",
        "218M",
    ]
    assert format_plain(2e-5, 6, compact=False) == "0.00002"
    assert format_plain(3e7, 6, compact=False) == "30,000,000"
    assert format_plain(-0.07, 6, compact=False) == "−0.07"
