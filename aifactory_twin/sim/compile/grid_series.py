"""Compile part: each feed's price/carbon CSV (``PowerFeed.grid_series_path``), parsed once.

The path resolves against the scenario file's folder (``Scenario.source_dir``), as job traces
do; a feed without one keeps its constant carbon and its time-of-use price table. Every problem
names the file, the line and the feed (``nodes[3].grid_series_path (id "feed-a")``).
"""

from __future__ import annotations

from pathlib import Path

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import PowerFeed
from aifactory_twin.sim.models.grid import GridSeries, parse_grid_csv

MAX_SERIES_BYTES = 64 * 1024 * 1024
"""A year at one-minute steps with both columns is ≈ 15 MB; anything far past that is a mistake."""


def _where(node_pos: int, feed: PowerFeed) -> tuple[str, str]:
    path = f"nodes[{node_pos}].grid_series_path"
    return path, f'{path} (id "{feed.id}")'


def load_feed_series(node_pos: int, feed: PowerFeed, base_dir: str | None) -> GridSeries | None:
    """The feed's series, or None when it has none; ScenarioError naming file, line and feed."""
    if feed.grid_series_path is None:
        return None
    field, label = _where(node_pos, feed)
    path = Path(feed.grid_series_path)
    if not path.is_absolute():
        path = (Path(base_dir) if base_dir else Path.cwd()) / path

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(field, message, str(path), label)])

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail(f"cannot read the price/carbon series: {exc.strerror}") from None
    if size > MAX_SERIES_BYTES:
        raise fail(f"the series is {size} bytes, over the 64 MiB cap")
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise fail(f"the series is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise fail(f"cannot read the price/carbon series: {exc.strerror}") from None
    try:
        return parse_grid_csv(text, str(path))
    except ScenarioError as err:
        # The parser names the file and line; add the feed that reads it.
        raise ScenarioError(
            [
                Problem(field, ": ".join(x for x in (p.path, p.message) if x), str(path), label)
                for p in err.problems
            ]
        ) from None
