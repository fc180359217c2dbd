"""Compile part: the outdoor weather of a run, from an EPW file or a climate preset.

``settings.ambient.weather_file`` (an EnergyPlus weather file, relative to the scenario file)
wins over ``settings.ambient.climate`` (a preset of ``models/weather.CLIMATES``); with neither
the engine keeps the plain daily sine (None here). Both become an hourly year
(``models/weather.YearWeather``); files and presets are read once per process (keyed by path,
size and modification time).
"""

from __future__ import annotations

import functools
from pathlib import Path

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import Scenario
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.models.weather import CLIMATES, YearWeather, climate_year, parse_epw

FIELD = "settings.ambient.weather_file"
MAX_EPW_BYTES = 64 * 1024 * 1024
"""An hourly EPW year is ≈ 1.6 MB; sub-hourly files are a few times that."""


def compile_weather(sc: Scenario) -> YearWeather | None:
    """The run's hourly weather year, or None for the plain daily sine."""
    amb = sc.settings.ambient
    if amb.weather_file:
        return read_weather_file(amb.weather_file, sc.source_dir)
    if amb.climate:
        if amb.climate not in CLIMATES:
            known = ", ".join(CLIMATES)
            raise problem(
                "settings.ambient.climate", f"unknown climate {amb.climate!r} (presets: {known})"
            )
        return _preset(amb.climate)
    return None


@functools.lru_cache(maxsize=len(CLIMATES))
def _preset(key: str) -> YearWeather:
    return climate_year(key)


def read_weather_file(name: str, base_dir: str | None) -> YearWeather:
    """The EPW file ``name`` (relative to ``base_dir``); errors name the file, line and field."""
    path = Path(name)
    if not path.is_absolute():
        path = (Path(base_dir) if base_dir else Path.cwd()) / path
    try:
        st = path.stat()
    except OSError as exc:
        raise problem(
            FIELD, f"cannot read the weather file {str(path)!r}: {exc.strerror}"
        ) from None
    if st.st_size > MAX_EPW_BYTES:
        raise problem(FIELD, f"weather file {path.name} is {st.st_size} bytes, over the 64 MiB cap")
    return _read_epw(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_epw(path: str, _size: int, _mtime_ns: int) -> YearWeather:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # EPW headers often carry Latin-1 place names; the data rows are ASCII either way.
        text = raw.decode("latin-1")
    try:
        return parse_epw(text, path)
    except ScenarioError as exc:
        raise ScenarioError(
            [
                Problem(FIELD, f"{p.path}: {p.message}" if p.path else p.message, path)
                for p in exc.problems
            ]
        ) from None
