"""Step-by-step migrations of raw scenario dicts from older schema versions to the current one.

Version policy:

- ``SCHEMA_VERSION`` (in ``aifactory_twin.schema.scenario``) is bumped whenever a released file
  would no longer validate as-is: a field renamed, removed, re-typed or given a new meaning. Adding
  an optional field with a default that keeps old behaviour needs no bump.
- Each bump adds one function ``MIGRATIONS[n]`` that turns a version-``n`` dict into a
  version-``n + 1`` dict. Migrations work on plain dicts (never on schema objects, which only know
  the current shape), take a deep copy of what they change, and never drop information silently.
- Each released version keeps a golden file ``tests/data/scenario_v<n>.aift.json`` that must load
  forever; the test suite loads every one of them through the whole chain.

Loading migrates the dict from its version up to the current one, one step at a time, so a
version-1 file read by a version-4 build passes through 1→2, 2→3 and 3→4 in order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema.scenario import SCHEMA_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[int, Migration] = {}
"""from-version → function producing the dict at from-version + 1.

A step may change the dict it is given: ``migrate`` gives it one of its own."""

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "current_version", "migrate"]


def current_version() -> int:
    """The version this build writes; read at call time so tests can monkeypatch it."""
    return SCHEMA_VERSION


def oldest_readable_version() -> int:
    """The oldest version from which an unbroken chain of migrations reaches the current one."""
    version = current_version()
    while version - 1 in MIGRATIONS:
        version -= 1
    return version


def migrate(
    data: dict[str, Any], version: int, file: str = "", *, owned: bool = False
) -> dict[str, Any]:
    """Bring ``data`` (a raw dict at ``version``) to the current version, one step at a time.

    Raises ScenarioError when a step is missing or a migration fails on malformed old data; the
    input dict is never modified, unless ``owned``: the caller hands ``data`` over (the loader's
    freshly parsed dict) and the steps run on it without a deep copy first (a 40-hall factory
    is 1.9 M objects: a copy takes ~10 s).
    """
    target = current_version()
    if version == target:
        return data
    if version > target:  # callers check this first; kept so migrate() is safe on its own
        raise ScenarioError([_newer_problem(version, target, file)])
    oldest = oldest_readable_version()
    if version < oldest:
        raise ScenarioError(
            [
                Problem(
                    file=file,
                    path="schema_version",
                    message=(
                        f"version {version} is too old for this build, which reads versions "
                        f"{oldest} to {target}"
                    ),
                )
            ]
        )
    current = data if owned else copy.deepcopy(data)
    for step in range(version, target):
        migration = MIGRATIONS[step]
        try:
            current = migration(current)
        except ScenarioError:
            raise
        except Exception as exc:
            # Old files may be malformed in ways the migration did not foresee; the user must
            # see which step failed, not a KeyError traceback.
            raise ScenarioError(
                [
                    Problem(
                        file=file,
                        path="schema_version",
                        message=(
                            f"cannot migrate from version {step} to {step + 1}: "
                            f"{type(exc).__name__}: {exc}"
                        ),
                    )
                ]
            ) from exc
        if not isinstance(current, dict):
            raise ScenarioError(
                [
                    Problem(
                        file=file,
                        path="",
                        message=f"migration {step}→{step + 1} did not produce an object",
                    )
                ]
            )
        current["schema_version"] = step + 1
    return current


def _newer_problem(version: int, target: int, file: str) -> Problem:
    return Problem(
        file=file,
        path="schema_version",
        message=(
            f"written by a newer aifactory-twin (version {version}); "
            f"this build reads up to {target}"
        ),
    )


def newer_version_problem(version: int, file: str = "") -> Problem:
    """The problem reported for a file from a newer build."""
    return _newer_problem(version, current_version(), file)


# ------------------------------------------------------------------ 1 → 2: WAN edges
OLD_SITE_RTT_MS = 20.0
OLD_SITE_BANDWIDTH_GBPS = 10.0
"""Version-1 defaults of a site's uplink fields (a hand-written file may leave them out)."""
_OLD_UPLINK_PATHS = {"wan_rtt_ms": "latency_ms", "wan_bandwidth_gbps": "bandwidth_gbps"}


