"""Exports: node-link JSON and GraphML read back into networkx; the JSON Schema validates files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx

from aifactory_twin.io import load_scenario
from aifactory_twin.io.export import (
    graphml_bytes,
    json_schema,
    to_node_link_json,
    write_graphml,
    write_node_link,
)
from aifactory_twin.schema import SCHEMA_VERSION


def test_node_link_round_trips_through_networkx(golden_path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(golden_path)
    text = to_node_link_json(scenario)
    assert text == to_node_link_json(scenario)  # deterministic
    data = json.loads(text)
    graph = nx.node_link_graph(data, edges="edges")
    assert graph.is_multigraph() and graph.is_directed()
    assert set(graph.nodes) == {n.id for n in scenario.nodes}
    assert graph.number_of_edges() == len(scenario.edges)
    assert graph.nodes["rack-custom"]["accelerator.tdp_w"] == 1000.0
    assert graph.nodes["rack-custom"]["kind"] == "compute_rack"
    assert graph.edges["crah-1", "rack-h100", "c-crah-h100"]["kind"] == "coolant"
    out = tmp_path / "g.json"
    write_node_link(scenario, out)
    assert out.read_text(encoding="utf-8") == text


def test_graphml_holds_only_scalars_and_reads_back(golden_path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(golden_path)
    payload = graphml_bytes(scenario)
    assert payload.startswith(b"<?xml")
    graph = nx.read_graphml(io.BytesIO(payload), force_multigraph=True)
    assert graph.number_of_nodes() == len(scenario.nodes)
    assert graph.number_of_edges() == len(scenario.edges)
    feed = graph.nodes["feed-1"]
    assert feed["price.flat_usd_per_kwh"] == 0.08
    # Lists (time-of-use periods) are not scalars: left out of GraphML, kept in the scenario.
    assert not any(key.startswith("price.time_of_use") for key in feed)
    assert graph.nodes["chiller-1"]["delivery.delivery_date"] == "2027-02-15"
    assert graph.nodes["lake"]["encryption_at_rest"] is True
    out = tmp_path / "g.graphml"
    write_graphml(scenario, out)
    assert out.read_bytes() == payload


def test_json_schema_describes_the_format() -> None:
    schema = json_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert str(SCHEMA_VERSION) in schema["$id"]
    assert set(schema["properties"]) >= {"format", "schema_version", "nodes", "edges"}
    node_refs = json.dumps(schema["properties"]["nodes"])
    assert "ComputeRack" in node_refs and "discriminator" in node_refs
    assert schema["$defs"]["ComputeRack"]["additionalProperties"] is False
    json.dumps(schema, allow_nan=False)  # serialisable as strict JSON
