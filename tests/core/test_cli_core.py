"""The core CLI commands as a user runs them: exit codes, messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_io_errors import EXPECTED

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates

REPO = Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken"
GOLDEN = REPO / "tests" / "data" / "scenario_v1.aift.json"


def run_cli(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "aifactory_twin", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    if "--debug" not in args:
        assert "Traceback" not in result.stdout + result.stderr
    return result


def test_validate_good_file_exits_0() -> None:
    result = run_cli("validate", GOLDEN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 of 1 file valid" in result.stderr


def test_validate_shipped_scenes_exit_0() -> None:
    scenes = sorted(scene_templates().values())
    assert any(p.name == "starter-lab.aift.json" for p in scenes)
    result = run_cli("validate", *scenes)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(scenes)} of {len(scenes)} files valid" in result.stderr


def test_validate_prints_warnings_and_still_exits_0(tmp_path: Path) -> None:
    lonely = tmp_path / "lonely.aift.json"
    lonely.write_text(
        json.dumps(
            {
                "format": "aifactory-twin-scenario",
                "schema_version": 1,
                "nodes": [{"kind": "compute_rack", "id": "rack-1"}],
            }
        ),
        encoding="utf-8",
    )
    result = run_cli("validate", lonely)
    assert result.returncode == 0
    assert f"{lonely}: nodes[0]: warning: " in result.stdout
    assert "[rack-no-power]" in result.stdout
    quiet = run_cli("validate", "-q", lonely)
    assert quiet.returncode == 0 and "warning:" not in quiet.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_broken_file_exits_2_naming_the_problem(name: str) -> None:
    path = BROKEN / name
    result = run_cli("validate", path)
    assert result.returncode == 2, result.stdout + result.stderr
    for fragment in EXPECTED[name]:
        assert fragment in result.stdout, f"{fragment!r} not in {result.stdout!r}"
    assert result.stdout.startswith(f"{path}: ")
    assert "0 of 1 file valid" in result.stderr


def test_validate_100mb_file_exits_2(tmp_path: Path) -> None:
    huge = tmp_path / "huge.aift.json"
    with huge.open("wb") as handle:
        handle.write(b'{"format": "aifactory-twin-scenario", "nodes": [')
        handle.truncate(100 * 1024 * 1024)
    result = run_cli("validate", huge)
    assert result.returncode == 2
    assert "100.0 MiB" in result.stdout and "limit is 64 MiB" in result.stdout
    assert "--max-file-mib" in result.stdout  # the message says how to raise the cap


def test_max_file_mib_raises_the_cap_and_refuses_nonsense(tmp_path: Path) -> None:
    padded = tmp_path / "padded.aift.json"
    text = GOLDEN.read_text(encoding="utf-8")
    # Trailing whitespace is valid JSON: a real scenario just over the 64 MiB default.
    padded.write_text(text + " " * (65 * 2**20), encoding="utf-8")
    assert run_cli("validate", padded).returncode == 2
    assert run_cli("--max-file-mib", "80", "validate", padded).returncode == 0
    bad = run_cli("--max-file-mib", "0", "validate", GOLDEN)
    assert bad.returncode == 2 and "positive number of MiB" in bad.stderr


def test_validate_mixed_and_missing_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.aift.json"
    result = run_cli("validate", GOLDEN, missing, BROKEN / "unknown_kind.aift.json")
    assert result.returncode == 2
    assert f"{missing}: error: file not found" in result.stdout
    assert "1 of 3 files valid" in result.stderr


def test_schema_prints_json_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "ComputeRack" in schema["$defs"]
    assert schema["properties"]["format"]["const"] == "aifactory-twin-scenario"


def test_export_writes_both_formats(tmp_path: Path) -> None:
    graphml, node_link = tmp_path / "g.graphml", tmp_path / "g.json"
    result = run_cli("export", GOLDEN, "--graphml", graphml, "--node-link", node_link)
    assert result.returncode == 0, result.stderr
    assert graphml.read_bytes().startswith(b"<?xml")
    assert len(json.loads(node_link.read_text(encoding="utf-8"))["nodes"]) == 13


def test_export_errors(tmp_path: Path) -> None:
    no_target = run_cli("export", GOLDEN)
    assert no_target.returncode == 2 and "--graphml" in no_target.stderr
    broken = run_cli("export", BROKEN / "dangling_edge.aift.json", "--graphml", tmp_path / "x")
    assert broken.returncode == 2 and "edges[0]" in broken.stderr
    assert not (tmp_path / "x").exists()
    debug = run_cli("--debug", "export", BROKEN / "dangling_edge.aift.json", "--graphml", "x")
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_new_from_template(tmp_path: Path) -> None:
    out = tmp_path / "my-lab.aift.json"
    result = run_cli("new", "--template", "starter-lab", out)
    assert result.returncode == 0, result.stderr
    created = load_scenario(out)
    template = load_scenario(scene_templates()["starter-lab"])
    assert created.meta.name == "my lab"
    assert created.nodes == template.nodes and created.edges == template.edges

    again = run_cli("new", "--template", "starter-lab", out)
    assert again.returncode == 2 and "already exists" in again.stderr and "--force" in again.stderr
    forced = run_cli("new", "--template", "starter-lab", out, "--force", "--name", "Lab B")
    assert forced.returncode == 0
    assert load_scenario(out).meta.name == "Lab B"


def test_new_unknown_template_lists_names(tmp_path: Path) -> None:
    result = run_cli("new", "--template", "moon-base", tmp_path / "x.aift.json")
    assert result.returncode == 2
    assert "unknown template 'moon-base'" in result.stderr and "starter-lab" in result.stderr
    assert not (tmp_path / "x.aift.json").exists()


def test_usage_errors_exit_2() -> None:
    assert run_cli().returncode == 2
    assert run_cli("validate").returncode == 2
    assert run_cli("no-such-command").returncode == 2