def _fresh(taken: set[str], wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… whichever is not ``taken`` (then taken)."""
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}-{n}"
    taken.add(name)
    return name


def _v1_sites_uplinks_become_wan_edges(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 → 2: each site's WAN uplink becomes a ``wan`` edge to a hub "WAN backbone".

    The uplink was ``wan_rtt_ms`` and ``wan_bandwidth_gbps`` on the site node: version 1 joined
    the sites hub-and-spoke through an implicit backbone, and the nodes at no site sat on it.
    The hub is now a site node; when the main hall has a network switch (at no site), a 0 ms
    link joins the hub to it so the hall stays on the backbone, its bandwidth the sum of the
    uplinks (version 1 capped only the uplinks). Variant overrides and uncertain inputs of the
    uplink fields move to the new edges.
    """
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        return data
    site_nodes = [n for n in nodes if isinstance(n, dict) and n.get("kind") == "site"]
    if not site_nodes:
        return data
    out = copy.deepcopy(data)
    site_nodes = [n for n in out["nodes"] if isinstance(n, dict) and n.get("kind") == "site"]
    site_ids = {str(n.get("id")) for n in site_nodes}
    node_ids = {str(n.get("id")) for n in out["nodes"] if isinstance(n, dict)}
    edges = out.setdefault("edges", [])
    edge_ids = {str(e.get("id")) for e in edges if isinstance(e, dict)}
    xs = [float(n.get("position", {}).get("x", 0.0)) for n in site_nodes]
    ys = [float(n.get("position", {}).get("y", 0.0)) for n in site_nodes]
    hub = _fresh(node_ids, "wan-backbone")
    out["nodes"].append(
        {
            "kind": "site",
            "id": hub,
            "name": "WAN backbone",
            "position": {"x": sum(xs) / len(xs), "y": min(ys) - 160.0},
        }
    )
    moved: dict[str, str] = {}  # site id → its uplink edge id
    total_gbps = 0.0
    for site in site_nodes:
        rtt = float(site.pop("wan_rtt_ms", OLD_SITE_RTT_MS))
        gbps = float(site.pop("wan_bandwidth_gbps", OLD_SITE_BANDWIDTH_GBPS))
        total_gbps += gbps
        edge_id = moved[str(site["id"])] = _fresh(edge_ids, f"wan-{site['id']}")
        edges.append(
            {
                "kind": "wan",
                "id": edge_id,
                "source": site["id"],
                "target": hub,
                "latency_ms": rtt,
                "bandwidth_gbps": gbps,
            }
        )
    hall_switch = next(
        (
            n["id"]
            for n in out["nodes"]
            if isinstance(n, dict)
            and n.get("kind") == "network_switch"
            and n.get("group", "") not in site_ids
        ),
        None,
    )
    if hall_switch is not None:
        edges.append(
            {
                "kind": "wan",
                "id": _fresh(edge_ids, "wan-main-hall"),
                "source": hub,
                "target": hall_switch,
                "latency_ms": 0.0,
                "bandwidth_gbps": total_gbps,
            }
        )
    for item in _overrides_and_inputs(out):
        target, path = item.get("target"), item.get("path")
        if target in moved and path in _OLD_UPLINK_PATHS:
            item["target"], item["path"] = moved[target], _OLD_UPLINK_PATHS[path]
    return out


def _overrides_and_inputs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every variant override and uncertain input of a raw scenario dict."""
    found: list[dict[str, Any]] = []
    for variant in data.get("variants") or []:
        if isinstance(variant, dict):
            found += [o for o in variant.get("overrides") or [] if isinstance(o, dict)]
    found += [u for u in data.get("uncertain") or [] if isinstance(u, dict)]
    return found


MIGRATIONS[1] = _v1_sites_uplinks_become_wan_edges


# ------------------------------------------------------------------ 2 → 3: fans follow cooling
def _v2_host_power_for_its_cooling(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 → 3: a rack's host power is given for ``host_power_cooling``.

    Version 3 moves a rack's host power by the server-fan share when its ``cooling`` differs
    from the mode the host figures are for (``sim/compile/compute.host_power_for_cooling``);
    version 2 took ``host_overhead_w`` and ``host_idle_w`` as they stood, in whatever mode. So
    each rack's figures are declared for its own cooling mode, and a variant override of a
    rack's ``cooling`` declares them for the new mode too: old files draw the same power.
    """
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        return data
    # In place: ``migrate`` hands each step a dict it owns (its deep copy, or the loader's own
    # parse), and a deep copy here took ~10 s on a 40-hall factory's 1.9 M objects.
    out = data
    racks = set()
    for node in nodes:
        if isinstance(node, dict) and node.get("kind") == "compute_rack":
            node.setdefault("host_power_cooling", node.get("cooling", "air"))
            racks.add(node.get("id"))
    for variant in out.get("variants") or []:
        if not isinstance(variant, dict) or not isinstance(variant.get("overrides"), list):
            continue
        kept: list[Any] = []
        for item in variant["overrides"]:
            kept.append(item)
            if (
                isinstance(item, dict)
                and item.get("target") in racks
                and item.get("path") == "cooling"
            ):
                kept.append({**item, "path": "host_power_cooling"})
        variant["overrides"] = kept
    return out


MIGRATIONS[2] = _v2_host_power_for_its_cooling
