"""The launch pipeline's review gate with nobody at it: a warning naming the runs (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aifactory_twin import rules
from aifactory_twin.commands import new_node
from aifactory_twin.schema import JobMix, Scenario, TrainingJob

REPO = Path(__file__).resolve().parent.parent.parent


def _scene(*teams: tuple[str, int], mix: bool = False) -> Scenario:
    nodes = [new_node("compute_rack", "rack")]
    nodes += [
        new_node("staff_team", f"team-{i}", role=r, headcount=n) for i, (r, n) in enumerate(teams)
    ]
    jobs = [TrainingJob(id="pretrain", accelerators_requested=8), TrainingJob(id="sft")]
    return Scenario(
        nodes=nodes,
        workloads=jobs,
        job_mix=[JobMix(team="research", jobs=3)] if mix else [],
    )


def _warned(sc: Scenario) -> list[rules.Finding]:
    return [f for f in rules.check(sc) if f.code == "no-governance-team"]


def test_runs_without_reviewers_are_warned_about_by_name() -> None:
    (found,) = _warned(_scene(("mlops", 3), mix=True))
    assert found.severity == "warning"
    assert found.ids == ("pretrain", "sft") and found.path == "workloads[0]"
    assert "pretrain, sft, the job mix of team 'research'" in found.message
    assert "no model will launch" in found.message


def test_a_governance_team_with_people_clears_the_warning() -> None:
    assert _warned(_scene(("mlops", 3), ("security_governance", 2))) == []
    # An empty governance team reviews nothing (the pipeline splits work over its headcount).
    assert len(_warned(_scene(("mlops", 3), ("security_governance", 0)))) == 1


def test_no_warning_without_training_or_without_evaluators() -> None:
    # Nobody evaluates, so no model reaches the review gate: the pipeline is not modelled.
    assert _warned(_scene()) == []
    assert _warned(_scene(("facilities_ops", 6))) == []
    assert len(_warned(_scene(("ml_research", 4)))) == 1  # researchers evaluate their own
    no_runs = _scene(("mlops", 3)).model_copy(update={"workloads": []})
    assert _warned(no_runs) == []


def test_cli_validate_prints_the_warning_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "no-reviewers.aift.json"
    path.write_text(_scene(("mlops", 3)).model_dump_json(), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "aifactory_twin", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{path}: workloads[0]: warning: training runs (pretrain, sft)" in result.stdout
    assert "[no-governance-team]" in result.stdout
    assert json.loads(path.read_text(encoding="utf-8"))["workloads"][0]["id"] == "pretrain"
