"""The run's CSV writer (issue 13, big factories): the fast paths write what csv.writer writes."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from aifactory_twin.cli.run_cmd import _formatted, _write_columns


def _reference(path: Path, header: list[str], columns: list[list[str]]) -> bytes:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
    return path.read_bytes()


def test_formatting_per_distinct_value_equals_formatting_each() -> None:
    rng = np.random.default_rng(5)
    few = rng.choice([0.0, -0.0, 1.5, 1e-7, 123456789.0, np.inf, -np.inf, np.nan], 20_000)
    many = rng.normal(size=20_000)
    no_minus_zero = np.where(few == 0.0, 0.0, few)
    for values in (few, no_minus_zero, many, few[:100], few.astype(np.float32), np.arange(9000)):
        for spec in ("{:g}", "{:.4g}", "{:.6g}"):
            assert _formatted(values, spec) == [spec.format(v) for v in values.tolist()]
    assert "-0" in _formatted(few, "{:g}") and "0" in _formatted(few, "{:g}")


def test_rows_joined_directly_are_the_csv_modules_bytes(tmp_path: Path) -> None:
    ids = [f"h01-n{i:05d}" for i in range(70_000)]
    numbers = _formatted(np.linspace(0, 1, 70_000), "{:.4g}")
    header = ["node_id", "value", "empty"]
    columns = [ids, numbers, [""] * 70_000]
    _write_columns(tmp_path / "fast.csv", header, columns)
    assert (tmp_path / "fast.csv").read_bytes() == _reference(tmp_path / "ref.csv", header, columns)


def test_a_field_the_csv_module_quotes_is_still_quoted(tmp_path: Path) -> None:
    for odd in ("a,b", 'say "hi"', "two\nlines", "cr\r"):
        columns = [["x", odd, "z"], ["1", "2", "3"]]
        _write_columns(tmp_path / "fast.csv", ["id", "n"], columns)
        expected = _reference(tmp_path / "ref.csv", ["id", "n"], columns)
        assert (tmp_path / "fast.csv").read_bytes() == expected
    _write_columns(tmp_path / "fast.csv", ["a"], [[""]])
    assert (tmp_path / "fast.csv").read_bytes() == _reference(tmp_path / "ref.csv", ["a"], [[""]])
