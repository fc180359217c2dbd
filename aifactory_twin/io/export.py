"""Exports for other tools: networkx node-link JSON, GraphML, and the JSON Schema of the format.

Both graph exports come from ``graph.to_networkx``: nodes carry ``kind`` and their scalar fields
flattened to dotted keys (``position.x``, ``delivery.lead_time_days``); list-valued fields (price
periods, efficiency curves) are left out because GraphML only holds scalars — the scenario file
stays the complete record. Edges are keyed by edge id and carry ``kind``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from aifactory_twin.graph import to_networkx
from aifactory_twin.io.save import write_bytes_atomic
from aifactory_twin.schema import FORMAT_NAME, SCHEMA_VERSION, Scenario

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def node_link_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario graph in networkx node-link form (``nodes``, ``edges``, ``graph``)."""
    graph = to_networkx(scenario)
    try:
        data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    except TypeError:  # networkx < 3.4 has no ``edges=`` and calls the list "links"
        data = nx.node_link_data(graph)
        data["edges"] = data.pop("links")
    return data


def to_node_link_json(scenario: Scenario) -> str:
    """Node-link JSON text (two-space indent, sorted keys, trailing newline)."""
    return (
        json.dumps(
            node_link_data(scenario), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False
        )
        + "\n"
    )


def graphml_bytes(scenario: Scenario) -> bytes:
    """GraphML text of the scenario graph, UTF-8 encoded."""
    lines = nx.generate_graphml(to_networkx(scenario), encoding="utf-8", prettyprint=True)
    # generate_graphml yields the document without the XML declaration write_graphml adds.
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + "\n".join(lines) + "\n").encode("utf-8")


def write_graphml(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario graph as GraphML, atomically."""
    write_bytes_atomic(path, graphml_bytes(scenario))


def write_node_link(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario graph as node-link JSON, atomically."""
    write_bytes_atomic(path, to_node_link_json(scenario).encode("utf-8"))


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the ``*.aift.json`` format at the current version."""
    schema = Scenario.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"https://aifactory-twin.invalid/schema/{FORMAT_NAME}/v{SCHEMA_VERSION}.json",
        **schema,
    }
